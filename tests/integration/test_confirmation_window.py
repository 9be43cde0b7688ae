"""When a month's sheet can be confirmed or disputed (I17), a day left unmarked (I22), marks
outside the pilot (I21), and the month-end auto-confirmation done set by set (A7.14)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from goszakaz.access.actor import Actor
from goszakaz.attendance import services
from goszakaz.attendance.models import Sheet, SheetState
from goszakaz.attendance.services import (
    SheetError,
    auto_confirm,
    confirm,
    dispute,
    mark,
    mark_many,
    sheet_for,
    window_opens,
)
from goszakaz.audit.models import AuditEntry
from goszakaz.enrollment.services import sign_contract
from goszakaz.finance.models import Settlement
from goszakaz.registry.models import Role
from goszakaz.workflows.monthly_cycle import settle
from tests.factories import NORM, NOW, OPR, PAR, PRE, WORKING, fund, make_preschool, make_voucher

D = dt.date


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def put(voucher, school, day: dt.date, code: str = "P") -> Sheet:
    return mark(voucher=voucher, day=day, code=code, preschool_id=school.pk,
                is_working_day=WORKING, actor=PRE, now=NOW)


def test_a_parent_cannot_close_april_on_the_3rd(money_city, settings, tmp_path) -> None:
    # covers: I17, A7.13, A7.14, A8.4
    settings.NOBD_EXPORT_DIR = tmp_path
    taraz, school, child, _direct = money_city
    fund(taraz, "2024-04", D(2024, 4, 8))
    sheet = put(child, school, D(2024, 4, 2))
    for answer in (lambda: confirm(sheet=sheet, on=D(2024, 4, 3), actor=PAR, now=NOW),
                   lambda: dispute(sheet=sheet, reason="нет", on=D(2024, 4, 3), actor=PAR,
                                   now=NOW)):
        with pytest.raises(SheetError, match="from 30.04.2024"):
            answer()
    for day in (15, 16, 17, 18, 19):  # five unexcused days: two beyond the paid three
        put(child, school, D(2024, 4, day), "A")
    put(child, school, D(2024, 4, 30))
    assert confirm(sheet=sheet, on=D(2024, 4, 30), actor=PAR, now=NOW)
    settle(city=taraz, month="2024-04", on=D(2024, 5, 2), actor=OPR, now=NOW)
    paid = Settlement.objects.get(sheet=sheet)
    assert paid.due == NORM * 20 // 22 + (NORM * 20 % 22 * 2 >= 22)  # 20 of 22 working days


def test_the_window_opens_on_the_last_working_day_once_it_is_marked(taraz) -> None:
    # covers: I17, A7.14
    school = make_preschool(taraz, 1, capacity=5)
    marked, unmarked = make_voucher(taraz, 1), make_voucher(taraz, 2)
    for v in (marked, unmarked):
        sign_contract(voucher=v, preschool=school, on=D(2024, 3, 1), actor=PAR, now=NOW)
    # March 2024 ends on a Sunday: its last working day is Friday the 29th
    marked_sheet = put(marked, school, D(2024, 3, 29))
    unmarked_sheet = put(unmarked, school, D(2024, 3, 28))
    assert window_opens(marked_sheet) == D(2024, 3, 29)
    assert window_opens(unmarked_sheet) == D(2024, 3, 30)  # the end of the 29th
    with pytest.raises(SheetError, match="from 30.03.2024"):
        confirm(sheet=unmarked_sheet, on=D(2024, 3, 29), actor=PAR, now=NOW)
    assert confirm(sheet=marked_sheet, on=D(2024, 3, 29), actor=PAR, now=NOW)
    assert confirm(sheet=unmarked_sheet, on=D(2024, 3, 31), actor=PAR, now=NOW)
    with pytest.raises(SheetError, match="sheet is no longer open"):  # confirmed: closed
        put(marked, school, D(2024, 3, 28), "A")


def test_the_window_closes_with_the_month(taraz) -> None:
    # covers: I17, A7.14
    school = make_preschool(taraz, 1)
    child = make_voucher(taraz, 1)
    sign_contract(voucher=child, preschool=school, on=D(2024, 3, 1), actor=PAR, now=NOW)
    sheet = put(child, school, D(2024, 3, 29))
    with pytest.raises(SheetError, match="month is over"):
        dispute(sheet=sheet, reason="поздно", on=D(2024, 4, 1), actor=PAR, now=NOW)
    with pytest.raises(SheetError, match="month is over"):
        confirm(sheet=sheet, on=D(2024, 4, 1), actor=PAR, now=NOW)


def test_a_contract_ended_earlier_opens_the_window_on_the_last_working_day(taraz) -> None:
    # covers: I17
    school = make_preschool(taraz, 1)
    child = make_voucher(taraz, 1)
    contract = sign_contract(voucher=child, preschool=school, on=D(2024, 3, 1), actor=PAR,
                             now=NOW)
    type(contract).objects.filter(pk=contract.pk).update(ends_on=D(2024, 3, 15))
    sheet = put(child, school, D(2024, 3, 15))
    assert window_opens(sheet) == D(2024, 3, 29)  # nothing left to mark on the 29th


def test_a_final_sheet_with_an_unmarked_working_day_is_flagged(taraz) -> None:
    # covers: I22, A7.13, A7.14
    school = make_preschool(taraz, 1, capacity=5)
    full, gap, late, answered = (make_voucher(taraz, s) for s in (1, 2, 3, 4))
    for v in (full, gap, answered):
        sign_contract(voucher=v, preschool=school, on=D(2024, 3, 1), actor=PAR, now=NOW)
    sign_contract(voucher=late, preschool=school, on=D(2024, 3, 18), actor=PAR, now=NOW)
    march = [d for d in (D(2024, 3, n) for n in range(1, 32)) if WORKING(d)]
    for v, days in ((full, march), (gap, march[:-3]), (late, [d for d in march if d.day >= 18]),
                    (answered, march[1:])):
        mark_many(preschool_id=school.pk, marks=[(v, d, "P") for d in days],
                  is_working_day=WORKING, actor=PRE, now=NOW)
    confirm(sheet=sheet_for(voucher=answered, month="2024-03", now=NOW), on=D(2024, 3, 31),
            actor=PAR, now=NOW)
    assert auto_confirm(today=D(2024, 4, 1), now=NOW) == 3
    flags = dict(Sheet.objects.values_list("voucher_id", "incomplete"))
    # days before the contract are not the preschool's to mark; the parent's answer does not
    # make a month's missing marks complete
    assert flags == {full.pk: False, gap.pk: True, late.pk: False, answered.pk: True}


def test_marks_outside_the_pilot_period_are_refused(taraz) -> None:
    # covers: I21, O1, A7.13
    school = make_preschool(taraz, 1)
    child = make_voucher(taraz, 1)
    sign_contract(voucher=child, preschool=school, on=D(2024, 12, 1), actor=PAR, now=NOW)
    put(child, school, D(2024, 12, 25))  # Taraz's last day in the pilot
    with pytest.raises(SheetError, match="outside the city's pilot period"):
        put(child, school, D(2024, 12, 26))
    sheet = Sheet.objects.get(voucher=child)
    assert window_opens(sheet) == D(2024, 12, 25)  # the last working day inside the pilot


def test_auto_confirmation_goes_set_by_set_and_once(taraz, monkeypatch) -> None:
    # covers: A7.14, I6, I7
    monkeypatch.setattr(services, "AUTO_CHUNK", 4)
    school = make_preschool(taraz, 1, capacity=20)
    children = [make_voucher(taraz, 3 * i + 1) for i in range(10)]
    for v in children:
        sign_contract(voucher=v, preschool=school, on=D(2024, 3, 1), actor=PAR, now=NOW)
    mark_many(preschool_id=school.pk, marks=[(v, D(2024, 3, 29), "P") for v in children],
              is_working_day=WORKING, actor=PRE, now=NOW)
    confirm(sheet=sheet_for(voucher=children[0], month="2024-03", now=NOW), on=D(2024, 3, 29),
            actor=PAR, now=NOW)
    assert auto_confirm(today=D(2024, 3, 31), now=NOW) == 0  # the month is not over
    assert auto_confirm(today=D(2024, 4, 1), now=NOW) == 9
    assert auto_confirm(today=D(2024, 4, 2), now=NOW) == 0
    silent = Sheet.objects.exclude(voucher=children[0])
    assert set(silent.values_list("state", "final_on", "parent_responded")) == {
        (SheetState.AUTO_CONFIRMED, D(2024, 3, 31), False)}
    rows = AuditEntry.objects.filter(action="sheet.auto_confirmed")
    assert rows.count() == 3  # chunks of 4, 4 and 1
    assert sorted(c for r in rows for c in r.children) == sorted(v.pk for v in children[1:])
    assert sum(r.after["sheets"] for r in rows) == 9


def test_the_days_before_an_annulment_stay_the_preschools_to_mark(money_city) -> None:
    # covers: A7.13, A10, A12, I18
    from goszakaz.banking.models import ChildAccount
    from goszakaz.workflows.bank_accounts import account_closed

    taraz, school, child, _direct = money_city
    account_closed(account=ChildAccount.objects.get(voucher=child), closed_on=D(2024, 4, 15),
                   actor=Actor.system(Role.BANK), now=NOW)
    child.refresh_from_db()
    # the week's marks arrive after the closure: the days up to the 15th go in
    sheet = put(child, school, D(2024, 4, 12), "S")
    assert sheet.days[11] == "S"
    with pytest.raises(SheetError, match="annulled"):
        put(child, school, D(2024, 4, 16))
