"""НОБД as an external system (A7.4): the adapter interface, the CSV export adapter, an in-memory fake.

Only the fields the check needs cross this boundary (DESIGN rule 11): for a child the IIN, birth
date, full name and city of residence; for a preschool the BIN, name and city.

The НОБД export file (CSV in UTF-8, with or without BOM, or Windows-1251; comma or semicolon;
also .xlsx), one header row, then one row per child or preschool:

    kind,iin_or_bin,name,birth_date,city
    child,200101500013,Иванова Айгерим Серикқызы,2020-01-01,taraz
    preschool,150640000010,Балабақша №1,,taraz

- `kind`: `child` or `preschool`;
- `iin_or_bin`: the child's IIN or the preschool's BIN (12 digits with a valid check digit);
- `name`: the child's full name (surname, name, patronymic) or the preschool's name;
- `birth_date`: children only, `YYYY-MM-DD` or `DD.MM.YYYY`; empty for preschools;
- `city`: the city of residence of a child, the city of a preschool: the city's code in the
  registry (`taraz`) or its name in Russian, Kazakh or English (`Тараз`).

It is meant to be НОБД's answer to the IINs and BINs of one submission (OPR sends only those), so
it stays small enough to hold in memory; a row with any problem is reported by line and field.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from goszakaz.domain.iin import InvalidNumber, iin_birth_date, validate_bin
from goszakaz.files import RowError, missing_columns, read_rows, stop_if_too_many

COLUMNS = ("kind", "iin_or_bin", "name", "birth_date", "city")
KINDS = ("child", "preschool")


@dataclass(frozen=True, slots=True)
class NobdChild:
    """What НОБД says about a child: IIN, birth date, full name, city of residence."""

    iin: str
    birth_date: dt.date
    full_name: str
    city: str


@dataclass(frozen=True, slots=True)
class NobdPreschool:
    """What НОБД says about a preschool organization: BIN, name, city."""

    bin: str
    name: str
    city: str


class Nobd(Protocol):
    """The НОБД adapter: look a child up by IIN and a preschool by BIN (None when unknown)."""

    def find_child(self, iin: str) -> NobdChild | None: ...

    def find_preschool(self, bin_: str) -> NobdPreschool | None: ...


class FakeNobd:
    """An in-memory НОБД for tests and the simulation."""

    def __init__(self, children: Iterable[NobdChild] = (),
                 preschools: Iterable[NobdPreschool] = ()) -> None:
        self.children = {c.iin: c for c in children}
        self.preschools = {p.bin: p for p in preschools}

    def add_child(self, child: NobdChild) -> None:
        """Put (or replace) a child's record."""
        self.children[child.iin] = child

    def add_preschool(self, preschool: NobdPreschool) -> None:
        """Put (or replace) a preschool's record."""
        self.preschools[preschool.bin] = preschool

    def find_child(self, iin: str) -> NobdChild | None:
        """The child's record, or None when НОБД does not know the IIN."""
        return self.children.get(iin)

    def find_preschool(self, bin_: str) -> NobdPreschool | None:
        """The preschool's record, or None when НОБД does not know the BIN."""
        return self.preschools.get(bin_)


class NobdExportError(ValueError):
    """An НОБД export with bad rows; `errors` names each by line and field."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        shown = "; ".join(str(e) for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(f"the НОБД export has {len(errors)} error(s): {shown}{more}")


class CsvNobdExport(FakeNobd):
    """НОБД read from an export file (the format is in the module docstring).

    With `strict` (the default) any bad row raises NobdExportError: a child missing from the
    lookup because its row was broken would otherwise open a false "IIN unknown" case. Without
    it the good rows are kept and `errors` lists the bad ones.
    """

    def __init__(self, path: Path, *, strict: bool = True) -> None:
        super().__init__()
        self.errors: list[RowError] = []
        header, rows = read_rows(Path(path))
        missing = missing_columns(header, COLUMNS)
        if missing:
            raise NobdExportError(missing)
        index = [header.index(c) for c in COLUMNS]
        seen: dict[tuple[str, str], int] = {}
        for line, values in rows:
            cells = [values[i].strip() if i < len(values) else "" for i in index]
            record = self._parse(line, *cells)
            if record is None:
                stop_if_too_many(self.errors, line)
                continue
            key = (cells[0].lower(), cells[1])
            first = seen.setdefault(key, line)
            if first != line:
                self.errors.append(RowError(line, "iin_or_bin", f"repeats line {first}"))
            elif isinstance(record, NobdChild):
                self.add_child(record)
            else:
                self.add_preschool(record)
        if strict and self.errors:
            raise NobdExportError(self.errors)

    def _parse(self, line: int, kind: str, number: str, name: str, birth: str,
               city: str) -> NobdChild | NobdPreschool | None:
        before = len(self.errors)

        def bad(field: str, message: str) -> None:
            self.errors.append(RowError(line, field, message))

        kind = kind.lower()
        if kind not in KINDS:
            bad("kind", f"{kind!r} is not one of {', '.join(KINDS)}")
        if not name:
            bad("name", "is empty")
        if not city:
            bad("city", "is empty")
        try:
            if kind == "preschool":
                validate_bin(number)
            else:
                iin_birth_date(number)
        except InvalidNumber as e:
            bad("iin_or_bin", str(e))
        birth_date = None
        if kind == "child":
            birth_date = _date(birth)
            if birth_date is None:
                bad("birth_date", f"{birth!r} is not a date YYYY-MM-DD or DD.MM.YYYY")
        if len(self.errors) > before:
            return None
        city = sys.intern(city)  # a few distinct values over many rows
        if birth_date is not None:
            return NobdChild(iin=number, birth_date=birth_date, full_name=name, city=city)
        return NobdPreschool(bin=number, name=name, city=city)


def _date(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None
