"""The city's list of children (A5, A7.3) and its existing contracts (A7.10) from CSV or XLSX files."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from goszakaz.domain.iin import InvalidNumber, iin_birth_date, validate_bin, validate_child_iin
from goszakaz.files import (
    RowError,
    clean_name,
    missing_columns,
    name_problem,
    read_rows,
    stop_if_too_many,
    write_rejects,
)

CHILD_COLUMNS = ("child_iin", "birth_date", "child_name", "parent_iin", "period_start")
CHILD_OPTIONAL = ("period_end",)
CONTRACT_COLUMNS = ("child_iin", "preschool_bin", "starts_on")
CONTRACT_OPTIONAL = ("ends_on",)
IDENTIFIERS = ("child_iin", "parent_iin", "preschool_bin")
DATE_FORMATS = "YYYY-MM-DD or DD.MM.YYYY"
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_RU = re.compile(r"\d{2}\.\d{2}\.\d{4}")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ChildRow:
    """One child of the city's list: the voucher to grant (A5)."""

    line: int
    child_iin: str
    birth_date: dt.date
    child_name: str
    parent_iin: str
    period_start: dt.date
    period_end: dt.date | None


@dataclass(frozen=True, slots=True)
class ContractRow:
    """One existing contract of the city's system (A7.10); ends_on inclusive, None if open."""

    line: int
    child_iin: str
    preschool_bin: str
    starts_on: dt.date
    ends_on: dt.date | None


@dataclass
class Rows(Generic[T]):
    """The good rows (with their raw values), every error, and the rejected raw rows of a file."""

    header: list[str]
    good: list[tuple[T, list[str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rejected: list[tuple[int, list[str]]] = field(default_factory=list)

    @property
    def header_errors(self) -> bool:
        """Is the header itself wrong (a column missing)? Then no row could be read."""
        return any(e.line == 1 for e in self.errors)

    def reject(self, line: int, raw: list[str], errors: list[RowError]) -> None:
        """Move a row to the rejected ones with its errors."""
        self.errors.extend(errors)
        self.rejected.append((line, raw))

    def sort(self) -> None:
        """Errors and rejected rows in file order."""
        self.errors.sort(key=lambda e: e.line)
        self.rejected.sort(key=lambda r: r[0])

    def write_rejects(self, path: Path) -> None:
        """The rejected rows as a rejects CSV, the same format as the queue import's."""
        write_rejects(path, self.header, self.errors, self.rejected)


def parse_date(value: str) -> dt.date | None:
    """A date written YYYY-MM-DD (or DD.MM.YYYY, as ru/kk Excel writes it); None if it is not one."""
    try:
        if _ISO.fullmatch(value):
            return dt.date.fromisoformat(value)
        if _RU.fullmatch(value):
            return dt.datetime.strptime(value, "%d.%m.%Y").date()
    except ValueError:
        return None
    return None


def identifier(value: str) -> str:
    """An IIN or BIN as written; 11 digits get back the leading zero Excel drops from numbers."""
    value = value.strip()
    if len(value) == 11 and value.isascii() and value.isdigit():
        return "0" + value
    return value


Cells = dict[str, str]
RowParser = Callable[[int, Cells, list[RowError]], T | None]


def read_children(path: Path) -> Rows[ChildRow]:
    """The city's list of children; a child repeated in the file is an error on the later line."""
    return _read(path, CHILD_COLUMNS, CHILD_OPTIONAL, _child, unique=("child_iin",))


def read_contracts(path: Path) -> Rows[ContractRow]:
    """Existing contracts; two contracts of one child from the same day are an error on the later."""
    return _read(path, CONTRACT_COLUMNS, CONTRACT_OPTIONAL, _contract,
                 unique=("child_iin", "starts_on"))


def _read(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...], parse: RowParser[T],
    unique: tuple[str, ...],
) -> Rows[T]:
    header, rows = read_rows(path)
    result: Rows[T] = Rows(header=header)
    result.errors.extend(missing_columns(header, required))
    if result.errors:
        return result
    index = {c: header.index(c) for c in (*required, *optional) if c in header}
    seen: dict[tuple[str, ...], int] = {}
    for line, raw in rows:
        cells = {c: raw[i].strip() if i < len(raw) else "" for c, i in index.items()}
        for c in IDENTIFIERS:
            if c in cells:
                cells[c] = identifier(cells[c])
        errors: list[RowError] = []
        if len(raw) > len(header):
            errors.append(RowError(line, "row", f"{len(raw)} values for {len(header)} columns"))
        parsed = parse(line, cells, errors)
        key = tuple(cells[c] for c in unique)
        first = seen.setdefault(key, line) if all(key) else line  # a bad row claims its key too
        if first != line:
            what = "" if len(unique) == 1 else f" (same {' and '.join(unique)})"
            errors.append(RowError(line, unique[0], f"repeats line {first}{what}"))
        if parsed is None or errors:
            result.reject(line, raw, errors)
            stop_if_too_many(result.errors, line)
        else:
            result.good.append((parsed, raw))
    return result


def _dates(
    line: int, cells: Cells, errors: list[RowError], start: str, end: str
) -> tuple[dt.date | None, dt.date | None]:
    """A required start date and an optional end date (inclusive, not before the start)."""
    first = parse_date(cells[start])
    if first is None:
        errors.append(RowError(line, start, f"{cells[start]!r} is not a date {DATE_FORMATS}"))
    last = None
    if cells.get(end):
        last = parse_date(cells[end])
        if last is None:
            errors.append(RowError(line, end, f"{cells[end]!r} is not a date {DATE_FORMATS}"))
        elif first is not None and last < first:
            errors.append(RowError(line, end, f"is before {start}"))
    return first, last


def _child(line: int, cells: Cells, errors: list[RowError]) -> ChildRow | None:
    def bad(name: str, message: str) -> None:
        errors.append(RowError(line, name, message))

    birth = parse_date(cells["birth_date"])
    try:
        if birth is None:
            bad("birth_date", f"is not a date {DATE_FORMATS}")  # the value is personal data
            iin_birth_date(cells["child_iin"])
        else:
            validate_child_iin(cells["child_iin"], birth)
    except InvalidNumber as e:
        bad("child_iin", str(e))
    name = clean_name(cells["child_name"])
    problem = name_problem(name)
    if problem is not None:
        bad("child_name", problem)
    try:
        iin_birth_date(cells["parent_iin"])
    except InvalidNumber as e:
        bad("parent_iin", str(e))
    else:
        if cells["parent_iin"] == cells["child_iin"]:
            bad("parent_iin", "is the child's own IIN")
    start, end = _dates(line, cells, errors, "period_start", "period_end")
    if start is not None and birth is not None and start < birth:
        bad("period_start", "is before the child's birth date")
    if errors or birth is None or start is None:
        return None
    return ChildRow(line, cells["child_iin"], birth, name, cells["parent_iin"], start, end)


def _contract(line: int, cells: Cells, errors: list[RowError]) -> ContractRow | None:
    try:
        iin_birth_date(cells["child_iin"])
    except InvalidNumber as e:
        errors.append(RowError(line, "child_iin", str(e)))
    try:
        validate_bin(cells["preschool_bin"])
    except InvalidNumber as e:
        errors.append(RowError(line, "preschool_bin", str(e)))
    start, end = _dates(line, cells, errors, "starts_on", "ends_on")
    if errors or start is None:
        return None
    return ContractRow(line, cells["child_iin"], cells["preschool_bin"], start, end)
