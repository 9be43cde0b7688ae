"""Ledger accounts and transfers (DESIGN, Money): integer tiyn, append-only, balances on the rows."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class AccountKind(models.TextChoices):
    """Kinds of ledger account; there is no cash account (A7.18)."""

    BUDGET = "budget", "Бюджет города"
    OPERATOR = "operator", "Оператор"
    OPERATOR_RETURNS = "operator_returns", "Оператор: возвраты"
    CHILD = "child", "Счёт ребёнка"
    PRESCHOOL = "preschool", "Дошкольная организация"


class LedgerAccount(models.Model):
    """One account: debits and credits posted so far; balance = credits - debits."""

    kind = models.CharField(max_length=16, choices=AccountKind.choices)
    owner = models.CharField(max_length=40, help_text="city code, voucher id, BIN")
    city = models.CharField(max_length=32, db_index=True)
    bank = models.ForeignKey("registry.Bank", null=True, blank=True, on_delete=models.PROTECT)
    no_overdraft = models.BooleanField(default=True)
    closed = models.BooleanField(default=False)
    debits_posted = models.BigIntegerField(default=0)
    credits_posted = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "owner"], name="one_account_per_owner"),
            models.CheckConstraint(
                condition=Q(no_overdraft=False) | Q(debits_posted__lte=F("credits_posted")),
                name="no_overdraft"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.owner}"

    @property
    def balance(self) -> int:
        """Credits minus debits, in tiyn."""
        return self.credits_posted - self.debits_posted


class TransferCode(models.TextChoices):
    """What a transfer is for."""

    BUDGET = "budget", "Бюджет → оператор (A7.12)"
    FUNDING = "funding", "Оператор → счёт ребёнка (A7.12)"
    PAYMENT = "payment", "Счёт ребёнка → организация (A7.18)"
    DIRECT = "direct", "Оператор → организация напрямую (A7.9)"
    SWEEP = "sweep", "Остаток → оператор (A7.18, A10)"
    CORRECTION = "correction", "Исправление"


class Transfer(models.Model):
    """A posted transfer; its id is the idempotency key derived from what it is."""

    id = models.CharField(max_length=80, primary_key=True)
    debit = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="+")
    credit = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField()
    code = models.CharField(max_length=16, choices=TransferCode.choices)
    period = models.CharField(max_length=7, help_text="YYYY-MM")
    child = models.ForeignKey("enrollment.Voucher", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    city = models.CharField(max_length=32, db_index=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="positive_amount"),
            models.CheckConstraint(condition=~Q(debit=F("credit")), name="two_accounts"),
        ]
        indexes = [models.Index(fields=["period", "code"]), models.Index(fields=["child", "period"])]

    def __str__(self) -> str:
        return f"{self.id}: {self.amount} tiyn"


from goszakaz.finance.funding import FundingLine, FundingRequest  # noqa: E402,F401
from goszakaz.finance.payments import Settlement  # noqa: E402,F401
from goszakaz.finance.recalculation import Recalculation  # noqa: E402,F401
from goszakaz.finance.tariffs import Norm, ParentFee  # noqa: E402,F401  (models of the app)
