"""Tariffs: the monthly norm per child (city, age group, stay mode) and the parent fee, effective-dated."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from goszakaz.access.actor import Actor
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record
from goszakaz.domain.capacity import first_of_month_on_or_after
from goszakaz.domain.months import first_day, month_of
from goszakaz.finance.models import Norm, ParentFee, Settlement
from goszakaz.registry.models import City, Preschool


class TariffMissing(LookupError):
    """No tariff is in force for that month."""


class TariffError(ValueError):
    """A tariff change the rules do not allow; the message says why."""


def _refuse_paid_months(settled: Any, effective_from: dt.date) -> None:
    """A month already paid keeps its tariff: a change may start at the first unpaid month.

    A tariff is the one in force on a month's 1st, so a change from the 15th touches the next
    month first."""
    first_touched = month_of(first_of_month_on_or_after(effective_from))
    paid = settled.filter(month__gte=first_touched).order_by("-month").first()
    if paid is not None:
        raise TariffError(_("%(month)s is already paid: a tariff can change from the month "
                            "after it.") % {"month": paid.month})


def monthly_norm(*, city: City, age_group: str, stay_mode: str, month: str) -> int:
    """The norm in tiyn in force on the 1st of month YYYY-MM."""
    row = (Norm.objects.filter(city=city, age_group=age_group, stay_mode=stay_mode,
                               effective_from__lte=first_day(month))
           .order_by("-effective_from").first())
    if row is None:
        raise TariffMissing(f"no norm for {age_group}/{stay_mode} in {month}")
    return row.amount


def parent_fee(*, preschool: Preschool, month: str) -> int:
    """The preschool's parent fee in tiyn in force on the 1st of month YYYY-MM (0 if none)."""
    row = (ParentFee.objects.filter(preschool=preschool, effective_from__lte=first_day(month))
           .order_by("-effective_from").first())
    return row.amount if row else 0


def set_norm(*, city: City, age_group: str, stay_mode: str, effective_from: dt.date, amount: int,
             actor: Actor, now: dt.datetime) -> Norm:
    """Set the norm from a date (EDU, operator); the earlier rows stay as history."""
    if amount <= 0:
        raise TariffError(_("A norm is a positive amount."))
    _refuse_paid_months(Settlement.objects.filter(city=city.code), effective_from)
    old = Norm.objects.filter(city=city, age_group=age_group, stay_mode=stay_mode,
                              effective_from=effective_from).first()
    norm = Norm.objects.update_or_create(
        city=city, age_group=age_group, stay_mode=stay_mode, effective_from=effective_from,
        defaults={"amount": amount, "set_at": now})[0]
    record(actor=actor, action=AuditAction.NORM_SET, at=now, obj_type="norm", obj_id=norm.pk,
           city=city.code, before={"amount": old.amount} if old else None,
           after={"amount": amount, "effective_from": effective_from.isoformat(),
                  "age_group": age_group, "stay_mode": stay_mode})
    return norm


def set_parent_fee(*, preschool: Preschool, effective_from: dt.date, amount: int, actor: Actor,
                   now: dt.datetime) -> ParentFee:
    """Set a preschool's parent fee from a date; the earlier rows stay as history."""
    if amount < 0:
        raise TariffError(_("A parent fee cannot be negative."))
    _refuse_paid_months(Settlement.objects.filter(preschool=preschool), effective_from)
    old = ParentFee.objects.filter(preschool=preschool, effective_from=effective_from).first()
    fee = ParentFee.objects.update_or_create(
        preschool=preschool, effective_from=effective_from,
        defaults={"amount": amount, "set_at": now})[0]
    record(actor=actor, action=AuditAction.PARENT_FEE_SET, at=now, obj_type="preschool",
           obj_id=preschool.pk, city=preschool.city.code,
           before={"amount": old.amount} if old else None,
           after={"amount": amount, "effective_from": effective_from.isoformat()})
    return fee
