"""Payments after the sheet (A7.18, A8, A7.9): from the child's account to its preschool, or direct."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db import connection, models
from django.db.models import Exists, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Concat, JSONObject, LPad, Mod

from goszakaz.access.actor import Actor
from goszakaz.attendance.models import FINAL, Sheet
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record
from goszakaz.banking.models import AccountStatus, ChildAccount
from goszakaz.bulk import insert_rows
from goszakaz.domain.months import first_day, month_of, next_first, previous
from goszakaz.domain.payment import SheetError
from goszakaz.finance.funding import city_accounts
from goszakaz.finance.ledger import Spec, account, post, post_batch
from goszakaz.finance.models import AccountKind, LedgerAccount, Settlement, Shortfall, TransferCode
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
    run holds; with each: the child's open account and its balance, whether the child has an
    open bank account that pays (neither closed nor listed for direct payment: else the
    operator pays directly, A7.9, I19), whether the child was ever sent to a bank (A7.5, I19),
    whether it still owes for an earlier month (I5), and whether the month before was final
    without the parent's answer (I6)."""
    child = LedgerAccount.objects.filter(kind=AccountKind.CHILD, closed=False,
                                         owner=Cast(OuterRef("voucher_id"), models.CharField()))
    bank = ChildAccount.objects.filter(voucher_id=OuterRef("voucher_id"))
    query = (Sheet.objects.select_for_update(skip_locked=True, of=("self",))
             .filter(city=city.code, month=month, state__in=FINAL, pk__gt=after)
             # not settled yet; `sheet_id > after` (true of every sheet asked for) lets PostgreSQL
             # start its scan of the settlements there, not at the month's first
             .filter(~Exists(Settlement.objects.filter(sheet_id=OuterRef("pk"), sheet_id__gt=after)))
             .annotate(
                 account=Subquery(child.values("pk")[:1]),
                 balance=Subquery(child.values(b=F("credits_posted") - F("debits_posted"))[:1]),
                 pays=Exists(bank.filter(status=AccountStatus.OPENED, direct_payment=False)),
                 sent=Exists(bank),
                 owing=Exists(Settlement.objects.filter(voucher_id=OuterRef("voucher_id"),
                                                        month__lt=month, due__gt=F("paid"))),
                 silent_before=Exists(Sheet.objects.filter(
                     voucher_id=OuterRef("voucher_id"), month=previous(month),
                     parent_responded=False, state__in=FINAL)))
             .order_by("pk").values_list("pk", "voucher_id", "preschool_id", "days",
                                         "parent_responded", "account", "balance", "owing",
                                         "silent_before", "pays", "sent"))
    return list(query[:limit] if limit else query)


RECENT = 40  # days: a sheet final since then is looked for unpaid by every `tick` (I20)


def months_to_settle(*, today: dt.date) -> list[str]:
    """I20: the months with sheets that became final lately (the month before `today`, and any
    month of a sheet final in the last RECENT days: an April dispute upheld in June), in order."""
    recent = Sheet.objects.filter(state__in=FINAL, final_on__gte=today - dt.timedelta(days=RECENT),
                                  final_on__lte=today)
    months = set(recent.values_list("month", flat=True).distinct())
    return sorted(months | {previous(month_of(today))})


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
    left: list[tuple[int, str]]  # sheets not settled, each with why: the child's open items
    direct: tuple[int, ...] = ()  # vouchers of children paid directly (A7.9, I19: risk cases)


SETTLEMENT_COLUMNS = ("sheet_id", "voucher_id", "preschool_id", "city", "month", "due", "paid",
                      "parent_fee", "payable_days", "direct", "clauses", "settled_on",
                      "owed_because")
NEVER_SENT = "never sent to a bank (A7.4, A7.5): neither funded nor paid (I19)"


def settle_chunk(*, city: City, month: str, on: dt.date, actor: Actor, now: dt.datetime,
                 limit: int | None = None, context: MonthContext | None = None,
                 after: int = 0) -> SettledChunk:
    """A7.18, A7.9, I5, I6: pay final sheets of the month once.

    A child's payment goes from its account to the preschool of its contract, as much as the
    account holds (the rest waits for the next funding, I5); a child sent to a bank without an
    open paying account is paid directly by the operator (A7.9, I19), as much as the operator
    holds for the city (the rest is owed and requested with the next funding, I18). A sheet that
    cannot be settled now (a child never sent to a bank, I19; the calculation refused) is left,
    named with why, and the others go on. The parent is told. Set-based: the month's data is read
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
        return SettledChunk(0, after, 0, [], [])
    last = sheets[-1][0]
    # A sheet another run settled and committed while this query waited for its lock passed the
    # query's "not settled" (seen as of its start): ask again, as of now.
    settled = set(Settlement.objects.filter(sheet_id__gte=sheets[0][0], sheet_id__lte=last)
                  .values_list("sheet_id", flat=True))
    sheets = [s for s in sheets if s[0] not in settled]
    if not sheets:
        return SettledChunk(0, last, 0, [], [])
    _, operator = city_accounts(city)
    context = context or MonthContext(city, month)
    schools = _preschool_accounts({s[2] for s in sheets}, city.code)
    settlements: list[list[Any]] = []
    specs: list[Spec] = []
    direct: list[tuple[list[Any], Spec]] = []  # paid by the operator, as far as it holds (I18)
    owing: list[int] = []
    left: list[tuple[int, str]] = []
    paid_sheets: list[tuple[Any, ...]] = []
    for sheet in sheets:
        sheet_id, voucher_id, preschool_id, days, _, child, balance, owes, _, pays, sent = sheet
        if not sent:
            left.append((sheet_id, NEVER_SENT))
            continue
        try:
            result = context.payment(voucher_id, preschool_id, days)
        except SheetError as e:  # this child's open item, never the city's stop (I18)
            left.append((sheet_id, str(e)))
            continue
        paid_sheets.append(sheet)
        due = result.state_order_tiyn
        row = [sheet_id, voucher_id, preschool_id, city.code, month, due, 0,
               result.parent_fee_tiyn, result.payable_days, not pays, result.clauses, on, ""]
        settlements.append(row)
        if not pays:
            if owes:  # a month owed before (I5, I18, A9): the operator pays it first, below
                owing.append(voucher_id)
                row[12] = Shortfall.OPERATOR_SHORT if due > 0 else ""
            elif due > 0:
                direct.append((row, Spec(id=f"direct/{voucher_id}/{month}", debit=operator.pk,
                                         credit=schools[preschool_id], amount=due,
                                         code=TransferCode.DIRECT, period=month,
                                         city=city.code, child=voucher_id)))
        elif owes or child is None:  # older debts first (I5); no ledger yet: nothing to pay
            owing.append(voucher_id)
        else:
            row[6] = min(due, balance)
            if row[6] > 0:
                specs.append(Spec(id=f"payment/{voucher_id}/{month}", debit=child,
                                  credit=schools[preschool_id], amount=row[6],
                                  code=TransferCode.PAYMENT, period=month, city=city.code,
                                  child=voucher_id))
        if pays and row[6] < due:
            row[12] = Shortfall.ACCOUNT_SHORT
    if direct:  # what the operator holds for the city, under its lock until the commit (I18)
        available = LedgerAccount.objects.select_for_update().get(pk=operator.pk).balance
        for row, spec in direct:
            row[6] = min(spec.amount, max(available, 0))
            available -= row[6]
            if row[6] > 0:
                specs.append(spec._replace(amount=row[6]))
            if row[6] < spec.amount:
                row[12] = Shortfall.OPERATOR_SHORT
    insert_rows(Settlement, SETTLEMENT_COLUMNS, settlements)
    _tell_parents([s[0] for s in paid_sheets], now)
    post_batch(specs, now=now)  # last: it locks the accounts (the operator's too) until the commit
    for voucher_id in owing:
        pay_owed(voucher_id=voucher_id, upto=month, city=city.code, now=now)
    first, sheets = sheets[0][0], paid_sheets
    record(actor=actor, action=AuditAction.MONTH_SETTLED, at=now, obj_type="city",
           obj_id=city.code, city=city.code,
           after={"month": month, "sheets": len(sheets), "transfers": len(specs)})
    silent = [s[1] for s in sheets if s[8] and not s[4]]
    logger.info("chunk settled", extra={
        "city": city.code, "month": month, "sheets": len(sheets), "transfers": len(specs),
        "owing": len(owing), "silent": len(silent), "left": len(left), "first_sheet_id": first,
        "last_sheet_id": last, "seconds": round(time.perf_counter() - started, 3)})
    if left:
        logger.warning("sheets left unsettled", extra={
            "city": city.code, "month": month, "sheets": len(left),
            "first_sheet_id": left[0][0]})
    return SettledChunk(len(sheets), last, len(specs), silent, left,
                        tuple(row[1] for row in settlements if row[9]))


def _among(column: str, ids: list[int]) -> Any:
    """`column IN ids` as a filter: one array parameter on PostgreSQL (building and sending an
    IN list of 20,000 parameters costs more than the query itself)."""
    if connection.vendor == "postgresql":
        return RawSQL(f"{column} = ANY(%s)", [ids], output_field=models.BooleanField())
    return Q(**{f"{column.rsplit('.', 1)[-1]}__in": ids})


def _tenge_text(field: str) -> Any:
    """The tiyn (>= 0) of a column as tenge with two decimals, as domain.money.format_tiyn writes
    them ("57272.73"), computed by the database."""
    # the remainder cast to an integer first: SQLite's MOD is a float ("0.0"), which padded to two
    # characters read "0." (the "60000.0." of a parent's message)
    return Concat(Cast(F(field) / 100, models.CharField()), Value("."),
                  LPad(Cast(Cast(Mod(field, 100), models.IntegerField()), models.CharField()), 2,
                       Value("0")),
                  output_field=models.CharField())


def _tell_parents(sheet_ids: list[int], now: dt.datetime) -> int:
    """A7.18: tell each parent the month's payment of these sheets' settlements, written by one
    INSERT ... SELECT from the settlements (no message is built in Python); returns how many."""
    if not sheet_ids:
        return 0
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


def first_unpaid_days(voucher_ids: Iterable[int]) -> dict[int, dt.date]:
    """A9: per child with a settled month, the 1st of the month after its last settled one: what
    was settled stays paid, so an event dated earlier takes effect from that day (children with
    nothing settled are left out)."""
    ids, found = list(voucher_ids), {}
    for i in range(0, len(ids), 5000):
        rows = (Settlement.objects.filter(voucher_id__in=ids[i:i + 5000]).values("voucher_id")
                .annotate(last=Max("month")).values_list("voucher_id", "last"))
        found.update({v: next_first(first_day(last)) for v, last in rows})
    return found


def paying_account(voucher_id: int) -> LedgerAccount | None:
    """The child's ledger account that pays its preschool: open, of an open bank account not
    listed for direct payment; None when the operator pays directly (A7.9, I19)."""
    if not ChildAccount.objects.filter(voucher_id=voucher_id, status=AccountStatus.OPENED,
                                       direct_payment=False).exists():
        return None
    return LedgerAccount.objects.filter(kind=AccountKind.CHILD, owner=str(voucher_id),
                                        closed=False).first()


def pay_owed(*, voucher_id: int, upto: str, city: str, now: dt.datetime,
             payer: LedgerAccount | None = None) -> int:
    """I5, I18, A9: pay the child's unpaid settlements (oldest first) from its account, or from
    the operator for a child paid directly (A7.9, I19), as far as the payer holds; returns tiyn
    paid. What is still short stays owed. `payer`: the child's ledger account to pay from
    whatever its bank account's state (a closed account's balance pays its sheets first, A10)."""
    payer = payer or paying_account(voucher_id)
    code, prefix = TransferCode.PAYMENT, "payment"
    if payer is None:
        payer = account(kind=AccountKind.OPERATOR, owner=city, city=city)
        code, prefix = TransferCode.DIRECT, "direct"
    paid_now = 0
    for s in (Settlement.objects.select_for_update().filter(voucher_id=voucher_id,
                                                            month__lte=upto, due__gt=F("paid"))
              .select_related("preschool").order_by("month")):
        balance = LedgerAccount.objects.select_for_update().get(pk=payer.pk).balance
        amount = min(balance, s.due - s.paid)
        if amount <= 0:
            break
        preschool = account(kind=AccountKind.PRESCHOOL, owner=s.preschool.bin, city=city)
        part = "" if s.paid == 0 else f"/rest-{s.paid}"
        post(Spec(id=f"{prefix}/{voucher_id}/{s.month}{part}", debit=payer.pk,
                  credit=preschool.pk, amount=amount, code=code, period=s.month, city=city,
                  child=voucher_id), now=now)
        Settlement.objects.filter(pk=s.pk).update(
            paid=F("paid") + amount, owed_because="" if s.paid + amount == s.due
            else s.owed_because)
        paid_now += amount
    return paid_now


def pay_owed_all(*, city: str, upto: str, now: dt.datetime) -> int:
    """I5, I18: every child of the city still owed for a month up to `upto`, oldest debts first,
    as far as the money is there (after a funding, a settlement); returns tiyn paid."""
    owing = (Settlement.objects.filter(city=city, month__lte=upto, due__gt=F("paid"))
             .values_list("voucher_id", flat=True).distinct().order_by("voucher_id"))
    return sum(pay_owed(voucher_id=v, upto=upto, city=city, now=now) for v in list(owing))
