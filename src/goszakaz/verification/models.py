"""Lists received from the city (A7.3); risk cases of the НОБД check, their history and protocols (A7.4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from goszakaz.enrollment.models import Voucher
from goszakaz.registry.models import City, Preschool


class ListSubmission(models.Model):
    """A7.3: the city's Перечень and children list as received by the operator on a day."""

    city = models.ForeignKey(City, on_delete=models.PROTECT)
    received_on = models.DateField()
    preschools = models.PositiveIntegerField(help_text="preschools on the Перечень when received")
    children = models.PositiveIntegerField(help_text="granted vouchers when received")
    checked_on = models.DateField(null=True, blank=True, help_text="day of the last НОБД check")
    summary = models.JSONField(null=True, blank=True, help_text="result of the last НОБД check")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["city", "received_on"],
                                               name="one_submission_per_city_day")]
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"lists of {self.city.code} received {self.received_on}"

    @property
    def deadline_subject(self) -> str:
        """The subject of its A7.4 deadline row."""
        return f"lists/{self.received_on.isoformat()}"


class RiskCaseKind(models.TextChoices):
    """What did not match (A7.4), or why else a child went to risk verification (A7.9)."""

    IIN_UNKNOWN = "iin_unknown", gettext_lazy("IIN not found in НОБД")
    BIRTH_DATE_DIFFERS = "birth_date_differs", gettext_lazy("birth date differs from НОБД")
    NAME_DIFFERS = "name_differs", gettext_lazy("name differs from НОБД")
    NOT_RESIDENT = "not_resident", gettext_lazy("the child does not live in the city by НОБД")
    BIN_UNKNOWN = "bin_unknown", gettext_lazy("the preschool's BIN not found in НОБД")
    PRESCHOOL_CITY_DIFFERS = "preschool_city_differs", gettext_lazy(
        "the preschool is in another city by НОБД")
    PARENT_NOT_REGISTERED = "parent_not_registered", gettext_lazy(
        "the parent did not register at the bank (A7.9)")
    SHEET_DISPUTE = "sheet_dispute", gettext_lazy("sheet dispute: the preschool disagrees (A7.16)")
    DIRECT_PAYMENT = "direct_payment", gettext_lazy(
        "paid directly to the preschool: no open bank account (A7.9)")


class RiskCaseState(models.TextChoices):
    """open -> confirmed | corrected (by protocol) | exclusion requested -> excluded (by EDU)."""

    OPEN = "open", gettext_lazy("open")
    CONFIRMED = "confirmed", gettext_lazy("data confirmed by protocol")
    CORRECTED = "corrected", gettext_lazy("data corrected by protocol")
    EXCLUSION_REQUESTED = "exclusion_requested", gettext_lazy("exclusion notice sent")
    EXCLUDED = "excluded", gettext_lazy("excluded by the education department")


RISK_CASE_TRANSITIONS: dict[str, set[str]] = {
    RiskCaseState.OPEN: {RiskCaseState.CONFIRMED, RiskCaseState.CORRECTED,
                         RiskCaseState.EXCLUSION_REQUESTED},
    RiskCaseState.EXCLUSION_REQUESTED: {RiskCaseState.EXCLUDED},
    RiskCaseState.CONFIRMED: set(),
    RiskCaseState.CORRECTED: set(),
    RiskCaseState.EXCLUDED: set(),
}

UNRESOLVED = (RiskCaseState.OPEN, RiskCaseState.EXCLUSION_REQUESTED)
# I19, A7.9: the kinds of a child paid directly by the operator; one unresolved case of them a child
DIRECT_KINDS = (RiskCaseKind.PARENT_NOT_REGISTERED, RiskCaseKind.DIRECT_PAYMENT)


class RiskCase(models.Model):
    """One mismatch of one voucher (child) or one preschool, under the operator's risk verification.

    `key` makes opening idempotent: it names the subject, the kind and a digest of the values
    that differed, so the same mismatch found twice is one case, while a new difference (НОБД
    changed again after a protocol) is a new one. `found` keeps both values for the operator.
    """

    city = models.ForeignKey(City, on_delete=models.PROTECT)
    voucher = models.ForeignKey(Voucher, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="risk_cases")
    preschool = models.ForeignKey(Preschool, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="risk_cases")
    kind = models.CharField(max_length=32, choices=RiskCaseKind.choices)
    state = models.CharField(max_length=24, choices=RiskCaseState.choices,
                             default=RiskCaseState.OPEN)
    key = models.CharField(max_length=80, unique=True)
    found = models.JSONField(default=dict, help_text="ours and НОБД's values (personal data)")
    submission = models.ForeignKey(ListSubmission, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="risk_cases")
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(voucher__isnull=False, preschool__isnull=True)
                           | Q(voucher__isnull=True, preschool__isnull=False)),
                name="risk_case_has_one_subject"),
            models.UniqueConstraint(  # I19: never a second while one is open, even at once
                fields=["voucher"], condition=Q(kind__in=DIRECT_KINDS, state__in=UNRESOLVED),
                name="one_open_direct_payment_case"),
        ]
        indexes = [models.Index(fields=["city", "state"], name="risk_case_city_state")]
        ordering = ["opened_on", "id"]

    def __str__(self) -> str:
        subject = f"voucher {self.voucher_id}" if self.voucher_id else f"preschool {self.preschool_id}"
        return f"risk case {self.pk}: {subject} {self.kind} ({self.state})"


class RiskCaseEvent(models.Model):
    """The history of a case: who, in which role, when, state before -> after, and a note."""

    case = models.ForeignKey(RiskCase, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT)
    role = models.CharField(max_length=8)
    before = models.CharField(max_length=24, blank=True)
    after = models.CharField(max_length=24)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"case {self.case_id}: {self.before} -> {self.after}"


class ProtocolDecision(models.TextChoices):
    """A7.4: the operator's protocol confirms the data as they are, or corrects them."""

    CONFIRMED = "confirmed", gettext_lazy("data confirmed")
    CORRECTED = "corrected", gettext_lazy("data corrected")


class Protocol(models.Model):
    """The operator's protocol closing a risk case; `corrections` maps field -> {before, after}."""

    case = models.OneToOneField(RiskCase, on_delete=models.PROTECT, related_name="protocol")
    number = models.CharField(max_length=64, unique=True)
    date = models.DateField()
    decision = models.CharField(max_length=16, choices=ProtocolDecision.choices)
    corrections = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT)
    role = models.CharField(max_length=8)

    def __str__(self) -> str:
        return f"protocol {self.number} ({self.decision})"
