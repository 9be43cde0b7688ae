"""Queue applications from CSV or XLSX (the `allocate` input), each bad row named by line and field."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from goszakaz import files
from goszakaz.domain.allocation import AllocationResult, Application
from goszakaz.domain.iin import InvalidNumber, validate_child_iin
from goszakaz.files import RowError, read_rows

COLUMNS = (
    "application_id", "child_iin", "birth_date", "submitted_at", "resides_in_city",
    "large_family", "single_parent", "other_susn", "sibling_in_preschool", "military_family",
)
BOOLEAN_COLUMNS = COLUMNS[4:]
_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


@dataclass
class ParsedFile:
    """The good applications with their lines, the errors, and the bad rows (for a rejects file)."""

    header: list[str]
    applications: list[Application] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # raw good rows, if kept
    errors: list[RowError] = field(default_factory=list)
    rejected: list[tuple[int, list[str]]] = field(default_factory=list)

    def value(self, row: list[str], column: str) -> str:
        """The stripped value of a column in a raw row ("" if the file has no such column)."""
        try:
            return row[self.header.index(column)].strip()
        except (ValueError, IndexError):
            return ""


class Parser:
    """Turns raw rows into Applications; a row with any problem gets every error listed."""

    def __init__(self, header: list[str], as_of: dt.date | None = None) -> None:
        self.width = len(header)
        self.index = [header.index(c) for c in COLUMNS]
        self.as_of = as_of

    def parse(self, values: list[str], line: int) -> Application | list[RowError]:
        """The row as an Application, or the list of its errors."""
        try:  # fast path for clean rows; anything unusual goes through `check`
            i_id, i_iin, i_birth, i_sub, *i_flags = self.index
            booleans = _BOOLEANS
            flags = [booleans[values[i]] for i in i_flags]
            app_id = values[i_id]
            birth_raw = values[i_birth]
            birth = dt.date.fromisoformat(birth_raw)
            submitted = dt.datetime.fromisoformat(values[i_sub])
            iin = values[i_iin]
            if (len(values) > self.width or not app_id or app_id != app_id.strip()
                    or len(birth_raw) != 10 or submitted.tzinfo is not None
                    or submitted.date() < birth
                    or (self.as_of is not None and submitted.date() > self.as_of)):
                raise ValueError
            validate_child_iin(iin, birth)
            return Application(app_id, iin, birth, submitted, *flags)
        except (ValueError, KeyError, IndexError):
            return self.check(values, line)

    def check(self, values: list[str], line: int) -> Application | list[RowError]:
        """The slow, thorough path: trims blanks, ignores case, and names every problem."""
        errors: list[RowError] = []

        def bad(name: str, message: str) -> None:
            errors.append(RowError(line, name, message))

        if len(values) > self.width:
            bad("row", f"{len(values)} values for {self.width} columns")
        cell = dict(zip(COLUMNS, (values[i].strip() if i < len(values) else ""
                                  for i in self.index), strict=True))
        if not cell["application_id"]:
            bad("application_id", "is empty")
        flags = []
        for name in BOOLEAN_COLUMNS:
            value = _BOOLEANS.get(cell[name].lower())
            if value is None:
                bad(name, f"{cell[name]!r} is not a boolean (true/false, 1/0, yes/no)")
            flags.append(bool(value))
        birth: dt.date | None = None
        try:
            birth = dt.date.fromisoformat(cell["birth_date"])
            if len(cell["birth_date"]) != 10:
                raise ValueError
        except ValueError:
            birth = None
            bad("birth_date", f"{cell['birth_date']!r} is not a date YYYY-MM-DD")
        submitted: dt.datetime | None = None
        try:
            submitted = dt.datetime.fromisoformat(cell["submitted_at"])
        except ValueError:
            bad("submitted_at", f"{cell['submitted_at']!r} is not an ISO 8601 date-time")
        else:
            if submitted.tzinfo is not None:
                bad("submitted_at", "must be a local date-time without a UTC offset")
            elif self.as_of is not None and submitted.date() > self.as_of:
                bad("submitted_at", f"is after the as-of date {self.as_of.isoformat()}")
            elif birth is not None and submitted.date() < birth:
                bad("submitted_at", "is before the child's birth date")
        if birth is not None:
            try:
                validate_child_iin(cell["child_iin"], birth)
            except InvalidNumber as e:
                bad("child_iin", str(e))
        if errors or birth is None or submitted is None:
            return errors
        return Application(cell["application_id"], cell["child_iin"], birth, submitted, *flags)


def read_applications(
    path: Path, as_of: dt.date | None = None, keep_rows: bool = False
) -> ParsedFile:
    """Parse a whole file: good applications, and every error by line and field.

    A repeated application_id or child_iin is an error on the later line.
    """
    header, rows = read_rows(path)
    result = ParsedFile(header=header)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        result.errors.extend(RowError(1, c, "column is missing from the header") for c in missing)
        return result
    parser = Parser(header, as_of)
    parse = parser.parse
    seen_ids: dict[str, int] = {}
    seen_iins: dict[str, int] = {}
    apps, lines = result.applications, result.lines
    i_id, i_iin = parser.index[0], parser.index[1]
    for line, row in rows:
        parsed = parse(row, line)
        if isinstance(parsed, Application):
            first_id = seen_ids.setdefault(parsed.application_id, line)
            first_iin = seen_iins.setdefault(parsed.child_iin, line)
            if first_id == line and first_iin == line:
                apps.append(parsed)
                lines.append(line)
                if keep_rows:
                    result.rows.append(row)
                continue
            parsed = []
        else:  # a bad row still claims its id and IIN: a later repeat is reported too
            first_id = seen_ids.setdefault(_raw(row, i_id), line) if _raw(row, i_id) else line
            first_iin = seen_iins.setdefault(_raw(row, i_iin), line) if _raw(row, i_iin) else line
        if first_id != line:
            parsed.append(RowError(line, "application_id", f"repeats line {first_id}"))
        if first_iin != line:
            parsed.append(RowError(line, "child_iin", f"repeats line {first_iin}"))
        result.errors.extend(parsed)
        result.rejected.append((line, row))
    return result


def _raw(row: list[str], i: int) -> str:
    return row[i].strip() if i < len(row) else ""


def write_rejects(path: Path, parsed: ParsedFile) -> None:
    """The bad rows of a parsed file as a rejects CSV (see goszakaz.files.write_rejects)."""
    files.write_rejects(path, parsed.header, parsed.errors, parsed.rejected)


OUTPUT_COLUMNS = ("application_id", "status", "category", "queue_number", "seat_order", "reason")


def write_outcomes(path: Path, apps: list[Application], result: AllocationResult) -> None:
    """The `allocate` output CSV: one row per application, in input order; written atomically."""
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(OUTPUT_COLUMNS)
        status = result.status
        cat, qn, seat, reason = (result.category, result.queue_number, result.seat_order,
                                 result.reason)
        w.writerows(
            (a.application_id, status(i), _blank(cat[i]), _blank(qn[i]), _blank(seat[i]),
             reason[i])
            for i, a in enumerate(apps)
        )
    tmp.replace(path)


def _blank(v: int | None) -> object:
    return "" if v is None else v
