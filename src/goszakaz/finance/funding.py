"""The monthly funding cycle (A7.11, A7.12): request per child, budget to operator, operator to children."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.db.models import CharField, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Cast, Concat, JSONObject
from django.utils.translation import gettext as _

from goszakaz.access.actor import Actor
from goszakaz.attendance.models import Sheet
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record
from goszakaz.audit.transitions import move
from goszakaz.banking.models import AccountStatus, ChildAccount, MonthlyBankList
from goszakaz.banking.services import banks_owing_list, list_due_on
from goszakaz.bulk import insert_rows
from goszakaz.deadlines.models import Deadline
from goszakaz.deadlines.services import business_days_after, meet, open_deadline, reschedule
from goszakaz.domain.money import mul_div_round_half_up
from goszakaz.domain.months import first_day, last_day
from goszakaz.enrollment.models import Contract, VoucherStatus
from goszakaz.finance.ledger import Spec, account, post, post_batch
from goszakaz.finance.models import (
    REQUEST_TRANSITIONS,
    AccountKind,
    AgeGroup,
    FundingLine,
    FundingRequest,
    LedgerAccount,
    RequestState,
    Settlement,
    TransferCode,
)
from goszakaz.finance.tariffs import monthly_norm
from goszakaz.notifications.models import Notification
from goszakaz.notifications.services import notify_from
from goszakaz.registry.models import City
from goszakaz.rules.calendar import kz_calendar

DAYS = 2  # A7.11 and A7.12: two business days for each step

logger = logging.getLogger(__name__)


LINE_COLUMNS = ("request_id", "voucher_id", "account_id", "norm", "balance", "owed", "amount",
                "direct")


def age_group(birth_date: dt.date, month: str) -> str:
    """Under 3 on the 1st of the month: the early-age norm; else the preschool norm."""
    first = dt.date.fromisoformat(month + "-01")
    age = first.year - birth_date.year - ((first.month, first.day) < (birth_date.month,
                                                                        birth_date.day))
    return AgeGroup.EARLY if age < 3 else AgeGroup.PRESCHOOL


def city_accounts(city: City) -> tuple[LedgerAccount, LedgerAccount]:
    """The city's budget account and the operator's account for the city."""
    return (account(kind=AccountKind.BUDGET, owner=city.code, city=city.code, no_overdraft=False),
            account(kind=AccountKind.OPERATOR, owner=city.code, city=city.code))


def _owed_before(city: City, month: str) -> dict[int, int]:
    """What each child's account still owes preschools for earlier months (I5)."""
    rows = (Settlement.objects.filter(city=city.code, month__lt=month, due__gt=F("paid"))
            .values("voucher_id").annotate(due=Sum("due"), paid=Sum("paid")))
    return {r["voucher_id"]: r["due"] - r["paid"] for r in rows}


def _reserved_before(city: City, month: str) -> dict[int, int]:
    """I5: what each child's account keeps for its earlier months of the year whose sheet is
    not settled yet (disputed, or final and not paid yet): the norm funded for that month. Last
    year's balances went back on 1 January (A7.18), so only this year's months count."""
    pending = set(Sheet.objects.filter(city=city.code, month__lt=month,
                                       month__gte=f"{month[:4]}-01")
                  .filter(~Exists(Settlement.objects.filter(sheet_id=OuterRef("pk"))))
                  .values_list("voucher_id", "month"))
    reserved: dict[int, int] = {}
    if not pending:
        return reserved
    for voucher_id, funded_month, norm in FundingLine.objects.filter(
            request__city=city, request__month__in={m for _v, m in pending},
            voucher_id__in={v for v, _m in pending}, direct=False).values_list(
            "voucher_id", "request__month", "norm"):
        if (voucher_id, funded_month) in pending:
            reserved[voucher_id] = reserved.get(voucher_id, 0) + norm
    return reserved


def _child_ledgers(city: City, banks: dict[int, int]) -> dict[int, tuple[int, int]]:
    """(account id, balance) of the open ledger account of each child with a bank account,
    made where missing."""
    owners = {str(v) for v in banks}
    city_children = LedgerAccount.objects.filter(kind=AccountKind.CHILD, city=city.code)
    existing = set(city_children.values_list("owner", flat=True))
    insert_rows(LedgerAccount, ("kind", "owner", "city", "bank_id", "no_overdraft", "closed",
                                "debits_posted", "credits_posted"),
                [(AccountKind.CHILD.value, o, city.code, banks[int(o)], True, False, 0, 0)
                 for o in sorted(owners - existing)])
    return {int(owner): (pk, credits - debits) for owner, pk, credits, debits
            in city_children.filter(closed=False).values_list("owner", "pk", "credits_posted",
                                                               "debits_posted")
            if owner in owners}


class FundingRefused(ValueError):
    """A funding request the rules do not allow (a month outside the city's pilot, O1, I21)."""


def pilot_share(city: City, month: str) -> tuple[int, int]:
    """O1, I21: the working days of the month inside the city's pilot period, and the month's
    working days: the share of the norm a month the pilot starts or ends in is funded for."""
    first, last = first_day(month), last_day(month)
    calendar = kz_calendar((first.year,))
    low = max(first, city.pilot_start)
    high = min(last, city.pilot_end) if city.pilot_end else last
    inside = calendar.count_working_days(low, high) if low <= high else 0
    return inside, calendar.count_working_days(first, last)


def request_subject(city: City, month: str) -> str:
    """The subject of the month's funding deadlines (A7.11 the request, A7.12 the transfer)."""
    return f"funding/{city.code}/{month}"


def request_due(city: City, month: str) -> dt.date:
    """A7.11: 2 business days after the bank's list; with several banks owing the city a list,
    after the last of them. While a list is missing, after the 5th (the day it is due) or after
    the latest list already in, whichever is later: a provisional day, moved when lists arrive."""
    banks = banks_owing_list(city=city, month=month)
    received = list(MonthlyBankList.objects.filter(bank__in=banks, month=month)
                    .values_list("received_on", flat=True))
    anchor = max(received) if banks and len(received) == len(banks) else max(
        [list_due_on(month), *received])
    return business_days_after(anchor, DAYS)


def request_deadline(*, city: City, month: str, opened_on: dt.date) -> Deadline:
    """A7.11: the month's funding request deadline, opened once; its due day follows the banks'
    lists (request_due) until it is met."""
    subject = request_subject(city, month)
    due_on = request_due(city, month)
    deadline = open_deadline(clause="A7.11", city=city.code, subject=subject, opened_on=opened_on,
                             title=f"Заявка на финансирование за {month}", due_on=due_on)
    if reschedule(clause="A7.11", city=city.code, subject=subject, due_on=due_on):
        deadline.refresh_from_db()
    return deadline


def transfer_deadline(*, city: City, month: str, opened_on: dt.date) -> Deadline:
    """A7.12: the city department's transfer, 2 business days after the request was sent;
    until it is, provisionally 2 business days after the request's due day."""
    subject = request_subject(city, month)
    sent_on = (FundingRequest.objects.filter(city=city, month=month)
               .values_list("sent_on", flat=True).first())
    after = sent_on if sent_on is not None else Deadline.objects.get(
        clause="A7.11", city=city.code, subject=subject).due_on
    due_on = business_days_after(after, DAYS)
    deadline = open_deadline(clause="A7.12", city=city.code, subject=subject, opened_on=opened_on,
                             title=f"Перечисление оператору за {month}", due_on=due_on)
    if reschedule(clause="A7.12", city=city.code, subject=subject, due_on=due_on):
        deadline.refresh_from_db()
    return deadline


def build_request(*, city: City, month: str, on: dt.date, actor: Actor, now: dt.datetime
                  ) -> FundingRequest:
    """A7.11, A9, I5, I18, I19, I21: the request for the month; building it again returns the
    first one.

    Per child with a contract in the month and sent to a bank (A7.5): the norm (for the pilot's
    part of a month it starts or ends in, I21) + what is owed for earlier months - the balance,
    never below zero. Children without an open account that pays (not registered, account
    closed, not opened yet) are listed apart: the operator pays their preschool directly after
    the sheet (A7.9, I19). A child owed for an earlier month without a contract in this one
    gets a line for the debt (I18). A child never sent to a bank is neither funded nor paid
    (I19). A month wholly outside the city's pilot carries only the debts of the pilot's
    months (I18: owed to preschools for days inside it), and is refused (FundingRefused) when
    there are none.
    """
    started = time.perf_counter()
    prior = FundingRequest.objects.filter(city=city, month=month).first()
    if prior is not None:
        logger.debug("funding request exists", extra={"city": city.code, "month": month,
                                                       "request_id": prior.pk})
        return prior
    first, last = first_day(month), last_day(month)
    inside, working = pilot_share(city, month)
    owed = _owed_before(city, month)
    if inside == 0 and not owed:
        raise FundingRefused(_("%(month)s is outside the city's pilot period (O1).")
                             % {"month": month})
    contracts = (Contract.objects.filter(voucher__city=city, starts_on__lte=last)
                 .filter(Q(ends_on=None) | Q(ends_on__gte=first))
                 .exclude(voucher__status=VoucherStatus.ANNULLED)
                 .order_by("voucher_id", "starts_on")
                 .values_list("voucher_id", "voucher__birth_date", "stay_mode"))
    opened = dict(ChildAccount.objects.filter(
        city=city.code, status=AccountStatus.OPENED, direct_payment=False)
        .values_list("voucher_id", "bank_id"))
    sent = set(ChildAccount.objects.filter(city=city.code).values_list("voucher_id", flat=True))
    request = FundingRequest.objects.create(city=city, month=month, sent_on=on, to_accounts=0,
                                            direct=0)
    ledgers = _child_ledgers(city, opened)
    reserved = _reserved_before(city, month)
    norms: dict[tuple[str, str], int] = {}
    lines: list[tuple[object, ...]] = []
    seen: set[int] = set()
    to_accounts = direct = 0
    debts = [(voucher_id, None, None) for voucher_id in sorted(owed)]  # I18: owed, no contract
    for voucher_id, birth_date, stay_mode in [*contracts, *debts]:
        if voucher_id in seen or voucher_id not in sent:  # I19: never sent to a bank
            continue
        if inside == 0 and voucher_id not in owed:  # after the pilot: its debts only (I18)
            continue
        seen.add(voucher_id)
        if birth_date is None or stay_mode is None or inside == 0:
            norm = 0
        else:
            key = (age_group(birth_date, month), stay_mode)
            if key not in norms:
                norms[key] = mul_div_round_half_up(monthly_norm(
                    city=city, age_group=key[0], stay_mode=key[1], month=month), inside, working)
            norm = norms[key]
        ledger = ledgers.get(voucher_id)
        balance = ledger[1] if ledger else 0
        debt = owed.get(voucher_id, 0) + (reserved.get(voucher_id, 0) if ledger else 0)
        # I5, A9: what is still owed for earlier months comes too (the operator pays it
        # directly for a child without an account)
        amount = max(0, norm + debt - balance) if ledger else norm + debt
        if ledger:
            to_accounts += amount
        else:
            direct += amount
        lines.append((request.pk, voucher_id, ledger[0] if ledger else None, norm, balance, debt,
                      amount, ledger is None))
    insert_rows(FundingLine, LINE_COLUMNS, lines)
    request.to_accounts, request.direct = to_accounts, direct
    request.save(update_fields=["to_accounts", "direct"])
    request_deadline(city=city, month=month, opened_on=first)  # opened on the 1st by tick
    meet(clause="A7.11", city=city.code, subject=request_subject(city, month), on=on)
    transfer_deadline(city=city, month=month, opened_on=on)  # now due 2 business days after
    record(actor=actor, action=AuditAction.FUNDING_REQUESTED, at=now, obj_type="funding_request",
           obj_id=request.pk, city=city.code,
           after={"month": month, "children": len(lines), "to_accounts": request.to_accounts,
                  "direct": request.direct})
    logger.info("funding requested", extra={
        "city": city.code, "month": month, "request_id": request.pk, "children": len(lines),
        "to_accounts_tiyn": to_accounts, "direct_tiyn": direct,
        "seconds": round(time.perf_counter() - started, 3)})
    return request


ORDER = [RequestState.SENT, RequestState.TRANSFERRED, RequestState.DISTRIBUTED]


def _move(request: FundingRequest, to: RequestState, *, action: AuditAction, actor: Actor,
          now: dt.datetime, detail: dict[str, int], **dates: Any) -> bool:
    """The next step of the request, audited; a step already done (or passed) is a no-op."""
    request = FundingRequest.objects.select_for_update().select_related("city").get(pk=request.pk)
    if ORDER.index(RequestState(request.state)) >= ORDER.index(to):
        return False
    return move(request, to, transitions=REQUEST_TRANSITIONS, actor=actor, at=now,
                action=action, obj_type="funding_request", city=request.city.code,
                detail=detail, **dates) is not None


def transfer_to_operator(*, request: FundingRequest, on: dt.date, actor: Actor,
                         now: dt.datetime) -> bool:
    """A7.12: the city department transfers the requested money to the operator."""
    budget, operator = city_accounts(request.city)
    total = request.to_accounts + request.direct
    if total > 0:
        post(Spec(id=f"budget/{request.city.code}/{request.month}", debit=budget.pk,
                  credit=operator.pk, amount=total, code=TransferCode.BUDGET,
                  period=request.month, city=request.city.code), now=now)
    moved = _move(request, RequestState.TRANSFERRED, action=AuditAction.FUNDING_TRANSFERRED,
                  actor=actor, now=now, detail={"amount": total}, transferred_on=on)
    meet(clause="A7.12", city=request.city.code, subject=request_subject(request.city,
                                                                         request.month), on=on)
    logger.info("funding transferred to the operator", extra={
        "city": request.city.code, "month": request.month, "request_id": request.pk,
        "amount_tiyn": total, "moved": moved})
    return moved


def distribute(*, request: FundingRequest, on: dt.date, actor: Actor, now: dt.datetime) -> int:
    """A7.12: the operator credits each child's account by the calculation; once per month."""
    started = time.perf_counter()
    _, operator = city_accounts(request.city)
    lines = (request.lines.filter(direct=False, amount__gt=0, account__closed=False)
             .values_list("voucher_id", "account_id", "amount"))  # a swept account gets none
    specs = [Spec(id=f"funding/{voucher_id}/{request.month}", debit=operator.pk,
                  credit=account_id, amount=amount, code=TransferCode.FUNDING,
                  period=request.month, city=request.city.code, child=voucher_id)
             for voucher_id, account_id, amount in lines if account_id is not None]
    posted = post_batch(specs, now=now)
    _tell_funded(request, now)
    _move(request, RequestState.DISTRIBUTED, action=AuditAction.FUNDING_DISTRIBUTED, actor=actor,
          now=now, detail={"transfers": posted}, distributed_on=on)
    logger.info("funding distributed", extra={
        "city": request.city.code, "month": request.month, "request_id": request.pk,
        "lines": len(specs), "transfers": posted,
        "seconds": round(time.perf_counter() - started, 3)})
    return posted


def _tell_funded(request: FundingRequest, now: dt.datetime) -> int:
    """A7.12: tell each parent what was credited to the child's account for the month, written
    by one INSERT ... SELECT from the request's lines; a message already written is not again."""
    key = Concat(Value("funding/"), Cast("voucher_id", CharField()), Value("/"),
                 F("request__month"), output_field=CharField())
    messages = (request.lines.filter(direct=False, amount__gt=0, account__closed=False,
                                     account__isnull=False)
                .annotate(n_city=F("account__city"), n_kind=Value("funding", CharField()),
                          n_role=Value("PAR", CharField()), n_key=F("voucher__parent_iin"),
                          n_payload=JSONObject(month=F("request__month"), amount=F("amount")),
                          n_dedup=key)
                .filter(~Exists(Notification.objects.filter(dedup_key=OuterRef("n_dedup"))))
                .order_by("pk"))
    return notify_from(messages, ("n_city", "n_kind", "n_role", "n_key", "n_payload", "n_dedup"),
                       at=now)
