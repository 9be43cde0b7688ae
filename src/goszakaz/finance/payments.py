"""Payments after the sheet (A7.18, A8, A7.9): from the child's account to its preschool, or direct."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db import connection, models
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Concat, JSONObject, LPad, Mod

from goszakaz.access.actor import Actor
from goszakaz.attendance.models import FINAL, Sheet
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record
from goszakaz.bulk import insert_rows
from goszakaz.domain.months import previous
from goszakaz.finance.funding import city_accounts
from goszakaz.finance.ledger import Spec, account, post, post_batch
from goszakaz.finance.models import AccountKind, LedgerAccount, Settlement, TransferCode
from goszakaz.finance.month_context import MonthContext
from goszakaz.notifications.services import notify_from
from goszakaz.registry.models import City, Preschool

logger = logging.getLogger(__name__)


def child_account(voucher_id: int) -> LedgerAccount | None:
    """The child's open ledger account; a closed (swept, A10) one counts as none (A7.9)."""
    return LedgerAccount.objects.filter(kind=AccountKind.CHILD, owner=str(voucher_id),
                                        closed=False).first()


def _preschool_accounts(preschool_ids: Iterable[int], city: str) -> dict[int, int]:
    """The ledger account ids of these preschools (by BIN), the missing ones created at once
    (in BIN order, so two runs creating the same accounts wait for each other, never deadlock)."""
    bins = dict(Preschool.objects.filter(pk__in=list(preschool_ids)).values_list("pk", "bin"))
    accounts = LedgerAccount.objects.filter(kind=AccountKind.PRESCHOOL,
                                            owner__in=list(bins.values()))
    found = dict(accounts.values_list("owner", "pk"))
    missing = sorted(set(bins.values()) - set(found))
    if missing:
        LedgerAccount.objects.bulk_create(
            [LedgerAccount(kind=AccountKind.PRESCHOOL, owner=b, city=city) for b in missing],
            ignore_conflicts=True)
        found = dict(accounts.values_list("owner", "pk"))
    return {pk: found[b] for pk, b in bins.items()}


def open_preschool_accounts(*, city: City, month: str) -> int:
    """The ledger accounts of every preschool with a final sheet in the month, made before the
    month is settled in parallel chunks: otherwise two chunks sharing a preschool would wait
    for each other's commit to create its account. Returns how many preschools there are."""
    ids = set(Sheet.objects.filter(city=city.code, month=month, state__in=FINAL)
              .values_list("preschool_id", flat=True).distinct())
    return len(_preschool_accounts(ids, city.code))


def _chunk(city: City, month: str, after: int, limit: int | None) -> list[tuple[Any, ...]]:
    """The month's final unsettled sheets after sheet id `after`, locked, skipping those another
    run holds; with each: the child's open account (A7.9: a closed, swept one pays like none)
    and its balance, whether it still owes for an earlier month (I5), and whether the month
    before was final without the parent's answer (I6)."""
    child = LedgerAccount.objects.filter(kind=AccountKind.CHILD, closed=False,
                                         owner=Cast(OuterRef("voucher_id"), models.CharField()))
    query = (Sheet.objects.select_for_update(skip_locked=True, of=("self",))
             .filter(city=city.code, month=month, state__in=FINAL, pk__gt=after)
             # not settled yet; `sheet_id > after` (true of every sheet asked for) lets PostgreSQL
             # start its scan of the settlements there, not at the month's first
             .filter(~Exists(Settlement.objects.filter(sheet_id=OuterRef("pk"), sheet_id__gt=after)))
             .annotate(
                 account=Subquery(child.values("pk")[:1]),
                 balance=Subquery(child.values(b=F("credits_posted") - F("debits_posted"))[:1]),
                 owing=Exists(Settlement.objects.filter(voucher_id=OuterRef("voucher_id"),
                                                        month__lt=month, due__gt=F("paid"))),
                 silent_before=Exists(Sheet.objects.filter(
                     voucher_id=OuterRef("voucher_id"), month=previous(month),
                     parent_responded=False, state__in=FINAL)))
             .order_by("pk").values_list("pk", "voucher_id", "preschool_id", "days",
                                         "parent_responded", "account", "balance", "owing",
                                         "silent_before"))
    return list(query[:limit] if limit else query)


def unsettled(*, city: City, month: str) -> int:
    """How many final sheets of the city's month are not settled yet (a progress bar's size)."""
    return (Sheet.objects.filter(city=city.code, month=month, state__in=FINAL)
            .filter(~Exists(Settlement.objects.filter(sheet_id=OuterRef("pk")))).count())


class SettledChunk(NamedTuple):
    """What one settle_chunk did."""

    sheets: int  # settled now
    last: int  # the last sheet id looked at: `after` when none was left
    transfers: int  # posted in the batch (a child owing an earlier month pays after it)
    silent: list[int]  # vouchers of children silent two months in a row (A7.14, I6)


SETTLEMENT_COLUMNS = ("sheet_id", "voucher_id", "preschool_id", "city", "month", "due", "paid",
                      "parent_fee", "payable_days", "direct", "clauses", "settled_on")


def settle_chunk(*, city: City, month: str, on: dt.date, actor: Actor, now: dt.datetime,
                 limit: int | None = None, context: MonthContext | None = None,
                 after: int = 0) -> SettledChunk:
    """A7.18, A7.9, I5, I6: pay final sheets of the month once.

    A child's payment goes from its account to the preschool of its contract, as much as the
    account holds (the rest waits for the next funding, I5); a child without an account is paid
    directly by the operator (A7.9). The parent is told. Set-based: the month's data is read
    once (MonthContext), the chunk's sheets with their accounts in one query, the settlements
    inserted by COPY, the messages by SQL from them, and the transfers posted as one batch.
    Sheets are taken under row locks, skipping those another run holds, so two runs at once
    settle each sheet once (runs of `goszakaz settle` do so in parallel threads). A
    command commits in chunks of `limit` sheets, each after the last sheet id of the one before
    (`after`); returns what it did (SettledChunk), with the children silent two months in a
    row, whose vouchers the caller annuls (A7.14, I6).
    """
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET LOCAL jit = off")  # compiling a chunk's plans costs more than it saves
            # foreign keys checked as each insert ends, not all at the commit, when the accounts
            # are locked: another run's chunk may then post meanwhile
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    sheets = _chunk(city, month, after, limit)
    if not sheets:
        return SettledChunk(0, after, 0, [])
    last = sheets[-1][0]
    # A sheet another run settled and committed while this query waited for its lock passed the
    # query's "not settled" (seen as of its start): ask again, as of now.
    settled = set(Settlement.objects.filter(sheet_id__gte=sheets[0][0], sheet_id__lte=last)
                  .values_list("sheet_id", flat=True))
    sheets = [s for s in sheets if s[0] not in settled]
    if not sheets:
        return SettledChunk(0, last, 0, [])
    _, operator = city_accounts(city)
    context = context or MonthContext(city, month)
    schools = _preschool_accounts({s[2] for s in sheets}, city.code)
    settlements, specs = [], []
    owing: list[int] = []
    for sheet_id, voucher_id, preschool_id, days, _, child, balance, owes, _ in sheets:
        result = context.payment(voucher_id, preschool_id, days)
        due = result.state_order_tiyn
        spec: Spec | None = None
        if child is None:
            spec = Spec(id=f"direct/{voucher_id}/{month}", debit=operator.pk,
                        credit=schools[preschool_id], amount=due, code=TransferCode.DIRECT,
                        period=month, city=city.code, child=voucher_id)
            if owes:  # a recalculated month (A9): the operator pays the rest too
                owing.append(voucher_id)
        elif owes:  # older debts first: paid below, one child at a time (I5)
            owing.append(voucher_id)
        else:
            spec = Spec(id=f"payment/{voucher_id}/{month}", debit=child,
                        credit=schools[preschool_id], amount=min(due, balance),
                        code=TransferCode.PAYMENT, period=month, city=city.code,
                        child=voucher_id)
        if spec is not None and spec.amount > 0:
            specs.append(spec)
        settlements.append((sheet_id, voucher_id, preschool_id, city.code, month, due,
                            spec.amount if spec else 0, result.parent_fee_tiyn,
                            result.payable_days, child is None, result.clauses, on))
    insert_rows(Settlement, SETTLEMENT_COLUMNS, settlements)
    _tell_parents([s[0] for s in sheets], now)
    post_batch(specs, now=now)  # last: it locks the accounts (the operator's too) until the commit
    for voucher_id in owing:
        pay_owed(voucher_id=voucher_id, upto=month, city=city.code, now=now)
    record(actor=actor, action=AuditAction.MONTH_SETTLED, at=now, obj_type="city",
           obj_id=city.code, city=city.code,
           after={"month": month, "sheets": len(sheets), "transfers": len(specs)})
    silent = [s[1] for s in sheets if s[8] and not s[4]]
    logger.info("chunk settled", extra={
        "city": city.code, "month": month, "sheets": len(sheets), "transfers": len(specs),
        "owing": len(owing), "silent": len(silent), "first_sheet_id": sheets[0][0],
        "last_sheet_id": last, "seconds": round(time.perf_counter() - started, 3)})
    return SettledChunk(len(sheets), last, len(specs), silent)


def _among(column: str, ids: list[int]) -> Any:
    """`column IN ids` as a filter: one array parameter on PostgreSQL (building and sending an
    IN list of 20,000 parameters costs more than the query itself)."""
    if connection.vendor == "postgresql":
        return RawSQL(f"{column} = ANY(%s)", [ids], output_field=models.BooleanField())
    return Q(**{f"{column.rsplit('.', 1)[-1]}__in": ids})


def _tenge_text(field: str) -> Any:
    """The tiyn (>= 0) of a column as tenge with two decimals, as domain.money.format_tiyn writes
    them ("57272.73"), computed by the database."""
    return Concat(Cast(F(field) / 100, models.CharField()), Value("."),
                  LPad(Cast(Mod(field, 100), models.CharField()), 2, Value("0")),
                  output_field=models.CharField())


def _tell_parents(sheet_ids: list[int], now: dt.datetime) -> int:
    """A7.18: tell each parent the month's payment of these sheets' settlements, written by one
    INSERT ... SELECT from the settlements (no message is built in Python); returns how many."""
    messages = (Settlement.objects.filter(_among("finance_settlement.sheet_id", sheet_ids))
                .order_by("sheet_id")
                .annotate(
                    n_city=F("city"), n_kind=Value("payment"), n_role=Value("PAR"),
                    n_key=F("voucher__parent_iin"),
                    n_payload=JSONObject(month=F("month"), state_order=_tenge_text("due"),
                                         parent_fee=_tenge_text("parent_fee"),
                                         days=F("payable_days")),
                    n_dedup=Concat(Value("payment/"), Cast("voucher_id", models.CharField()),
                                   Value("/"), F("month"), output_field=models.CharField())))
    return notify_from(messages, ("n_city", "n_kind", "n_role", "n_key", "n_payload", "n_dedup"),
                       at=now)


def pay_owed(*, voucher_id: int, upto: str, city: str, now: dt.datetime) -> int:
    """I5, A9: pay the child's unpaid settlements (oldest first) from its balance, or from the
    operator for a child without an account (A7.9); returns tiyn paid."""
    payer = child_account(voucher_id)
    code, prefix = TransferCode.PAYMENT, "payment"
    if payer is None:
        payer = account(kind=AccountKind.OPERATOR, owner=city, city=city)
        code, prefix = TransferCode.DIRECT, "direct"
    paid_now = 0
    for s in (Settlement.objects.select_for_update().filter(voucher_id=voucher_id,
                                                            month__lte=upto, due__gt=F("paid"))
              .select_related("preschool").order_by("month")):
        balance = LedgerAccount.objects.get(pk=payer.pk).balance
        amount = min(balance, s.due - s.paid)
        if amount <= 0:
            break
        preschool = account(kind=AccountKind.PRESCHOOL, owner=s.preschool.bin, city=city)
        part = "" if s.paid == 0 else f"/rest-{s.paid}"
        post(Spec(id=f"{prefix}/{voucher_id}/{s.month}{part}", debit=payer.pk,
                  credit=preschool.pk, amount=amount, code=code, period=s.month, city=city,
                  child=voucher_id), now=now)
        Settlement.objects.filter(pk=s.pk).update(paid=F("paid") + amount)
        paid_now += amount
    return paid_now
