"""The application parser's fast path against its thorough `check`, and the whole-file reader
against a row-by-row reference built on `check` and the csv module (hypothesis)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from goszakaz import files as reading
from goszakaz.domain.allocation import Application, allocate
from goszakaz.domain.iin import make_iin
from goszakaz.files import plain_lines, read_rows
from goszakaz.queue import files
from goszakaz.queue.files import (
    COLUMNS,
    OUTPUT_COLUMNS,
    ParsedFile,
    Parser,
    RowError,
    read_applications,
    write_outcomes,
)
from goszakaz.rules import load

SETTINGS = settings(max_examples=300, deadline=None)
AS_OF = dt.date(2024, 8, 1)

blanks = st.text(alphabet=" \t\xa0\u2003\u3000", max_size=2)  # what str.strip() removes


def padded(values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(blanks, values, blanks).map("".join)


def any_case(word: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(word), max_size=len(word)).map(
        lambda upper: "".join(c.upper() if u else c for c, u in zip(word, upper, strict=True)))


good_flags = st.sampled_from(["true", "false", "1", "0", "yes", "no"]).flatmap(any_case)
flags = good_flags | st.sampled_from(["", "2", "tru", "yeſ", "nO!", "İ", "١", "t rue", "false0"])


@st.composite
def cells(draw: st.DrawFn, as_of: dt.date | None) -> dict[str, str]:
    """One row's cells by column: a valid application, then some of its cells spoilt or odd."""
    rate = draw(st.sampled_from([0, 3, 12]))  # 1 in `rate` cells spoilt (none, many, a few)

    def spoil() -> bool:
        return rate > 0 and draw(st.integers(1, rate)) == 1

    birth = draw(st.one_of(st.dates(dt.date(2017, 1, 1), dt.date(2024, 7, 31)),
                           st.dates(dt.date(1890, 1, 1), dt.date(2099, 12, 31))))
    iin = make_iin(birth, draw(st.integers(0, 9999)), female=draw(st.booleans()))
    if spoil():
        iin = draw(st.sampled_from([
            iin, iin[:11], iin + "0", iin[:11] + str((int(iin[11]) + 1) % 10),
            iin[:6] + "9" + iin[7:], iin[:3] + "٣" + iin[4:], "abc", "",
            make_iin(birth + dt.timedelta(days=1), 5) if birth < dt.date(2099, 12, 31) else iin,
        ]) | st.text(alphabet="0123456789", min_size=12, max_size=12)
            | st.text(alphabet="0123456789a", min_size=11, max_size=13)
            | st.text(alphabet="0123456789a", min_size=5, max_size=5).map(
                lambda tail, head=iin[:7]: head + tail))
    birth_text = birth.isoformat()
    if spoil():
        birth_text = draw(st.sampled_from([
            birth_text, birth_text.replace("-", ""), f"{birth:%d.%m.%Y}", "2020-02-30",
            "2020-W01-1", "", "x", birth_text + "T00:00"]))
    start = dt.datetime.combine(birth, dt.time())
    submitted = start + dt.timedelta(days=draw(st.integers(-3, 3 * 365)),
                                     seconds=draw(st.integers(0, 86399)))
    submitted_text = draw(st.sampled_from([
        submitted.isoformat(), submitted.isoformat(sep=" "), submitted.isoformat(timespec="minutes"),
        submitted.date().isoformat()]))
    if spoil():
        submitted_text = draw(st.sampled_from([
            submitted_text, submitted_text + "+05:00", submitted_text + "Z", "yesterday", "",
            submitted_text.replace("-", "/"), f"{submitted:%Y-%m-%dT%H:%M:%S.%f}"]))
    if as_of is not None and as_of < dt.date(9999, 1, 1) and draw(st.integers(0, 5)) == 0:
        submitted_text = (dt.datetime.combine(as_of, dt.time(23, 59, 59))
                          + dt.timedelta(seconds=draw(st.integers(0, 2)))).isoformat()
    row = {
        "application_id": draw(st.text(alphabet="ab17 -", max_size=4)) if spoil()
        else draw(st.text(alphabet="0123456789ab", min_size=1, max_size=4)),
        "child_iin": iin, "birth_date": birth_text, "submitted_at": submitted_text,
    }
    for name in files.BOOLEAN_COLUMNS:
        row[name] = draw(flags if spoil() else good_flags)
    return {name: draw(padded(st.just(value))) if draw(st.integers(0, 3)) == 0 else value
            for name, value in row.items()}


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], dt.date | None, list[list[str]]]:
    """A header (the columns in any order, maybe an extra one), an as-of date and rows, some of
    them shorter or longer than the header."""
    header = draw(st.permutations([*COLUMNS, *draw(st.sampled_from([[], ["comment"]]))]))
    as_of = draw(st.sampled_from([None, AS_OF, dt.date(2099, 12, 31), dt.date.max]))
    rows = []
    for row in draw(st.lists(cells(as_of), max_size=12)):
        values = [row.get(name, "x y") for name in header]
        cut = draw(st.integers(0, 12))
        if cut == 0:
            values = values[:draw(st.integers(0, len(values)))]
        elif cut == 1:
            values = [*values, draw(st.sampled_from(["", "extra"]))]
        rows.append(values)
    return header, as_of, rows


@SETTINGS
@given(tables())
def test_fast_path_gives_what_check_gives(table):
    header, as_of, rows = table
    parser = Parser(header, as_of)
    expected = [parser.check(values, line) for line, values in enumerate(rows, start=2)]
    # one row at a time: exactly check's result, the Application or every error
    assert [parser.parse(values, line) for line, values in enumerate(rows, start=2)] == expected
    # many rows at once, column by column: each valid row's Application, None for the others
    batch = [(values, result) for values, result in zip(rows, expected, strict=True)
             if parser.needs <= len(values) <= parser.width]
    fast = parser.parse_columns([[values[i] for values, _ in batch] for i in parser.index])
    assert fast == [result if isinstance(result, Application) else None for _, result in batch]


def test_iins_with_several_parts_wrong_go_to_check():
    # the fast path sums the check digit in three parts; one to three of them not found must
    # never add up to a valid sum, whatever the other parts hold
    parser = Parser(list(COLUMNS), AS_OF)
    rows = []
    for days in range(0, 400, 7):
        birth = dt.date(2019, 1, 1) + dt.timedelta(days=days)
        iin = make_iin(birth, days)
        for spoilt in (iin[:7] + "ab" + iin[9:], iin[:7] + "abcde", iin[:9] + "c1d",
                       "x" + iin[1:7] + "ab" + iin[9:], "x" + iin[1:9] + "cde", "x" * 12):
            rows.append([f"{days}-{len(rows)}", spoilt, birth.isoformat(), "2023-01-01T10:00",
                         "true", "false", "0", "1", "no", "yes"])
    fast = parser.parse_columns([[values[i] for values in rows] for i in parser.index])
    assert fast == [None] * len(rows)
    assert all(parser.parse(values, 2) == parser.check(values, 2) for values in rows)


def reference(path: Path, as_of: dt.date | None, keep_rows: bool) -> ParsedFile:
    """read_applications as it was: the csv module (read_rows) and `check` on every row."""
    header, rows = read_rows(path)
    result = ParsedFile(header=header)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        result.errors.extend(RowError(1, c, "column is missing from the header") for c in missing)
        return result
    parser = Parser(header, as_of)
    seen_ids: dict[str, int] = {}
    seen_iins: dict[str, int] = {}
    i_id, i_iin = parser.index[0], parser.index[1]

    def raw(row: list[str], i: int) -> str:
        return row[i].strip() if i < len(row) else ""

    for line, row in rows:
        parsed = parser.check(row, line)
        if isinstance(parsed, Application):
            first_id = seen_ids.setdefault(parsed.application_id, line)
            first_iin = seen_iins.setdefault(parsed.child_iin, line)
            if first_id == line and first_iin == line:
                result.applications.append(parsed)
                result.lines.append(line)
                if keep_rows:
                    result.rows.append(row)
                continue
            parsed = []
        else:
            first_id = seen_ids.setdefault(raw(row, i_id), line) if raw(row, i_id) else line
            first_iin = seen_iins.setdefault(raw(row, i_iin), line) if raw(row, i_iin) else line
        if first_id != line:
            parsed.append(RowError(line, "application_id", f"repeats line {first_id}"))
        if first_iin != line:
            parsed.append(RowError(line, "child_iin", f"repeats line {first_iin}"))
        result.errors.extend(parsed)
        result.rejected.append((line, row))
    return result


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, dt.date | None]:
    """A whole file: comma or semicolon, LF or CRLF, maybe quoted, with blank lines and repeats."""
    header, as_of, rows = draw(tables())
    if rows and draw(st.booleans()):  # a repeated row: the same id and IIN on a later line
        rows.insert(draw(st.integers(0, len(rows))), list(draw(st.sampled_from(rows))))
    if draw(st.integers(0, 5)) == 0:  # a cell with a line break: quoted, one record on two lines
        rows.append([*rows[0][:1], "a\nb", *rows[0][2:]] if rows else ["a\nb"])
    delimiter = draw(st.sampled_from([",", ";"]))
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n"])),
                   quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])))
    w.writerow([draw(st.sampled_from([name, f" {name.upper()} "])) for name in header])
    for values in rows:
        if draw(st.integers(0, 6)) == 0:
            w.writerow(draw(st.sampled_from([[], [""] * len(header)])))  # blank lines
        w.writerow(values)
    return out.getvalue().encode("utf-8"), as_of


@SETTINGS
@given(csv_files(), st.booleans(), st.sampled_from([2, 5, reading.CHUNK]),
       st.sampled_from([1, 7, 64, reading.BLOCK]))
def test_read_applications_gives_what_the_row_by_row_reference_gives(file, keep_rows, chunk,
                                                                     block):
    # (`block`: the fast path reads the file in blocks of this many bytes, issue 10)
    data, as_of = file
    with tempfile.TemporaryDirectory() as tmp, mock.patch.object(reading, "CHUNK", chunk), \
            mock.patch.object(reading, "BLOCK", block):
        path = Path(tmp) / "q.csv"
        path.write_bytes(data)
        got = read_applications(path, as_of=as_of, keep_rows=keep_rows)
        expected = reference(path, as_of, keep_rows)
    assert (got.header, got.applications, got.lines, got.rows, got.errors, got.rejected) == (
        expected.header, expected.applications, expected.lines, expected.rows, expected.errors,
        expected.rejected)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=',;"\r\n a\x00', max_size=40), st.sampled_from([",", ";"]))
def test_plain_lines_are_what_the_csv_module_reads(text, delimiter):
    lines = plain_lines(text)
    if lines is None:
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    assert [(reader.line_num, row) for row in reader] == [
        (k, line.split(delimiter) if line else []) for k, line in enumerate(lines, start=1)]


def test_plain_lines_leave_quotes_lone_carriage_returns_and_nul_to_the_csv_module():
    assert plain_lines('a,"b"\n') is None
    assert plain_lines("a\rb\n") is None
    assert plain_lines("a\x00b\n") is None
    assert plain_lines("a,b\r\nc\r\n") == ["a,b", "c"]
    assert plain_lines("") == []


def test_output_is_what_the_csv_module_writes_row_by_row(tmp_path):
    birth = dt.date(2019, 3, 1)
    apps = [Application(app_id, make_iin(birth, i), birth, dt.datetime(2023, 1, 1 + i),
                        i != 2, False, i == 1, False, False, i == 3)
            for i, app_id in enumerate(["1", 'a,"b"', "c\nd", " e ", "f"])]
    result = allocate(apps, volume=2, as_of=AS_OF, rules=load("taraz-2024"))
    write_outcomes(tmp_path / "out.csv", apps, result)
    expected = io.StringIO()
    w = csv.writer(expected, lineterminator="\n")
    w.writerow(OUTPUT_COLUMNS)
    for i, a in enumerate(apps):
        w.writerow([a.application_id, result.status(i),
                    *("" if v is None else v
                      for v in (result.category[i], result.queue_number[i], result.seat_order[i])),
                    result.reason[i]])
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == expected.getvalue()


def test_blank_lines_in_a_file_of_good_rows(tmp_path):
    birth = dt.date(2020, 5, 15)
    rows = [[str(i), make_iin(birth, i), birth.isoformat(), "2024-01-02T09:30:00", " TRUE",
             "no ", "0", "Yes", "false", "1"] for i in range(7)]
    texts = [",".join(r) for r in rows]
    lines = [",".join(COLUMNS), *texts[:3], "", ",,,", *texts[3:], "", ""]  # blank lines 5, 6, 11
    path = tmp_path / "q.csv"
    path.write_text("\r\n".join(lines), encoding="utf-8")
    for chunk in (2, 4, reading.CHUNK):
        with mock.patch.object(reading, "CHUNK", chunk):
            got = read_applications(path, as_of=AS_OF, keep_rows=True)
        expected = reference(path, AS_OF, True)
        assert got.errors == [] and got.lines == [2, 3, 4, 7, 8, 9, 10]
        assert (got.applications, got.lines, got.rows) == (
            expected.applications, expected.lines, expected.rows)
