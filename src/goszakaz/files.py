"""Reading the files people upload (CSV in UTF-8 or Windows-1251, XLSX) within fixed limits, and
writing the files people open: rows by line (or in chunks, a plain CSV cut without the csv
module), errors by line and field (at most `Limits.errors`), the whole-or-nothing refusal, the
rejects file of the bad rows, formula-safe cells, and documents checked by their content.

Every reader goes through the limits here (`LIMITS`): a CSV by its size in bytes and its rows,
an XLSX by what its zip archive unpacks to (checked from the archive's directory before openpyxl
opens it), its members, its shared strings, its rows and cells (openpyxl in read-only mode)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import sys
import unicodedata
import zipfile
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice, repeat
from operator import itemgetter
from pathlib import Path
from typing import IO, Any


def _(text: str) -> str:
    """Marks a message for makemessages; FileRefused and TooManyErrors translate it when shown."""
    return text


def _translated(text: str) -> str:
    """The message in the active language when Django is set up (pages, commands); else as is
    (`allocate` runs without Django)."""
    conf = sys.modules.get("django.conf")
    if conf is None or not conf.settings.configured:
        return text
    from django.utils.translation import gettext

    return gettext(text)


@dataclass(frozen=True, slots=True)
class Limits:
    """What any uploaded or imported file may hold. One million children (DESIGN, Scale) fit:
    a queue of 1,000,000 applications is a CSV of about 100 MB."""

    csv_bytes: int = 256 * 2**20  # a CSV's size on disk
    unpacked_bytes: int = 256 * 2**20  # an XLSX: the sum of its members' uncompressed sizes
    shared_strings_bytes: int = 32 * 2**20  # an XLSX's sharedStrings.xml (read whole by openpyxl)
    members: int = 1000  # files inside an XLSX
    rows: int = 2_000_000  # data rows of a file (readers may ask for fewer)
    cells: int = 30_000_000  # cells of an XLSX sheet, empty ones counted
    errors: int = 1000  # problems listed before a reader stops
    document_bytes: int = 5 * 2**20  # a document attached to a dispute (A7.15)


LIMITS = Limits()
MB = 2**20


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of one input line: the line number in the file (header = 1) and the field."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


class FileRefused(ValueError):
    """The file as a whole cannot be read (not the format, too big, unpacks too big, too many
    rows or cells, bytes that are no text): refused before or while reading, with a message
    the person can act on, in their language."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return _translated(self.message) % self.params


class ImportRejected(Exception):
    """The file has bad rows and was not imported; `errors` names each line and field."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the file; nothing imported")
        self.errors = errors


class TooManyErrors(ImportRejected):
    """More problems than `Limits.errors`: the reader stopped at `line`; `errors` are the first."""

    def __init__(self, errors: list[RowError], line: int) -> None:
        super().__init__(errors[:LIMITS.errors])
        self.line = line

    def __str__(self) -> str:
        return _translated(_(
            "More than %(n)d problems: the first %(n)d are listed, and the file was not read "
            "past line %(line)d. Nothing was imported.")) % {"n": len(self.errors),
                                                            "line": self.line}


def stop_if_too_many(errors: list[RowError], line: int) -> None:
    """Raise TooManyErrors once `errors` holds more than the limit: a reader calls it per row."""
    if len(errors) > LIMITS.errors:
        raise TooManyErrors(errors, line)


@dataclass
class ImportResult:
    """What an import did: created, updated, unchanged, rejected rows."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


NumberedRows = Iterator[tuple[int, list[str]]]
BLOCK = 4 * MB  # bytes read at once
PEEK = MB  # of the first line, to find the delimiter


def _size(path: Path) -> int:
    size = path.stat().st_size
    if size > LIMITS.csv_bytes:
        raise FileRefused(_("The file is %(size)d MB; at most %(max)d MB is read."),
                          size=size // MB, max=LIMITS.csv_bytes // MB)
    return size


def _not_text(data: bytes, start: int) -> FileRefused:
    return FileRefused(_("Line %(line)d: byte 0x%(byte)02X is neither UTF-8 nor Windows-1251 "
                         "text. Save the file as \"CSV UTF-8\" or as XLSX."),
                       line=data.count(b"\n", 0, start) + 1, byte=data[start])


def decode(data: bytes) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), else Windows-1251; FileRefused if the
    bytes are neither (0x98 has no character in Windows-1251)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError as e:
        raise _not_text(data, e.start) from None


def _encoding(path: Path, max_lines: int | None = None) -> str:
    """The encoding of a CSV file (as `decode` chooses), found block by block: the file is never
    held in memory whole. With `max_lines`, a file of more line breaks is refused."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    lines = 0
    try:
        with path.open("rb") as f:
            while block := f.read(BLOCK):
                lines += block.count(b"\n")
                if max_lines is not None and lines > max_lines:
                    raise _too_many_rows(max_lines - 1)
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8-sig"
    lines = 0
    with path.open("rb") as f:
        while block := f.read(BLOCK):
            try:
                block.decode("cp1251")  # one byte a character: a block decodes on its own
            except UnicodeDecodeError as e:
                refusal = _not_text(block, e.start)
                refusal.params["line"] = int(str(refusal.params["line"])) + lines
                raise refusal from None
            lines += block.count(b"\n")
    return "cp1251"


def _too_many_rows(max_rows: int) -> FileRefused:
    return FileRefused(_("The file has more than %(max)d rows; split it into smaller files."),
                       max=max_rows)


def read_rows(path: Path, *, max_rows: int | None = None) -> tuple[list[str], NumberedRows]:
    """Header (lower-case names) and (line, values) of a .csv or .xlsx file, read as a stream
    within LIMITS (and at most `max_rows` data rows); FileRefused (a ValueError) if the file is
    unreadable or over a limit. Empty rows are skipped; a CSV's delimiter is a comma or a
    semicolon."""
    cap = min(LIMITS.rows, max_rows or LIMITS.rows)
    if path.suffix.lower() == ".xlsx":
        return _xlsx_rows(path, cap)
    _size(path)
    f = path.open(encoding=_encoding(path), newline="")
    try:
        delimiter = _delimiter(f.readline(PEEK))
        f.seek(0)
        return _csv_rows(f, delimiter, cap, f)
    except BaseException:
        f.close()
        raise


def _delimiter(text: str) -> str:
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    return ";" if first.count(";") > first.count(",") else ","


def _broken(line: int) -> FileRefused:
    return FileRefused(_("Line %(line)d: the CSV cannot be read (a quote not closed, or a value "
                         "longer than %(max)d characters)."), line=line, max=csv.field_size_limit())


def _csv_rows(source: Iterable[str], delimiter: str, max_rows: int,
              closing: IO[str] | None = None) -> tuple[list[str], NumberedRows]:
    reader = csv.reader(source, delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise FileRefused(_("The file is empty: a header row is required.")) from None
    except csv.Error:
        raise _broken(reader.line_num) from None
    return header, _numbered(reader, max_rows, closing)


def _numbered(reader: Any, max_rows: int, closing: IO[str] | None,
              lines_before: int = 0) -> NumberedRows:
    """(line, values) of the reader's non-blank rows; FileRefused past `max_rows` of them or
    for a broken CSV; the file closed at the end."""
    count = 0
    try:
        for values in reader:
            if any(values):
                count += 1
                if count > max_rows:
                    raise _too_many_rows(max_rows)
                yield lines_before + reader.line_num, values
    except csv.Error:
        raise _broken(lines_before + reader.line_num) from None
    finally:
        if closing is not None:
            closing.close()


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
    (`any(row)` false: the caller skips them). The same rows and lines as `read_rows`.

    A CSV is read in blocks of about BLOCK bytes, each cut after its last line break: while the
    blocks are plain (`plain_lines`), their lines are cut with str.split; from the first block
    that is not, the csv module reads the rest of the file. So the file is never held whole;
    its lines are counted (with its encoding found) before any row is given, blank lines among
    the rows of `Limits.rows`."""
    if path.suffix.lower() == ".xlsx":
        header, numbered = _xlsx_rows(path, LIMITS.rows)
        return header, _chunked(numbered)
    _size(path)
    encoding = _encoding(path, max_lines=LIMITS.rows + 1)
    blocks = _text_blocks(path, encoding)
    first = next(blocks, None)
    if first is None:
        raise FileRefused(_("The file is empty: a header row is required."))
    offset, text = first
    lines = plain_lines(text) if text else None
    if lines is None:  # the header itself is no plain line: the csv module reads it all
        blocks.close()
        header, numbered = _csv_from(path, encoding, 0, 0, None)
        return header, _chunked(numbered)
    delimiter = _delimiter(text)
    header = [h.strip().lower() for h in lines[0].split(delimiter)] if lines[0] else []
    return header, _plain_chunks(path, encoding, blocks, lines[1:], 1, delimiter)


def _text_blocks(path: Path, encoding: str) -> Generator[tuple[int, str], None, None]:
    """(byte offset, text) of the file's blocks, each ending with a line break but the last; a
    block whose line is longer than 2 BLOCK (no plain line) ends the blocks at its offset as an
    empty text, for the csv module to read on from there."""
    with path.open("rb") as f:
        offset, rest = 0, b""
        while True:
            data = f.read(BLOCK)
            if not data:
                if rest:
                    yield offset, _block_text(rest, encoding, offset)
                return
            data = rest + data
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                if len(data) > 2 * BLOCK:
                    yield offset, ""
                    return
                rest = data
                continue
            yield offset, _block_text(data[:cut], encoding, offset)
            offset, rest = offset + cut, data[cut:]


def _block_text(data: bytes, encoding: str, offset: int) -> str:
    """A block's text; a block after the first never starts with the BOM."""
    return data.decode(encoding if offset == 0 or encoding == "cp1251" else "utf-8")


def _plain_chunks(path: Path, encoding: str, blocks: Generator[tuple[int, str], None, None],
                  lines: list[str], line: int,
                  delimiter: str) -> Iterator[tuple[Sequence[int], ChunkRows]]:
    """The chunks of plain blocks (`lines`: those of the first block after the header, `line`
    the header's line number); the csv module from the first block that is not plain."""
    pending = lines
    while True:
        whole = len(pending) - len(pending) % CHUNK
        for start in range(0, whole, CHUNK):
            yield (range(line + start + 1, line + start + 1 + CHUNK),
                   TextRows(pending[start:start + CHUNK], delimiter))
        line += whole
        pending = pending[whole:]
        block = next(blocks, None)
        if block is None:
            break
        offset, text = block
        more = plain_lines(text) if text else None
        if more is None:  # from here on, the csv module
            blocks.close()
            if pending:
                yield range(line + 1, line + 1 + len(pending)), TextRows(pending, delimiter)
                line += len(pending)
            _, numbered = _csv_from(path, encoding, offset, line, delimiter)
            yield from _chunked(numbered)
            return
        pending = pending + more if pending else more
    if pending:
        yield range(line + 1, line + 1 + len(pending)), TextRows(pending, delimiter)


def _csv_from(path: Path, encoding: str, offset: int, lines_before: int,
              delimiter: str | None) -> tuple[list[str], NumberedRows]:
    """The csv module over the file from a byte offset at a line's start: the header (when
    `delimiter` is None: the first line is the header; else none, []) and the rows, numbered
    as lines of the file."""
    raw = path.open("rb")
    raw.seek(offset)
    f = io.TextIOWrapper(raw, encoding=encoding if offset == 0 or encoding == "cp1251"
                         else "utf-8", newline="")
    try:
        if delimiter is None:
            delimiter = _delimiter(f.readline(PEEK))
            f.seek(0)
            return _csv_rows(f, delimiter, LIMITS.rows, f)
        reader = csv.reader(f, delimiter=delimiter)
    except BaseException:
        f.close()
        raise
    return [], _numbered(reader, LIMITS.rows, f, lines_before)


def _chunked(numbered: NumberedRows) -> Iterator[tuple[Sequence[int], ChunkRows]]:
    while chunk := list(islice(numbered, CHUNK)):
        yield list(map(itemgetter(0), chunk)), list(map(itemgetter(1), chunk))


_NOT_XLSX = _("This is not an XLSX file (an XLSX file is a zip archive): save it from Excel as "
              ".xlsx, or as CSV.")


def check_xlsx(path: Path) -> None:
    """Refuse an XLSX by its zip directory, before anything is unpacked: not a zip, too many
    members, more than `Limits.unpacked_bytes` in all or `Limits.shared_strings_bytes` of shared
    strings. The sizes are the archive's own: zipfile never unpacks a member past its stated size
    (and refuses a member whose data does not match it)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FileRefused(_NOT_XLSX) from None
    if len(members) > LIMITS.members:
        raise FileRefused(_("The XLSX file holds %(n)d parts; at most %(max)d are read."),
                          n=len(members), max=LIMITS.members)
    unpacked = sum(m.file_size for m in members)
    if unpacked > LIMITS.unpacked_bytes:
        raise FileRefused(_("The XLSX file unpacks to %(size)d MB; at most %(max)d MB is read. "
                            "Save it as CSV, or split it."),
                          size=unpacked // MB, max=LIMITS.unpacked_bytes // MB)
    shared = sum(m.file_size for m in members
                 if m.filename.lower().endswith("sharedstrings.xml"))
    if shared > LIMITS.shared_strings_bytes:
        raise FileRefused(_("The XLSX file's text cells unpack to %(size)d MB; at most %(max)d MB "
                            "is read. Save it as CSV, or split it."),
                          size=shared // MB, max=LIMITS.shared_strings_bytes // MB)


def _xlsx_rows(path: Path, max_rows: int) -> tuple[list[str], NumberedRows]:
    import openpyxl

    check_xlsx(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        it = book.worksheets[0].iter_rows(values_only=True)
        first = next(it)
    except StopIteration:
        raise FileRefused(_("The sheet is empty: a header row is required.")) from None
    except Exception as e:  # openpyxl raises many kinds for a broken file
        raise FileRefused(_("The XLSX file cannot be read: %(error)s"), error=e) from None
    cells = len(first)
    if cells > LIMITS.cells:
        raise FileRefused(_("The sheet has more than %(max)d cells."), max=LIMITS.cells)
    header = [str(h or "").strip().lower() for h in first]

    def rows() -> NumberedRows:
        nonlocal cells
        line = 1
        try:
            for line, values in enumerate(it, start=2):  # noqa: B007 (the line is reported)
                cells += len(values)
                if cells > LIMITS.cells:
                    raise FileRefused(_("The sheet has more than %(max)d cells."),
                                      max=LIMITS.cells)
                if line - 1 > max_rows:
                    raise _too_many_rows(max_rows)
                texts = [_cell(v) for v in values]
                while texts and not texts[-1]:
                    texts.pop()
                if any(t.strip() for t in texts):
                    yield line, texts
        except FileRefused:
            raise
        except Exception as e:  # a broken sheet inside a sound archive
            raise FileRefused(_("The XLSX file cannot be read after line %(line)d: %(error)s"),
                              line=line, error=e) from None
        finally:
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


# Files for people: cells a spreadsheet would run as a formula (CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+([.,]\d+)?")


def safe_cell(value: object) -> object:
    """A cell of a file people open in Excel: text beginning with =, +, -, @, tab or carriage
    return gets a leading apostrophe, so that it stays text; numbers (and text that is a plain
    number, like -5) and everything else are kept as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_column(values: Sequence[object]) -> Sequence[object]:
    """`safe_cell` of each value; the same sequence when no text in it needs that (a C loop)."""
    try:
        hit = any(map(str.startswith, values, repeat(FORMULA_START)))  # type: ignore[arg-type]
    except TypeError:  # not all text
        hit = True
    return list(map(safe_cell, values)) if hit else values


class PeopleWriter:
    """csv.writer for files people open: every cell through `safe_cell`. Machine formats (the
    banks' lists, the НОБД export) use csv.writer itself and keep their exact values."""

    def __init__(self, f: IO[str], **options: object) -> None:
        self._writer = csv.writer(f, **options)  # type: ignore[arg-type]

    def writerow(self, row: Iterable[object]) -> None:
        """One row, its cells made safe."""
        self._writer.writerow(list(map(safe_cell, row)))

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        """Rows, their cells made safe."""
        for row in rows:
            self.writerow(row)


def write_rejects(path: Path, header: list[str], errors: list[RowError],
                  rejected: list[tuple[int, list[str]]]) -> None:
    """The bad rows as CSV (UTF-8), with the line and the errors of each in two extra columns;
    a file people open, so formula-like cells are made safe (`PeopleWriter`)."""
    by_line: dict[int, list[str]] = {}
    for e in errors:
        by_line.setdefault(e.line, []).append(f"{e.field}: {e.message}")
    with path.open("w", encoding="utf-8", newline="") as f:
        w = PeopleWriter(f)
        w.writerow(["line", "errors", *header])
        for line, row in rejected:
            w.writerow([line, "; ".join(by_line.get(line, [])), *row])


# Names of people (children, parents)
NAME_MAX = 200  # Voucher.child_name, Application.child_name
_SEPARATORS = " -'\u2019\u2010"  # space, hyphen, apostrophes (' and ’), the Unicode hyphen


def name_problem(name: str) -> str | None:
    """Why `name` (NFC-normalized and stripped by the caller: `clean_name`) is not a person's
    name, or None: Unicode letters (Kazakh, Russian, Uzbek, Latin…) in words joined by spaces,
    hyphens and apostrophes, beginning with a letter (never a formula character), at most
    NAME_MAX characters."""
    if not name:
        return _("is empty")
    if len(name) > NAME_MAX:
        return _("is longer than 200 characters")
    if not name[0].isalpha():
        return _("must begin with a letter")
    if not all(c.isalpha() or c in _SEPARATORS or unicodedata.category(c) == "Mn"
               for c in name):
        return _("may hold only letters, spaces, hyphens and apostrophes")
    return None


def clean_name(name: str) -> str:
    """A name as stored: NFC, blanks trimmed and runs of spaces made one."""
    return " ".join(unicodedata.normalize("NFC", name).split())


class NameRefused(ValueError):
    """A name that is not a person's name; the message is translated when shown."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem)
        self.field = field
        self.problem = problem

    def __str__(self) -> str:
        return _translated(_("The name %(problem)s.")) % {"problem": _translated(self.problem)}


def valid_name(name: str, field: str = "child_name") -> str:
    """The cleaned name, or NameRefused."""
    cleaned = clean_name(name)
    problem = name_problem(cleaned)
    if problem is not None:
        raise NameRefused(field, problem)
    return cleaned


# Documents (a dispute's, A7.15): checked by their first bytes, not by the name they came with
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def document_kind(head: bytes) -> str | None:
    """The kind of a document by its first bytes (at least 12): "pdf", "jpg", "png" or "heic";
    None for anything else (an executable named .pdf among them)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "heic"
    return None
