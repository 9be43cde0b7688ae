"""Conservation over a simulated pilot year for a small city: every tenge from the budget is in
a preschool, a child's account, the operator's or the operator's returns (DESIGN, Money; A2);
and every sheet paid what A8 says of the marks the test itself entered (computed here, from the
test's own tally of marks, contract terms, norms, fees and vacation used, by the pure calculator)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models import F, Sum

from goszakaz.access.actor import Actor
from goszakaz.attendance.models import FINAL, Sheet, SheetState
from goszakaz.attendance.services import confirm, dispute, mark, sheet_for
from goszakaz.banking.models import ChildAccount
from goszakaz.domain import payment as pay
from goszakaz.domain.months import last_of
from goszakaz.enrollment.services import sign_contract
from goszakaz.finance.funding import build_request, distribute, transfer_to_operator
from goszakaz.finance.models import AccountKind, LedgerAccount, Settlement, Transfer
from goszakaz.finance.tariffs import set_norm, set_parent_fee
from goszakaz.finance.verify import verify
from goszakaz.registry.models import Bank, Role
from goszakaz.rules.calendar import kz_calendar
from goszakaz.workflows.bank_accounts import account_closed
from goszakaz.workflows.monthly_cycle import tick
from tests.factories import NOW, make_preschool, make_voucher

pytestmark = pytest.mark.simulation

D = dt.date
CAL = kz_calendar((2024, 2025))
PILOT = pay.Period(D(2024, 3, 1), D(2024, 12, 25))  # Taraz (O1), as the law gives it
NORMS = ((D(2024, 3, 1), 6_000_000), (D(2024, 9, 1), 6_500_000))  # both age groups, full day
FEE = 1_500_000


def expected(month: str, marks: dict[dt.date, str], term: tuple[dt.date, dt.date | None],
             vacation_used: int) -> pay.Payment:
    """A8 of one sheet from the test's own tally: the marks inside the contract and the pilot
    period, the norm in force on the month's 1st, the fee, the vacation of the year's earlier
    sheets (I3, I4, I21)."""
    first = dt.date.fromisoformat(month + "-01")
    start, end = term
    end = end if end is not None and end < last_of(first) else None
    inside = {day: code for day, code in marks.items()
              if start <= day and (end is None or day <= end) and PILOT.contains(day)}
    norm = [amount for since, amount in NORMS if since <= first][-1]
    sheet = pay.Sheet.build(month=first, marks=inside,
                            contract_from=start if start > first else None, contract_to=end,
                            vacation_days_used_this_year=vacation_used)
    return pay.calculate(sheet, norm, FEE, CAL, PILOT)


def totals() -> dict[str, int]:
    rows = (LedgerAccount.objects.values("kind")
            .annotate(balance=Sum(F("credits_posted") - F("debits_posted"))))
    return {r["kind"]: r["balance"] for r in rows}


def test_a_year_of_money_is_conserved(taraz, settings, tmp_path) -> None:
    # covers: A2, A7.12, A7.18, A8.2, A8.3, A8.4, A8.5, A10, I3, I4, I5, I21
    settings.NOBD_EXPORT_DIR = tmp_path
    rng = random.Random(2024)
    schools = [make_preschool(taraz, i, capacity=20) for i in (1, 2)]
    bank = Bank.objects.create(code="halyk", name="Halyk", bin="920140000084")
    for group in ("early", "preschool"):
        for since, amount in NORMS:
            set_norm(city=taraz, age_group=group, stay_mode="full_day", effective_from=since,
                     amount=amount, actor=Actor.system(Role.EDU), now=NOW)
    for school in schools:
        set_parent_fee(preschool=school, effective_from=D(2024, 3, 1), amount=FEE,
                       actor=Actor.system(Role.EDU), now=NOW)
    vouchers = [make_voucher(taraz, 3 * i) for i in range(1, 13)]
    # The test's own tally: every mark it enters, by (child, month), and each child's contract.
    tally: dict[tuple[int, str], dict[dt.date, str]] = {}
    terms: dict[int, tuple[dt.date, dt.date | None]] = {v.pk: (D(2024, 3, 1), None)
                                                        for v in vouchers}
    for i, v in enumerate(vouchers):
        sign_contract(voucher=v, preschool=schools[i % 2], on=D(2024, 3, 1), actor=Actor.system(Role.PAR),
                      now=NOW)
        if i % 4:
            ChildAccount.objects.create(voucher=v, bank=bank, city="taraz", status="opened",
                                        requested_on=D(2024, 3, 1), opened_on=D(2024, 3, 1),
                                        number=f"KZ00TEST{v.pk:012d}", parent_registered=True)
        else:  # every fourth child's parent never registered at the bank: paid directly (A7.9)
            ChildAccount.objects.create(voucher=v, bank=bank, city="taraz", direct_payment=True,
                                        requested_on=D(2024, 3, 1))
    closing = ChildAccount.objects.filter(voucher=vouchers[1]).get()
    for month in range(3, 13):
        first = D(2024, month, 1)
        request = build_request(city=taraz, month=f"2024-{month:02d}", on=first,
                                actor=Actor.system(Role.OPR), now=NOW)
        transfer_to_operator(request=request, on=first, actor=Actor.system(Role.EDU), now=NOW)
        distribute(request=request, on=first, actor=Actor.system(Role.OPR), now=NOW)
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(1)
        for v in vouchers:
            v.refresh_from_db()
            if v.status == "annulled":
                continue
            sheet_for(voucher=v, month=f"2024-{month:02d}", now=NOW)  # the preschool opens the sheet
            marks = tally[(v.pk, f"2024-{month:02d}")] = {}
            school_id = schools[vouchers.index(v) % 2].pk
            for day in CAL.working_days(first, last):  # marks after the pilot's end are refused (I21)
                if rng.random() < 0.15 and taraz.in_pilot(day):
                    marks[day] = rng.choice("SAAV")
                    mark(voucher=v, day=day, code=marks[day], preschool_id=school_id,
                         is_working_day=CAL.is_working_day, actor=Actor.system(Role.PRE), now=NOW)
            # The parent acts on the month's last calendar day, inside the window (I17): the
            # preschool has marked the month's last working day (of the pilot: 25 December).
            last_working = CAL.working_days(first, min(last, D(2024, 12, 25)))[-1]
            if last_working not in marks:
                marks[last_working] = "P"
                mark(voucher=v, day=last_working, code="P", preschool_id=school_id,
                     is_working_day=CAL.is_working_day, actor=Actor.system(Role.PRE), now=NOW)
            roll = rng.random()
            if roll < 0.1:
                dispute(sheet=sheet_for(voucher=v, month=f"2024-{month:02d}", now=NOW), reason="спор",
                        on=last, actor=Actor.system(Role.PAR), now=NOW)
            elif roll < 0.8:  # most parents confirm; the others stay silent (I6)
                confirm(sheet=sheet_for(voucher=v, month=f"2024-{month:02d}", now=NOW), on=last,
                        actor=Actor.system(Role.PAR), now=NOW)
        if month == 6:
            account_closed(account=closing, closed_on=D(2024, 6, 20), actor=Actor.system(Role.BANK), now=NOW)
            terms[closing.voucher_id] = (D(2024, 3, 1), D(2024, 6, 20))  # annulled from the 21st (A10)
        tick(today=last + dt.timedelta(days=1), now=NOW)  # confirms, settles, sweeps, exports
    tick(today=D(2025, 1, 2), now=NOW)  # the 1 January sweep (A7.18)

    money = totals()
    budget_out = -money[AccountKind.BUDGET]
    assert budget_out > 0
    assert budget_out == (money.get(AccountKind.PRESCHOOL, 0) + money.get(AccountKind.CHILD, 0)
                          + money.get(AccountKind.OPERATOR, 0)
                          + money.get(AccountKind.OPERATOR_RETURNS, 0))
    assert money.get(AccountKind.CHILD, 0) == 0  # everything left returned on 1 January
    assert money.get(AccountKind.OPERATOR_RETURNS, 0) > 0
    assert Transfer.objects.filter(code="direct").exists()
    assert Transfer.objects.filter(code="sweep").exists()  # the account closed in June (A10)
    # The year had disputes; the preschools never answer them here, so those sheets stay
    # disputed and unpaid (A7.16), while every other sheet is final and settled exactly once.
    disputed = set(Sheet.objects.filter(state=SheetState.DISPUTED).values_list("pk", flat=True))
    final = set(Sheet.objects.filter(state__in=FINAL).values_list("pk", flat=True))
    settled = list(Settlement.objects.values_list("sheet_id", flat=True))
    assert disputed
    assert disputed | final == set(Sheet.objects.values_list("pk", flat=True))
    assert not Settlement.objects.filter(sheet_id__in=disputed).exists()
    assert sorted(settled) == sorted(final)
    assert verify() == []

    # Each settled sheet's Госзаказ is A8 of the marks entered, computed here (not by settle).
    checked = 0
    for s in Settlement.objects.select_related("sheet").order_by("voucher_id", "month"):
        used = sum(1 for (child, month), marks in tally.items()
                   if child == s.voucher_id and month < s.month
                   for code in marks.values() if code == "V")
        want = expected(s.month, tally[(s.voucher_id, s.month)], terms[s.voucher_id], used)
        got = (s.due, s.payable_days, s.parent_fee)
        assert got == (want.state_order_tiyn, want.payable_days, want.parent_fee_tiyn), (
            s.voucher_id, s.month, tally[(s.voucher_id, s.month)])
        assert s.paid == s.due  # paid in full by the year's end: funding covered every month
        checked += 1
    dues = sorted({s.due for s in Settlement.objects.all()})
    assert checked == len(final) and len(dues) > 3  # short months among them, not all the norm
    paid_to_schools = Transfer.objects.filter(code__in=("payment", "direct")).aggregate(
        total=Sum("amount"))["total"]
    assert paid_to_schools == sum(s.due for s in Settlement.objects.all())
