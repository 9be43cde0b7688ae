"""Import of queue applications into the database: whole file or nothing, rejects, repeats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from goszakaz.access.actor import Actor
from goszakaz.cli import main
from goszakaz.files import ImportRejected
from goszakaz.queue.models import Application
from goszakaz.queue.services import LOCAL, import_applications
from goszakaz.registry.models import Role
from tests.factories import NOW, PARENT_IIN, app_row

B = dt.date(2021, 3, 4)


def rows(n: int = 3) -> list[dict]:
    return [app_row(str(i), B, f"2023-01-0{i}T10:00:00", i, child_name="Әлия Сәтбаева",
                    parent_iin=PARENT_IIN) for i in range(1, n + 1)]


def test_import_utf8_csv_creates_applications(taraz, write_csv) -> None:
    # covers: T1.1
    result = import_applications(city=taraz, path=write_csv(rows()), skip_invalid=False,
                                 actor=Actor.system(Role.EDU), now=NOW)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    a = Application.objects.get(city=taraz, application_id="2")
    assert a.child_name == "Әлия Сәтбаева" and a.parent_iin == PARENT_IIN
    assert a.submitted_at.astimezone(LOCAL).isoformat() == "2023-01-02T10:00:00+06:00"


def test_import_windows_1251_semicolon_csv(taraz, write_csv) -> None:
    data = rows()
    for r in data:
        r["child_name"] = "Иванова Мария"
    path = write_csv(data, encoding="cp1251", delimiter=";")
    assert path.read_bytes().decode("cp1251")  # really Windows-1251
    import_applications(city=taraz, path=path, skip_invalid=False, actor=Actor.system(Role.EDU), now=NOW)
    assert Application.objects.get(application_id="1").child_name == "Иванова Мария"


def test_import_xlsx(taraz, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    data = rows()
    header = list(data[0])
    sheet.append(header)
    for r in data:
        values: list[object] = [r[h] for h in header]
        values[header.index("birth_date")] = B  # a real Excel date cell
        values[header.index("resides_in_city")] = True
        sheet.append(values)
    path = tmp_path / "apps.xlsx"
    book.save(path)
    result = import_applications(city=taraz, path=path, skip_invalid=False, actor=Actor.system(Role.EDU),
                                 now=NOW)
    assert result.created == 3
    assert Application.objects.get(application_id="3").birth_date == B


def test_one_bad_row_rejects_the_whole_file(taraz, write_csv) -> None:
    data = rows(4)
    data[1]["large_family"] = "maybe"
    data[3]["child_iin"] = "123456789012"
    with pytest.raises(ImportRejected) as e:
        import_applications(city=taraz, path=write_csv(data), skip_invalid=False,
                            actor=Actor.system(Role.EDU), now=NOW)
    assert [(x.line, x.field) for x in e.value.errors] == [(3, "large_family"), (5, "child_iin")]
    assert not Application.objects.exists()


def test_skip_invalid_imports_good_rows_and_writes_rejects(taraz, write_csv, tmp_path) -> None:
    data = rows(3)
    data[2]["birth_date"] = "2021-13-01"
    rejects = tmp_path / "rejects.csv"
    result = import_applications(city=taraz, path=write_csv(data), skip_invalid=True,
                                 rejects=rejects, actor=Actor.system(Role.EDU), now=NOW)
    assert result.created == 2
    text = rejects.read_text(encoding="utf-8")
    assert "4,birth_date: '2021-13-01' is not a date YYYY-MM-DD" in text


def test_repeated_import_changes_nothing_and_status_change_updates(taraz, write_csv) -> None:
    path = write_csv(rows())
    import_applications(city=taraz, path=path, skip_invalid=False, actor=Actor.system(Role.EDU), now=NOW)
    again = import_applications(city=taraz, path=path, skip_invalid=False, actor=Actor.system(Role.EDU),
                                now=NOW)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    data = rows()
    data[0]["large_family"] = "yes"
    changed = import_applications(city=taraz, path=write_csv(data, name="b.csv"),
                                  skip_invalid=False, actor=Actor.system(Role.EDU), now=NOW)
    assert changed.updated == 1
    a = Application.objects.get(application_id="1")
    assert a.large_family and a.submitted_at.astimezone(LOCAL).isoformat() == "2023-01-01T10:00:00+06:00"


def test_same_child_under_another_application_is_rejected(taraz, write_csv) -> None:
    import_applications(city=taraz, path=write_csv(rows(1)), skip_invalid=False,
                        actor=Actor.system(Role.EDU), now=NOW)
    dup = rows(1)
    dup[0]["application_id"] = "99"
    with pytest.raises(ImportRejected) as e:
        import_applications(city=taraz, path=write_csv(dup, name="d.csv"), skip_invalid=False,
                            actor=Actor.system(Role.EDU), now=NOW)
    assert e.value.errors[0].field == "child_iin"


def test_import_command_exit_codes(taraz, write_csv, capsys) -> None:
    data = rows(2)
    data[1]["submitted_at"] = "yesterday"
    path = write_csv(data)
    assert main(["import-applications", "--city", "taraz", "--file", str(path)]) == 2
    assert "line 3: submitted_at" in capsys.readouterr().err
    assert not Application.objects.exists()
    assert main(["import-applications", "--city", "taraz", "--file", str(path),
                 "--skip-invalid"]) == 0
    assert Application.objects.count() == 1
    assert Path(str(path) + ".rejects.csv").exists()
    assert main(["import-applications", "--city", "nowhere", "--file", str(path)]) == 2
