"""read_children and read_contracts on real CSV and XLSX files: encodings, dates, errors by line and field."""

import datetime as dt

import openpyxl

from goszakaz.domain.iin import make_bin, make_iin
from goszakaz.enrollment.files import (
    ChildRow,
    ContractRow,
    identifier,
    parse_date,
    read_children,
    read_contracts,
)

BIRTH_A, BIRTH_B = dt.date(2020, 5, 15), dt.date(2021, 3, 14)
IIN_A, IIN_B = make_iin(BIRTH_A, 1), make_iin(BIRTH_B, 2, female=True)
PARENT = make_iin(dt.date(1990, 5, 17), 123, female=True)
YOUNG_PARENT = make_iin(dt.date(2003, 2, 1), 7)  # starts with 0: Excel drops it from a number
CHILD_HEADER = ["child_iin", "birth_date", "child_name", "parent_iin", "period_start", "period_end"]


def write(path, rows, delimiter=",", encoding="utf-8"):
    path.write_bytes(("\r\n".join(delimiter.join(r) for r in rows) + "\r\n").encode(encoding))
    return path


def errors_of(parsed):
    return [(e.line, e.field) for e in parsed.errors]


def test_utf8_csv_children_with_kazakh_names(tmp_path) -> None:
    # covers: A5, A7.3
    parsed = read_children(write(tmp_path / "c.csv", [
        CHILD_HEADER,
        [IIN_A, "2020-05-15", "Әлия Сәтбаева", PARENT, "2024-03-01", "2024-12-25"],
        [IIN_B, "2021-03-14", "Нұрлан Қасымов", PARENT, "2024-09-01", ""],
    ]))
    assert parsed.errors == []
    assert [row for row, _ in parsed.good] == [
        ChildRow(2, IIN_A, BIRTH_A, "Әлия Сәтбаева", PARENT, dt.date(2024, 3, 1),
                 dt.date(2024, 12, 25)),
        ChildRow(3, IIN_B, BIRTH_B, "Нұрлан Қасымов", PARENT, dt.date(2024, 9, 1), None),
    ]


def test_windows_1251_semicolons_and_russian_dates(tmp_path) -> None:
    # covers: A7.3
    path = write(tmp_path / "c.csv", [
        CHILD_HEADER[:5],  # period_end is optional
        [IIN_A, "15.05.2020", "Иванова Мария", PARENT, "01.03.2024"],
    ], delimiter=";", encoding="cp1251")
    parsed = read_children(path)
    assert parsed.errors == []
    row = parsed.good[0][0]
    assert (row.child_name, row.birth_date, row.period_start, row.period_end) == (
        "Иванова Мария", BIRTH_A, dt.date(2024, 3, 1), None)


def test_xlsx_with_date_cells_and_numeric_identifiers(tmp_path) -> None:
    # covers: A7.3
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(CHILD_HEADER)
    sheet.append([int(IIN_A), BIRTH_A, "Әлия", int(YOUNG_PARENT), dt.datetime(2024, 3, 1), None])
    path = tmp_path / "c.xlsx"
    book.save(path)
    parsed = read_children(path)
    assert parsed.errors == []
    row = parsed.good[0][0]
    assert (row.child_iin, row.parent_iin, row.birth_date) == (IIN_A, YOUNG_PARENT, BIRTH_A)


def test_every_bad_row_and_field_is_named(tmp_path) -> None:
    # covers: A5, A7.3
    parsed = read_children(write(tmp_path / "c.csv", [
        CHILD_HEADER,
        [IIN_A, "2020-05-16", "A", PARENT, "2024-03-01", ""],          # 2: IIN vs birth date
        [IIN_B, "14/03/2021", "B", "123", "2024-03-01", ""],           # 3: date, parent IIN
        [make_iin(BIRTH_A, 3), "2020-05-15", "", PARENT, "2024-03-01", "2024-02-01"],  # 4
        [IIN_B, "2021-03-14", "B", IIN_B, "2024-03-01", ""],           # 5: repeat, own IIN
        [make_iin(BIRTH_A, 4), "2020-05-15", "C", PARENT, "2019-13-01", "", "extra"],  # 6
    ]))
    assert errors_of(parsed) == [
        (2, "child_iin"),
        (3, "birth_date"), (3, "parent_iin"),
        (4, "child_name"), (4, "period_end"),
        (5, "parent_iin"), (5, "child_iin"),
        (6, "row"), (6, "period_start"),
    ]
    assert parsed.good == [] and [line for line, _ in parsed.rejected] == [2, 3, 4, 5, 6]
    assert "repeats line 3" in str(parsed.errors[6])
    assert "IIN" not in "".join(e.message for e in parsed.errors if e.field == "birth_date")


def test_missing_column_is_named_on_the_header_line(tmp_path) -> None:
    parsed = read_children(write(tmp_path / "c.csv", [["child_iin", "birth_date"], [IIN_A, "x"]]))
    assert errors_of(parsed) == [(1, "child_name"), (1, "parent_iin"), (1, "period_start")]
    assert parsed.header_errors


def test_contracts_file_and_its_errors(tmp_path) -> None:
    # covers: A7.10
    good_bin = make_bin(1)
    parsed = read_contracts(write(tmp_path / "k.csv", [
        ["child_iin", "preschool_bin", "starts_on", "ends_on"],
        [IIN_A, good_bin, "2024-04-01", "2024-08-31"],
        [IIN_B, good_bin, "2024-04-01", ""],
        [IIN_B, "123456789012", "2024-04-01", ""],                     # 4: BIN, repeat
        [IIN_A, good_bin, "2024-09-01", "2024-08-01"],                 # 5: ends before start
        ["1234", good_bin[:-1] + str((int(good_bin[-1]) + 1) % 10), "tomorrow", ""],  # 6
    ]))
    assert [row for row, _ in parsed.good] == [
        ContractRow(2, IIN_A, good_bin, dt.date(2024, 4, 1), dt.date(2024, 8, 31)),
        ContractRow(3, IIN_B, good_bin, dt.date(2024, 4, 1), None),
    ]
    assert errors_of(parsed) == [(4, "preschool_bin"), (4, "child_iin"), (5, "ends_on"),
                                 (6, "child_iin"), (6, "preschool_bin"), (6, "starts_on")]
    assert "same child_iin and starts_on" in str(parsed.errors[1])


def test_rejects_file_has_line_errors_and_the_raw_row(tmp_path) -> None:
    parsed = read_children(write(tmp_path / "c.csv", [
        CHILD_HEADER, [IIN_A, "2020-05-15", "Әлия", "1", "2024-03-01", ""]]))
    parsed.write_rejects(tmp_path / "r.csv")
    lines = (tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "line,errors," + ",".join(CHILD_HEADER)
    assert lines[1].startswith("2,parent_iin: IIN must be exactly 12 digits," + IIN_A)


def test_dates_and_identifiers() -> None:
    assert parse_date("2024-02-29") == parse_date("29.02.2024") == dt.date(2024, 2, 29)
    for bad in ("2023-02-29", "31.04.2024", "2024-3-1", "", "20240301", "2024-03-01T00:00"):
        assert parse_date(bad) is None
    assert identifier(" 31020150007 ") == "031020150007"
    assert identifier("1234") == "1234" and identifier(IIN_A) == IIN_A
