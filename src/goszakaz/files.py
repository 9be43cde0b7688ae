"""Reading the files people upload (CSV in UTF-8 or Windows-1251, XLSX): rows by line (or in
chunks, a plain CSV cut without the csv module), errors by line and field, the whole-or-nothing
refusal, and the rejects file of the bad rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from pathlib import Path


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of one input line: the line number in the file (header = 1) and the field."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


class ImportRejected(Exception):
    """The file has bad rows and was not imported; `errors` names each line and field."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the file; nothing imported")
        self.errors = errors


@dataclass
class ImportResult:
    """What an import did: created, updated, unchanged, rejected rows."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


NumberedRows = Iterator[tuple[int, list[str]]]


def decode(data: bytes) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), else Windows-1251."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def read_rows(path: Path) -> tuple[list[str], NumberedRows]:
    """Header (lower-case names) and (line, values) of a .csv or .xlsx file; ValueError if
    unreadable. Empty rows are skipped; a CSV's delimiter is a comma or a semicolon."""
    if path.suffix.lower() == ".xlsx":
        return _xlsx_rows(path)
    return _csv_rows(decode(path.read_bytes()))


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def _csv_rows(text: str) -> tuple[list[str], NumberedRows]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ValueError("the file is empty: a header row is required") from None

    def rows() -> NumberedRows:
        for values in reader:
            if any(values):
                yield reader.line_num, values

    return header, rows()


def plain_lines(text: str) -> list[str] | None:
    """The lines of a CSV text that csv.reader would simply cut at the delimiter, else None.

    That is a text without quote characters (so no field spans lines), NUL, or a carriage return
    other than in CRLF, and with no line over the csv module's field size limit. csv.reader
    reads an empty line as [] and any other line as line.split(delimiter), line k being line
    number k + 1; `TextRows` does the same.
    """
    if '"' in text or "\0" in text:
        return None
    if "\r" in text:
        if text.count("\r") != text.count("\r\n"):
            return None
        text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if lines[-1] == "":  # the end of the last line (or an empty file), not a line
        lines.pop()
    if lines and max(map(len, lines)) > csv.field_size_limit():
        return None
    return lines


class TextRows:
    """The rows of a plain CSV (see `plain_lines`) as their text lines, cut when asked for."""

    __slots__ = ("delimiter", "texts")

    def __init__(self, texts: list[str], delimiter: str) -> None:
        self.texts = texts
        self.delimiter = delimiter

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, k: int) -> list[str]:
        text = self.texts[k]
        return text.split(self.delimiter) if text else []


ChunkRows = list[list[str]] | TextRows
CHUNK = 1000  # rows parsed at once: their cells stay in the CPU cache from one column loop to the next


def read_chunks(path: Path) -> tuple[list[str], Iterator[tuple[Sequence[int], ChunkRows]]]:
    """Header and the data rows in chunks of (line numbers, rows); blank rows may be among them
    (`any(row)` false: the caller skips them). The same rows and lines as `read_rows`."""
    if path.suffix.lower() != ".xlsx":
        text = decode(path.read_bytes())
        lines = plain_lines(text)
        if lines is not None:
            if not lines:
                raise ValueError("the file is empty: a header row is required")
            delimiter = _delimiter(text)
            del text
            header = [h.strip().lower() for h in lines[0].split(delimiter)] if lines[0] else []
            return header, (
                (range(start + 1, start + 1 + len(texts)), TextRows(texts, delimiter))
                for start in range(1, len(lines), CHUNK)
                for texts in (lines[start:start + CHUNK],)
            )
        header, numbered = _csv_rows(text)
    else:
        header, numbered = _xlsx_rows(path)

    def chunks() -> Iterator[tuple[Sequence[int], ChunkRows]]:
        while chunk := list(islice(numbered, CHUNK)):
            yield list(map(itemgetter(0), chunk)), list(map(itemgetter(1), chunk))

    return header, chunks()


def _xlsx_rows(path: Path) -> tuple[list[str], NumberedRows]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a broken file
        raise ValueError(f"not a readable XLSX file: {e}") from None
    it = book.worksheets[0].iter_rows(values_only=True)
    try:
        header = [str(h or "").strip().lower() for h in next(it)]
    except StopIteration:
        raise ValueError("the sheet is empty: a header row is required") from None

    def rows() -> NumberedRows:
        for line, values in enumerate(it, start=2):
            texts = [_cell(v) for v in values]
            while texts and not texts[-1]:
                texts.pop()
            if any(t.strip() for t in texts):
                yield line, texts
        book.close()

    return header, rows()


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):  # Excel keeps dates as date-times at midnight
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def missing_columns(header: list[str], required: Iterable[str]) -> list[RowError]:
    """An error on line 1 for each required column the header lacks."""
    return [RowError(1, c, "column is missing from the header") for c in required
            if c not in header]


def write_rejects(path: Path, header: list[str], errors: list[RowError],
                  rejected: list[tuple[int, list[str]]]) -> None:
    """The bad rows as CSV (UTF-8), with the line and the errors of each in two extra columns."""
    by_line: dict[int, list[str]] = {}
    for e in errors:
        by_line.setdefault(e.line, []).append(f"{e.field}: {e.message}")
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["line", "errors", *header])
        for line, row in rejected:
            w.writerow([line, "; ".join(by_line.get(line, [])), *row])
