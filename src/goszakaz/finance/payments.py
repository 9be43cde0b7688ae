"""Payments after the sheet (A7.18, A8, A7.9): from the child's account to its preschool, or direct."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import F, Q

from goszakaz.attendance.models import FINAL, UNMARKED, Sheet
from goszakaz.audit.services import record
from goszakaz.domain import payment as pay
from goszakaz.domain.money import format_tiyn
from goszakaz.enrollment.models import Contract
from goszakaz.finance.funding import age_group, city_accounts
from goszakaz.finance.ledger import Spec, account, post
from goszakaz.finance.models import AccountKind, LedgerAccount, TransferCode
from goszakaz.finance.tariffs import monthly_norm, parent_fee
from goszakaz.notifications.services import notify
from goszakaz.rules.calendar import kz_calendar


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


def _contract_period(sheet: Sheet) -> tuple[dt.date | None, dt.date | None]:
    first, last = pay.parse_month(sheet.month), pay.month_end(pay.parse_month(sheet.month))
    rows = list(Contract.objects.filter(voucher_id=sheet.voucher_id, preschool_id=sheet.preschool_id,
                                        starts_on__lte=last)
                .filter(Q(ends_on=None) | Q(ends_on__gte=first)).values_list("starts_on",
                                                                              "ends_on"))
    start = min(s for s, _ in rows)
    ends = [e for _, e in rows if e is not None]
    open_ended = len(ends) < len(rows)
    return (start if start > first else None,
            None if open_ended else min(max(ends), last))


def _vacation_used(sheet: Sheet) -> int:
    """V-marked days of the child's earlier sheets of the same calendar year (I3)."""
    earlier = Sheet.objects.filter(voucher_id=sheet.voucher_id, month__lt=sheet.month,
                                   month__gte=sheet.month[:4] + "-01").values_list("days",
                                                                                    flat=True)
    return sum(days.count("V") for days in earlier)


def calculate(sheet: Sheet) -> pay.Payment:
    """A8, I1-I4 for a stored sheet: its marks, contract, the city's pilot period and tariffs."""
    month = pay.parse_month(sheet.month)
    marks = {month.replace(day=i + 1): code for i, code in enumerate(sheet.days)
             if code != UNMARKED}
    start, end = _contract_period(sheet)
    city = sheet.voucher.city
    contract_stay = (Contract.objects.filter(voucher_id=sheet.voucher_id)
                     .order_by("-starts_on").values_list("stay_mode", flat=True).first())
    norm = monthly_norm(city=city, age_group=age_group(sheet.voucher.birth_date, sheet.month),
                        stay_mode=contract_stay or "full_day", month=sheet.month)
    return pay.calculate(
        pay.Sheet.build(month=month, marks=marks, contract_from=start, contract_to=end,
                        vacation_days_used_this_year=_vacation_used(sheet)),
        norm, parent_fee(preschool=sheet.preschool, month=sheet.month),
        kz_calendar((month.year,)), pay.Period(city.pilot_start, city.pilot_end))


def _child_account(voucher_id: int) -> LedgerAccount | None:
    return LedgerAccount.objects.filter(kind=AccountKind.CHILD, owner=str(voucher_id)).first()


def settle(*, city: Any, month: str, on: dt.date, actor: Any, role: str,
           limit: int | None = None) -> int:
    """A7.18, A7.9, I5, I6: pay final sheets of the month once; returns how many were settled.

    First what the child's account still owes for earlier months is paid from its balance; then
    the month: from the child's account, as much as is there (the rest waits for the next
    funding), or directly by the operator when the child has no account. The parent is told.
    Sheets are taken under row locks, skipping those another run holds, so two runs at once
    settle each sheet once; `limit` lets a command commit in chunks.
    """
    _, operator = city_accounts(city)
    count = 0
    sheets = (Sheet.objects.select_for_update(skip_locked=True, of=("self",))
              .filter(city=city.code, month=month, state__in=FINAL, settlement__isnull=True)
              .select_related("voucher__city", "preschool").order_by("pk"))
    for sheet in sheets[:limit] if limit else sheets:
        result = calculate(sheet)
        preschool = account(kind=AccountKind.PRESCHOOL, owner=sheet.preschool.bin, city=city.code)
        child = _child_account(sheet.voucher_id)
        settlement = Settlement.objects.create(
            sheet=sheet, voucher=sheet.voucher, preschool=sheet.preschool, city=city.code,
            month=month, due=result.state_order_tiyn, parent_fee=result.parent_fee_tiyn,
            payable_days=result.payable_days, direct=child is None, clauses=list(result.clauses),
            settled_on=on)
        if child is not None:
            pay_owed(voucher_id=sheet.voucher_id, upto=month, city=city.code)
        elif settlement.due > 0:
            post(Spec(id=f"direct/{sheet.voucher_id}/{month}", debit=operator.pk,
                      credit=preschool.pk, amount=settlement.due, code=TransferCode.DIRECT,
                      period=month, city=city.code, child=sheet.voucher_id))
            Settlement.objects.filter(pk=settlement.pk).update(paid=settlement.due)
        notify(city=city.code, kind="payment", recipient_key=sheet.voucher.parent_iin,
               payload={"month": month, "state_order": format_tiyn(result.state_order_tiyn),
                        "parent_fee": format_tiyn(result.parent_fee_tiyn),
                        "days": result.payable_days},
               dedup_key=f"payment/{sheet.voucher_id}/{month}")
        _annul_if_twice_unconfirmed(sheet, actor=actor, role=role)
        count += 1
    if count:
        record(user=actor, role=role, action="month.settled", obj_type="city", obj_id=city.code,
               city=city.code, after={"month": month, "sheets": count})
    return count


def _previous_month(month: str) -> str:
    first = pay.parse_month(month)
    prev = first - dt.timedelta(days=1)
    return f"{prev.year:04d}-{prev.month:02d}"


def _annul_if_twice_unconfirmed(sheet: Sheet, *, actor: Any, role: str) -> bool:
    """A7.14, I6: two months in a row without the parent's own answer (confirmation or dispute)
    annul the voucher, effective after the second month's payment (the 1st of the next month)."""
    if sheet.parent_responded:
        return False
    before = Sheet.objects.filter(voucher_id=sheet.voucher_id,
                                  month=_previous_month(sheet.month)).first()
    if before is None or before.parent_responded or before.state not in FINAL:
        return False
    from goszakaz.enrollment.models import AnnulmentReason
    from goszakaz.enrollment.services import annul

    next_first = pay.month_end(pay.parse_month(sheet.month)) + dt.timedelta(days=1)
    return annul(voucher=sheet.voucher, reason=AnnulmentReason.UNCONFIRMED, on=next_first,
                 actor=actor, role=role)


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
