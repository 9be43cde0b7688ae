"""Queue applications from CSV or XLSX (the `allocate` input), each bad row named by line and field."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, compress, repeat
from operator import add, attrgetter, eq, ge, is_, is_not, itemgetter, le, methodcaller, mod, not_
from pathlib import Path

from goszakaz import files
from goszakaz.domain.allocation import AllocationResult, Application
from goszakaz.domain.iin import _CENTURY, _WEIGHTS_1, InvalidNumber, check_digit, validate_child_iin
from goszakaz.files import RowError

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


# The fast path's view of a birth_date cell: the date, its midnight, and the first 7 digits of
# each IIN that encodes it (YYMMDD and the century digit, as domain.iin reads them) with their
# part of the IIN check sum (below).
_Birth = tuple[dt.date, dt.datetime, dict[str, int]]
_NO_BIRTH: _Birth = (dt.date.min, dt.datetime.max, {})  # a cell `check` rejects
_date = itemgetter(0)
_midnight = itemgetter(1)
_heads = itemgetter(2)
_tzinfo = attrgetter("tzinfo")
_HEAD, _MIDDLE, _END = itemgetter(slice(7)), itemgetter(slice(7, 9)), itemgetter(slice(9, None))
# The first pass of the IIN check digit, with d12 weighted 10 (= -1 mod 11): Σ w·d + 10·d12 is
# 0 mod 11 exactly when d12 is the digit the first pass gives (domain.iin.check_digit). The sum
# comes in three parts: the first 7 digits (_Birth), digits 8-9 and digits 10-12 (these tables,
# which hold only ASCII digits, so that an IIN whose parts are all found is 12 ASCII digits).
_WEIGHTS = (*_WEIGHTS_1, 10)
_MIDDLES = {f"{k:02d}": sum(w * int(d) for w, d in zip(_WEIGHTS[7:9], f"{k:02d}", strict=True))
            for k in range(100)}
_ENDS = {f"{k:03d}": sum(w * int(d) for w, d in zip(_WEIGHTS[9:], f"{k:03d}", strict=True))
         for k in range(1000)}
_MISSING = 0.25  # a part not found: the sum, with one to three of them, is no integer


def _birth(text: str) -> _Birth:
    """A (stripped) birth_date cell as the fast path sees it; _NO_BIRTH where `check` rejects it."""
    try:
        birth = dt.date.fromisoformat(text)
    except ValueError:
        return _NO_BIRTH
    if len(text) != 10:
        return _NO_BIRTH
    month_day = f"{birth.month:02d}{birth.day:02d}"
    heads = [f"{birth.year - century:02d}{month_day}{digit}"
             for digit, century in _CENTURY.items() if 0 <= birth.year - century <= 99]
    return (birth, dt.datetime.combine(birth, dt.time()),
            {h: sum(w * int(d) for w, d in zip(_WEIGHTS[:7], h, strict=True)) for h in heads})


def _datetime(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


# Application's fields, each set on all the rows at once (see _applications)
_FIELD_SETTERS = [getattr(Application, f.name).__set__ for f in dataclasses.fields(Application)]
_PLAIN_DATACLASS = (
    Application.__slots__ == tuple(f.name for f in dataclasses.fields(Application))
    and not hasattr(Application, "__post_init__")
    and all(f.init and f.default is f.default_factory is dataclasses.MISSING
            for f in dataclasses.fields(Application))
)


def _applications(n: int, *columns: Sequence[object]) -> list[Application | None]:
    """`list(map(Application, *columns))`, twice as fast: the dataclass's __init__ only sets each
    field (a frozen one through object.__setattr__), one object at a time; here each field is set
    on all n objects in one C-level loop. Same objects; the plain way if Application ever gets
    more to its __init__ (a __post_init__, defaults)."""
    if not _PLAIN_DATACLASS:
        return list(map(Application, *columns))
    apps = list(map(object.__new__, repeat(Application, n)))
    for set_field, column in zip(_FIELD_SETTERS, columns, strict=True):
        deque(map(set_field, apps, column), maxlen=0)
    return apps  # type: ignore[return-value]  # (list is invariant)


class Parser:
    """Turns raw rows into Applications; a row with any problem gets every error listed.

    `check` is the rule: it trims the cells, ignores the case of booleans and names every problem.
    The fast path (`parse_columns`; `parse` for one row) takes many rows at once, column by
    column in C-level loops, and gives the same Application as `check` for every row that `check`
    accepts; every other row it leaves to `check`.
    """

    def __init__(self, header: list[str], as_of: dt.date | None = None) -> None:
        self.width = len(header)
        self.index = [header.index(c) for c in COLUMNS]
        self.needs = max(self.index) + 1  # a shorter row lacks a column: only `check` takes it
        self.as_of = as_of
        # a submitted_at from this (naive) date-time on is after the as-of date
        self._after = (None if as_of is None or as_of == dt.date.max
                       else dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()))
        self._flags: dict[str, bool] = {}  # raw cell -> its boolean (spellings seen so far)
        self._births: dict[str, _Birth] = {}  # raw (and stripped) cell -> what the fast path needs

    def parse(self, values: list[str], line: int) -> Application | list[RowError]:
        """The row as an Application, or the list of its errors."""
        if self.needs <= len(values) <= self.width:
            app = self.parse_columns([[values[i]] for i in self.index])[0]
            if app is not None:
                return app
        return self.check(values, line)

    def parse_columns(self, cells: Sequence[Sequence[str]]) -> list[Application | None]:
        """The fast path for many rows: `cells` holds the raw values of each of COLUMNS, in that
        order, one per row. Each row's Application where `check` accepts the row (the same one),
        else None: that row needs `check`."""
        return self._parse_columns(cells)[0]

    def _parse_columns(
        self, cells: Sequence[Sequence[str]]
    ) -> tuple[list[Application | None], list[str], list[str], bool]:
        """parse_columns; the stripped ids and IINs; whether it gave an Application for every row."""
        c_id, c_iin, c_birth, c_submitted, *c_flags = cells
        n = len(c_id)
        rows = range(n)
        bad: set[int] = set()  # the rows for `check`
        strip = str.strip

        ids = list(map(strip, c_id))
        if not all(ids):
            bad.update(compress(rows, map(not_, ids)))

        flags = self._flags
        flag_columns = []
        for raw in c_flags:
            try:
                column: list[bool | None] = list(map(flags.__getitem__, raw))
            except KeyError:  # a spelling not seen yet, or not a boolean
                for value in set(raw).difference(flags):
                    boolean = _BOOLEANS.get(value.strip().lower())
                    if boolean is not None:
                        flags[value] = boolean
                column = list(map(flags.get, raw))
                if None in column:
                    bad.update(compress(rows, map(is_, column, repeat(None))))
            flag_columns.append(column)

        try:
            births = list(map(self._births.__getitem__, c_birth))
        except KeyError:  # a cell not seen yet
            for value in set(c_birth).difference(self._births):
                text = value.strip()
                if text not in self._births:
                    self._births[text] = _birth(text)
                self._births[value] = self._births[text]
            births = list(map(self._births.__getitem__, c_birth))
        # (a _NO_BIRTH row has no IIN heads: it fails the IIN check below)

        stripped = list(map(strip, c_submitted))
        try:
            submitted = list(map(dt.datetime.fromisoformat, stripped))
        except ValueError:
            maybe = list(map(_datetime, stripped))
            bad.update(compress(rows, map(is_, maybe, repeat(None))))
            submitted = [dt.datetime.min if s is None else s for s in maybe]
        try:
            in_order = all(map(le, map(_midnight, births), submitted))  # none before its birth
        except TypeError:  # an aware date-time (with a UTC offset): not comparable
            in_order = False
        if not in_order:
            aware = list(compress(rows, map(is_not, map(_tzinfo, submitted), repeat(None))))
            bad.update(aware)
            for i in aware:  # naive, so that the comparisons can run
                submitted[i] = dt.datetime.min
            bad.update(compress(rows, map(not_, map(le, map(_midnight, births), submitted))))
        if self._after is not None and n and max(submitted) >= self._after:
            bad.update(compress(rows, map(ge, submitted, repeat(self._after))))

        # validate_child_iin: the birth date in the first 7 digits (the head is found), 12 ASCII
        # digits (every part is found) and the check digit: the sum is 0 mod 11, or, for the
        # IINs whose digit comes from the second pass (1 in 11), check_digit says so.
        iins = list(map(strip, c_iin))
        sums = list(map(add, map(add, map(dict.get, map(_heads, births), map(_HEAD, iins),
                                          repeat(_MISSING)),
                                 map(_MIDDLES.get, map(_MIDDLE, iins), repeat(_MISSING))),
                        map(_ENDS.get, map(_END, iins), repeat(_MISSING))))
        for i in compress(rows, map(mod, sums, repeat(11))):
            if sums[i].__class__ is not int or check_digit(iins[i][:11]) != ord(iins[i][11]) - 48:
                bad.add(i)

        apps: list[Application | None] = _applications(
            n, ids, iins, list(map(_date, births)), submitted, *flag_columns)
        for i in bad:
            apps[i] = None
        return apps, ids, iins, not bad

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
    header, chunks = files.read_chunks(path)
    result = ParsedFile(header=header)
    result.errors.extend(files.missing_columns(header, COLUMNS))
    if result.errors:
        return result
    parser = Parser(header, as_of)
    parts: list[tuple[Sequence[int], files.ChunkRows, list[Parsed]]] = []
    clean = True  # every row so far an Application, no id or IIN twice
    ids: set[str] = set()
    iins: set[str] = set()
    count = 0
    slow = _Slow(parser, result, keep_rows)
    for lines, rows in chunks:
        results, good = _parse_chunk(parser, lines, rows)
        if clean and good:
            ids.update(good[0])  # while the strings are in the CPU cache
            iins.update(good[1])
            count += len(good[0])
            clean = len(ids) == len(iins) == count
            parts.append((lines, rows, results))
            if clean:
                continue
            del ids, iins
        elif clean:
            clean = False
            del ids, iins
            parts.append((lines, rows, results))
        else:
            parts = [(lines, rows, results)]
        # a bad row or a repeat: row by row from here on, stopping at the errors' limit (the
        # chunks read so far once, then each chunk as it comes)
        for part in parts:
            slow.part(*part)
        parts = []
    if clean:  # the applications (less any blank rows) are the result
        if count < sum(len(results) for _, _, results in parts):
            parts = [_without_blanks(*part) for part in parts]
        every = chain.from_iterable(results for _, _, results in parts)
        result.applications = list(every)  # type: ignore[arg-type]  # (all Applications)
        result.lines = list(chain.from_iterable(lines for lines, _, _ in parts))
        if keep_rows:
            result.rows = list(chain.from_iterable(_all_rows(rows) for _, rows, _ in parts))
    return result


class _Slow:
    """The row-by-row reading of a file with a bad row or a repeat: every error named, a repeat
    reported on the later line, a bad row claiming its id and IIN too; TooManyErrors once the
    errors pass the limit (files.LIMITS.errors)."""

    def __init__(self, parser: Parser, result: ParsedFile, keep_rows: bool) -> None:
        self.parser, self.result, self.keep_rows = parser, result, keep_rows
        self.seen_ids: dict[str, int] = {}
        self.seen_iins: dict[str, int] = {}

    def part(self, lines: Sequence[int], rows: files.ChunkRows, results: list[Parsed]) -> None:
        """The rows of one chunk, with what the fast path made of them."""
        parser, result, seen_ids, seen_iins = self.parser, self.result, self.seen_ids, self.seen_iins
        apps, app_lines = result.applications, result.lines
        i_id, i_iin = parser.index[0], parser.index[1]
        for row_no, (line, parsed) in enumerate(zip(lines, results, strict=True)):
            if parsed is _BLANK:
                continue
            row = rows[row_no]
            if parsed is None:  # the fast path left it to `check`
                if not any(row):
                    continue
                parsed = parser.check(row, line)
            if isinstance(parsed, Application):
                first_id = seen_ids.setdefault(parsed.application_id, line)
                first_iin = seen_iins.setdefault(parsed.child_iin, line)
                if first_id == line and first_iin == line:
                    apps.append(parsed)
                    app_lines.append(line)
                    if self.keep_rows:
                        result.rows.append(row)
                    continue
                parsed = []
            else:  # a bad row still claims its id and IIN: a later repeat is reported too
                first_id = seen_ids.setdefault(_raw(row, i_id), line) if _raw(row, i_id) else line
                first_iin = (seen_iins.setdefault(_raw(row, i_iin), line) if _raw(row, i_iin)
                             else line)
            if first_id != line:
                parsed.append(RowError(line, "application_id", f"repeats line {first_id}"))
            if first_iin != line:
                parsed.append(RowError(line, "child_iin", f"repeats line {first_iin}"))
            result.errors.extend(parsed)
            result.rejected.append((line, row))
            files.stop_if_too_many(result.errors, line)


_BLANK: list[RowError] = []  # a blank row (every value empty): not an application, no error
Parsed = Application | list[RowError] | None


def _parse_chunk(
    parser: Parser, lines: Sequence[int], rows: files.ChunkRows
) -> tuple[list[Parsed], tuple[list[str], list[str]] | None]:
    """Each row's Application or errors, None where `check` must see it, or _BLANK to skip; and,
    if every row is an Application, their ids and IINs.

    The rows with the header's number of values (nearly all) go through the fast path together;
    the others one by one (`Parser.parse`).
    """
    regular: list[bool] | None
    if isinstance(rows, files.TextRows):
        d = rows.delimiter
        if set(map(str.count, rows.texts, repeat(d))) == {parser.width - 1}:
            regular, texts = None, rows.texts
        else:
            regular = list(map(eq, map(str.count, rows.texts, repeat(d)),
                               repeat(parser.width - 1)))
            texts = list(compress(rows.texts, regular))
        cells = d.join(texts).split(d) if texts else []
        columns: list[Sequence[str]] = [cells[i::parser.width] for i in parser.index]
        del cells
    else:
        needs, width = parser.needs, parser.width
        regular = [needs <= len(row) <= width for row in rows]
        picked = rows if all(regular) else list(compress(rows, regular))
        if picked is rows:
            regular = None
        if len(set(map(len, picked))) == 1:
            every = list(zip(*picked, strict=True))
            columns = [every[i] for i in parser.index]
        else:
            columns = [list(map(itemgetter(i), picked)) for i in parser.index]
    fast, ids, iins, clean = parser._parse_columns(columns)
    if regular is None:
        return fast, (ids, iins) if clean else None  # type: ignore[return-value]
    results: list[Parsed] = []
    next_fast = iter(fast).__next__
    for k, line in enumerate(lines):
        if regular[k]:
            results.append(next_fast())
        else:
            row = rows[k]
            if any(row):
                clean = False
                results.append(parser.parse(row, line))
            else:
                results.append(_BLANK)
    return results, (ids, iins) if clean else None  # (blank rows do not count)


def _without_blanks(
    lines: Sequence[int], rows: files.ChunkRows, results: list[Parsed]
) -> tuple[list[int], list[list[str]], list[Parsed]]:
    keep = list(map(is_not, results, repeat(_BLANK)))
    return (list(compress(lines, keep)), list(compress(_all_rows(rows), keep)),
            list(compress(results, keep)))


def _all_rows(rows: files.ChunkRows) -> list[list[str]]:
    """rows[k] for every k; but an empty line as [""]: for rows known not to be blank."""
    if isinstance(rows, files.TextRows):
        return list(map(methodcaller("split", rows.delimiter), rows.texts))
    return rows


def _raw(row: list[str], i: int) -> str:
    return row[i].strip() if i < len(row) else ""


def write_rejects(path: Path, parsed: ParsedFile) -> None:
    """The bad rows of a parsed file as a rejects CSV (see goszakaz.files.write_rejects)."""
    files.write_rejects(path, parsed.header, parsed.errors, parsed.rejected)


OUTPUT_COLUMNS = ("application_id", "status", "category", "queue_number", "seat_order", "reason")


def write_outcomes(path: Path, apps: list[Application], result: AllocationResult) -> None:
    """The `allocate` output CSV: one row per application, in input order; written atomically.
    People open it: an id beginning with a formula character gets a leading apostrophe."""
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(OUTPUT_COLUMNS)
        # column by column, in C-level loops (0.23 s instead of 0.28 s for 300,000 rows); the
        # csv module writes None as an empty cell
        # the ids are the file's own text: made safe for Excel (the rest is the system's)
        ids = files.safe_column(list(map(attrgetter("application_id"), apps)))
        w.writerows(zip(ids,
                        result.statuses(), result.category,
                        result.queue_number, result.seat_order, result.reason, strict=True))
    tmp.replace(path)
