"""Rules of the money that a settlement or a funding request must keep, each shown with its
figures worked out by hand: the yearly vacation limit across sheets (I3), the funding floor (I5),
the pilot's end (O1, I21)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum

from goszakaz.attendance.models import Sheet, SheetState
from goszakaz.attendance.services import auto_confirm, confirm, mark_many, sheet_for
from goszakaz.domain.months import last_of
from goszakaz.finance.funding import build_request, distribute, transfer_to_operator
from goszakaz.finance.models import AccountKind, LedgerAccount, Settlement, Transfer
from goszakaz.finance.verify import verify
from goszakaz.rules.calendar import kz_calendar
from goszakaz.workflows.monthly_cycle import settle
from tests.factories import EDU, NORM, NOW, OPR, PAR, PRE, fund

D = dt.date
CAL = kz_calendar((2024, 2025))


def first_of(month: str) -> dt.date:
    return dt.date.fromisoformat(month + "-01")


def test_i3_the_61st_vacation_day_of_the_year_is_unexcused_across_sheets(money_city) -> None:
    # covers: I3, A8.5, A8.3, A8.4, I1
    taraz, school, _, child = money_city  # paid directly: the operator pays exactly what is due
    months = ["2024-04", "2024-05", "2024-06", "2024-07"]
    for month in months:
        first, last = first_of(month), last_of(first_of(month))
        fund(taraz, month, first)
        # a parent's vacation on every working day of the month (April 22, May 20, June 20,
        # July 22 working days), the last one too: the parent confirms on the month's last day
        mark_many(preschool_id=school.pk, marks=[(child, day, "V")
                                                 for day in CAL.working_days(first, last)],
                  is_working_day=CAL.is_working_day, actor=PRE, now=NOW)
        confirm(sheet=sheet_for(voucher=child, month=month, now=NOW), on=last, actor=PAR,
                now=NOW)
        settle(city=taraz, month=month, on=last + dt.timedelta(days=2), actor=OPR, now=NOW)
    got = {s.month: (s.due, s.payable_days, s.parent_fee)
           for s in Settlement.objects.filter(voucher=child)}
    fee = 1_500_000
    assert got == {
        # 22 and 20 days of vacation, within the 60: the State order in full, no parent fee
        "2024-04": (NORM, 22, 0),
        "2024-05": (NORM, 20, 0),
        # 42 used: 18 of June's 20 within the limit, the other 2 unexcused, within the 3 a
        # month paid (A8.3); the parent pays the fee for those 2 days
        "2024-06": (NORM, 20, fee * 2 // 20),
        # 60 used: all of July's 22 are unexcused, only 3 of them paid (A8.4): 3 of 22 days
        "2024-07": (818_182, 3, fee),  # 60000 * 3 / 22 = 8181.818..., half up
    }
    assert "I3" in Settlement.objects.get(voucher=child, month="2024-07").clauses
    assert verify() == []


def test_i5_next_months_transfer_is_never_below_zero(money_city) -> None:
    # covers: I5, A9, A7.11, I21
    taraz, school, child, direct = money_city
    fund(taraz, "2024-11", D(2024, 11, 6))
    account = LedgerAccount.objects.get(kind=AccountKind.CHILD, owner=str(child.pk))
    assert account.balance == NORM
    # November has no sheet (the preschool never opened it): nothing of it is paid and nothing
    # is kept for it (a disputed sheet would keep its norm, I5), so the balance is spare
    # December is the pilot's last month: its norm covers 17 of 21 working days (to the 25th)
    december = build_request(city=taraz, month="2024-12", on=D(2024, 12, 6), actor=OPR, now=NOW)
    line = december.lines.get(voucher=child)
    part = 4_857_143  # 60000 * 17 / 21 = 48571.428..., half up
    assert (line.norm, line.owed, line.balance) == (part, 0, NORM)
    assert line.amount == 0  # part + 0 - NORM is below zero: nothing, never a negative transfer
    assert december.to_accounts == 0
    assert december.lines.get(voucher=direct).amount == part  # paid directly: the norm
    transfer_to_operator(request=december, on=D(2024, 12, 6), actor=EDU, now=NOW)
    distribute(request=december, on=D(2024, 12, 6), actor=OPR, now=NOW)
    assert not Transfer.objects.filter(child=child.pk, period="2024-12").exists()
    account.refresh_from_db()
    assert account.balance == NORM
    assert verify() == []


def test_o1_i21_the_pilot_ends_on_25_december_in_settlement(money_city) -> None:
    # covers: O1, I21, I4, A7.18, A7.9
    taraz, school, child, direct = money_city
    fund(taraz, "2024-12", D(2024, 12, 6))
    days = CAL.working_days(D(2024, 12, 1), D(2024, 12, 25))
    assert len(days) == 17 and len(CAL.working_days(D(2024, 12, 1), D(2024, 12, 31))) == 21
    mark_many(preschool_id=school.pk, marks=[(v, day, "P") for v in (child, direct) for day in days],
              is_working_day=CAL.is_working_day, actor=PRE, now=NOW)
    # 26-31 December are left unmarked: an unmarked working day of a contract counts as present,
    # but these are outside the pilot, so they pay nothing (I21)
    auto_confirm(today=D(2025, 1, 1), now=NOW)
    assert settle(city=taraz, month="2024-12", on=D(2025, 1, 3), actor=OPR, now=NOW) == 2
    december = {s.voucher_id: (s.due, s.paid, s.payable_days)
                for s in Settlement.objects.filter(month="2024-12")}
    part = 4_857_143  # 60000 * 17 / 21, half up: working days to the 25th only
    assert december == {child.pk: (part, part, 17), direct.pk: (part, part, 17)}
    assert Transfer.objects.filter(period="2024-12", code__in=("payment", "direct")).aggregate(
        total=Sum("amount"))["total"] == 2 * part
    # January 2025: the contracts are still open, the preschool even opens the sheets; nothing
    # of it is paid (the funding request is refused, FundingRefused: test_cycle_real_life)
    for v in (child, direct):
        sheet_for(voucher=v, month="2025-01", now=NOW)
    auto_confirm(today=D(2025, 2, 1), now=NOW)
    assert set(Sheet.objects.filter(month="2025-01").values_list("state", flat=True)) == {
        SheetState.AUTO_CONFIRMED}
    settle(city=taraz, month="2025-01", on=D(2025, 2, 3), actor=OPR, now=NOW)
    january = Settlement.objects.filter(month="2025-01")
    assert sum(january.values_list("due", flat=True)) == 0
    assert not Transfer.objects.filter(period="2025-01").exists()
    assert verify() == []
