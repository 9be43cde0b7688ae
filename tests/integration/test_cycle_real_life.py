"""The monthly cycle under real life (issue 9): one child's trouble is that child's open item, never
the city's stop (I18); who is paid directly (I19); every final sheet paid when it becomes final
(I20); nothing funded or paid outside the pilot (I21)."""

from __future__ import annotations

import datetime as dt

import pytest

from goszakaz.attendance.models import Sheet
from goszakaz.attendance.services import auto_confirm, dispute, mark
from goszakaz.banking.models import ChildAccount
from goszakaz.enrollment.services import sign_contract
from goszakaz.finance.funding import FundingRefused, build_request
from goszakaz.finance.models import Settlement, Shortfall, Transfer
from goszakaz.finance.verify import verify
from goszakaz.notifications.models import Notification
from goszakaz.workflows.bank_accounts import account_closed, monthly_list
from goszakaz.workflows.dispute import answer_dispute
from goszakaz.workflows.monthly_cycle import settle, tick
from tests.factories import (
    BANK,
    NORM,
    NOW,
    OPR,
    PAR,
    PRE,
    WORKING,
    fund,
    make_voucher,
)

D = dt.date


def sent_to_bank(voucher, bank, **fields) -> ChildAccount:
    """The child on the bank's list (A7.5): its account requested, opened or not."""
    return ChildAccount.objects.create(voucher=voucher, bank=bank, city=voucher.city.code,
                                       requested_on=D(2024, 3, 20), **fields)


@pytest.fixture
def nobd_export(settings, tmp_path):
    settings.NOBD_EXPORT_DIR = tmp_path


def test_a_child_joining_after_the_request_is_owed_not_a_stop(money_city, nobd_export) -> None:
    # covers: I18, A7.9, A7.18
    taraz, school, child, direct = money_city
    fund(taraz, "2024-04", D(2024, 4, 8))
    late = make_voucher(taraz, 9)  # contract from 15 April, after April's request
    sign_contract(voucher=late, preschool=school, on=D(2024, 4, 15), actor=PAR, now=NOW)
    sent_to_bank(late, ChildAccount.objects.get(voucher=child).bank, direct_payment=True)
    for v in (child, direct, late):
        mark(voucher=v, day=D(2024, 4, 16), code="P", preschool_id=school.pk,
             is_working_day=WORKING, actor=PRE, now=NOW)
    done = tick(today=D(2024, 5, 2), now=NOW)
    assert done.settled == 3  # no LedgerError: the city is paid
    assert (done.left, done.owed) == (0, 1)  # the late child's month: an open item
    paid = {s.voucher_id: (s.due, s.paid, s.owed_because) for s in Settlement.objects.all()}
    assert paid[child.pk][:2] == (NORM, NORM) and paid[direct.pk][:2] == (NORM, NORM)
    due, got, why = paid[late.pk]
    assert due > 0 and got == 0 and why == Shortfall.OPERATOR_SHORT  # owed, with why
    may = fund(taraz, "2024-05", D(2024, 5, 7))  # the debt is requested with May (I18)
    assert may.lines.get(voucher=late).owed == due
    assert tick(today=D(2024, 5, 8), now=NOW).owed == 0
    s = Settlement.objects.get(voucher=late)
    assert (s.paid, s.owed_because) == (s.due, "")  # paid once the money is there
    told = Notification.objects.get(kind="payment_owed", recipient_key=late.parent_iin)
    assert (told.payload["month"], told.payload["amount"]) == ("2024-04", due)  # A7.18
    assert verify() == []


def test_an_account_closed_mid_month_pays_the_days_before_directly(money_city,
                                                                   nobd_export) -> None:
    # covers: I18, A10, A7.18
    taraz, school, child, _ = money_city
    fund(taraz, "2024-04", D(2024, 4, 8))
    mark(voucher=child, day=D(2024, 4, 2), code="P", preschool_id=school.pk,
         is_working_day=WORKING, actor=PRE, now=NOW)
    account_closed(account=ChildAccount.objects.get(voucher=child), closed_on=D(2024, 4, 15),
                   actor=BANK, now=NOW)
    tick(today=D(2024, 4, 22), now=NOW)  # the A10 sweep returns the balance
    done = tick(today=D(2024, 5, 2), now=NOW)  # no stop on the empty operator account
    s = Settlement.objects.get(voucher=child)
    assert s.direct and 0 < s.due < NORM  # the days before the closure (A8, I4), directly
    assert done.settled == 1 and s.paid == s.due
    assert verify() == []


def test_a_sheet_final_after_the_next_month_is_paid_when_it_becomes_final(money_city,
                                                                          nobd_export) -> None:
    # covers: I20, A7.16, A7.18
    taraz, school, child, direct = money_city
    fund(taraz, "2024-04", D(2024, 4, 8))
    sheet = mark(voucher=child, day=D(2024, 4, 2), code="A", preschool_id=school.pk,
                 is_working_day=WORKING, actor=PRE, now=NOW)
    dispute(sheet=sheet, reason="болел", on=D(2024, 4, 30), actor=PAR, now=NOW)
    tick(today=D(2024, 5, 2), now=NOW)
    assert not Settlement.objects.filter(voucher=child).exists()  # disputed: not final yet
    tick(today=D(2024, 6, 2), now=NOW)  # May's settlement
    answer_dispute(sheet=Sheet.objects.get(pk=sheet.pk), agree=False, on=D(2024, 6, 3), reason="был",
                   actor=PRE, now=NOW)  # upheld on 3 June: final
    tick(today=D(2024, 6, 4), now=NOW)
    assert Settlement.objects.get(voucher=child, month="2024-04").paid == NORM
    tick(today=D(2024, 6, 5), now=NOW)  # again: nothing more
    assert Transfer.objects.filter(id=f"payment/{child.pk}/2024-04").count() == 1


def test_a_child_listed_not_registered_is_paid_directly_not_from_its_empty_account(
        money_city, nobd_export) -> None:
    # covers: I19, A7.9
    taraz, school, child, _ = money_city
    fund(taraz, "2024-04", D(2024, 4, 8))
    account = ChildAccount.objects.get(voucher=child)
    monthly_list(bank=account.bank, month="2024-05", opened=[], not_registered=[account.pk],
                 received_on=D(2024, 5, 4), actor=BANK, now=NOW)
    for day in (D(2024, 4, 2), D(2024, 5, 2)):
        mark(voucher=child, day=day, code="P", preschool_id=school.pk, is_working_day=WORKING,
             actor=PRE, now=NOW)
    tick(today=D(2024, 5, 3), now=NOW)
    may = fund(taraz, "2024-05", D(2024, 5, 7))
    assert may.lines.get(voucher=child).direct  # May's money went to the operator
    tick(today=D(2024, 6, 3), now=NOW)
    s = Settlement.objects.get(voucher=child, month="2024-05")
    assert (s.direct, s.paid) == (True, s.due)  # from the operator, not the empty account
    assert Transfer.objects.filter(id=f"direct/{child.pk}/2024-05").exists()


def test_a_child_never_sent_to_a_bank_is_neither_funded_nor_paid(money_city,
                                                                 nobd_export) -> None:
    # covers: I19, A7.4, A7.5
    taraz, school, _, _ = money_city
    stray = make_voucher(taraz, 13)  # granted, never verified, never sent to a bank
    sign_contract(voucher=stray, preschool=school, on=D(2024, 4, 1), actor=PAR, now=NOW)
    request = fund(taraz, "2024-04", D(2024, 4, 8))
    assert not request.lines.filter(voucher=stray).exists()
    mark(voucher=stray, day=D(2024, 4, 2), code="P", preschool_id=school.pk,
         is_working_day=WORKING, actor=PRE, now=NOW)
    auto_confirm(today=D(2024, 5, 1), now=NOW)
    assert settle(city=taraz, month="2024-04", on=D(2024, 5, 2), actor=OPR, now=NOW) == 0
    assert not Settlement.objects.filter(voucher=stray).exists()  # left: the operator's item
    assert not Transfer.objects.filter(child=stray).exists()
    assert tick(today=D(2024, 5, 2), now=NOW).left == 1  # reported, never raised


def test_nothing_is_funded_outside_the_pilot_and_its_last_month_in_part(money_city) -> None:
    # covers: I21, O1
    taraz, *_ = money_city
    with pytest.raises(FundingRefused):  # Taraz's pilot ended on 25 December 2024
        build_request(city=taraz, month="2025-01", on=D(2025, 1, 6), actor=OPR, now=NOW)
    december = build_request(city=taraz, month="2024-12", on=D(2024, 12, 6), actor=OPR,
                             now=NOW)
    line = december.lines.first()
    assert 0 < line.norm < NORM  # 18 of December's 22 working days lie in the pilot


def test_a_debt_of_the_pilots_last_month_is_funded_after_it(money_city, nobd_export) -> None:
    # covers: I18, I21, O1, A9
    taraz, school, child, direct = money_city
    fund(taraz, "2024-12", D(2024, 12, 6))
    late = make_voucher(taraz, 9)  # joins on 16 December, after December's request
    sign_contract(voucher=late, preschool=school, on=D(2024, 12, 16), actor=PAR, now=NOW)
    sent_to_bank(late, ChildAccount.objects.get(voucher=child).bank, direct_payment=True)
    for v in (child, direct, late):  # the operator's money of December is the direct child's
        mark(voucher=v, day=D(2024, 12, 17), code="P", preschool_id=school.pk,
             is_working_day=WORKING, actor=PRE, now=NOW)
    assert tick(today=D(2025, 1, 2), now=NOW).owed == 1  # Taraz's pilot ended on the 25th
    january = fund(taraz, "2025-01", D(2025, 1, 6))  # no norm: the pilot's debts only
    line = january.lines.get()
    owed = Settlement.objects.get(voucher=late)
    assert (line.voucher_id, line.norm, line.owed, line.amount) == (
        late.pk, 0, owed.due, owed.due)
    assert tick(today=D(2025, 1, 7), now=NOW).owed == 0
    assert Settlement.objects.get(voucher=late).paid == owed.due
    assert verify() == []
