"""The НОБД adapters (A7.4): the CSV export in UTF-8 and Windows-1251, the fake, and the comparisons."""

from __future__ import annotations

import datetime as dt

import pytest

from goszakaz.domain.iin import make_bin, make_iin
from goszakaz.verification.checks import CityNames, child_mismatches, preschool_mismatches
from goszakaz.verification.models import RiskCaseKind
from goszakaz.verification.nobd import (
    CsvNobdExport,
    FakeNobd,
    NobdChild,
    NobdExportError,
    NobdPreschool,
)

BIRTH = dt.date(2020, 1, 1)
IIN = make_iin(BIRTH, 7)


BIN = make_bin(1)
TARAZ = CityNames.of("taraz", "Тараз", "Тараз", "Taraz")
ROWS = [
    "kind,iin_or_bin,name,birth_date,city",
    f"child,{IIN},Сейітқали Әлия Ерланқызы,2020-01-01,Тараз",
    f"preschool,{BIN},Балабақша «Айгөлек»,,taraz",
]


def write(path, rows, encoding="utf-8", delimiter=","):
    path.write_bytes(("\r\n".join(r.replace(",", delimiter) for r in rows) + "\r\n")
                     .encode(encoding))
    return path


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8", ","), ("utf-8-sig", ","),
                                                     ("cp1251", ";")])
def test_export_file_in_utf8_and_windows_1251(tmp_path, encoding, delimiter) -> None:
    # covers: A7.4
    rows = ROWS
    if encoding == "cp1251":  # Windows-1251 has no Kazakh letters: Russian names only
        rows = [r.replace("Сейітқали Әлия Ерланқызы", "Сеитказы Алия Ерлановна")
                .replace("Балабақша «Айгөлек»", "Детский сад «Солнышко»") for r in ROWS]
    nobd = CsvNobdExport(write(tmp_path / "nobd.csv", rows, encoding, delimiter))
    child = nobd.find_child(IIN)
    assert child == NobdChild(IIN, BIRTH, rows[1].split(",")[2], "Тараз")
    assert nobd.find_preschool(BIN) == NobdPreschool(BIN, rows[2].split(",")[2], "taraz")
    assert nobd.find_child(make_iin(BIRTH, 99)) is None and nobd.find_preschool(make_bin(50)) is None


def test_export_accepts_dotted_dates_and_any_header_order(tmp_path) -> None:
    # covers: A7.4
    rows = ["City,Name,Kind,Birth_Date,IIN_or_BIN", f"taraz,Иванов Иван,child,01.01.2020,{IIN}"]
    nobd = CsvNobdExport(write(tmp_path / "nobd.csv", rows))
    assert nobd.find_child(IIN) == NobdChild(IIN, BIRTH, "Иванов Иван", "taraz")


def test_export_errors_by_line_and_field(tmp_path) -> None:
    # covers: A7.4
    rows = ROWS + [
        "pupil,123,,,",
        f"child,{IIN[:11]}0,Иванов Иван,2020-13-01,taraz",
        f"child,{IIN},Повтор,2020-01-01,taraz",
        f"preschool,{IIN},Не БИН,,taraz",
    ]
    path = write(tmp_path / "nobd.csv", rows)
    with pytest.raises(NobdExportError) as e:
        CsvNobdExport(path)
    lenient = CsvNobdExport(path, strict=False)
    assert [(x.line, x.field) for x in e.value.errors] == [(x.line, x.field) for x in lenient.errors]
    assert {(x.line, x.field) for x in lenient.errors} == {
        (4, "kind"), (4, "name"), (4, "city"), (4, "iin_or_bin"),
        (5, "iin_or_bin"), (5, "birth_date"), (6, "iin_or_bin"), (7, "iin_or_bin")}
    assert lenient.find_child(IIN).full_name.startswith("Сейітқали")  # the first row is kept


def test_export_without_a_column_is_refused(tmp_path) -> None:
    # covers: A7.4
    with pytest.raises(NobdExportError, match="city"):
        CsvNobdExport(write(tmp_path / "nobd.csv", ["kind,iin_or_bin,name,birth_date",
                                                     f"child,{IIN},X,2020-01-01"]))


def test_fake_nobd() -> None:
    child = NobdChild(IIN, BIRTH, "Иванов Иван", "taraz")
    nobd = FakeNobd([child], [NobdPreschool(BIN, "Балабақша", "taraz")])
    assert nobd.find_child(IIN) is child and nobd.find_preschool(BIN).name == "Балабақша"
    nobd.add_child(NobdChild(IIN, BIRTH, "Иванов Иван", "shymkent"))
    assert nobd.find_child(IIN).city == "shymkent"


def test_child_comparisons() -> None:
    # covers: A7.4, T1.1
    record = NobdChild(IIN, BIRTH, "ИВАНОВ ПЁТР  СЕРГЕЕВИЧ", "ТАРАЗ")
    same = child_mismatches(iin=IIN, birth_date=BIRTH, name="Иванов Петр Сергеевич", city=TARAZ,
                            record=record)
    assert same == []
    assert child_mismatches(iin=IIN, birth_date=BIRTH, name="", city=TARAZ, record=record) == []
    kinds = [m.kind for m in child_mismatches(
        iin=IIN, birth_date=dt.date(2020, 1, 2), name="Иванова Мария", city=TARAZ,
        record=NobdChild(IIN, BIRTH, "Иванов Петр", "Шымкент"))]
    assert kinds == [RiskCaseKind.BIRTH_DATE_DIFFERS, RiskCaseKind.NAME_DIFFERS,
                     RiskCaseKind.NOT_RESIDENT]
    assert [m.kind for m in child_mismatches(iin=IIN, birth_date=BIRTH, name="X", city=TARAZ,
                                             record=None)] == [RiskCaseKind.IIN_UNKNOWN]


def test_preschool_comparisons_and_digests() -> None:
    # covers: A7.4
    assert preschool_mismatches(bin_=BIN, city=TARAZ, record=NobdPreschool(BIN, "A", "Taraz")) == []
    [unknown] = preschool_mismatches(bin_=BIN, city=TARAZ, record=None)
    [elsewhere] = preschool_mismatches(bin_=BIN, city=TARAZ,
                                       record=NobdPreschool(BIN, "A", "Шымкент"))
    assert (unknown.kind, elsewhere.kind) == (RiskCaseKind.BIN_UNKNOWN,
                                              RiskCaseKind.PRESCHOOL_CITY_DIFFERS)
    assert unknown.digest() != elsewhere.digest() and len(unknown.digest()) == 16
    assert BIN not in unknown.digest()
