"""Reading queue applications from CSV (UTF-8 or Windows-1251) and XLSX, every bad row named by line and field."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from goszakaz.domain.allocation import AllocationResult, Application
from goszakaz.domain.iin import InvalidNumber, validate_child_iin

COLUMNS = (
    "application_id", "child_iin", "birth_date", "submitted_at", "resides_in_city",
    "large_family", "single_parent", "other_susn", "sibling_in_preschool", "military_family",
)
BOOLEAN_COLUMNS = COLUMNS[4:]
EXTRA = "__extra__"  # marks a CSV row with more values than the header has columns
_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of one input line: the line number in the file (header = 1) and the field."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


@dataclass
class ParsedFile:
    """The good applications with their lines, the errors, and the raw bad rows (for a rejects file)."""

    header: list[str]
    applications: list[Application] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)  # raw good rows, if kept
    errors: list[RowError] = field(default_factory=list)
    rejected: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def decode(data: bytes) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), else Windows-1251."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Header and (line, row) pairs of a .csv or .xlsx file; ValueError if unreadable."""
    if path.suffix.lower() == ".xlsx":
        return _xlsx_rows(path)
    text = decode(path.read_bytes())
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ValueError("the file is empty: a header row is required") from None

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            row = dict(zip(header, values, strict=False))
            if len(values) > len(header):
                row[EXTRA] = f"{len(values)} values for {len(header)} columns"
            yield reader.line_num, row

    return header, rows()


def _xlsx_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    import openpyxl  # imported here: the CSV path of the CLI does not pay for it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a broken file
        raise ValueError(f"not a readable XLSX file: {e}") from None
    sheet = book.worksheets[0]
    it = sheet.iter_rows(values_only=True)
    try:
        header = [str(h or "").strip().lower() for h in next(it)]
    except StopIteration:
        raise ValueError("the sheet is empty: a header row is required") from None

    def cell(v: object) -> str:
        if v is None:
            return ""
        if isinstance(v, dt.datetime):
            return v.isoformat()
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for line, values in enumerate(it, start=2):
            texts = [cell(v) for v in values]
            if any(t.strip() for t in texts):
                yield line, dict(zip(header, texts, strict=False))
        book.close()

    return header, rows()


def parse_application(
    row: dict[str, str], line: int, as_of: dt.date | None = None
) -> Application | list[RowError]:
    """One row as an Application, or every error it has."""
    errors: list[RowError] = []
    values: dict[str, object] = {}

    def bad(name: str, message: str) -> None:
        errors.append(RowError(line, name, message))

    if EXTRA in row:
        bad("row", row[EXTRA])
    app_id = row.get("application_id", "").strip()
    if not app_id:
        bad("application_id", "is empty")
    values["application_id"] = app_id
    for name in BOOLEAN_COLUMNS:
        raw = row.get(name, "").strip().lower()
        value = _BOOLEANS.get(raw)
        if value is None:
            bad(name, f"{raw!r} is not a boolean (true/false, 1/0, yes/no)")
        values[name] = value
    birth: dt.date | None = None
    raw = row.get("birth_date", "").strip()
    try:
        birth = dt.date.fromisoformat(raw)
        if len(raw) != 10:
            raise ValueError
    except ValueError:
        bad("birth_date", f"{raw!r} is not a date YYYY-MM-DD")
    submitted: dt.datetime | None = None
    raw = row.get("submitted_at", "").strip()
    try:
        submitted = dt.datetime.fromisoformat(raw)
    except ValueError:
        bad("submitted_at", f"{raw!r} is not an ISO 8601 date-time")
    if submitted is not None:
        if submitted.tzinfo is not None:
            bad("submitted_at", "must be a local date-time without a UTC offset")
            submitted = None
        elif as_of is not None and submitted.date() > as_of:
            bad("submitted_at", f"is after the as-of date {as_of.isoformat()}")
        elif birth is not None and submitted.date() < birth:
            bad("submitted_at", "is before the child's birth date")
    iin = row.get("child_iin", "").strip()
    if birth is not None:
        try:
            validate_child_iin(iin, birth)
        except InvalidNumber as e:
            bad("child_iin", str(e))
    if errors:
        return errors
    values["child_iin"] = iin
    values["birth_date"] = birth
    values["submitted_at"] = submitted
    return Application(**values)  # type: ignore[arg-type]


def read_applications(
    path: Path,
    as_of: dt.date | None = None,
    required: tuple[str, ...] = COLUMNS,
    keep_rows: bool = False,
) -> ParsedFile:
    """Parse a whole file: good applications, and every error by line and field.

    A repeated application_id or child_iin is an error on the later line.
    """
    header, rows = read_rows(path)
    result = ParsedFile(header=header)
    missing = [c for c in required if c not in header]
    if missing:
        result.errors.extend(RowError(1, c, "column is missing from the header") for c in missing)
        return result
    seen_ids: dict[str, int] = {}
    seen_iins: dict[str, int] = {}
    for line, row in rows:
        parsed = parse_application(row, line, as_of)
        if isinstance(parsed, Application):
            problems = []
            first = seen_ids.setdefault(parsed.application_id, line)
            if first != line:
                problems.append(RowError(line, "application_id", f"repeats line {first}"))
            first = seen_iins.setdefault(parsed.child_iin, line)
            if first != line:
                problems.append(RowError(line, "child_iin", f"repeats line {first}"))
            if not problems:
                result.applications.append(parsed)
                result.lines.append(line)
                if keep_rows:
                    result.rows.append(row)
                continue
            parsed = problems
        result.errors.extend(parsed)
        result.rejected.append((line, row))
    return result


def write_rejects(path: Path, header: list[str], parsed: ParsedFile) -> None:
    """The bad rows as CSV (UTF-8), with the line and the errors of each in two extra columns."""
    by_line: dict[int, list[str]] = {}
    for e in parsed.errors:
        by_line.setdefault(e.line, []).append(f"{e.field}: {e.message}")
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["line", "errors", *header])
        for line, row in parsed.rejected:
            w.writerow([line, "; ".join(by_line.get(line, [])), *(row.get(h, "") for h in header)])


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
