"""A9: a paid month whose sheet the operator's protocol corrected is recalculated: the rest is
paid after the next funding (I5), an over-payment comes back from the preschool."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from goszakaz.access.actor import Actor
from goszakaz.attendance.models import Sheet, SheetState
from goszakaz.attendance.services import auto_confirm, dispute, mark, sheet_for
from goszakaz.finance.models import AccountKind, LedgerAccount, Recalculation, Settlement, Transfer
from goszakaz.finance.payments import pay_owed
from goszakaz.finance.recalculation import recalculate
from goszakaz.finance.verify import verify
from goszakaz.notifications.models import Notification
from goszakaz.registry.models import Role
from goszakaz.verification.models import RiskCase, RiskCaseKind
from goszakaz.verification.services import VerificationError
from goszakaz.workflows.dispute import answer_dispute
from goszakaz.workflows.monthly_cycle import settle
from goszakaz.workflows.protocol import close_by_protocol
from tests.factories import NORM, NOW, WORKING, fund

D = dt.date
APRIL_DAYS = [D(2024, 4, d) for d in (2, 3, 4, 5, 8)]  # five working days


@pytest.fixture(autouse=True)
def english():
    """The services' messages in English (the default language is Russian)."""
    with translation.override("en"):
        yield


def balance(kind, owner) -> int:
    return LedgerAccount.objects.get(kind=kind, owner=owner).balance


def upheld_sheet(voucher, school, code):
    """The preschool marks five days `code`; the parent disputes; the preschool disagrees."""
    for day in APRIL_DAYS:
        mark(voucher=voucher, day=day, code=code, preschool_id=school.pk,
             is_working_day=WORKING, actor=Actor.system(Role.PRE), now=NOW)
    sheet = sheet_for(voucher=voucher, month="2024-04", now=NOW)
    dispute(sheet=sheet, reason="Ребёнок болел, справка есть", on=D(2024, 4, 30),
            actor=Actor.system(Role.PAR), now=NOW)
    answer_dispute(sheet=sheet, agree=False, on=D(2024, 4, 30),
                   reason="был", actor=Actor.system(Role.PRE), now=NOW)
    sheet.refresh_from_db()
    assert sheet.state == SheetState.UPHELD
    return sheet, RiskCase.objects.get(voucher=voucher, kind=RiskCaseKind.SHEET_DISPUTE)


def days_with(sheet, code: str) -> str:
    days = list(sheet.days)
    for day in APRIL_DAYS:
        days[day.day - 1] = code
    return "".join(days)


def test_an_under_paid_month_is_paid_after_the_next_funding(money_city) -> None:
    # covers: A9, A7.16, I5
    taraz, school, child, _ = money_city
    fund(taraz, "2024-04", D(2024, 4, 8))
    sheet, case = upheld_sheet(child, school, "A")
    settle(city=taraz, month="2024-04", on=D(2024, 5, 2), actor=Actor.system(Role.OPR), now=NOW)
    paid = Settlement.objects.get(sheet=sheet)
    assert (paid.due, paid.paid) == (5_454_545, 5_454_545)  # 5 unexcused: 20 of 22 days (I1)

    close_by_protocol(case=case, decision="corrected", corrections={"days": days_with(sheet, "S")},
                      actor=Actor.system(Role.OPR), on=D(2024, 5, 6), now=NOW)
    sheet.refresh_from_db()
    assert sheet.days[1:8] == "SSSS..S" and sheet.state == SheetState.UPHELD
    assert sheet.versions.last().role == Role.OPR
    row = Recalculation.objects.get()
    assert (row.due_before, row.due_after, row.recovered) == (5_454_545, NORM, 0)
    paid.refresh_from_db()
    assert (paid.due, paid.paid) == (NORM, 5_454_545) and "A9" in paid.clauses
    assert Notification.objects.filter(kind="sheet_corrected").count() == 2  # parent, preschool

    may = fund(taraz, "2024-05", D(2024, 5, 7))
    line = may.lines.get(voucher=child)
    assert (line.owed, line.balance) == (545_455, NORM - 5_454_545)
    assert line.amount == NORM + 545_455 - (NORM - 5_454_545)
    assert pay_owed(voucher_id=child.pk, upto="2024-05", city="taraz", now=NOW) == 545_455
    paid.refresh_from_db()
    assert paid.paid == paid.due == NORM
    assert balance(AccountKind.PRESCHOOL, school.bin) == NORM
    # the same version again changes nothing
    assert recalculate(sheet=sheet, on=D(2024, 5, 8), actor=Actor.system(Role.OPR), now=NOW) == row
    assert Recalculation.objects.count() == 1 and verify() == []


def test_an_over_paid_month_comes_back_from_the_preschool(money_city) -> None:
    # covers: A9, A7.16
    taraz, school, child, direct = money_city
    fund(taraz, "2024-04", D(2024, 4, 8))
    cases = {v.pk: upheld_sheet(v, school, "P") for v in (child, direct)}
    settle(city=taraz, month="2024-04", on=D(2024, 5, 2), actor=Actor.system(Role.OPR), now=NOW)
    assert balance(AccountKind.PRESCHOOL, school.bin) == 2 * NORM
    operator_before = balance(AccountKind.OPERATOR, "taraz")
    for sheet, case in cases.values():
        close_by_protocol(case=case, decision="corrected",
                          corrections={"days": days_with(sheet, "A")},
                          actor=Actor.system(Role.OPR), on=D(2024, 5, 6), now=NOW)
    # five unexcused days: 20 of 22 days; 60000 - 54545.45 = 5454.55 back for each child
    back = Transfer.objects.filter(code="correction").order_by("id")
    assert [(t.id, t.amount) for t in back] == [
        (f"recovery/{child.pk}/2024-04/v7", 545_455), (f"recovery/{direct.pk}/2024-04/v7", 545_455)]
    assert balance(AccountKind.CHILD, str(child.pk)) == 545_455  # the next funding needs less
    assert balance(AccountKind.OPERATOR, "taraz") == operator_before + 545_455  # direct (A7.9)
    assert balance(AccountKind.PRESCHOOL, school.bin) == 2 * 5_454_545
    assert set(Settlement.objects.values_list("due", "paid")) == {(5_454_545, 5_454_545)}
    may = fund(taraz, "2024-05", D(2024, 5, 7))
    assert may.lines.get(voucher=child).amount == NORM - 545_455
    assert verify() == []


def test_a_correction_before_the_payment_is_just_paid_corrected(money_city) -> None:
    # covers: A9, A7.16
    taraz, school, child, _ = money_city
    fund(taraz, "2024-04", D(2024, 4, 8))
    sheet, case = upheld_sheet(child, school, "A")
    close_by_protocol(case=case, decision="corrected", corrections={"days": days_with(sheet, "S")},
                      actor=Actor.system(Role.OPR), on=D(2024, 4, 30), now=NOW)
    assert not Recalculation.objects.exists()
    auto_confirm(today=D(2024, 5, 1), now=NOW)
    settle(city=taraz, month="2024-04", on=D(2024, 5, 2), actor=Actor.system(Role.OPR), now=NOW)
    assert Settlement.objects.get(sheet=sheet).due == NORM


def test_a_sheet_correction_is_checked(money_city) -> None:
    # covers: A9, A7.13
    taraz, school, child, _ = money_city
    sheet, case = upheld_sheet(child, school, "A")
    saturday = list(sheet.days)
    saturday[5] = "P"  # 6 April 2024 is a Saturday
    for bad, needle in (("P" * 5, "one mark per day"), ("".join(saturday), "not a working day"),
                        (sheet.days, "change nothing")):
        with pytest.raises(VerificationError, match=needle):
            close_by_protocol(case=case, decision="corrected", corrections={"days": bad},
                              actor=Actor.system(Role.OPR), on=D(2024, 5, 6), now=NOW)
    with pytest.raises(VerificationError, match="cannot correct"):
        close_by_protocol(case=case, decision="corrected", corrections={"child_name": "X"},
                          actor=Actor.system(Role.OPR), on=D(2024, 5, 6), now=NOW)
    assert Sheet.objects.get(pk=sheet.pk).version == sheet.version


def test_a_child_paid_directly_gets_the_rest_with_the_next_month(money_city) -> None:
    # covers: A9, A7.9, I5
    taraz, school, _, direct = money_city
    fund(taraz, "2024-04", D(2024, 4, 8))
    sheet, case = upheld_sheet(direct, school, "A")
    settle(city=taraz, month="2024-04", on=D(2024, 5, 2), actor=Actor.system(Role.OPR), now=NOW)
    close_by_protocol(case=case, decision="corrected", corrections={"days": days_with(sheet, "S")},
                      actor=Actor.system(Role.OPR), on=D(2024, 5, 6), now=NOW)
    may = fund(taraz, "2024-05", D(2024, 5, 7))
    line = may.lines.get(voucher=direct)
    assert (line.owed, line.amount) == (545_455, NORM + 545_455)  # the budget brings the rest
    for day in (D(2024, 5, 2),):
        mark(voucher=direct, day=day, code="P", preschool_id=school.pk, is_working_day=WORKING,
             actor=Actor.system(Role.PRE), now=NOW)
    auto_confirm(today=D(2024, 6, 1), now=NOW)
    settle(city=taraz, month="2024-05", on=D(2024, 6, 3), actor=Actor.system(Role.OPR), now=NOW)
    april = Settlement.objects.get(sheet=sheet)
    assert april.paid == april.due == NORM
    assert balance(AccountKind.PRESCHOOL, school.bin) == 2 * NORM
    assert verify() == []
