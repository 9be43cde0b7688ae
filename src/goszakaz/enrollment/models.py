"""The voucher of one child with its status history, and the child's education-services contracts."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy

from goszakaz.registry.models import AgreementVersion, City, Preschool


class VoucherStatus(models.TextChoices):
    """granted -> verified -> account requested -> active; annulled from any of them."""

    GRANTED = "granted", gettext_lazy("granted")
    VERIFIED = "verified", gettext_lazy("verified")
    ACCOUNT_REQUESTED = "account_requested", gettext_lazy("account requested")
    ACTIVE = "active", gettext_lazy("active")
    ANNULLED = "annulled", gettext_lazy("annulled")


VOUCHER_TRANSITIONS: dict[str, set[str]] = {
    VoucherStatus.GRANTED: {VoucherStatus.VERIFIED, VoucherStatus.ANNULLED},
    VoucherStatus.VERIFIED: {VoucherStatus.ACCOUNT_REQUESTED, VoucherStatus.ANNULLED},
    VoucherStatus.ACCOUNT_REQUESTED: {VoucherStatus.ACTIVE, VoucherStatus.ANNULLED},
    VoucherStatus.ACTIVE: {VoucherStatus.ANNULLED},
    VoucherStatus.ANNULLED: set(),
}


class AnnulmentReason(models.TextChoices):
    """Why a voucher ended: A7.4, A12, A13, A10, A7.14."""

    EXCLUDED = "excluded_after_verification", gettext_lazy("excluded after verification (A7.4)")
    MOVED = "moved_away", gettext_lazy("moved to another locality (A12)")
    DEATH = "death", gettext_lazy("death of the child (A13)")
    ACCOUNT_CLOSED = "account_contract_ended", gettext_lazy("bank account contract ended (A10)")
    UNCONFIRMED = "two_months_unconfirmed", gettext_lazy(
        "two months without the sheet confirmed (A7.14)")


class Voucher(models.Model):
    """The Госзаказ of one child in one city for a period (A5)."""

    city = models.ForeignKey(City, on_delete=models.PROTECT)
    child_iin = models.CharField(max_length=12)
    child_name = models.CharField(max_length=200, blank=True)
    birth_date = models.DateField()
    parent_iin = models.CharField(max_length=12, db_index=True)
    source = models.CharField(max_length=16, help_text="allocation (Taraz) or city_list (A5)")
    application = models.OneToOneField("queue.Application", null=True, blank=True,
                                       on_delete=models.PROTECT)
    period_start = models.DateField()
    period_end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=VoucherStatus.choices,
                              default=VoucherStatus.GRANTED)
    granted_at = models.DateTimeField()
    annulled_on = models.DateField(null=True, blank=True)
    annulment_reason = models.CharField(max_length=32, choices=AnnulmentReason.choices,
                                        blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["city", "child_iin"], condition=~Q(status="annulled"),
                                    name="one_live_voucher_per_child"),
        ]
        indexes = [  # the staff list's sorts and its search by IIN (issue 12)
            models.Index(fields=["city", "granted_at", "id"], name="voucher_by_granted"),
            models.Index(fields=["city", "child_name", "id"], name="voucher_by_name"),
            models.Index(fields=["city", "birth_date", "id"], name="voucher_by_birth"),
            models.Index(fields=["city", "status", "id"], name="voucher_by_status"),
            models.Index(fields=["city", "child_iin"], name="voucher_by_iin"),
            models.Index(fields=["child_name", "id"], name="voucher_by_name_anywhere"),  # banks
        ]

    def __str__(self) -> str:
        return f"voucher {self.pk} ({self.city.code}, {self.status})"


class VoucherEvent(models.Model):
    """One status change of a voucher: before, after, when, why."""

    voucher = models.ForeignKey(Voucher, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    before = models.CharField(max_length=20, blank=True)
    after = models.CharField(max_length=20)
    why = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.voucher_id}: {self.before} -> {self.after}"


class TakingEffect(models.Manager["Contract"]):
    """The contracts that take (or took) effect: a contract cancelled before it began (its
    voucher annulled from a day before its start) was never in force, and every query of
    contracts (`Contract.objects`, `voucher.contracts`, `preschool.contracts`) leaves it out;
    `Contract.every` sees them all."""

    def get_queryset(self) -> models.QuerySet[Contract]:
        return super().get_queryset().filter(cancelled_on=None)


class Contract(models.Model):
    """An education-services contract of one child with one preschool (A6, A7.10, A11).

    It is in force from `starts_on` to `ends_on` (inclusive, open when None), never ending
    before it starts: one that would end before its start (annulled before it began) is
    cancelled instead (`cancelled_on`, the annulment's day), keeping its dates as signed.
    """

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="contracts")
    preschool = models.ForeignKey(Preschool, on_delete=models.PROTECT, related_name="contracts")
    agreement_version = models.ForeignKey(AgreementVersion, null=True, blank=True,
                                          on_delete=models.PROTECT)
    signed_at = models.DateTimeField()
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="last day, inclusive")
    source = models.CharField(max_length=16, default="signed", help_text="signed or imported")
    stay_mode = models.CharField(max_length=16, default="full_day",
                                 help_text="full_day, half_day or round_the_clock (the tariff)")
    cancelled_on = models.DateField(
        null=True, blank=True,
        help_text="never in force: its voucher was annulled from this day, before it began")
    group = models.ForeignKey("registry.Group", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="contracts", help_text="the preschool's group")

    every: models.Manager[Contract] = models.Manager()  # cancelled ones too
    objects = TakingEffect()  # the default (Meta): also voucher.contracts, preschool.contracts

    class Meta:
        default_manager_name = "objects"
        indexes = [models.Index(fields=["preschool", "ends_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on=None) | Q(ends_on__gte=F("starts_on")),
                                   name="contract_ends_on_or_after_its_start"),
        ]

    def __str__(self) -> str:
        return f"contract {self.pk}: voucher {self.voucher_id} at {self.preschool_id}"
