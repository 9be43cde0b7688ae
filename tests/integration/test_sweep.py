"""Balances back to the operator: a closed bank account (A10) and 1 January (A7.18)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from goszakaz.access.actor import Actor
from goszakaz.attendance.services import auto_confirm, mark
from goszakaz.audit.models import AuditEntry
from goszakaz.banking.models import ChildAccount
from goszakaz.deadlines.models import Deadline
from goszakaz.enrollment.services import sign_contract
from goszakaz.finance.ledger import Spec, account, post
from goszakaz.finance.models import AccountKind, LedgerAccount, Settlement, Transfer
from goszakaz.finance.sweep import SweepError, sweep_closed_accounts, sweep_year_end
from goszakaz.finance.tariffs import set_norm, set_parent_fee
from goszakaz.finance.verify import verify
from goszakaz.registry.models import Bank, Role
from goszakaz.rules.calendar import kz_calendar
from goszakaz.workflows.bank_accounts import account_closed
from goszakaz.workflows.monthly_cycle import settle
from tests.factories import NOW, make_preschool, make_voucher, pilot_city, race

D = dt.date
NORM = 6_000_000
WORKING = kz_calendar((2024, 2025)).is_working_day


def setup_city(city, serial: int, bank: Bank, children: int):
    """A preschool, norms, and children with a contract from April and an opened account."""
    school = make_preschool(city, serial, capacity=10)
    for group in ("early", "preschool"):
        set_norm(city=city, age_group=group, stay_mode="full_day", effective_from=D(2024, 3, 1),
                 amount=NORM, actor=Actor.system(Role.EDU), now=NOW)
    set_parent_fee(preschool=school, effective_from=D(2024, 3, 1), amount=1_500_000,
                   actor=Actor.system(Role.EDU), now=NOW)
    vouchers = []
    for i in range(children):
        v = make_voucher(city, serial * 10 + i)
        sign_contract(voucher=v, preschool=school, on=D(2024, 4, 1), actor=Actor.system(Role.PAR), now=NOW)
        ChildAccount.objects.create(voucher=v, bank=bank, city=city.code, status="opened",
                                    requested_on=D(2024, 3, 20), opened_on=D(2024, 3, 25),
                                    number=f"KZ{serial:02d}{i:016d}", parent_registered=True)
        vouchers.append(v)
    return school, vouchers


def fund(city, voucher, amount: int, period: str, tag: str = "") -> None:
    """Budget -> operator -> the child's account, as the monthly funding does."""
    budget = account(kind=AccountKind.BUDGET, owner=city.code, city=city.code, no_overdraft=False)
    operator = account(kind=AccountKind.OPERATOR, owner=city.code, city=city.code)
    child = account(kind=AccountKind.CHILD, owner=str(voucher.pk), city=city.code)
    post(Spec(id=f"budget/{voucher.pk}/{period}{tag}", debit=budget.pk, credit=operator.pk,
              amount=amount, code="budget", period=period, city=city.code), now=NOW)
    post(Spec(id=f"funding/{voucher.pk}/{period}{tag}", debit=operator.pk, credit=child.pk,
              amount=amount, code="funding", period=period, city=city.code, child=voucher.pk), now=NOW)


def balance(kind: str, owner: str) -> int:
    row = LedgerAccount.objects.filter(kind=kind, owner=owner).first()
    return row.balance if row else 0


def assert_conserved() -> None:
    """Budget out = preschools + children + operator + operator returns (nothing made or lost)."""
    by_kind: dict[str, int] = {}
    for a in LedgerAccount.objects.all():
        by_kind[a.kind] = by_kind.get(a.kind, 0) + a.balance
    assert -by_kind.get(AccountKind.BUDGET, 0) == sum(
        by_kind.get(k, 0) for k in (AccountKind.PRESCHOOL, AccountKind.CHILD,
                                    AccountKind.OPERATOR, AccountKind.OPERATOR_RETURNS))
    assert set(by_kind) <= set(AccountKind.values)
    assert verify() == []


@pytest.fixture
def bank(db: None) -> Bank:
    return Bank.objects.create(code="halyk", name="Halyk", bin="920140000084")


@pytest.fixture
def closed_child(taraz, bank):
    """A child whose April sheet is paid in part (short balance), then topped up, then closed."""
    school, (child, other) = setup_city(taraz, 1, bank, 2)
    fund(taraz, child, 1_000_000, "2024-04")
    fund(taraz, other, NORM, "2024-04")
    mark(voucher=child, day=D(2024, 4, 2), code="P", preschool_id=school.pk,
         is_working_day=WORKING, actor=Actor.system(Role.PRE), now=NOW)
    auto_confirm(today=D(2024, 5, 1), now=NOW)
    settle(city=taraz, month="2024-04", on=D(2024, 5, 2), actor=Actor.system(Role.OPR), now=NOW)
    assert Settlement.objects.filter(voucher=child).values_list("due", "paid").get() == (
        NORM, 1_000_000)
    fund(taraz, child, 9_000_000, "2024-05")  # May's funding: the owed 5 000 000 and a norm
    account_closed(account=child.accounts.get(), closed_on=D(2024, 5, 10), actor=Actor.system(Role.BANK),
                   now=NOW)
    return school, child, other


def test_a_closed_account_pays_what_is_owed_then_returns_the_rest(closed_child) -> None:
    # covers: A10, I5
    school, child, other = closed_child
    preschool_before = balance(AccountKind.PRESCHOOL, school.bin)
    assert sweep_closed_accounts(today=D(2024, 5, 13), actor=Actor.system(Role.OPR), now=NOW) == 1

    settlement = Settlement.objects.get(voucher=child)
    assert settlement.paid == settlement.due == NORM  # the sheet's earnings went first
    assert balance(AccountKind.PRESCHOOL, school.bin) == preschool_before + NORM - 1_000_000
    sweep = Transfer.objects.get(id=f"sweep/{child.pk}/closed")
    returns = LedgerAccount.objects.get(kind=AccountKind.OPERATOR_RETURNS, owner="taraz")
    assert (sweep.debit_id, sweep.credit_id, sweep.amount, sweep.code, sweep.period,
            sweep.child_id) == (
        LedgerAccount.objects.get(kind=AccountKind.CHILD, owner=str(child.pk)).pk, returns.pk,
        4_000_000, "sweep", "2024-05", child.pk)
    assert returns.balance == 4_000_000 and returns.city == "taraz"
    ledger = LedgerAccount.objects.get(kind=AccountKind.CHILD, owner=str(child.pk))
    assert ledger.closed and ledger.balance == 0
    # the other child's account (still open at the bank) is untouched
    assert balance(AccountKind.CHILD, str(other.pk)) == NORM
    assert not LedgerAccount.objects.get(kind=AccountKind.CHILD, owner=str(other.pk)).closed
    deadline = Deadline.objects.get(clause="A10")
    assert (deadline.city, deadline.subject, deadline.opened_on, deadline.due_on,
            deadline.state, deadline.met_on) == (
        "taraz", f"sweep/{child.pk}/closed", D(2024, 5, 10), D(2024, 5, 17), "met", D(2024, 5, 13))
    entry = AuditEntry.objects.get(action="ledger.swept_closed")
    assert entry.after["returned"] == 4_000_000 and entry.after["paid_to_preschools"] == 5_000_000
    assert_conserved()


def test_sweeping_closed_accounts_twice_changes_nothing(closed_child) -> None:
    # covers: A10
    _, child, _ = closed_child
    sweep_closed_accounts(today=D(2024, 5, 13), actor=Actor.system(Role.OPR), now=NOW)
    state = (Transfer.objects.count(), AuditEntry.objects.count(),
             list(Deadline.objects.values_list("state", "met_on")))
    assert sweep_closed_accounts(today=D(2024, 5, 14), actor=Actor.system(Role.OPR), now=NOW) == 0
    assert state == (Transfer.objects.count(), AuditEntry.objects.count(),
                     list(Deadline.objects.values_list("state", "met_on")))
    # a closed ledger account takes no more money
    from goszakaz.finance.ledger import LedgerError

    with pytest.raises(LedgerError, match="closed"):
        fund(pilot_city("taraz"), child, 1, "2024-06")
    assert_conserved()


def test_an_empty_closed_account_is_closed_without_a_transfer(taraz, bank) -> None:
    # covers: A10
    _, (child,) = setup_city(taraz, 1, bank, 1)
    account(kind=AccountKind.CHILD, owner=str(child.pk), city="taraz")
    never_funded = make_voucher(taraz, 99)  # closed at the bank, never had a ledger account
    ChildAccount.objects.create(voucher=never_funded, bank=bank, city="taraz", status="closed",
                                requested_on=D(2024, 3, 20), closed_on=D(2024, 4, 1))
    account_closed(account=child.accounts.get(), closed_on=D(2024, 4, 30), actor=Actor.system(Role.BANK),
                   now=NOW)
    assert sweep_closed_accounts(today=D(2024, 5, 3), actor=Actor.system(Role.OPR), now=NOW) == 1
    assert not Transfer.objects.exists()
    assert LedgerAccount.objects.get(kind=AccountKind.CHILD, owner=str(child.pk)).closed
    assert list(Deadline.objects.values_list("clause", "subject", "state")) == [
        ("A10", f"sweep/{child.pk}/closed", "met")]
    assert_conserved()


def test_a_child_with_a_live_account_again_keeps_its_balance(taraz, bank) -> None:
    # covers: A10
    _, (child,) = setup_city(taraz, 1, bank, 1)
    fund(taraz, child, NORM, "2024-04")
    ChildAccount.objects.filter(voucher=child).update(status="closed", closed_on=D(2024, 4, 10))
    ChildAccount.objects.create(voucher=child, bank=bank, city="taraz", status="opened",
                                requested_on=D(2024, 4, 11), number="KZ99")
    assert sweep_closed_accounts(today=D(2024, 4, 15), actor=Actor.system(Role.OPR), now=NOW) == 0
    assert balance(AccountKind.CHILD, str(child.pk)) == NORM
    assert not Deadline.objects.exists()


@pytest.fixture
def year_end(taraz, shymkent, bank):
    """Taraz: a child with December money left and January funding in, one with an unpaid
    December sheet, one closed by A10 earlier, one empty; Shymkent: one child with money left."""
    school, (left, owing, closed, empty) = setup_city(taraz, 1, bank, 4)
    _, (far,) = setup_city(shymkent, 2, bank, 1)
    fund(taraz, left, NORM, "2024-12")
    pre = account(kind=AccountKind.PRESCHOOL, owner=school.bin, city="taraz")
    child = LedgerAccount.objects.get(kind=AccountKind.CHILD, owner=str(left.pk))
    post(Spec(id=f"payment/{left.pk}/2024-12", debit=child.pk, credit=pre.pk, amount=4_000_000,
              code="payment", period="2024-12", city="taraz", child=left.pk), now=NOW)
    fund(taraz, left, NORM, "2025-01")  # January's funding came before the sweep: it stays

    fund(taraz, owing, 1_000_000, "2024-12")
    mark(voucher=owing, day=D(2024, 12, 2), code="P", preschool_id=school.pk,
         is_working_day=WORKING, actor=Actor.system(Role.PRE), now=NOW)
    auto_confirm(today=D(2025, 1, 1), now=NOW)
    settle(city=taraz, month="2024-12", on=D(2025, 1, 3), actor=Actor.system(Role.OPR), now=NOW)
    due = Settlement.objects.get(voucher=owing).due
    assert due > 1_000_000
    fund(taraz, owing, due, "2024-12", tag="/rest")  # the rest arrived, not yet paid out

    fund(taraz, closed, 2_000_000, "2024-11")
    account_closed(account=closed.accounts.get(), closed_on=D(2024, 11, 20), actor=Actor.system(Role.BANK),
                   now=NOW)
    sweep_closed_accounts(today=D(2024, 11, 21), actor=Actor.system(Role.OPR), now=NOW)
    account(kind=AccountKind.CHILD, owner=str(empty.pk), city="taraz")

    fund(shymkent, far, 3_000_000, "2024-10")
    return left, owing, closed, empty, far, due


def test_balances_left_on_1_january_return_to_the_operator(year_end) -> None:
    # covers: A7.18, I5
    left, owing, closed, empty, far, due = year_end
    posted = sweep_year_end(year=2025, today=D(2025, 1, 6), actor=Actor.system(Role.OPR), now=NOW)
    assert posted == 3
    sweeps = {t.id: (t.amount, t.period, t.city, t.child_id)
              for t in Transfer.objects.filter(id__endswith="/2024", code="sweep")}
    assert sweeps == {
        f"sweep/{left.pk}/2024": (2_000_000, "2024-12", "taraz", left.pk),
        f"sweep/{owing.pk}/2024": (1_000_000, "2024-12", "taraz", owing.pk),
        f"sweep/{far.pk}/2024": (3_000_000, "2024-12", "shymkent", far.pk),
    }
    assert balance(AccountKind.CHILD, str(left.pk)) == NORM  # January's money stays
    assert balance(AccountKind.CHILD, str(owing.pk)) == 0
    settlement = Settlement.objects.get(voucher=owing)
    assert settlement.paid == settlement.due == due  # the sheet was paid before the return
    assert balance(AccountKind.OPERATOR_RETURNS, "taraz") == 2_000_000 + 1_000_000 + 2_000_000
    assert balance(AccountKind.OPERATOR_RETURNS, "shymkent") == 3_000_000
    assert not Transfer.objects.filter(child=closed, id__endswith="/2024").exists()
    assert not Transfer.objects.filter(child=empty).exists()
    deadlines = {d.city: (d.subject, d.opened_on, d.due_on, d.state, d.met_on)
                 for d in Deadline.objects.filter(clause="A7.18")}
    assert deadlines == {
        city: ("sweep/2024", D(2025, 1, 1), D(2025, 1, 10), "met", D(2025, 1, 6))
        for city in ("taraz", "shymkent")}
    assert AuditEntry.objects.filter(action="ledger.swept_year_end").count() == 2
    assert_conserved()


def test_the_year_end_sweep_twice_posts_nothing_more(year_end) -> None:
    # covers: A7.18
    sweep_year_end(year=2025, today=D(2025, 1, 6), actor=Actor.system(Role.OPR), now=NOW)
    state = (list(LedgerAccount.objects.order_by("pk").values_list("debits_posted",
                                                                   "credits_posted")),
             Transfer.objects.count(), AuditEntry.objects.count(),
             list(Deadline.objects.order_by("pk").values_list("state", "met_on")))
    assert sweep_year_end(year=2025, today=D(2025, 1, 8), actor=Actor.system(Role.OPR), now=NOW) == 0
    assert state == (
        list(LedgerAccount.objects.order_by("pk").values_list("debits_posted", "credits_posted")),
        Transfer.objects.count(), AuditEntry.objects.count(),
        list(Deadline.objects.order_by("pk").values_list("state", "met_on")))
    assert_conserved()


def test_the_year_end_sweep_waits_for_1_january(year_end) -> None:
    # covers: A7.18
    before = Transfer.objects.count()
    with pytest.raises(SweepError, match="2025-01-01"):
        sweep_year_end(year=2025, today=D(2024, 12, 31), actor=Actor.system(Role.OPR), now=NOW)
    assert Transfer.objects.count() == before
    assert not Deadline.objects.filter(clause="A7.18").exists()
    assert issubclass(SweepError, ValueError)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_year_end_sweeps_at_once_return_each_balance_once() -> None:
    # covers: A7.18
    if connection.vendor != "postgresql":
        pytest.skip("row locks and the set-based batch are PostgreSQL's")
    taraz = pilot_city("taraz")
    with transaction.atomic():
        bank = Bank.objects.create(code="halyk", name="Halyk", bin="920140000084")
        _, vouchers = setup_city(taraz, 1, bank, 5)
        for i, v in enumerate(vouchers):
            fund(taraz, v, 1_000_000 * (i + 1), "2024-12")
    results = race(*[(lambda: sweep_year_end(year=2025, today=D(2025, 1, 3), actor=Actor.system(Role.OPR),
                                             now=NOW)) for _ in range(3)])
    assert all(isinstance(r, int) for r in results), results
    assert sorted(results) == [0, 0, 5]
    assert balance(AccountKind.OPERATOR_RETURNS, "taraz") == 15_000_000
    assert Deadline.objects.filter(clause="A7.18", state="met").count() == 1
    assert_conserved()
