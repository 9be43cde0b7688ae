"""A bank reports on its accounts (A7.6-A7.10): an account opened makes the voucher active, one
closed annuls it (A10), the monthly list sends the children of unregistered parents to risk
verification and direct payment (A7.9); a child paid directly has one open risk case (I19)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from goszakaz.access.actor import Actor
from goszakaz.banking import services as banking
from goszakaz.banking.models import ChildAccount, MonthlyBankList
from goszakaz.domain.calendar import OutsideCalendar
from goszakaz.domain.states import IllegalTransition, needs_transition
from goszakaz.enrollment import services as enrollment
from goszakaz.enrollment.models import VOUCHER_TRANSITIONS, AnnulmentReason, VoucherStatus
from goszakaz.finance import sweep
from goszakaz.finance.month_deadlines import open_month
from goszakaz.registry.models import Bank, City
from goszakaz.verification import services as verification
from goszakaz.workflows import annulment


def account_opened(*, account: ChildAccount, number: str, opened_on: dt.date,
                   parent_registered: bool, actor: Actor, now: dt.datetime) -> bool:
    """A7.6, A7.7: the account is open (on a day not before it was requested, not in the future:
    banking.DateRefused); the child's voucher becomes active. A repeat (the same number) changes
    nothing and returns False."""
    opened = banking.account_opened(account=account, number=number, opened_on=opened_on,
                                    parent_registered=parent_registered, actor=actor, now=now)
    if opened:
        enrollment.set_status(voucher=account.voucher, to=VoucherStatus.ACTIVE,
                              why="account opened", actor=actor, now=now)
    return opened


def accounts_opened(*, bank: Bank, openings: Sequence[banking.Opening], actor: Actor,
                    now: dt.datetime) -> dict[int, bool | Exception]:
    """A7.6, A7.7: account_opened for many accounts of the bank, each decided alone: True opened
    now, False open already under the same number, or the error refusing it (as account_opened
    would raise it: banking's, or the voucher's IllegalTransition when it can no longer become
    active). The vouchers of the accounts opened now become active together."""
    vouchers = {pk: (voucher_id, status) for pk, voucher_id, status in ChildAccount.objects
                .filter(bank=bank, pk__in=[o.account_id for o in openings])
                .values_list("pk", "voucher_id", "voucher__status")}

    def voucher_refuses(account: ChildAccount) -> Exception | None:
        """After the bank's own checks, as account_opened then set_status would refuse."""
        try:
            needs_transition(vouchers[account.pk][1], VoucherStatus.ACTIVE, VOUCHER_TRANSITIONS)
        except IllegalTransition as e:
            return e
        return None

    outcomes = banking.accounts_opened(bank_id=bank.pk, openings=openings, actor=actor, now=now,
                                       check=voucher_refuses)
    enrollment.set_status_many(
        voucher_ids=[vouchers[pk][0] for pk, done in outcomes.items() if done is True],
        to=VoucherStatus.ACTIVE, why="account opened", actor=actor, now=now)
    return outcomes


def account_closed(*, account: ChildAccount, closed_on: dt.date, actor: Actor,
                   now: dt.datetime) -> bool:
    """A10, A9: the parent ended the bank-account contract on `closed_on` (not before the account
    opened, not in the future: banking.DateRefused): the voucher is annulled from the next day,
    or from the first day of the first month not yet paid when that day falls in a settled
    month (workflows.annulment); its balance returns by the ledger's sweep, due from the
    closure. What is left of its sheets is paid directly, so the child goes to risk
    verification (one open case, I19). A repeat changes nothing."""
    closed = banking.account_closed(account=account, closed_on=closed_on, actor=actor, now=now)
    if closed:
        annulment.annul(voucher=account.voucher, reason=AnnulmentReason.ACCOUNT_CLOSED,
                        on=closed_on + dt.timedelta(days=1), actor=actor, now=now)
        sweep.account_closed(voucher_id=account.voucher_id, closed_on=closed_on)
        verification.report_account_closed(voucher=account.voucher, account_id=account.pk,
                                           closed_on=closed_on, actor=actor, now=now)
    return closed


def monthly_list(*, bank: Bank, month: str, opened: list[int], not_registered: list[int],
                 received_on: dt.date, actor: Actor, now: dt.datetime) -> MonthlyBankList:
    """A7.9: the bank's list of the month; each child whose parent did not register is paid
    directly and goes to the operator's risk verification (one open case per child); the
    month's deadlines of the bank's cities open if they were not, and the funding request's
    due day moves to 2 business days after the list (A7.11)."""
    monthly, unregistered = banking.receive_monthly_list(
        bank=bank, month=month, opened=opened, not_registered=not_registered,
        received_on=received_on, actor=actor, now=now)
    for voucher in unregistered:
        verification.report_parent_not_registered(voucher=voucher, month=month, on=received_on,
                                                  actor=actor, now=now)
    # A7.11: the funding request is now due 2 business days after the list (the last one)
    for city in City.objects.filter(code__in=ChildAccount.objects.filter(bank=bank)
                                    .values("city")).order_by("code"):
        try:
            open_month(city=city, month=month)
        except OutsideCalendar:  # a month the calendar data does not reach: tick reports it
            continue
    return monthly
