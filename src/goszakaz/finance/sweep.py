"""Sweeping balances back to the operator: a closed bank account (A10) and 1 January (A7.18)."""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.db.models import CharField, F, Max, Sum
from django.db.models.functions import Cast

from goszakaz.access.actor import Actor
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record
from goszakaz.banking.models import AccountStatus, ChildAccount
from goszakaz.deadlines.models import Deadline
from goszakaz.deadlines.services import (
    business_days_after,
    cancel_rows,
    meet,
    open_deadline,
    open_subjects,
)
from goszakaz.domain.months import month_of
from goszakaz.finance.ledger import Spec, account, post, post_batch
from goszakaz.finance.models import AccountKind, LedgerAccount, Settlement, Transfer, TransferCode
from goszakaz.finance.payments import pay_owed

DAYS = 5  # A10 and A7.18: five business days for the return
BATCH = 100_000  # transfers per post_batch call (each is staged in memory first)

logger = logging.getLogger(__name__)


class SweepError(ValueError):
    """A sweep the rules do not allow yet; the message says which."""


def returns_account(city: str) -> LedgerAccount:
    """The operator's returns account of a city (created on first use, owner = city code)."""
    return account(kind=AccountKind.OPERATOR_RETURNS, owner=city, city=city)


def _closed_child_ledgers() -> list[tuple[LedgerAccount, dt.date | None]]:
    """Open child ledger accounts whose child has a closed bank account and no live one."""
    live = ChildAccount.objects.exclude(status=AccountStatus.CLOSED).values("voucher_id")
    closed = (ChildAccount.objects.filter(status=AccountStatus.CLOSED)
              .exclude(voucher_id__in=live))
    owners = closed.annotate(owner=Cast("voucher_id", output_field=CharField())).values("owner")
    ledgers = list(LedgerAccount.objects.filter(kind=AccountKind.CHILD, closed=False,
                                                owner__in=owners).order_by("pk"))
    closed_on = dict(closed.filter(voucher_id__in=[int(a.owner) for a in ledgers])
                     .values("voucher_id").annotate(on=Max("closed_on"))
                     .values_list("voucher_id", "on"))
    return [(a, closed_on.get(int(a.owner))) for a in ledgers]


def closure_subject(voucher_id: int) -> str:
    """The subject of the return of a closed account's balance (A10)."""
    return f"sweep/{voucher_id}/closed"


def closure_deadline(*, voucher_id: int, city: str, closed_on: dt.date) -> Deadline:
    """A10: the balance returns within 5 business days of the account's closure; opened once."""
    return open_deadline(clause="A10", city=city, subject=closure_subject(voucher_id),
                         title=f"Возврат остатка оператору: счёт ребёнка {voucher_id} закрыт",
                         opened_on=closed_on, due_on=business_days_after(closed_on, DAYS))


def account_closed(*, voucher_id: int, closed_on: dt.date) -> Deadline | None:
    """A10: a child's bank account closed: the return of its balance is due from today, when
    the child has a ledger account still open (none: nothing to return)."""
    ledger = LedgerAccount.objects.filter(kind=AccountKind.CHILD, owner=str(voucher_id),
                                          closed=False).first()
    if ledger is None:
        return None
    return closure_deadline(voucher_id=voucher_id, city=ledger.city, closed_on=closed_on)


def _cancel_reopened() -> int:
    """A10: a child with a live bank account again keeps its balance: the return opened at the
    closure is cancelled."""
    rows = {pk: subject.split("/")[1] for pk, _city, subject
            in open_subjects(clause="A10", prefix="sweep/") if subject.endswith("/closed")}
    live = {str(v) for v in ChildAccount.objects.exclude(status=AccountStatus.CLOSED).filter(
        voucher_id__in=[int(v) for v in rows.values() if v.isdigit()])
        .values_list("voucher_id", flat=True)}
    return cancel_rows(ids=[pk for pk, voucher in rows.items() if voucher in live])


def sweep_closed_accounts(*, today: dt.date, actor: Actor, now: dt.datetime) -> int:
    """A10: the balance of a child whose bank account closed returns to the operator.

    For each such child: a deadline (5 business days after the account closed) is opened when
    first seen, if the closure did not open it (`account_closed`); what the child's final
    sheets still owe is paid to the preschool from the balance (I5, `pay_owed`); the rest goes
    to the city's OPERATOR_RETURNS account by transfer `sweep/<voucher>/closed`; the ledger
    account is closed and the deadline met. A child that has a live (requested or opened) bank
    account again keeps its balance, and a deadline its closure opened is cancelled. Returns
    how many ledger accounts were closed; running it again closes none.
    """
    started = time.perf_counter()
    swept = 0
    _cancel_reopened()
    for ledger, closed_on in _closed_child_ledgers():
        voucher_id, city = int(ledger.owner), ledger.city
        closed_on = closed_on or today
        subject = closure_subject(voucher_id)
        closure_deadline(voucher_id=voucher_id, city=city, closed_on=closed_on)
        locked = LedgerAccount.objects.select_for_update().get(pk=ledger.pk)
        if locked.closed:  # another run closed it while we waited for the lock
            continue
        before = locked.balance
        paid = pay_owed(voucher_id=voucher_id, upto=month_of(max(today, closed_on)), city=city,
                        now=now, payer=locked)
        rest = LedgerAccount.objects.get(pk=ledger.pk).balance
        if rest > 0:
            post(Spec(id=subject, debit=ledger.pk, credit=returns_account(city).pk, amount=rest,
                      code=TransferCode.SWEEP, period=month_of(closed_on), city=city,
                      child=voucher_id), now=now)
        LedgerAccount.objects.filter(pk=ledger.pk).update(closed=True)
        meet(clause="A10", city=city, subject=subject, on=today)
        record(actor=actor, action=AuditAction.LEDGER_SWEPT_CLOSED, at=now, obj_type="child_ledger",
               obj_id=voucher_id, city=city, before={"balance": before, "closed": False},
               after={"paid_to_preschools": paid, "returned": max(rest, 0), "closed": True,
                      "account_closed_on": closed_on.isoformat()}, children=[voucher_id])
        swept += 1
    logger.log(logging.INFO if swept else logging.DEBUG, "closed accounts swept", extra={
        "date": today.isoformat(), "accounts": swept,
        "seconds": round(time.perf_counter() - started, 3)})
    return swept


def _net_after(city: str, since: str) -> dict[int, int]:
    """Per child ledger account of a city: credits minus debits of transfers from `since` on."""
    net: dict[int, int] = {}
    later = Transfer.objects.filter(period__gte=since)
    for pk, total in (later.filter(credit__kind=AccountKind.CHILD, credit__city=city)
                      .values("credit_id").annotate(s=Sum("amount")).values_list("credit_id", "s")):
        net[pk] = net.get(pk, 0) + total
    for pk, total in (later.filter(debit__kind=AccountKind.CHILD, debit__city=city)
                      .values("debit_id").annotate(s=Sum("amount")).values_list("debit_id", "s")):
        net[pk] = net.get(pk, 0) - total
    return net


def _sweep_city(city: str, year: int, now: dt.datetime) -> int:
    """Post the year-end returns of one city's children; returns how many transfers were new."""
    last = f"{year - 1}-12"
    owing = (Settlement.objects.filter(city=city, month__lte=last, due__gt=F("paid"))
             .values_list("voucher_id", flat=True).distinct().order_by("voucher_id"))
    for voucher_id in owing:  # I5: what December's sheets earned goes to the preschools first
        pay_owed(voucher_id=voucher_id, upto=last, city=city, now=now)
    rows = list(LedgerAccount.objects.select_for_update()
                .filter(kind=AccountKind.CHILD, city=city, closed=False,
                        credits_posted__gt=F("debits_posted"))
                .order_by("pk").values_list("pk", "owner", "credits_posted", "debits_posted"))
    if not rows:
        return 0
    later = _net_after(city, f"{year}-01")
    done = set(Transfer.objects.filter(code=TransferCode.SWEEP, period=last, city=city)
               .values_list("id", flat=True))
    returns = returns_account(city)
    specs = []
    for pk, owner, credits, debits in rows:
        balance = credits - debits
        amount = min(balance, balance - later.get(pk, 0))  # the balance at the end of `year - 1`
        transfer_id = f"sweep/{owner}/{year - 1}"
        if amount > 0 and transfer_id not in done:
            specs.append(Spec(id=transfer_id, debit=pk, credit=returns.pk, amount=amount,
                              code=TransferCode.SWEEP, period=last, city=city, child=int(owner)))
    return sum(post_batch(specs[i:i + BATCH], now=now) for i in range(0, len(specs), BATCH))


def year_end_subject(year: int) -> str:
    """The subject of the sweep of `year`'s balances on 1 January of the next (A7.18)."""
    return f"sweep/{year}"


def year_end_deadline(*, city: str, year: int, opened_on: dt.date) -> Deadline:
    """A7.18: the return of the balances left at the end of `year`, due 5 business days after
    1 January of the next year; opened once (in December by tick, else by the sweep)."""
    first = dt.date(year + 1, 1, 1)
    return open_deadline(clause="A7.18", city=city, subject=year_end_subject(year),
                         title=f"Возврат остатков на 1 января {year + 1} оператору",
                         opened_on=opened_on, due_on=business_days_after(first, DAYS))


def sweep_year_end(*, year: int, today: dt.date, actor: Actor, now: dt.datetime) -> int:
    """A7.18: on 1 January of `year` (or later) every child's balance at the end of `year - 1`
    returns to the operator, without the holder's consent.

    Per city: a deadline due 5 business days after 1 January; the children's unpaid settlements
    of `year - 1` are paid from their balances first (I5); then, set-based, one transfer
    `sweep/<voucher>/<year - 1>` (period `<year - 1>-12`) per child account with money left
    from `year - 1` (transfers of periods from January of `year` on stay on the account);
    the deadline is met. Closed ledger accounts were swept by A10 already. Running it again
    posts nothing. Returns how many transfers were posted.
    """
    first = dt.date(year, 1, 1)
    if today < first:
        raise SweepError(f"the year-end sweep of {year - 1} runs on {first} or later, not {today}")
    subject = year_end_subject(year - 1)
    # the cities with balances, and those whose deadline tick opened in December (met even
    # with nothing to sweep)
    opened = {city for _pk, city, s in open_subjects(clause="A7.18", prefix=subject)
              if s == subject}
    cities = sorted(set(LedgerAccount.objects.filter(kind=AccountKind.CHILD)
                        .values_list("city", flat=True).distinct()) | opened)
    total = 0
    for city in cities:
        started = time.perf_counter()
        year_end_deadline(city=city, year=year - 1, opened_on=first)
        posted = _sweep_city(city, year, now)
        met = meet(clause="A7.18", city=city, subject=subject, on=today)
        if posted or met:
            record(actor=actor, action=AuditAction.LEDGER_SWEPT_YEAR_END, at=now, obj_type="city",
                   obj_id=city, city=city, after={"year": year - 1, "transfers": posted})
        logger.log(logging.INFO if posted or met else logging.DEBUG, "year-end balances swept",
                   extra={"city": city, "year": year - 1, "transfers": posted,
                          "deadline_met": met, "seconds": round(time.perf_counter() - started, 3)})
        total += posted
    return total
