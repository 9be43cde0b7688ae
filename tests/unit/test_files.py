"""read_applications on real CSV and XLSX files: encodings, delimiters, errors by line and field."""

import datetime as dt

import openpyxl
import pytest

from goszakaz.domain.iin import make_iin
from goszakaz.queue.files import COLUMNS, read_applications

BIRTH_A, BIRTH_B = dt.date(2020, 5, 15), dt.date(2021, 3, 14)
IIN_A, IIN_B = make_iin(BIRTH_A, 1), make_iin(BIRTH_B, 2, female=True)
ROW_A = ["17", IIN_A, "2020-05-15", "2024-01-02T09:30:00", "true", "false", "0", "1", "no",
         "yes"]
ROW_B = ["18", IIN_B, "2021-03-14", "2024-02-03 10:00", "1", "yes", "false", "0", "true",
         "false"]


def write_csv(path, rows, delimiter=",", encoding="utf-8"):
    text = "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def errors_of(parsed):
    return [(e.line, e.field) for e in parsed.errors]


def assert_two_good_applications(parsed):
    assert parsed.errors == []
    assert parsed.lines == [2, 3]
    a, b = parsed.applications
    assert (a.application_id, a.child_iin, a.birth_date) == ("17", IIN_A, BIRTH_A)
    assert a.submitted_at == dt.datetime(2024, 1, 2, 9, 30)
    assert (a.resides_in_city, a.large_family, a.single_parent, a.other_susn,
            a.sibling_in_preschool, a.military_family) == (True, False, False, True, False, True)
    assert (b.application_id, b.child_iin, b.birth_date) == ("18", IIN_B, BIRTH_B)
    assert b.submitted_at == dt.datetime(2024, 2, 3, 10, 0)
    assert (b.resides_in_city, b.large_family, b.single_parent, b.other_susn,
            b.sibling_in_preschool, b.military_family) == (True, True, False, False, True, False)


def test_utf8_csv(tmp_path):
    path = write_csv(tmp_path / "q.csv", [list(COLUMNS), ROW_A, ROW_B])
    assert_two_good_applications(read_applications(path))


def test_utf8_csv_with_bom(tmp_path):
    path = write_csv(tmp_path / "q.csv", [list(COLUMNS), ROW_A, ROW_B], encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    parsed = read_applications(path)
    assert parsed.header[0] == "application_id"
    assert_two_good_applications(parsed)


def test_windows_1251_csv_with_cyrillic_extra_column(tmp_path):
    rows = [[*COLUMNS, "comment"], [*ROW_A, "Иванов Акжол"], [*ROW_B, "Петрова"]]
    path = write_csv(tmp_path / "q.csv", rows, encoding="cp1251")
    parsed = read_applications(path, keep_rows=True)
    assert_two_good_applications(parsed)
    assert [parsed.value(r, "comment") for r in parsed.rows] == ["Иванов Акжол", "Петрова"]


def test_semicolon_delimited_csv(tmp_path):
    path = write_csv(tmp_path / "q.csv", [list(COLUMNS), ROW_A, ROW_B], delimiter=";")
    assert_two_good_applications(read_applications(path))


def test_header_is_case_and_space_insensitive(tmp_path):
    header = [f" {c.upper()} " for c in COLUMNS]
    path = write_csv(tmp_path / "q.csv", [header, ROW_A, ROW_B])
    assert_two_good_applications(read_applications(path))


def test_xlsx_with_text_cells(tmp_path):
    book = openpyxl.Workbook()
    for row in (list(COLUMNS), ROW_A, ROW_B):
        book.active.append(row)
    book.save(tmp_path / "q.xlsx")
    assert_two_good_applications(read_applications(tmp_path / "q.xlsx"))


def test_xlsx_with_typed_cells(tmp_path):
    # Excel stores dates as date cells and IINs/flags as numbers; openpyxl reads a date cell
    # back as a datetime at midnight, which is still the birth date.
    book = openpyxl.Workbook()
    book.active.append(list(COLUMNS))
    book.active.append([17, int(IIN_A), BIRTH_A, dt.datetime(2024, 1, 2, 9, 30), True, False,
                        0, 1, "no", "yes"])
    book.active.append([18, int(IIN_B), BIRTH_B, dt.datetime(2024, 2, 3, 10, 0), 1, True,
                        False, 0, True, False])
    book.save(tmp_path / "q.xlsx")
    assert_two_good_applications(read_applications(tmp_path / "q.xlsx"))


@pytest.mark.parametrize(
    ("column", "value", "field"),
    [
        ("large_family", "maybe", "large_family"),
        ("resides_in_city", "", "resides_in_city"),
        ("birth_date", "15.05.2020", "birth_date"),
        ("birth_date", "2020-02-30", "birth_date"),
        ("submitted_at", "yesterday", "submitted_at"),
        ("child_iin", make_iin(BIRTH_A, 7), "child_iin"),  # valid IIN of another birth date
        ("child_iin", IIN_A[:11] + str((int(IIN_A[11]) + 1) % 10), "child_iin"),
        ("application_id", " ", "application_id"),
    ],
)
def test_bad_row_names_line_and_field(tmp_path, column, value, field):
    bad = list(ROW_B)
    bad[COLUMNS.index(column)] = value
    path = write_csv(tmp_path / "q.csv", [list(COLUMNS), ROW_A, bad])
    parsed = read_applications(path)
    assert errors_of(parsed) == [(3, field)]
    assert [a.application_id for a in parsed.applications] == ["17"]
    assert [line for line, _ in parsed.rejected] == [3]


def test_iin_not_matching_birth_date_message(tmp_path):
    bad = list(ROW_A)
    bad[COLUMNS.index("birth_date")] = "2020-05-16"
    parsed = read_applications(write_csv(tmp_path / "q.csv", [list(COLUMNS), bad]))
    assert str(parsed.errors[0]) == (
        "line 2: child_iin: IIN encodes birth date 2020-05-15, not 2020-05-16")


def test_duplicate_application_id_is_an_error_on_the_later_line(tmp_path):
    dup = list(ROW_B)
    dup[0] = "17"
    parsed = read_applications(write_csv(tmp_path / "q.csv", [list(COLUMNS), ROW_A, dup]))
    assert errors_of(parsed) == [(3, "application_id")]
    assert "repeats line 2" in parsed.errors[0].message


def test_duplicate_child_iin_is_an_error_on_the_later_line(tmp_path):
    dup = list(ROW_A)
    dup[0] = "99"
    rows = [list(COLUMNS), ROW_A, ROW_B, dup]
    parsed = read_applications(write_csv(tmp_path / "q.csv", rows))
    assert errors_of(parsed) == [(4, "child_iin")]
    assert "repeats line 2" in parsed.errors[0].message
    assert [a.application_id for a in parsed.applications] == ["17", "18"]


def test_missing_column_is_an_error_on_line_1(tmp_path):
    drop = COLUMNS.index("other_susn")
    rows = [[v for j, v in enumerate(r) if j != drop] for r in (list(COLUMNS), ROW_A)]
    parsed = read_applications(write_csv(tmp_path / "q.csv", rows))
    assert errors_of(parsed) == [(1, "other_susn")]
    assert parsed.applications == []


def test_submitted_after_as_of_is_an_error(tmp_path):
    path = write_csv(tmp_path / "q.csv", [list(COLUMNS), ROW_A, ROW_B])
    parsed = read_applications(path, as_of=dt.date(2024, 2, 2))
    assert errors_of(parsed) == [(3, "submitted_at")]
    assert "after the as-of date 2024-02-02" in parsed.errors[0].message
    on_the_day = read_applications(path, as_of=dt.date(2024, 2, 3))
    assert on_the_day.errors == []


def test_blank_lines_are_skipped_but_line_numbers_stay_true(tmp_path):
    bad = list(ROW_B)
    bad[COLUMNS.index("military_family")] = "x"
    path = write_csv(tmp_path / "q.csv", [list(COLUMNS), ROW_A, [""], bad])
    assert errors_of(read_applications(path)) == [(4, "military_family")]
