"""One sheet per child per month (the days as a code string), its versions, and disputes."""

from __future__ import annotations

from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from goszakaz.domain.payment import Mark

# A day's code is a domain.payment.Mark: P present, S sick with a certificate, A absent without
# a valid reason, V a parent's vacation with the written application on file; '.' not marked.
MARK_LABELS = {
    Mark.PRESENT: _("present"),
    Mark.SICK: _("sick (certificate)"),
    Mark.ABSENT: _("absent without a valid reason"),
    Mark.VACATION: _("parent's vacation (application)"),
}
MARK_CODES = frozenset(m.value for m in Mark)


UNMARKED = "."


class SheetState(models.TextChoices):
    """open -> confirmed | auto_confirmed | disputed; disputed -> corrected | upheld;
    corrected -> confirmed | auto_confirmed (I7)."""

    OPEN = "open", _("being filled")
    CONFIRMED = "confirmed", _("confirmed by the parent")
    AUTO_CONFIRMED = "auto_confirmed", _("confirmed automatically")
    DISPUTED = "disputed", _("disputed by the parent")
    CORRECTED = "corrected", _("corrected by the preschool")
    UPHELD = "upheld", _("upheld by the preschool")


SHEET_TRANSITIONS: dict[str, set[str]] = {
    SheetState.OPEN: {SheetState.CONFIRMED, SheetState.AUTO_CONFIRMED, SheetState.DISPUTED},
    SheetState.DISPUTED: {SheetState.CORRECTED, SheetState.UPHELD},
    SheetState.CORRECTED: {SheetState.CONFIRMED, SheetState.AUTO_CONFIRMED},
    SheetState.CONFIRMED: set(),
    SheetState.AUTO_CONFIRMED: set(),
    SheetState.UPHELD: set(),
}
FINAL = {SheetState.CONFIRMED, SheetState.AUTO_CONFIRMED, SheetState.UPHELD}


class Sheet(models.Model):
    """The attendance sheet of one child for one month: `days[i]` is the mark of day i + 1."""

    voucher = models.ForeignKey("enrollment.Voucher", on_delete=models.PROTECT,
                                related_name="sheets")
    preschool = models.ForeignKey("registry.Preschool", on_delete=models.PROTECT)
    city = models.CharField(max_length=32, db_index=True)
    month = models.CharField(max_length=7, help_text="YYYY-MM")
    days = models.CharField(max_length=31)
    state = models.CharField(max_length=16, choices=SheetState.choices, default=SheetState.OPEN)
    version = models.PositiveIntegerField(default=1)
    parent_responded = models.BooleanField(
        default=False, help_text="confirmed or disputed by the parent (I6), not by silence")
    corrected_on = models.DateField(null=True, blank=True)
    final_on = models.DateField(null=True, blank=True)
    incomplete = models.BooleanField(
        default=False, help_text="final with working days left unmarked (I22): a risk signal")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["voucher", "month"],
                                               name="one_sheet_per_child_month")]
        indexes = [models.Index(fields=["city", "month", "state"]),
                   models.Index(fields=["final_on"])]

    def __str__(self) -> str:
        return f"sheet {self.voucher_id} {self.month} ({self.state})"


class SheetVersion(models.Model):
    """Every version of a sheet's days, kept: who changed it, when, in which state."""

    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    days = models.CharField(max_length=31)
    state = models.CharField(max_length=16)
    role = models.CharField(max_length=8)
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sheet", "version"], name="uniq_version")]
        ordering = ["version"]

    def __str__(self) -> str:
        return f"{self.sheet_id} v{self.version}"


MAX_DOCUMENT = 5 * 2**20
DOCUMENT_TYPES = ["pdf", "jpg", "png", "heic"]  # goszakaz.files.document_kind, by content
REASON_MAX = 2000


class Dispute(models.Model):
    """A7.15, A7.16: the parent's dispute with its reason and document, and the answer."""

    sheet = models.OneToOneField(Sheet, on_delete=models.CASCADE, related_name="dispute")
    reason = models.TextField(max_length=REASON_MAX)
    document = models.FileField(upload_to="disputes/%Y/%m/", blank=True,
                                validators=[FileExtensionValidator(DOCUMENT_TYPES)])
    opened_on = models.DateField()
    agreed = models.BooleanField(null=True, help_text="the preschool's answer; None: not yet")
    answered_on = models.DateField(null=True, blank=True)
    answer_reason = models.TextField(
        max_length=REASON_MAX, blank=True,
        help_text="why the preschool disagrees (A7.16), for the operator's risk case")

    def __str__(self) -> str:
        return f"dispute on {self.sheet_id}"


class SheetTotal(models.Model):
    """The final sheets of one city, month and preschool that became final on one day, counted:
    how they became final and the days by mark; the stored part of the reports' attendance
    (A14, A15), kept by attendance.sheet_totals."""

    city = models.CharField(max_length=32)
    month = models.CharField(max_length=7)
    preschool = models.ForeignKey("registry.Preschool", on_delete=models.PROTECT,
                                  related_name="+")
    final_on = models.DateField()
    sheets = models.PositiveIntegerField()
    by_parent = models.PositiveIntegerField(help_text="confirmed by the parent, no dispute")
    automatically = models.PositiveIntegerField(help_text="confirmed by silence, no dispute")
    present = models.PositiveIntegerField()
    sick = models.PositiveIntegerField()
    absent = models.PositiveIntegerField()
    vacation = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["city", "month", "preschool", "final_on"],
                                               name="one_sheet_total")]
        indexes = [models.Index(fields=["city", "final_on"])]

    def __str__(self) -> str:
        return f"{self.city} {self.month} {self.preschool_id} {self.final_on}: {self.sheets}"


class SheetTotalsThrough(models.Model):
    """One row: the last day of finality SheetTotal holds (None: none yet)."""

    through = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sheet totals through {self.through}"
