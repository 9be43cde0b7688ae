"""Files within fixed limits (issue 10): bombs refused before they unpack, bad files stopped after
1,000 errors, formula-safe files for people, names checked as names, documents by content."""

from __future__ import annotations

import contextlib
import csv
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from goszakaz import files
from goszakaz.enrollment.files import read_children
from goszakaz.files import FileRefused, Limits, TooManyErrors
from goszakaz.queue.files import COLUMNS, read_applications, write_rejects
from tests.factories import PARENT_IIN, make_iin

GOOD = ["1", make_iin(__import__("datetime").date(2020, 1, 1), 1), "2020-01-01",
        "2024-01-10T09:00:00", "true", "false", "false", "false", "false", "false"]


@contextlib.contextmanager
def refused_with(pattern: str) -> Iterator[None]:
    """FileRefused whose English text matches (pages and commands show it translated)."""
    with pytest.raises(FileRefused) as refused:
        yield
    english = refused.value.message % refused.value.params
    assert re.search(pattern, english), english


def limits(monkeypatch: pytest.MonkeyPatch, **caps: int) -> None:
    monkeypatch.setattr(files, "LIMITS", Limits(**caps))


def xlsx_bomb(path: Path, shared_mb: int) -> Path:
    """A real workbook whose sharedStrings.xml unpacks to `shared_mb` MB (a few KB packed)."""
    book = openpyxl.Workbook()
    book.active.append(["child_iin", "birth_date", "child_name", "parent_iin", "period_start"])
    book.save(path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z, \
            z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
        f.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
        block = b"A" * 2**20
        for _ in range(shared_mb):
            f.write(block)
        f.write(b"</t></si></sst>")
    return path


def never_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl opened a file the zip directory refuses")
    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_an_xlsx_bomb_is_refused_from_its_zip_directory(tmp_path, monkeypatch) -> None:
    # covers: DESIGN (issue 10, Files: a 765 KB XLSX that unpacks to 300 MB)
    limits(monkeypatch, unpacked_bytes=4 * 2**20, shared_strings_bytes=2 * 2**20)
    never_opened(monkeypatch)
    bomb = xlsx_bomb(tmp_path / "children.xlsx", 5)
    assert bomb.stat().st_size < 100_000
    with refused_with("unpacks to 5 MB; at most 4 MB"):
        read_children(bomb)
    limits(monkeypatch, shared_strings_bytes=2 * 2**20)  # the shared strings alone
    with refused_with("text cells unpack to 5 MB; at most 2 MB"):
        files.read_rows(bomb)
    limits(monkeypatch, members=3)
    with refused_with("parts; at most 3"):
        files.read_chunks(bomb)


def test_the_real_size_bomb_is_refused_in_well_under_a_second(tmp_path, monkeypatch) -> None:
    # covers: DESIGN (issue 10: the probe's 300 MB of sharedStrings, under the real limits)
    never_opened(monkeypatch)
    bomb = xlsx_bomb(tmp_path / "children.xlsx", 300)  # (packed fast: 1.4 MB, not 765 KB)
    assert bomb.stat().st_size < 2_000_000
    started = time.perf_counter()
    with refused_with("unpacks to 300 MB"):
        read_children(bomb)
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize("data", [b"child_iin,x\n1,2\n", b"PK\x03\x04 broken", b""])
def test_an_xlsx_that_is_no_zip_is_refused_with_a_message(tmp_path, data) -> None:
    # covers: DESIGN (issue 10: a .xlsx that is not a zip gave a 500)
    path = tmp_path / "list.xlsx"
    path.write_bytes(data)
    with refused_with("not an XLSX file"):
        files.read_rows(path)


def test_cells_and_rows_of_a_sheet_are_capped(tmp_path, monkeypatch) -> None:
    # covers: DESIGN (issue 10: a cap on cells and rows, openpyxl in read-only mode)
    book = openpyxl.Workbook()
    for r in range(30):
        book.active.append([f"v{r}-{c}" for c in range(10)])
    book.save(tmp_path / "s.xlsx")
    limits(monkeypatch, cells=100)
    header, rows = files.read_rows(tmp_path / "s.xlsx")
    with refused_with("more than 100 cells"):
        list(rows)
    limits(monkeypatch, rows=5)
    header, rows = files.read_rows(tmp_path / "s.xlsx")
    with refused_with("more than 5 rows"):
        list(rows)


def test_a_byte_that_is_no_text_is_named_by_line(tmp_path) -> None:
    # covers: DESIGN (issue 10: a byte 0x98 in a CSV gave a 500)
    path = tmp_path / "list.csv"
    path.write_bytes("child_iin;имя\n1;Анна\n".encode("cp1251") + b"2;\x98\n")
    with refused_with("Line 3: byte 0x98 is neither UTF-8 nor Windows-1251"):
        files.read_rows(path)
    with refused_with("Line 3: byte 0x98"):
        files.read_chunks(path)
    path.write_bytes("child_iin;имя\n1;Анна\n".encode("cp1251"))  # Windows-1251 still reads
    assert list(files.read_rows(path)[1]) == [(2, ["1", "Анна"])]


def test_a_csv_is_capped_by_bytes_and_rows(tmp_path, monkeypatch) -> None:
    # covers: DESIGN (issue 10: the limits applied only to the compressed upload)
    path = tmp_path / "apps.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        w.writerows([str(i), *GOOD[1:]] for i in range(50))
    limits(monkeypatch, csv_bytes=1000)
    with refused_with("at most 0 MB"):
        files.read_rows(path)
    limits(monkeypatch, rows=20)
    with refused_with("more than 20 rows"):
        read_applications(path)  # the fast path: refused before any row is parsed
    header, rows = files.read_rows(path)
    with refused_with("more than 20 rows"):
        list(rows)


def bad_applications(path: Path, n: int) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        w.writerows([str(i), "not an iin", "2020-01-01", "2024-01-10T09:00:00", "maybe",
                     *GOOD[5:]] for i in range(n))
    return path


def test_a_bad_file_stops_after_1000_errors(tmp_path) -> None:
    # covers: T1.1, DESIGN (issue 10: 3.96 million error lines; now the first 1,000 and a stop)
    path = bad_applications(tmp_path / "apps.csv", 20_000)
    started = time.perf_counter()
    with pytest.raises(TooManyErrors) as refused:
        read_applications(path)
    assert time.perf_counter() - started < 2
    assert len(refused.value.errors) == 1000
    assert refused.value.line < 1000  # two errors a row: stopped near line 500
    assert "показаны первые 1000" in str(refused.value)  # in the reader's language


def test_the_children_list_stops_after_1000_errors(tmp_path) -> None:
    # covers: A5, DESIGN (issue 10)
    path = tmp_path / "children.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["child_iin", "birth_date", "child_name", "parent_iin", "period_start"])
        w.writerows([f"{i:012d}", "x", "Анна", "y", "2024-03-01"] for i in range(5000))
    with pytest.raises(TooManyErrors) as refused:
        read_children(path)
    assert len(refused.value.errors) == 1000


def test_allocate_prints_at_most_1000_error_lines(tmp_path) -> None:
    # covers: T1.1, DESIGN (issue 10: the command line's 200 MB CSV)
    path = bad_applications(tmp_path / "apps.csv", 5000)
    done = subprocess.run([sys.executable, "-m", "goszakaz.cli", "allocate", "--applications",
                           str(path), "--volume", "5", "--as-of", "2024-08-01", "--output",
                           str(tmp_path / "out.csv")], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1001 and "More than 1000 problems" in lines[-1]  # (no Django here)
    assert not (tmp_path / "out.csv").exists()


# Formulas
def test_files_for_people_keep_formulas_as_text(tmp_path) -> None:
    # covers: DESIGN (issue 10, Formulas: the rejects file held =HYPERLINK(...))
    for cell in ("=HYPERLINK(\"http://evil.example/\")", "+1+1", "-x", "@SUM(A1)", "\tx", "\rx"):
        assert files.safe_cell(cell) == "'" + cell
    for kept in (5, -5, 2.5, None, "-5", "+7", "-1.5", "Анна", "a=b"):
        assert files.safe_cell(kept) == kept
    rejects = tmp_path / "rejects.csv"
    parsed = read_applications(bad_applications(tmp_path / "a.csv", 1))
    parsed.rejected = [(2, ["=cmd|' /C calc'!A0", "-2", "@SUM(1)"])]
    write_rejects(rejects, parsed)
    row = list(csv.reader(rejects.open(encoding="utf-8")))[1]
    assert row[2:] == ["'=cmd|' /C calc'!A0", "-2", "'@SUM(1)"]


# Names
@pytest.mark.parametrize("name", ["Әлихан Нұрұлы", "Анна-Мария", "Oʻgʻiloy Toʻxtayeva",
                                  "D'Artagnan", "O’Neil", "Жанна  Ибраимова "])
def test_names_in_any_alphabet_are_names(name) -> None:
    # covers: A5, DESIGN (issue 10, Formulas: names validated as names)
    assert files.name_problem(files.clean_name(name)) is None


@pytest.mark.parametrize("name", ["=cmd|' /C calc'!A0", "+HYPERLINK(\"x\")", "@SUM(1)", "-Анна",
                                  "Анна1", "", "А" * 201, "'Анна"])
def test_formulas_and_other_text_are_not_names(name) -> None:
    # covers: A5, DESIGN (issue 10, Formulas)
    assert files.name_problem(files.clean_name(name)) is not None


def test_the_children_list_refuses_a_formula_as_a_name(tmp_path) -> None:
    # covers: A5, DESIGN (issue 10: child names like =cmd|… were accepted and sent to banks)
    birth = __import__("datetime").date(2020, 1, 1)
    path = tmp_path / "children.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["child_iin", "birth_date", "child_name", "parent_iin", "period_start"])
        w.writerow([make_iin(birth, 1), "2020-01-01", "=cmd|' /C calc'!A0", PARENT_IIN,
                    "2024-03-01"])
    parsed = read_children(path)
    assert [(e.line, e.field) for e in parsed.errors] == [(2, "child_name")]


# Documents
@pytest.mark.parametrize(("head", "kind"), [
    (b"%PDF-1.7\n", "pdf"), (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0d", "png"), (b"\x00\x00\x00\x18ftypheic\x00\x00", "heic"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", None), (b"<html><script>", None), (b"", None)])
def test_documents_are_known_by_their_first_bytes(head, kind) -> None:
    # covers: A7.15, DESIGN (issue 10: a Windows executable renamed .pdf was accepted)
    assert files.document_kind(head) == kind


@pytest.mark.parametrize("block", [1, 5, 16, 64, files.BLOCK])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_the_fast_path_reads_blocks_as_the_csv_module_reads_the_file(tmp_path, monkeypatch,
                                                                      block, bom) -> None:
    # covers: T1.1, DESIGN (issue 10: a CSV never held whole; plain blocks, then the csv module)
    monkeypatch.setattr(files, "BLOCK", block)
    text = ("id;имя\r\n1;Анна\r\n\r\n2;Әлия\r\n" + '3;"много\nстрок"\r\n' + "4;x\n5;y\n6")
    path = tmp_path / "f.csv"
    path.write_bytes(bom + text.encode())
    header, chunks = files.read_chunks(path)
    got = [(line, rows[k]) for lines, rows in chunks for k, line in enumerate(lines)]
    expected_header, rows = files.read_rows(path)
    assert header == expected_header == ["id", "имя"]
    assert [(line, row) for line, row in got if any(row)] == list(rows)
    assert got[-1] == (9, ["6"])


def test_a_long_file_is_refused_by_its_lines_before_a_row_is_read(tmp_path, monkeypatch) -> None:
    # covers: DESIGN (issue 10: rows counted in the pass that finds the encoding)
    path = bad_applications(tmp_path / "apps.csv", 100)
    limits(monkeypatch, rows=50)
    with refused_with("more than 50 rows"):
        files.read_chunks(path)


def test_the_allocate_output_keeps_formula_ids_as_text(tmp_path) -> None:
    # covers: T1.7, DESIGN (issue 10: the allocate output held a shell formula cell)
    import datetime as dt

    from goszakaz import rules
    from goszakaz.domain.allocation import allocate
    from goszakaz.queue.files import write_outcomes

    path = tmp_path / "apps.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        w.writerow(["=cmd|' /C calc'!A0", *GOOD[1:]])
        w.writerow(["-5", make_iin(dt.date(2020, 1, 1), 4), *GOOD[2:]])
    parsed = read_applications(path)
    assert [a.application_id for a in parsed.applications] == ["=cmd|' /C calc'!A0", "-5"]
    result = allocate(parsed.applications, volume=1, as_of=dt.date(2024, 8, 1),
                      rules=rules.load("taraz-2024"))
    write_outcomes(tmp_path / "out.csv", parsed.applications, result)
    ids = [row[0] for row in csv.reader((tmp_path / "out.csv").open(encoding="utf-8"))][1:]
    assert ids == ["'=cmd|' /C calc'!A0", "-5"]
