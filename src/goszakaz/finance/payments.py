"""Payments after the sheet (A7.18, A8, A7.9): from the child's account to its preschool, or direct."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import F
from django.utils import timezone

from goszakaz.attendance.models import FINAL, Sheet
from goszakaz.audit.services import record
from goszakaz.bulk import insert_rows
from goszakaz.domain.money import format_tiyn
from goszakaz.domain.months import last_day, previous
from goszakaz.finance.funding import city_accounts
from goszakaz.finance.ledger import Spec, account, post, post_batch
from goszakaz.finance.models import AccountKind, LedgerAccount, TransferCode
from goszakaz.finance.month_context import MonthContext
from goszakaz.notifications.models import Notification


class Settlement(models.Model):
    """What a final sheet costs (A8): the Госзаказ due, what was paid of it, the parent fee."""

    sheet = models.OneToOneField(Sheet, on_delete=models.PROTECT)
    voucher = models.ForeignKey("enrollment.Voucher", on_delete=models.PROTECT)
    preschool = models.ForeignKey("registry.Preschool", on_delete=models.PROTECT)
    city = models.CharField(max_length=32, db_index=True)
    month = models.CharField(max_length=7)
    due = models.BigIntegerField(help_text="tiyn of the Госзаказ for the month")
    paid = models.BigIntegerField(default=0, help_text="tiyn paid so far (I5: may lag)")
    parent_fee = models.BigIntegerField(help_text="tiyn, for the parent's statement only")
    payable_days = models.PositiveSmallIntegerField()
    direct = models.BooleanField(help_text="paid by the operator directly (A7.9)")
    clauses = models.JSONField()
    settled_on = models.DateField()

    class Meta:
        app_label = "finance"
        indexes = [models.Index(fields=["voucher", "month"])]

    def __str__(self) -> str:
        return f"settlement {self.voucher_id} {self.month}: {self.paid}/{self.due}"


def _child_account(voucher_id: int) -> LedgerAccount | None:
    return LedgerAccount.objects.filter(kind=AccountKind.CHILD, owner=str(voucher_id),
                                        closed=False).first()


@dataclass(frozen=True, slots=True)
class _Child:
    pk: int
    balance: int


def _child_accounts(voucher_ids: list[int]) -> dict[int, _Child]:
    """The children's open ledger accounts; a closed one (A10 swept) pays like none (A7.9)."""
    rows = (LedgerAccount.objects.filter(kind=AccountKind.CHILD, closed=False,
                                         owner__in=[str(v) for v in voucher_ids])
            .values_list("pk", "owner", "debits_posted", "credits_posted"))
    return {int(owner): _Child(pk, credits - debits) for pk, owner, debits, credits in rows}


def _preschool_accounts(bins: dict[int, str], city: str) -> dict[int, LedgerAccount]:
    return {pk: account(kind=AccountKind.PRESCHOOL, owner=b, city=city) for pk, b in bins.items()}


SETTLEMENT_COLUMNS = ("sheet_id", "voucher_id", "preschool_id", "city", "month", "due", "paid",
                      "parent_fee", "payable_days", "direct", "clauses", "settled_on")
NOTE_COLUMNS = ("city", "kind", "recipient_role", "recipient_key", "payload", "channel",
                "created_at", "delivered_at", "dedup_key")


def settle(*, city: Any, month: str, on: dt.date, actor: Any, role: str,
           limit: int | None = None, context: MonthContext | None = None) -> int:
    """Settle the month's final sheets (see settle_chunk); returns how many were settled."""
    return settle_chunk(city=city, month=month, on=on, actor=actor, role=role, limit=limit,
                        context=context)[0]


def settle_chunk(*, city: Any, month: str, on: dt.date, actor: Any, role: str,
                 limit: int | None = None, context: MonthContext | None = None,
                 after: int = 0) -> tuple[int, int]:
    """A7.18, A7.9, I5, I6: pay final sheets of the month once; returns how many were settled.

    A child's payment goes from its account to the preschool of its contract, as much as the
    account holds (the rest waits for the next funding, I5); a child without an account is paid
    directly by the operator (A7.9). The parent is told. Set-based: the month's data is read
    once (MonthContext), settlements and messages are inserted by COPY and the transfers posted
    as one batch. Sheets are taken under row locks, skipping those another run holds, so two
    runs at once settle each sheet once. A command commits in chunks of `limit` sheets, each
    after the last sheet id of the one before (`after`); returns (settled, last sheet id).
    """
    _, operator = city_accounts(city)
    query = (Sheet.objects.select_for_update(skip_locked=True, of=("self",))
             .filter(city=city.code, month=month, state__in=FINAL, settlement__isnull=True,
                     pk__gt=after)
             .order_by("pk").values_list("pk", "voucher_id", "preschool_id", "days",
                                         "parent_responded", "voucher__parent_iin",
                                         "preschool__bin"))
    sheets = list(query[:limit] if limit else query)
    if not sheets:
        return 0, after
    context = context or MonthContext(city, month)
    children = _child_accounts([s[1] for s in sheets])
    schools = _preschool_accounts({s[2]: s[6] for s in sheets}, city.code)
    owing = set(Settlement.objects.filter(voucher_id__in=list(children), month__lt=month,
                                          due__gt=F("paid")).values_list("voucher_id",
                                                                         flat=True))
    now = timezone.now()
    settlements, specs, notes = [], [], []
    for sheet_id, voucher_id, preschool_id, days, _, parent_iin, _ in sheets:
        result = context.payment(voucher_id, preschool_id, days)
        child = children.get(voucher_id)
        due = result.state_order_tiyn
        spec: Spec | None = None
        if child is None:
            spec = Spec(id=f"direct/{voucher_id}/{month}", debit=operator.pk,
                        credit=schools[preschool_id].pk, amount=due, code=TransferCode.DIRECT,
                        period=month, city=city.code, child=voucher_id)
        elif voucher_id not in owing:  # older debts first: paid below, one child at a time
            spec = Spec(id=f"payment/{voucher_id}/{month}", debit=child.pk,
                        credit=schools[preschool_id].pk, amount=min(due, child.balance),
                        code=TransferCode.PAYMENT, period=month, city=city.code,
                        child=voucher_id)
        if spec is not None and spec.amount > 0:
            specs.append(spec)
        settlements.append((sheet_id, voucher_id, preschool_id, city.code, month, due,
                            spec.amount if spec else 0, result.parent_fee_tiyn,
                            result.payable_days, child is None, list(result.clauses), on))
        notes.append((city.code, "payment", "PAR", parent_iin,
                      {"month": month, "state_order": format_tiyn(due),
                       "parent_fee": format_tiyn(result.parent_fee_tiyn),
                       "days": result.payable_days},
                      "cabinet", now, now, f"payment/{voucher_id}/{month}"))
    insert_rows(Settlement, SETTLEMENT_COLUMNS, settlements)
    post_batch(specs)
    insert_rows(Notification, NOTE_COLUMNS, notes)
    for voucher_id in owing & {s[1] for s in sheets}:
        pay_owed(voucher_id=voucher_id, upto=month, city=city.code)
    _annul_silent_twice([s[1] for s in sheets if not s[4]], month, actor=actor, role=role)
    record(user=actor, role=role, action="month.settled", obj_type="city", obj_id=city.code,
           city=city.code, after={"month": month, "sheets": len(sheets),
                                  "transfers": len(specs)})
    return len(sheets), sheets[-1][0]


def _annul_silent_twice(voucher_ids: list[int], month: str, *, actor: Any, role: str) -> int:
    """A7.14, I6: two months in a row without the parent's own answer (confirmation or dispute)
    annul the voucher, effective after the second month's payment (the 1st of the next month)."""
    from goszakaz.enrollment.models import AnnulmentReason, Voucher
    from goszakaz.enrollment.services import annul

    silent_before = Sheet.objects.filter(voucher_id__in=voucher_ids, month=previous(month),
                                         parent_responded=False, state__in=FINAL)
    next_first = last_day(month) + dt.timedelta(days=1)
    count = 0
    for voucher in Voucher.objects.filter(pk__in=silent_before.values("voucher_id")):
        count += annul(voucher=voucher, reason=AnnulmentReason.UNCONFIRMED, on=next_first,
                       actor=actor, role=role)
    return count


def pay_owed(*, voucher_id: int, upto: str, city: str) -> int:
    """I5: pay the child's unpaid settlements (oldest first) from its balance; returns tiyn paid."""
    child = _child_account(voucher_id)
    if child is None:
        return 0
    paid_now = 0
    for s in (Settlement.objects.select_for_update().filter(voucher_id=voucher_id,
                                                            month__lte=upto, due__gt=F("paid"))
              .select_related("preschool").order_by("month")):
        balance = LedgerAccount.objects.get(pk=child.pk).balance
        amount = min(balance, s.due - s.paid)
        if amount <= 0:
            break
        preschool = account(kind=AccountKind.PRESCHOOL, owner=s.preschool.bin, city=city)
        part = "" if s.paid == 0 else f"/rest-{s.paid}"
        post(Spec(id=f"payment/{voucher_id}/{s.month}{part}", debit=child.pk, credit=preschool.pk,
                  amount=amount, code=TransferCode.PAYMENT, period=s.month, city=city,
                  child=voucher_id))
        Settlement.objects.filter(pk=s.pk).update(paid=F("paid") + amount)
        paid_now += amount
    return paid_now
