"""Cities (O1), users' roles (A3), banks, preschools and the Перечень (A4), the accession agreement
(A7.2), and the API tokens of banks' and preschools' own systems."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy


class City(models.Model):
    """A pilot city (O1); the period is data, open-ended when pilot_end is empty (I16)."""

    code = models.SlugField(max_length=32, unique=True)
    name_ru = models.CharField(max_length=100)
    name_kk = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    pilot_start = models.DateField()
    pilot_end = models.DateField(null=True, blank=True)
    allocation_rules = models.CharField(
        max_length=32, blank=True, help_text="rule set of the Taraz procedure (A5), if the city uses it"
    )

    class Meta:
        verbose_name_plural = "cities"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_ru

    def in_pilot(self, day: dt.date) -> bool:
        """Is the day inside the city's pilot period (O1, I16)?"""
        return self.pilot_start <= day and (self.pilot_end is None or day <= self.pilot_end)


class Role(models.TextChoices):
    """The five participant roles (A3)."""

    EDU = "EDU", gettext_lazy("education department")
    OPR = "OPR", gettext_lazy("operator")
    BANK = "BANK", gettext_lazy("bank")
    PRE = "PRE", gettext_lazy("preschool")
    PAR = "PAR", gettext_lazy("parent")


class Membership(models.Model):
    """A user's role and scope: the city of an EDU user, the IIN of a parent."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    role = models.CharField(max_length=8, choices=Role.choices)
    city = models.ForeignKey(City, null=True, blank=True, on_delete=models.PROTECT)
    iin = models.CharField(max_length=12, blank=True, db_index=True)
    bank = models.ForeignKey("Bank", null=True, blank=True, on_delete=models.PROTECT)
    preschool = models.ForeignKey("Preschool", null=True, blank=True, on_delete=models.PROTECT)
    group = models.ForeignKey("Group", null=True, blank=True, on_delete=models.PROTECT,
                              help_text="PRE: the group of a teacher; none for the administrator")

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class Bank(models.Model):
    """A second-tier bank taking part in the pilot (A7.5-A7.9)."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    bin = models.CharField(max_length=12, unique=True)

    def __str__(self) -> str:
        return self.name


class Preschool(models.Model):
    """A preschool organization; it takes part once the city includes it in the Перечень (A4)."""

    bin = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=300)
    city = models.ForeignKey(City, on_delete=models.PROTECT)
    design_capacity = models.PositiveIntegerField(help_text="проектная мощность (A6)")
    included_on = models.DateField(null=True, blank=True, help_text="inclusion in the Перечень")
    excluded_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name

    def in_perechen(self, day: dt.date) -> bool:
        """A4: is the preschool on the city's Перечень on that day?"""
        return (self.included_on is not None and self.included_on <= day
                and (self.excluded_on is None or day < self.excluded_on))


class AgeGroup(models.TextChoices):
    """A preschool group's age (the groups of the preschool's own plan, not the tariff's)."""

    NURSERY = "1-2", gettext_lazy("1–2 years")
    JUNIOR = "2-3", gettext_lazy("2–3 years")
    MIDDLE = "3-4", gettext_lazy("3–4 years")
    SENIOR = "4-5", gettext_lazy("4–5 years")
    PRESCHOOL = "5-6", gettext_lazy("5–6 years (pre-school)")
    MIXED = "mixed", gettext_lazy("mixed ages")


class Group(models.Model):
    """A group of a preschool's pupils with its teacher (a PRE membership with this group)."""

    preschool = models.ForeignKey(Preschool, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(max_length=100)
    age_group = models.CharField(max_length=8, choices=AgeGroup.choices, default=AgeGroup.MIXED)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["preschool", "name"],
                                               name="uniq_group_name")]

    def __str__(self) -> str:
        return self.name


class BankRegistration(models.Model):
    """A7.8: a preschool registered with a bank, once (no re-registration)."""

    preschool = models.ForeignKey(Preschool, on_delete=models.PROTECT)
    bank = models.ForeignKey(Bank, on_delete=models.PROTECT)
    registered_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["preschool", "bank"], name="uniq_bank_reg")]

    def __str__(self) -> str:
        return f"{self.preschool} @ {self.bank}"


class AgreementVersion(models.Model):
    """A7.2: a version of the accession agreement; one adding no obligations needs no re-signing."""

    number = models.PositiveIntegerField(unique=True)
    published_on = models.DateField()
    summary = models.TextField()
    adds_obligations = models.BooleanField(default=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"agreement v{self.number} ({self.published_on})"


class AgreementSignature(models.Model):
    """Who (EDU city, bank, preschool, parent) signed which agreement version, and when."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT)
    party_type = models.CharField(max_length=8, choices=Role.choices)
    party_key = models.CharField(max_length=32, help_text="city code, bank code, BIN or IIN")
    signed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "party_type", "party_key"],
                                               name="uniq_signature")]

    def __str__(self) -> str:
        return f"{self.party_type}:{self.party_key} signed v{self.version.number}"


class ApiToken(models.Model):
    """A token of a bank's or a preschool's own system; only its SHA-256 is stored."""

    bank = models.ForeignKey(Bank, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="tokens")
    preschool = models.ForeignKey(Preschool, on_delete=models.CASCADE, null=True,
                                  blank=True, related_name="tokens")
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.CheckConstraint(
            condition=models.Q(bank__isnull=True) ^ models.Q(preschool__isnull=True),
            name="token_one_holder")]

    def __str__(self) -> str:
        holder = f"bank {self.bank_id}" if self.bank_id else f"preschool {self.preschool_id}"
        return f"token {self.pk} of {holder} ({'active' if self.active else 'revoked'})"
