"""The month's sheets to НОБД (A7.17): one CSV per city and month, final sheets only, written once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F

from goszakaz.access.actor import Actor
from goszakaz.attendance.models import Sheet
from goszakaz.attendance.nobd_export import NobdExportRefused, export_sheets
from goszakaz.attendance.services import auto_confirm, confirm, dispute, mark, sheet_for
from goszakaz.audit.models import AuditEntry
from goszakaz.deadlines.models import Deadline
from goszakaz.enrollment.services import sign_contract
from goszakaz.registry.models import Role
from goszakaz.rules.calendar import kz_calendar
from goszakaz.workflows.dispute import answer_dispute
from tests.factories import NOW, make_preschool, make_voucher

D = dt.date
WORKING = kz_calendar((2024,)).is_working_day
EXPORT_DAY = D(2024, 5, 6)


@pytest.fixture
def april(taraz, shymkent):
    """Taraz: two preschools, three children (confirmed, auto-confirmed, disputed);
    Shymkent: one child, whose sheet must not reach Taraz's file."""
    first, second = make_preschool(taraz, 1, capacity=5), make_preschool(taraz, 2, capacity=5)
    far_school = make_preschool(shymkent, 3, capacity=5)
    a, b, c = make_voucher(taraz, 1), make_voucher(taraz, 2), make_voucher(taraz, 3)
    far = make_voucher(shymkent, 4)
    for voucher, school in ((a, second), (b, first), (c, first), (far, far_school)):
        sign_contract(voucher=voucher, preschool=school, on=D(2024, 4, 1), actor=Actor.system(Role.PAR),
                      now=NOW)
        mark(voucher=voucher, day=D(2024, 4, 2), code="P", preschool_id=school.pk,
             is_working_day=WORKING, actor=Actor.system(Role.PRE), now=NOW)
    mark(voucher=a, day=D(2024, 4, 3), code="S", preschool_id=second.pk, is_working_day=WORKING,
         actor=Actor.system(Role.PRE), now=NOW)
    mark(voucher=b, day=D(2024, 4, 4), code="A", preschool_id=first.pk, is_working_day=WORKING,
         actor=Actor.system(Role.PRE), now=NOW)
    confirm(sheet=sheet_for(voucher=a, month="2024-04", now=NOW), on=D(2024, 4, 30),
            actor=Actor.system(Role.PAR), now=NOW)
    dispute(sheet=sheet_for(voucher=c, month="2024-04", now=NOW), reason="был дома", on=D(2024, 4, 30),
            actor=Actor.system(Role.PAR), now=NOW)
    auto_confirm(today=D(2024, 5, 1), now=NOW)  # b (and Shymkent's child) by silence; c stays disputed
    return taraz, (first, second), (a, b, c)


def expected_csv(rows) -> str:
    lines = ["child_iin,preschool_bin,month,days,state"]
    lines += [",".join(r) for r in rows]
    return "\n".join(lines) + "\n"


def test_the_final_sheets_of_the_month_go_to_nobd_in_one_csv(april, tmp_path) -> None:
    # covers: A7.17
    taraz, (first, second), (a, b, c) = april
    path = export_sheets(city=taraz, month="2024-04", directory=tmp_path, today=EXPORT_DAY,
                         actor=Actor.system(Role.OPR), now=NOW)
    assert path == tmp_path / "nobd-sheets-taraz-2024-04.csv"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no .part left behind
    days_a = ".PS" + "." * 27
    days_b = ".P.A" + "." * 26
    rows = sorted([(a.child_iin, second.bin, "2024-04", days_a, "confirmed"),
                   (b.child_iin, first.bin, "2024-04", days_b, "auto_confirmed")],
                  key=lambda r: (r[1], r[0]))
    assert path.read_bytes() == expected_csv(rows).encode("utf-8")
    assert c.child_iin not in path.read_text(encoding="utf-8")  # disputed: not final yet
    assert Sheet.objects.get(voucher=c).state == "disputed"
    deadline = Deadline.objects.get(clause="A7.17")
    assert (deadline.city, deadline.subject, deadline.opened_on, deadline.due_on,
            deadline.state, deadline.met_on) == (
        "taraz", "nobd-sheets/2024-04", D(2024, 5, 1), D(2024, 5, 17), "met", EXPORT_DAY)
    entry = AuditEntry.objects.get(action="nobd.sheets_exported")
    assert {k: entry.after[k] for k in ("month", "sheets", "file")} == {
        "month": "2024-04", "sheets": 2, "file": path.name}
    assert a.child_iin not in str(entry.after)  # no personal data in the audit detail


def test_exporting_again_rewrites_the_same_file_and_changes_nothing_else(april, tmp_path) -> None:
    # covers: A7.17
    taraz = april[0]
    first = export_sheets(city=taraz, month="2024-04", directory=tmp_path, today=EXPORT_DAY,
                          actor=Actor.system(Role.OPR), now=NOW)
    content = first.read_bytes()
    state = (AuditEntry.objects.count(),
             list(Deadline.objects.values_list("clause", "state", "met_on")))
    again = export_sheets(city=taraz, month="2024-04", directory=tmp_path,
                          today=EXPORT_DAY + dt.timedelta(days=1), actor=Actor.system(Role.OPR), now=NOW)
    assert again == first and again.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.name]
    assert state == (AuditEntry.objects.count(),
                     list(Deadline.objects.values_list("clause", "state", "met_on")))


def test_a_sheet_final_since_the_export_is_in_the_next_export(april, tmp_path) -> None:
    # covers: A7.17
    taraz, _, (_, _, c) = april
    export_sheets(city=taraz, month="2024-04", directory=tmp_path, today=EXPORT_DAY,
                  actor=Actor.system(Role.OPR), now=NOW)
    answer_dispute(sheet=Sheet.objects.get(voucher=c), agree=False, on=D(2024, 5, 7), reason="был",
                   actor=Actor.system(Role.PRE), now=NOW)
    path = export_sheets(city=taraz, month="2024-04", directory=tmp_path, today=D(2024, 5, 8),
                         actor=Actor.system(Role.OPR), now=NOW)
    assert f"{c.child_iin}," in path.read_text(encoding="utf-8")
    assert path.read_text(encoding="utf-8").count("\n") == 4
    assert AuditEntry.objects.filter(action="nobd.sheets_exported").count() == 2
    assert Deadline.objects.get(clause="A7.17").met_on == EXPORT_DAY


def test_a_city_without_final_sheets_gets_a_header_only_file(taraz, tmp_path) -> None:
    # covers: A7.17
    path = export_sheets(city=taraz, month="2024-03", directory=tmp_path / "out",
                         today=D(2024, 4, 1), actor=Actor.system(Role.OPR), now=NOW)
    assert path.read_text(encoding="utf-8") == "child_iin,preschool_bin,month,days,state\n"


def test_an_export_before_the_month_is_over_is_refused(april, tmp_path) -> None:
    # covers: A7.17
    taraz = april[0]
    with pytest.raises(NobdExportRefused, match="after the month is over"):
        export_sheets(city=taraz, month="2024-05", directory=tmp_path, today=D(2024, 5, 31),
                      actor=Actor.system(Role.OPR), now=NOW)
    with pytest.raises(ValueError, match="not a month"):
        export_sheets(city=taraz, month="2024-13", directory=tmp_path, today=EXPORT_DAY,
                      actor=Actor.system(Role.OPR), now=NOW)
    assert list(tmp_path.iterdir()) == []
    assert not Deadline.objects.filter(clause="A7.17").exists()


def test_a_failed_write_leaves_the_previous_file_and_no_part(april, tmp_path, monkeypatch) -> None:
    # covers: A7.17
    from goszakaz.attendance import nobd_export

    taraz = april[0]
    path = export_sheets(city=taraz, month="2024-04", directory=tmp_path, today=EXPORT_DAY,
                         actor=Actor.system(Role.OPR), now=NOW)
    content = path.read_bytes()

    def broken(part, city_code, month):
        part.write_text("child_iin,preschool_bin\nhalf", encoding="utf-8")
        raise OSError("disk full")

    Sheet.objects.filter(city="taraz", month="2024-04").update(version=F("version") + 1)  # a change
    monkeypatch.setattr(nobd_export, "_write", broken)
    with pytest.raises(OSError, match="disk full"):
        export_sheets(city=taraz, month="2024-04", directory=tmp_path, today=EXPORT_DAY,
                      actor=Actor.system(Role.OPR), now=NOW)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_two_exports_at_once_each_write_their_own_part(april, tmp_path, monkeypatch) -> None:
    # covers: A7.17 (two ticks at once: the second export runs inside the first one)
    from goszakaz.attendance import nobd_export

    taraz = april[0]
    write = nobd_export._write
    inside: list[object] = []

    def interleaved(part, city_code, month):
        count = write(part, city_code, month)
        if not inside:  # the other tick's export, between this one's write and its rename
            inside.append(None)
            inside[0] = export_sheets(city=taraz, month="2024-04", directory=tmp_path,
                                      today=EXPORT_DAY, actor=Actor.system(Role.OPR), now=NOW)
        return count

    monkeypatch.setattr(nobd_export, "_write", interleaved)
    path = export_sheets(city=taraz, month="2024-04", directory=tmp_path, today=EXPORT_DAY,
                         actor=Actor.system(Role.OPR), now=NOW)
    assert inside == [path]
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no part left behind


def test_a_daily_tick_does_not_write_an_unchanged_month_again(april, tmp_path) -> None:
    # covers: A7.17
    taraz = april[0]
    path = export_sheets(city=taraz, month="2024-04", directory=tmp_path, today=EXPORT_DAY,
                         actor=Actor.system(Role.OPR), now=NOW)
    written = path.stat().st_mtime_ns
    export_sheets(city=taraz, month="2024-04", directory=tmp_path,
                  today=EXPORT_DAY + dt.timedelta(days=3), actor=Actor.system(Role.OPR), now=NOW)
    assert path.stat().st_mtime_ns == written
    Sheet.objects.filter(city="taraz", month="2024-04").update(version=F("version") + 1)
    export_sheets(city=taraz, month="2024-04", directory=tmp_path,
                  today=EXPORT_DAY + dt.timedelta(days=4), actor=Actor.system(Role.OPR), now=NOW)
    assert path.stat().st_mtime_ns != written  # a protocol's new version: written again
