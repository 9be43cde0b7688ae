"""The bank API checks a bank's dates against what they concern (R10 of issue 9: A10, A2, A9):
an account opened before it was requested, closed before it opened, or on a day not yet come is
refused with 422 and nothing changes; a closure dated in a month already paid takes effect from
the first unpaid day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from goszakaz import clock
from goszakaz.attendance.models import Sheet, SheetState
from goszakaz.audit.models import AuditEntry
from goszakaz.banking.models import AccountStatus, ChildAccount
from goszakaz.enrollment.models import Contract, Voucher, VoucherStatus
from goszakaz.enrollment.services import set_status
from goszakaz.finance.models import Settlement, Transfer
from goszakaz.finance.verify import verify
from goszakaz.workflows.monthly_cycle import settle, tick
from goszakaz.workflows.onboarding import issue_api_token, send_to_bank
from tests import factories
from tests.factories import NOW, OPR, Api, fund, pilot_city

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
D = dt.date
IBAN = "KZ86125KZT5004100100"


@pytest.fixture
def city(live_server):
    """Taraz with money (factories.money_city): the child with an open account, its contract
    from April; a third child sent to the bank on 10 March 2024, its account not opened yet."""
    with transaction.atomic():
        taraz, school, child, _ = factories.money_city(pilot_city("taraz"))
        waiting = factories.make_voucher(taraz, 7)
        set_status(voucher=waiting, to=VoucherStatus.VERIFIED, why="НОБД", actor=OPR, now=NOW)
        bank = ChildAccount.objects.get(voucher=child).bank
        send_to_bank(city=taraz, bank=bank, on=D(2024, 3, 10), actor=OPR, now=NOW)
    return (Api(live_server.url, issue_api_token(bank=bank, actor=OPR, now=NOW)), taraz, school,
            child, ChildAccount.objects.get(voucher=waiting))


def _state() -> tuple[object, ...]:
    return (list(ChildAccount.objects.order_by("pk").values_list("status", "opened_on",
                                                                  "closed_on")),
            list(Contract.every.order_by("pk").values_list("starts_on", "ends_on",
                                                            "cancelled_on")),
            list(Voucher.objects.order_by("pk").values_list("status", "annulled_on")),
            AuditEntry.objects.count())


def test_the_issues_dates_are_refused_and_nothing_changes(city) -> None:
    # covers: A10, A2, A9, A7.6
    bank, _, _, child, waiting = city
    account = ChildAccount.objects.get(voucher=child)
    before = _state()
    # R10: closed on 2000-01-01, before the account was opened (25 March 2024)
    status, answer = bank.call("POST", "/accounts/closed",
                               {"account_id": account.pk, "closed_on": "2000-01-01"}, key="c-1")
    assert status == 422 and "01.01.2000" in answer["detail"] and "25.03.2024" in answer["detail"]
    # opened on 1900-01-01, before the bank was asked to open it (10 March 2024)
    status, answer = bank.call("POST", "/accounts/opened",
                               {"account_id": waiting.pk, "number": "KZ86125KZT5004100101",
                                "opened_on": "1900-01-01", "parent_registered": True}, key="o-1")
    assert status == 422 and "10.03.2024" in answer["detail"]
    # a day that has not come yet, either way
    tomorrow = (clock.today() + dt.timedelta(days=2)).isoformat()
    assert bank.call("POST", "/accounts/closed", {"account_id": account.pk,
                                                  "closed_on": tomorrow}, key="c-2")[0] == 422
    assert bank.call("POST", "/accounts/opened",
                     {"account_id": waiting.pk, "number": "KZ86125KZT5004100101",
                      "opened_on": tomorrow, "parent_registered": True}, key="o-2")[0] == 422
    assert _state() == before
    # the same keys with true dates go through (a refused answer is not stored)
    assert bank.call("POST", "/accounts/opened",
                     {"account_id": waiting.pk, "number": "KZ86125KZT5004100101",
                      "opened_on": "2024-03-12", "parent_registered": True}, key="o-1")[0] == 200
    waiting.refresh_from_db()
    assert waiting.status == AccountStatus.OPENED


def test_a_closure_in_a_paid_month_through_the_api_keeps_the_paid_month(
        city, settings, tmp_path) -> None:
    # covers: A10, A9, A2, A7.18
    settings.NOBD_EXPORT_DIR = tmp_path
    bank, taraz, school, child, _ = city
    with transaction.atomic():
        fund(taraz, "2024-04", D(2024, 4, 3))
        for month, days in (("2024-04", 30), ("2024-05", 31)):
            Sheet.objects.create(voucher=child, preschool=school, city="taraz", month=month,
                                 days="." * days, state=SheetState.AUTO_CONFIRMED,
                                 parent_responded=True, final_on=D(2024, 5, 1))
        settle(city=taraz, month="2024-04", on=D(2024, 5, 2), actor=OPR, now=NOW)
    paid = Transfer.objects.get(code="payment", child=child, period="2024-04").amount
    assert paid > 0

    account = ChildAccount.objects.get(voucher=child)
    assert bank.call("POST", "/accounts/closed", {"account_id": account.pk,
                                                  "closed_on": "2024-04-10"}, key="c") == (
        200, {"account_id": account.pk, "status": "closed"})

    child.refresh_from_db()
    assert (child.status, child.annulled_on) == ("annulled", D(2024, 5, 1))
    assert Contract.objects.get(voucher=child).ends_on == D(2024, 4, 30)
    account.refresh_from_db()
    assert account.closed_on == D(2024, 4, 10)  # what the bank reported stays on record
    assert verify() == []
    result = tick(today=D(2024, 6, 1), now=NOW)  # May: no contract for the child, no crash
    assert result.month == "2024-05"
    assert not Settlement.objects.filter(voucher=child, month="2024-05").exists()
    assert Transfer.objects.get(code="payment", child=child, period="2024-04").amount == paid
    assert verify() == []
