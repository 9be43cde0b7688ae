"""A child paid directly to its preschool has one open risk case, not one per month (I19, A7.9):
opened when it becomes known (the bank's list naming the parent not registered, the account's
closure, a settlement paying a child who joined after the list), never a second while one is
open, even when two steps find the child at once (PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from goszakaz.attendance.services import auto_confirm, mark
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.models import AuditEntry
from goszakaz.banking.models import ChildAccount
from goszakaz.enrollment.services import sign_contract
from goszakaz.finance.models import Settlement
from goszakaz.registry.models import Bank
from goszakaz.verification.models import RiskCase, RiskCaseKind, RiskCaseState
from goszakaz.verification.services import (
    report_account_closed,
    report_paid_directly,
    report_parent_not_registered,
)
from goszakaz.workflows.bank_accounts import account_closed, monthly_list
from goszakaz.workflows.monthly_cycle import settle
from tests.factories import (
    BANK,
    NOW,
    OPR,
    PAR,
    PRE,
    WORKING,
    fund,
    make_preschool,
    make_voucher,
    pilot_city,
    race,
)

D = dt.date


def open_cases() -> dict[int, list[str]]:
    """The unresolved cases by child: their kinds."""
    cases: dict[int, list[str]] = {}
    for voucher_id, kind in RiskCase.objects.filter(
            state__in=(RiskCaseState.OPEN, RiskCaseState.EXCLUSION_REQUESTED)).values_list(
            "voucher_id", "kind"):
        cases.setdefault(voucher_id, []).append(kind)
    return cases


def test_i19_each_child_paid_directly_has_one_open_risk_case(money_city) -> None:
    # covers: I19, A7.9, A10, I18
    taraz, school, child, unregistered = money_city
    bank = Bank.objects.get(code="halyk")
    late = make_voucher(taraz, 7)  # sent to the bank after April's list: no account yet
    sign_contract(voucher=late, preschool=school, on=D(2024, 4, 1), actor=PAR, now=NOW)
    ChildAccount.objects.create(voucher=late, bank=bank, city="taraz", requested_on=D(2024, 4, 8))
    accounts = {a.voucher_id: a for a in ChildAccount.objects.all()}

    monthly_list(bank=bank, month="2024-04", opened=[accounts[child.pk].pk],
                 not_registered=[accounts[unregistered.pk].pk], received_on=D(2024, 4, 4),
                 actor=BANK, now=NOW)
    assert open_cases() == {unregistered.pk: [RiskCaseKind.PARENT_NOT_REGISTERED]}
    fund(taraz, "2024-04", D(2024, 4, 8))
    for v in (child, unregistered, late):
        mark(voucher=v, day=D(2024, 4, 2), code="P", preschool_id=school.pk,
             is_working_day=WORKING, actor=PRE, now=NOW)
    auto_confirm(today=D(2024, 5, 1), now=NOW)
    assert settle(city=taraz, month="2024-04", on=D(2024, 5, 2), actor=OPR, now=NOW) == 3
    direct = set(Settlement.objects.filter(month="2024-04", direct=True)
                 .values_list("voucher_id", flat=True))
    assert direct == {unregistered.pk, late.pk}
    # the child who joined after the list got its case when the settlement paid it directly
    assert open_cases() == {unregistered.pk: [RiskCaseKind.PARENT_NOT_REGISTERED],
                            late.pk: [RiskCaseKind.DIRECT_PAYMENT]}

    # May: the bank's list names the same parent again, the other child's account is closed
    # mid-month, and the month is settled: still one open case a child
    monthly_list(bank=bank, month="2024-05", opened=[accounts[child.pk].pk],
                 not_registered=[accounts[unregistered.pk].pk, accounts[late.pk].pk],
                 received_on=D(2024, 5, 3), actor=BANK, now=NOW)
    fund(taraz, "2024-05", D(2024, 5, 7))
    for v in (child, unregistered, late):
        mark(voucher=v, day=D(2024, 5, 2), code="P", preschool_id=school.pk,
             is_working_day=WORKING, actor=PRE, now=NOW)
    account_closed(account=accounts[child.pk], closed_on=D(2024, 5, 15), actor=BANK, now=NOW)
    assert open_cases()[child.pk] == [RiskCaseKind.DIRECT_PAYMENT]  # known at the closure
    auto_confirm(today=D(2024, 6, 1), now=NOW)
    assert settle(city=taraz, month="2024-05", on=D(2024, 6, 3), actor=OPR, now=NOW) == 3
    assert Settlement.objects.filter(month="2024-05", direct=True).count() == 3
    account_closed(account=accounts[child.pk], closed_on=D(2024, 5, 15), actor=BANK, now=NOW)
    assert open_cases() == {unregistered.pk: [RiskCaseKind.PARENT_NOT_REGISTERED],
                            late.pk: [RiskCaseKind.DIRECT_PAYMENT],
                            child.pk: [RiskCaseKind.DIRECT_PAYMENT]}
    assert RiskCase.objects.count() == 3
    assert AuditEntry.objects.filter(action=AuditAction.RISK_CASE_OPENED).count() == 3


def test_i19_no_second_case_while_one_is_open_whoever_opens_it(money_city) -> None:
    # covers: I19, A7.9
    taraz, _, child, _ = money_city
    case, created = report_parent_not_registered(voucher=child, month="2024-04",
                                                 on=D(2024, 4, 4), actor=BANK, now=NOW)
    assert created
    again = report_account_closed(voucher=child, account_id=1, closed_on=D(2024, 6, 3),
                                  actor=BANK, now=NOW)
    assert again == (case, False)
    assert report_paid_directly(accounts={child.pk: 1}, on=D(2024, 7, 2), actor=OPR,
                                now=NOW) == 0
    RiskCase.objects.filter(pk=case.pk).update(state=RiskCaseState.CONFIRMED)  # resolved
    # a new finding after the first was resolved opens a new case; the same finding does not
    assert report_paid_directly(accounts={child.pk: 1}, on=D(2024, 7, 2), actor=OPR,
                                now=NOW) == 1
    RiskCase.objects.filter(kind=RiskCaseKind.DIRECT_PAYMENT).update(
        state=RiskCaseState.CONFIRMED)
    assert report_paid_directly(accounts={child.pk: 1}, on=D(2024, 8, 2), actor=OPR,
                                now=NOW) == 0
    assert RiskCase.objects.count() == 2 and open_cases() == {}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_i19_two_steps_finding_a_child_at_once_open_one_case() -> None:
    # covers: I19, A7.9
    assert connection.vendor == "postgresql"
    taraz = pilot_city("taraz")
    with transaction.atomic():
        school = make_preschool(taraz, 1, capacity=20)
        children = [make_voucher(taraz, 3 * i) for i in range(1, 11)]
        for v in children:
            sign_contract(voucher=v, preschool=school, on=D(2024, 4, 1), actor=PAR, now=NOW)
    for i, v in enumerate(children):  # ten races: the bank's list and a closure or a settlement
        second = ((lambda v=v, i=i: report_account_closed(
            voucher=v, account_id=100 + i, closed_on=D(2024, 5, 3), actor=BANK, now=NOW))
            if i % 2 else (lambda v=v, i=i: report_paid_directly(
                accounts={v.pk: 100 + i}, on=D(2024, 5, 3), actor=OPR, now=NOW)))
        results = race(
            lambda v=v: report_parent_not_registered(voucher=v, month="2024-05",
                                                     on=D(2024, 5, 3), actor=BANK, now=NOW),
            second)
        assert not any(isinstance(r, Exception) for r in results), results
        opened = [r[1] if isinstance(r, tuple) else r for r in results]
        assert sorted(opened) == [0, 1], results  # one opened it, the other found it open
    assert sorted(len(kinds) for kinds in open_cases().values()) == [1] * 10
    assert AuditEntry.objects.filter(action=AuditAction.RISK_CASE_OPENED).count() == 10
