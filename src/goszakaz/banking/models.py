"""Child accounts (one per child, A7.6) and the banks' monthly lists (A7.9)."""

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
        indexes = [  # the bank's list (issue 12)
            models.Index(fields=["bank", "status", "id"], name="account_by_status"),
            models.Index(fields=["bank", "requested_on", "id"], name="account_by_requested"),
            models.Index(fields=["bank", "opened_on", "id"], name="account_by_opened"),
            models.Index(fields=["bank", "closed_on", "id"], name="account_by_closed"),
            models.Index(fields=["bank", "number", "id"], name="account_by_iban"),
        ]

    def __str__(self) -> str:
        return f"account {self.pk} ({self.bank_id}, {self.status})"


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
