"""The work's log lines (issue 8): structured records with counts and seconds, never personal
data (rule 11); the progress bars stay off stdout, and off stderr without a terminal."""

from __future__ import annotations

import datetime as dt
import io
import logging
from pathlib import Path

import pytest
from rich.console import Console

from goszakaz.access.actor import Actor
from goszakaz.attendance.services import mark
from goszakaz.cli import main
from goszakaz.domain.iin import make_iin
from goszakaz.enrollment.models import Voucher
from goszakaz.registry.models import Role
from goszakaz.verification.nobd import FakeNobd, NobdChild
from goszakaz.verification.services import receive_lists
from goszakaz.workflows.onboarding import check_lists
from tests.factories import NOW, PARENT_IIN, WORKING, fund

D = dt.date
OPR = Actor.system(Role.OPR)
# The imported children: (birth date, IIN serial, name)
CHILDREN = [(D(2019, 8, 23), 311, "Әлия Сәтбаева"), (D(2020, 11, 7), 322, "Иванов Иван Иванович"),
            (D(2021, 3, 15), 333, "Dana Nurlanova")]
PARENT = make_iin(D(1987, 6, 29), 444, female=True)


def records(caplog: pytest.LogCaptureFixture, message: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage() == message]


def one(caplog: pytest.LogCaptureFixture, message: str) -> logging.LogRecord:
    found = records(caplog, message)
    assert len(found) == 1, [r.getMessage() for r in caplog.records]
    return found[0]


def seconds(record: logging.LogRecord) -> float:
    value = record.seconds  # type: ignore[attr-defined]
    assert isinstance(value, float) and 0 <= value < 60
    return value


def april(money_city) -> None:
    """Taraz's April funded and marked: two final sheets (by silence) once May begins."""
    taraz, school, child, direct = money_city
    fund(taraz, "2024-04", D(2024, 4, 8))
    for v in (child, direct):
        mark(voucher=v, day=D(2024, 4, 2), code="P", preschool_id=school.pk,
             is_working_day=WORKING, actor=Actor.system(Role.PRE), now=NOW)


def test_settle_logs_each_chunk_and_city_month_with_counts_and_seconds(money_city, caplog,
                                                                       capsys) -> None:
    april(money_city)
    caplog.set_level(logging.INFO)
    assert main(["settle", "--month", "2024-04", "--date", "2024-05-02"]) == 0
    out, err = capsys.readouterr()
    assert out == "settled 2 sheet(s) of 2024-04\n"  # the contract other tools parse
    assert "━" not in err and "settle 2024-04" not in err  # no bar without a terminal
    month = one(caplog, "month settled")
    assert month.name == "goszakaz.workflows.monthly_cycle" and month.levelno == logging.INFO
    assert (month.city, month.month, month.sheets, month.transfers) == (  # type: ignore[attr-defined]
        "taraz", "2024-04", 2, 2)
    chunk = one(caplog, "chunk settled")
    assert (chunk.city, chunk.sheets, chunk.transfers) == ("taraz", 2, 2)  # type: ignore[attr-defined]
    done = one(caplog, "settle done")
    assert (done.command, done.sheets, done.cities) == (  # type: ignore[attr-defined]
        "settle", 2, ["shymkent", "taraz", "turkestan", "uralsk"])
    for record in (month, chunk, done):
        seconds(record)
    assert seconds(month) <= seconds(done)

    caplog.clear()
    assert main(["settle", "--month", "2024-04", "--date", "2024-05-03"]) == 0
    assert not records(caplog, "chunk settled")  # nothing left: no chunk, the city-month at DEBUG
    assert one(caplog, "settle done").sheets == 0  # type: ignore[attr-defined]


def test_tick_logs_each_step(money_city, caplog, settings, tmp_path) -> None:
    settings.NOBD_EXPORT_DIR = tmp_path
    april(money_city)
    caplog.set_level(logging.INFO)
    assert main(["tick", "--date", "2024-05-02"]) == 0
    steps = records(caplog, "tick step")
    assert [(r.step, getattr(r, "city", None)) for r in steps] == [  # type: ignore[attr-defined]
        ("open deadlines", None), ("remind parents", None), ("settle", None),
        ("sweep closed accounts", None), ("export sheets to NOBD", "shymkent"),
        ("export sheets to NOBD", "taraz"), ("export sheets to NOBD", "turkestan"),
        ("deliver messages", None), ("store flow totals", None),
        ("store sheet totals", None)]  # Uralsk: from 11-01
    assert steps[0].deadlines > 0  # type: ignore[attr-defined]
    assert (steps[2].month, steps[2].sheets) == ("2024-04", 2)  # type: ignore[attr-defined]
    assert all(seconds(r) >= 0 for r in steps)
    done = one(caplog, "tick done")
    assert (done.date, done.settled, done.closed_swept) == ("2024-05-02", 2, 0)  # type: ignore[attr-defined]
    seconds(done)
    exported = {r.city: r.sheets for r in records(caplog, "sheets exported to NOBD")}  # type: ignore[attr-defined]
    assert exported == {"shymkent": 0, "taraz": 2, "turkestan": 0}


def write_children(path: Path, start: dt.date) -> Path:
    lines = ["child_iin,birth_date,child_name,parent_iin,period_start"]
    lines += [f"{make_iin(birth, serial)},{birth.strftime('%d.%m.%Y')},{name},{PARENT},{start}"
              for birth, serial, name in CHILDREN]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_logs_its_counts(taraz, caplog, capsys, tmp_path) -> None:
    caplog.set_level(logging.INFO)
    path = write_children(tmp_path / "list.csv", taraz.pilot_start)
    assert main(["import-children", "--city", "taraz", "--file", str(path)]) == 0
    assert capsys.readouterr().out == "created 3, updated 0, unchanged 0, rejected 0\n"
    service, command = one(caplog, "children imported"), one(caplog, "import done")
    assert (service.city, service.rows, service.new, service.rejected) == ("taraz", 3, 3, 0)  # type: ignore[attr-defined]
    assert (command.command, command.new, command.unchanged) == ("import-children", 3, 0)  # type: ignore[attr-defined]
    seconds(service)
    seconds(command)


def test_no_log_record_carries_personal_data(money_city, caplog, settings, tmp_path) -> None:
    # rule 11: an import of named children, the НОБД check, a settlement and a tick
    settings.NOBD_EXPORT_DIR = tmp_path
    taraz, _, child, direct = money_city
    april(money_city)
    caplog.set_level(logging.DEBUG)
    path = write_children(tmp_path / "list.csv", taraz.pilot_start)
    assert main(["import-children", "--city", "taraz", "--file", str(path),
                 "--skip-invalid"]) == 0
    imported = list(Voucher.objects.filter(child_name__in=[c[2] for c in CHILDREN])
                    .order_by("birth_date"))
    # НОБД knows the first child under another name and birth date, not the second at all
    nobd = FakeNobd([NobdChild(imported[0].child_iin, D(2019, 8, 24), "САТБАЕВА АЛИЯ", "Тараз"),
                     NobdChild(imported[2].child_iin, imported[2].birth_date,
                               imported[2].child_name.upper(), "Тараз")])
    submission, _ = receive_lists(city=taraz, received_on=D(2024, 5, 3), actor=OPR, now=NOW)
    summary = check_lists(submission=submission, nobd=nobd, on=D(2024, 5, 6), actor=OPR, now=NOW)
    assert summary.cases_opened >= 2
    assert main(["settle", "--month", "2024-04", "--date", "2024-05-02"]) == 0
    assert main(["tick", "--date", "2024-05-03"]) == 0
    assert {"children imported", "lists checked against NOBD", "month settled",
            "tick done"} <= {r.getMessage() for r in caplog.records}

    secrets = [PARENT_IIN, PARENT, "KZ86125KZT5004100100", child.child_iin, direct.child_iin,
               child.birth_date.isoformat()]
    for birth, serial, name in CHILDREN:
        secrets += [make_iin(birth, serial), birth.isoformat(), birth.strftime("%d.%m.%Y"),
                    *name.split()]
    secrets += ["САТБАЕВА", "2019-08-24"]
    for record in caplog.records:
        text = f"{record.getMessage()} {vars(record)!r}".casefold()
        leaked = [s for s in secrets if s.casefold() in text]
        assert not leaked, (record.getMessage(), leaked)


def test_the_bar_goes_to_a_terminal_and_stdout_stays_as_it_is(money_city, capsys,
                                                              monkeypatch) -> None:
    april(money_city)
    terminal = io.StringIO()
    monkeypatch.setattr("goszakaz.cli.progress.Console", lambda stderr: Console(
        file=terminal, force_terminal=True, width=100))
    assert main(["settle", "--month", "2024-04", "--date", "2024-05-02"]) == 0
    assert capsys.readouterr().out == "settled 2 sheet(s) of 2024-04\n"
    drawn = terminal.getvalue()
    assert "settle 2024-04" in drawn and "2/2" in drawn
