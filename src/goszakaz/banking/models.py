"""Child accounts (one per child, A7.6), bank tokens, idempotent API requests, monthly bank lists (A7.9)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from goszakaz.enrollment.models import Voucher
from goszakaz.registry.models import Bank


class AccountStatus(models.TextChoices):
    """requested (on the bank's list) -> opened -> closed."""

    REQUESTED = "requested", gettext_lazy("requested")
    OPENED = "opened", gettext_lazy("opened")
    CLOSED = "closed", gettext_lazy("closed")


ACCOUNT_TRANSITIONS: dict[str, set[str]] = {
    AccountStatus.REQUESTED: {AccountStatus.OPENED, AccountStatus.CLOSED},
    AccountStatus.OPENED: {AccountStatus.CLOSED},
    AccountStatus.CLOSED: set(),
}


class ChildAccount(models.Model):
    """The earmarked account of one child at one bank (A7.6): it only pays preschools for that child."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="accounts")
    bank = models.ForeignKey(Bank, on_delete=models.PROTECT)
    city = models.CharField(max_length=32, db_index=True)
    status = models.CharField(max_length=16, choices=AccountStatus.choices,
                              default=AccountStatus.REQUESTED)
    requested_on = models.DateField()
    number = models.CharField(max_length=34, blank=True, help_text="IBAN, once opened")
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    parent_registered = models.BooleanField(default=False, help_text="A7.7: signed in the app")
    direct_payment = models.BooleanField(
        default=False, help_text="A7.9: parent not registered, paid directly to the preschool")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["voucher"], condition=~Q(status="closed"),
                                    name="one_live_account_per_child"),
            models.UniqueConstraint(fields=["bank", "number"], condition=~Q(number=""),
                                    name="unique_account_number"),
        ]

    def __str__(self) -> str:
        return f"account {self.pk} ({self.bank_id}, {self.status})"


class BankToken(models.Model):
    """An API token of a bank; only its SHA-256 is stored."""

    bank = models.ForeignKey(Bank, on_delete=models.CASCADE, related_name="tokens")
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"token of {self.bank_id} ({'active' if self.active else 'revoked'})"


class IdempotentRequest(models.Model):
    """The first answer to an API write request (of a bank or a preschool), returned again for a
    repeat of the same key by the same client."""

    bank = models.ForeignKey(Bank, on_delete=models.CASCADE, null=True, blank=True)
    preschool = models.ForeignKey("registry.Preschool", on_delete=models.CASCADE, null=True,
                                  blank=True)
    key = models.CharField(max_length=128)
    path = models.CharField(max_length=200)
    body_sha256 = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bank", "key"], name="uniq_idem_key",
                                    condition=models.Q(bank__isnull=False)),
            models.UniqueConstraint(fields=["preschool", "key"], name="uniq_idem_key_preschool",
                                    condition=models.Q(preschool__isnull=False)),
            models.CheckConstraint(
                condition=models.Q(bank__isnull=True) ^ models.Q(preschool__isnull=True),
                name="idem_one_client"),
        ]

    def __str__(self) -> str:
        return f"{self.bank_id or self.preschool_id}:{self.key} -> {self.status}"


class MonthlyBankList(models.Model):
    """A7.9: the bank's list for a month, due by the 5th: accounts opened, parents not registered."""

    bank = models.ForeignKey(Bank, on_delete=models.PROTECT)
    month = models.CharField(max_length=7, help_text="YYYY-MM")
    received_on = models.DateField()
    opened = models.JSONField(help_text="account ids with an opened account")
    not_registered = models.JSONField(help_text="account ids whose parent did not register")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bank", "month"], name="one_list_per_month")]

    def __str__(self) -> str:
        return f"{self.bank_id} {self.month}"
