"""Tariffs: the monthly norm per child (city, age group, stay mode) and the parent fee, effective-dated."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goszakaz.audit.services import record
from goszakaz.domain.capacity import first_of_month_on_or_after
from goszakaz.domain.months import first_day, month_of


class AgeGroup(models.TextChoices):
    """Age groups of the norm."""

    EARLY = "early", gettext_lazy("under 3")
    PRESCHOOL = "preschool", gettext_lazy("3 and over")


class StayMode(models.TextChoices):
    """How long a child stays a day."""

    FULL_DAY = "full_day", gettext_lazy("full day")
    HALF_DAY = "half_day", gettext_lazy("half day")
    ROUND_THE_CLOCK = "round_the_clock", gettext_lazy("round the clock")


class Norm(models.Model):
    """The monthly norm per child from a date on; a later row replaces it from its own date."""

    city = models.ForeignKey("registry.City", on_delete=models.PROTECT)
    age_group = models.CharField(max_length=12, choices=AgeGroup.choices)
    stay_mode = models.CharField(max_length=16, choices=StayMode.choices)
    effective_from = models.DateField()
    amount = models.BigIntegerField(help_text="tiyn per child per month")
    set_at = models.DateTimeField()

    class Meta:
        app_label = "finance"
        constraints = [
            models.UniqueConstraint(fields=["city", "age_group", "stay_mode", "effective_from"],
                                    name="one_norm_per_day"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="norm_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.city_id} {self.age_group}/{self.stay_mode} from {self.effective_from}"


class ParentFee(models.Model):
    """A preschool's monthly parent fee from a date on."""

    preschool = models.ForeignKey("registry.Preschool", on_delete=models.PROTECT)
    effective_from = models.DateField()
    amount = models.BigIntegerField(help_text="tiyn per child per month")
    set_at = models.DateTimeField()

    class Meta:
        app_label = "finance"
        constraints = [
            models.UniqueConstraint(fields=["preschool", "effective_from"], name="one_fee_per_day"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="fee_not_negative"),
        ]

    def __str__(self) -> str:
        return f"fee of {self.preschool_id} from {self.effective_from}"


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


def monthly_norm(*, city: Any, age_group: str, stay_mode: str, month: str) -> int:
    """The norm in tiyn in force on the 1st of month YYYY-MM."""
    row = (Norm.objects.filter(city=city, age_group=age_group, stay_mode=stay_mode,
                               effective_from__lte=first_day(month))
           .order_by("-effective_from").first())
    if row is None:
        raise TariffMissing(f"no norm for {age_group}/{stay_mode} in {month}")
    return row.amount


def parent_fee(*, preschool: Any, month: str) -> int:
    """The preschool's parent fee in tiyn in force on the 1st of month YYYY-MM (0 if none)."""
    row = (ParentFee.objects.filter(preschool=preschool, effective_from__lte=first_day(month))
           .order_by("-effective_from").first())
    return row.amount if row else 0


def set_norm(*, city: Any, age_group: str, stay_mode: str, effective_from: dt.date, amount: int,
             actor: Any, role: str) -> Norm:
    """Set the norm from a date (EDU, operator); the earlier rows stay as history."""
    from goszakaz.finance.payments import Settlement

    if amount <= 0:
        raise TariffError(_("A norm is a positive amount."))
    _refuse_paid_months(Settlement.objects.filter(city=city.code), effective_from)
    old = Norm.objects.filter(city=city, age_group=age_group, stay_mode=stay_mode,
                              effective_from=effective_from).first()
    norm = Norm.objects.update_or_create(
        city=city, age_group=age_group, stay_mode=stay_mode, effective_from=effective_from,
        defaults={"amount": amount, "set_at": timezone.now()})[0]
    record(user=actor, role=role, action="norm.set", obj_type="norm", obj_id=norm.pk,
           city=city.code, before={"amount": old.amount} if old else None,
           after={"amount": amount, "effective_from": effective_from.isoformat(),
                  "age_group": age_group, "stay_mode": stay_mode})
    return norm


def set_parent_fee(*, preschool: Any, effective_from: dt.date, amount: int, actor: Any,
                   role: str) -> ParentFee:
    """Set a preschool's parent fee from a date; the earlier rows stay as history."""
    from goszakaz.finance.payments import Settlement

    if amount < 0:
        raise TariffError(_("A parent fee cannot be negative."))
    _refuse_paid_months(Settlement.objects.filter(preschool=preschool), effective_from)
    old = ParentFee.objects.filter(preschool=preschool, effective_from=effective_from).first()
    fee = ParentFee.objects.update_or_create(
        preschool=preschool, effective_from=effective_from,
        defaults={"amount": amount, "set_at": timezone.now()})[0]
    record(user=actor, role=role, action="parent_fee.set", obj_type="preschool",
           obj_id=preschool.pk, city=preschool.city.code,
           before={"amount": old.amount} if old else None,
           after={"amount": amount, "effective_from": effective_from.isoformat()})
    return fee
