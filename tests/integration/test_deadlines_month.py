"""Each month's deadlines exist from its first day (DESIGN, Time): a step never done is overdue."""

from __future__ import annotations

import datetime as dt

import pytest

from goszakaz.access.actor import Actor
from goszakaz.attendance.models import Sheet, SheetState
from goszakaz.attendance.reconfirm import meet_final_reconfirmations
from goszakaz.attendance.services import confirm, dispute, mark, sheet_for
from goszakaz.banking.models import ChildAccount
from goszakaz.deadlines.models import Deadline
from goszakaz.deadlines.services import overdue
from goszakaz.finance.funding import build_request, request_deadline, transfer_to_operator
from goszakaz.finance.month_deadlines import open_month
from goszakaz.finance.sweep import sweep_closed_accounts
from goszakaz.registry.models import Bank, City, Role
from goszakaz.workflows.bank_accounts import account_closed, monthly_list
from goszakaz.workflows.dispute import answer_dispute
from goszakaz.workflows.monthly_cycle import open_deadlines, tick
from tests.factories import EDU, NOW, OPR, WORKING, fund, make_voucher

D = dt.date
BANK = Actor.system(Role.BANK)


@pytest.fixture
def ticking(settings, tmp_path) -> None:
    settings.NOBD_EXPORT_DIR = tmp_path


def rows(city: str, month: str) -> dict[tuple[str, str], tuple[dt.date, str]]:
    """(clause, subject) -> (due, state) of a city's deadlines whose subject names the month."""
    return {(d.clause, d.subject): (d.due_on, d.state)
            for d in Deadline.objects.filter(city=city, subject__contains=month)}


def list_of(bank: Bank, month: str, on: dt.date) -> None:
    """The bank's monthly list: its open accounts, and the others as not registered."""
    accounts = ChildAccount.objects.filter(bank=bank)
    monthly_list(bank=bank, month=month, received_on=on, actor=BANK, now=NOW,
                 opened=list(accounts.filter(status="opened").values_list("pk", flat=True)),
                 not_registered=list(accounts.exclude(status="opened")
                                     .values_list("pk", flat=True)))


def second_bank(taraz: City) -> Bank:
    """Another bank holding an account of a Taraz child since March."""
    bank = Bank.objects.create(code="kaspi", name="Kaspi", bin="971240000012")
    ChildAccount.objects.create(voucher=make_voucher(taraz, 7), bank=bank, city="taraz",
                                requested_on=D(2024, 3, 28))
    return bank


def test_a_month_where_nothing_happens_shows_its_steps_overdue(money_city, ticking) -> None:
    # covers: A7.9, A7.11, A7.12, A7.14, A7.17
    make_voucher(City.objects.get(code="shymkent"), 11)  # a child, and no bank serving it
    tick(today=D(2024, 4, 1), now=NOW)
    april = rows("taraz", "2024-04")
    assert april == {
        ("A7.9", "bank-list/halyk/2024-04"): (D(2024, 4, 5), "open"),  # by the 5th
        # 2 business days after the 5th (a Friday), until the list comes
        ("A7.11", "funding/taraz/2024-04"): (D(2024, 4, 9), "open"),
        ("A7.12", "funding/taraz/2024-04"): (D(2024, 4, 11), "open"),
        ("A7.14", "auto-confirm/2024-04"): (D(2024, 5, 1), "open"),
        # 10 business days after 30 April (1, 7 and 9 May are holidays)
        ("A7.17", "nobd-sheets/2024-04"): (D(2024, 5, 17), "open"),
    }
    assert all(d.opened_on == D(2024, 4, 1) for d in Deadline.objects.filter(
        city="taraz", subject__contains="2024-04"))
    # due today is not late yet (March's request, never sent, is: tick opened last month too)
    assert [(d.clause, d.subject) for d in overdue(city="taraz", today=D(2024, 4, 5))] == [
        ("A7.11", "funding/taraz/2024-03"), ("A7.12", "funding/taraz/2024-03")]
    # shymkent has a child and no bank serving it: the request is still expected
    assert set(rows("shymkent", "2024-04")) == {
        ("A7.11", "funding/shymkent/2024-04"), ("A7.12", "funding/shymkent/2024-04"),
        ("A7.14", "auto-confirm/2024-04"), ("A7.17", "nobd-sheets/2024-04")}
    # turkestan, in the pilot with no child yet, owes no list, request or confirmation (its
    # empty НОБД file is written, and that deadline met)
    assert set(Deadline.objects.filter(city="turkestan").values_list("clause", "state")) <= {
        ("A7.17", "met")}

    tick(today=D(2024, 4, 10), now=NOW)
    late = {(d.clause, d.subject) for d in overdue(city="taraz", today=D(2024, 4, 10))}
    assert {("A7.9", "bank-list/halyk/2024-04"), ("A7.11", "funding/taraz/2024-04")} <= late
    assert ("A7.12", "funding/taraz/2024-04") not in late  # due the 11th
    assert ("A7.12", "funding/taraz/2024-04") in {
        (d.clause, d.subject) for d in overdue(city="taraz", today=D(2024, 4, 12))}


def test_tick_twice_opens_nothing_new(money_city, ticking) -> None:
    # covers: A7.9, A7.11
    tick(today=D(2024, 4, 1), now=NOW)
    before = list(Deadline.objects.order_by("pk").values_list("pk", "clause", "city", "subject",
                                                              "due_on", "state"))
    assert before
    tick(today=D(2024, 4, 1), now=NOW)
    assert open_deadlines(today=D(2024, 4, 2)) == 0
    assert list(Deadline.objects.order_by("pk").values_list(
        "pk", "clause", "city", "subject", "due_on", "state")) == before


def test_a_city_outside_its_pilot_period_gets_no_rows(money_city, ticking) -> None:
    # covers: O1, I21, A7.11
    make_voucher(City.objects.get(code="uralsk"), 11)  # from its pilot's first day
    tick(today=D(2024, 4, 1), now=NOW)
    assert not Deadline.objects.filter(city="uralsk").exists()  # its pilot starts 2024-11-01
    assert open_month(city=City.objects.get(code="uralsk"), month="2024-10") == 0
    assert open_month(city=City.objects.get(code="uralsk"), month="2024-11") > 0
    tick(today=D(2025, 1, 2), now=NOW)  # taraz's pilot ended 2024-12-25
    assert rows("taraz", "2024-12")  # December still is the pilot's
    assert not rows("taraz", "2025-01")
    assert rows("uralsk", "2025-01")  # open-ended (I16)


def test_a_list_on_a_thursday_moves_the_request_to_two_business_days_after(
        money_city, ticking) -> None:
    # covers: A7.9, A7.11, A7.12
    tick(today=D(2024, 4, 1), now=NOW)
    halyk = Bank.objects.get(code="halyk")
    list_of(halyk, "2024-04", D(2024, 4, 4))  # a Thursday
    april = rows("taraz", "2024-04")
    assert april[("A7.9", "bank-list/halyk/2024-04")] == (D(2024, 4, 5), "met")
    assert Deadline.objects.get(clause="A7.9").met_on == D(2024, 4, 4)
    # Friday and Monday are the 2 business days: due Monday 8 April, not the provisional 9th
    assert april[("A7.11", "funding/taraz/2024-04")] == (D(2024, 4, 8), "open")
    assert april[("A7.12", "funding/taraz/2024-04")] == (D(2024, 4, 10), "open")
    tick(today=D(2024, 4, 5), now=NOW)  # tick recomputes the same day
    assert rows("taraz", "2024-04") == april


def test_with_two_banks_the_request_waits_for_the_last_list(money_city, ticking) -> None:
    # covers: A7.9, A7.11, A7.12
    taraz = money_city[0]
    kaspi = second_bank(taraz)
    tick(today=D(2024, 4, 1), now=NOW)
    assert ("A7.9", "bank-list/kaspi/2024-04") in rows("taraz", "2024-04")
    list_of(Bank.objects.get(code="halyk"), "2024-04", D(2024, 4, 4))
    # Kaspi's list may still come by the 5th: provisionally 2 business days after the 5th
    assert rows("taraz", "2024-04")[("A7.11", "funding/taraz/2024-04")] == (D(2024, 4, 9), "open")
    list_of(kaspi, "2024-04", D(2024, 4, 12))  # late, on a Friday
    april = rows("taraz", "2024-04")
    assert april[("A7.9", "bank-list/kaspi/2024-04")] == (D(2024, 4, 5), "met")
    assert april[("A7.11", "funding/taraz/2024-04")] == (D(2024, 4, 16), "open")  # Tuesday
    request = build_request(city=taraz, month="2024-04", on=D(2024, 4, 15), actor=OPR, now=NOW)
    april = rows("taraz", "2024-04")
    assert april[("A7.11", "funding/taraz/2024-04")] == (D(2024, 4, 16), "met")
    # the request was sent: the transfer is due 2 business days after it
    assert april[("A7.12", "funding/taraz/2024-04")] == (D(2024, 4, 17), "open")
    # a met deadline keeps its day, whatever comes later (a third bank's list on the 19th)
    bcc = Bank.objects.create(code="bcc", name="BCC", bin="980540000034")
    ChildAccount.objects.create(voucher=make_voucher(taraz, 8), bank=bcc, city="taraz",
                                requested_on=D(2024, 3, 2))
    list_of(bcc, "2024-04", D(2024, 4, 19))
    assert request_deadline(city=taraz, month="2024-04", opened_on=D(2024, 4, 1)).due_on == D(
        2024, 4, 16)
    assert rows("taraz", "2024-04")[("A7.11", "funding/taraz/2024-04")] == (D(2024, 4, 16),
                                                                            "met")
    transfer_to_operator(request=request, on=D(2024, 4, 18), actor=EDU, now=NOW)
    tick(today=D(2024, 4, 20), now=NOW)
    moved = Deadline.objects.get(clause="A7.12", subject="funding/taraz/2024-04")
    assert (moved.due_on, moved.state, moved.met_on) == (D(2024, 4, 17), "met", D(2024, 4, 18))


def test_doing_each_step_meets_the_row_opened_on_the_first(money_city, ticking) -> None:
    # covers: A7.9, A7.11, A7.12, A7.14, A7.17, A7.18
    taraz, school, child, direct = money_city
    tick(today=D(2024, 12, 1), now=NOW)
    opened = dict(Deadline.objects.filter(city="taraz", subject__contains="2024")
                  .exclude(subject__contains="2024-11").values_list("pk", "subject"))
    assert ("A7.18", D(2025, 1, 10)) in {  # 5 business days after 1 January
        (d.clause, d.due_on) for d in Deadline.objects.filter(subject="sweep/2024")}
    halyk = Bank.objects.get(code="halyk")
    list_of(halyk, "2024-12", D(2024, 12, 3))
    request = build_request(city=taraz, month="2024-12", on=D(2024, 12, 4), actor=OPR, now=NOW)
    transfer_to_operator(request=request, on=D(2024, 12, 5), actor=EDU, now=NOW)
    mark(voucher=child, day=D(2024, 12, 2), code="P", preschool_id=school.pk,
         is_working_day=WORKING, actor=Actor.system(Role.PRE), now=NOW)
    tick(today=D(2025, 1, 2), now=NOW)  # auto-confirms December, exports it, sweeps 2024
    december = {(d.clause, d.subject): (d.state, d.met_on) for d in Deadline.objects.filter(
        city="taraz", pk__in=opened)}
    assert december == {
        ("A7.9", "bank-list/halyk/2024-12"): ("met", D(2024, 12, 3)),
        ("A7.11", "funding/taraz/2024-12"): ("met", D(2024, 12, 4)),
        ("A7.12", "funding/taraz/2024-12"): ("met", D(2024, 12, 5)),
        ("A7.14", "auto-confirm/2024-12"): ("met", D(2025, 1, 2)),
        ("A7.17", "nobd-sheets/2024-12"): ("met", D(2025, 1, 2)),
        ("A7.18", "sweep/2024"): ("met", D(2025, 1, 2)),
    }
    # no second row for any of them
    assert Deadline.objects.filter(city="taraz", subject__contains="2024-12").count() == 5
    assert Deadline.objects.filter(city="taraz", subject="sweep/2024").count() == 1


def test_the_year_end_deadline_of_a_city_without_balances_is_met(money_city, ticking) -> None:
    # covers: A7.18
    make_voucher(City.objects.get(code="shymkent"), 11)
    tick(today=D(2024, 12, 1), now=NOW)
    assert Deadline.objects.get(city="shymkent", subject="sweep/2024").state == "open"
    tick(today=D(2025, 1, 3), now=NOW)
    swept = Deadline.objects.get(city="shymkent", subject="sweep/2024")
    assert (swept.state, swept.met_on) == ("met", D(2025, 1, 3))


def test_a_correction_opens_the_parents_two_days(money_city, ticking) -> None:
    # covers: A7.16, I7
    taraz, school, child, direct = money_city
    sheets = {}
    for v in (child, direct):
        for day, code in ((D(2024, 4, 10), "A"), (D(2024, 4, 30), "P")):
            mark(voucher=v, day=day, code=code, preschool_id=school.pk, is_working_day=WORKING,
                 actor=Actor.system(Role.PRE), now=NOW)
        sheets[v.pk] = sheet_for(voucher=v, month="2024-04", now=NOW)
        dispute(sheet=sheets[v.pk], reason="Был болен, справка", on=D(2024, 4, 30),
                actor=Actor.system(Role.PAR), now=NOW)
        days = sheets[v.pk].days
        sheets[v.pk].refresh_from_db()
        answer_dispute(sheet=sheets[v.pk], agree=True, corrected_days=days[:9] + "S" + days[10:],
                       on=D(2024, 4, 30), actor=Actor.system(Role.PRE), now=NOW)
    reconfirm = {d.subject: (d.clause, d.opened_on, d.due_on, d.state)
                 for d in Deadline.objects.filter(subject__startswith="sheet-reconfirm/")}
    assert reconfirm == {f"sheet-reconfirm/{sheets[v.pk].pk}": (
        "A7.16", D(2024, 4, 30), D(2024, 5, 2), "open") for v in (child, direct)}
    # the parent confirms the corrected sheet: met that day
    confirm(sheet=sheets[child.pk], on=D(2024, 5, 1), actor=Actor.system(Role.PAR), now=NOW)
    mine = Deadline.objects.get(subject=f"sheet-reconfirm/{sheets[child.pk].pk}")
    assert (mine.state, mine.met_on) == ("met", D(2024, 5, 1))
    tick(today=D(2024, 5, 2), now=NOW)  # the silent parent still has today
    other = Deadline.objects.get(subject=f"sheet-reconfirm/{sheets[direct.pk].pk}")
    assert other.state == "open" and other.overdue(D(2024, 5, 3))
    # silence: tick confirms it automatically, dated the end of the two days (I7)
    tick(today=D(2024, 5, 3), now=NOW)
    sheets[direct.pk].refresh_from_db()
    assert sheets[direct.pk].state == SheetState.AUTO_CONFIRMED
    other.refresh_from_db()
    assert (other.state, other.met_on) == ("met", D(2024, 5, 2))


def test_a_reconfirmation_is_met_however_the_sheet_became_final(money_city) -> None:
    # covers: A7.16, I7
    taraz, school, child, _direct = money_city
    mark(voucher=child, day=D(2024, 4, 30), code="A", preschool_id=school.pk,
         is_working_day=WORKING, actor=Actor.system(Role.PRE), now=NOW)
    sheet = sheet_for(voucher=child, month="2024-04", now=NOW)
    dispute(sheet=sheet, reason="болел", on=D(2024, 4, 30), actor=Actor.system(Role.PAR), now=NOW)
    answer_dispute(sheet=sheet, agree=True, corrected_days=sheet.days[:29] + "S",
                   on=D(2024, 4, 30), actor=Actor.system(Role.PRE), now=NOW)
    # a batch confirmation that wrote the sheets' state in one statement (no per-sheet hook)
    Sheet.objects.filter(pk=sheet.pk).update(state=SheetState.AUTO_CONFIRMED,
                                             final_on=D(2024, 5, 2))
    assert meet_final_reconfirmations() == 1
    row = Deadline.objects.get(subject=f"sheet-reconfirm/{sheet.pk}")
    assert (row.state, row.met_on) == ("met", D(2024, 5, 2))
    assert meet_final_reconfirmations() == 0


def test_a_closure_opens_the_return_of_the_balance_at_once(money_city) -> None:
    # covers: A10
    taraz, _school, child, direct = money_city
    fund(taraz, "2024-04", D(2024, 4, 8))
    account_closed(account=child.accounts.get(), closed_on=D(2024, 4, 15), actor=BANK, now=NOW)
    row = Deadline.objects.get(clause="A10")  # before any sweep ran
    assert (row.city, row.subject, row.opened_on, row.due_on, row.state) == (
        "taraz", f"sweep/{child.pk}/closed", D(2024, 4, 15), D(2024, 4, 22), "open")
    # the other child never had a ledger account: nothing to return, no deadline
    account_closed(account=direct.accounts.get(), closed_on=D(2024, 4, 15), actor=BANK, now=NOW)
    assert Deadline.objects.filter(clause="A10").count() == 1
    assert sweep_closed_accounts(today=D(2024, 4, 16), actor=OPR, now=NOW) == 1
    row.refresh_from_db()
    assert (row.state, row.met_on) == ("met", D(2024, 4, 16))
    assert Deadline.objects.filter(clause="A10").count() == 1


def test_a_child_with_a_live_account_again_cancels_the_return(money_city) -> None:
    # covers: A10
    taraz, _school, child, _direct = money_city
    fund(taraz, "2024-04", D(2024, 4, 8))
    account_closed(account=child.accounts.get(), closed_on=D(2024, 4, 15), actor=BANK, now=NOW)
    ChildAccount.objects.create(voucher=child, bank=Bank.objects.get(code="halyk"), city="taraz",
                                requested_on=D(2024, 4, 16))
    assert sweep_closed_accounts(today=D(2024, 4, 17), actor=OPR, now=NOW) == 0
    row = Deadline.objects.get(clause="A10")
    assert (row.state, row.met_on) == ("cancelled", None)
    assert all(d.clause != "A10" for d in overdue(city="taraz", today=D(2024, 5, 1)))
