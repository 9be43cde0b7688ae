"""The finance app's tables: ledger accounts and transfers (integer tiyn, append-only), tariffs,
funding requests and lines, settlements of final sheets and their A9 recalculations."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy


class AccountKind(models.TextChoices):
    """Kinds of ledger account; there is no cash account (A7.18)."""

    BUDGET = "budget", gettext_lazy("the city's budget")
    OPERATOR = "operator", gettext_lazy("the operator")
    OPERATOR_RETURNS = "operator_returns", gettext_lazy("the operator: returns")
    CHILD = "child", gettext_lazy("a child's account")
    PRESCHOOL = "preschool", gettext_lazy("a preschool")


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

    BUDGET = "budget", gettext_lazy("budget to the operator (A7.12)")
    FUNDING = "funding", gettext_lazy("operator to a child's account (A7.12)")
    PAYMENT = "payment", gettext_lazy("a child's account to the preschool (A7.18)")
    DIRECT = "direct", gettext_lazy("operator to the preschool directly (A7.9)")
    SWEEP = "sweep", gettext_lazy("balance back to the operator (A7.18, A10)")
    CORRECTION = "correction", gettext_lazy("correction")


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
        indexes = [models.Index(fields=["period", "code"]), models.Index(fields=["child", "period"]),
                   # the day's transfers not yet in FlowTotal, read live (finance.flow_totals)
                   models.Index(fields=["created_at"], name="transfer_by_moment")]

    def __str__(self) -> str:
        return f"{self.id}: {self.amount} tiyn"

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
        constraints = [
            models.UniqueConstraint(fields=["preschool", "effective_from"], name="one_fee_per_day"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="fee_not_negative"),
        ]

    def __str__(self) -> str:
        return f"fee of {self.preschool_id} from {self.effective_from}"

class RequestState(models.TextChoices):
    """sent to EDU (A7.11) -> transferred by EDU to the operator -> distributed to the children."""

    SENT = "sent", gettext_lazy("request sent")
    TRANSFERRED = "transferred", gettext_lazy("money transferred to the operator")
    DISTRIBUTED = "distributed", gettext_lazy("money credited to the children's accounts")


REQUEST_TRANSITIONS: dict[str, set[str]] = {
    RequestState.SENT: {RequestState.TRANSFERRED},
    RequestState.TRANSFERRED: {RequestState.DISTRIBUTED},
    RequestState.DISTRIBUTED: set(),
}


class FundingRequest(models.Model):
    """The operator's request to the city for a month (A7.11)."""

    city = models.ForeignKey("registry.City", on_delete=models.PROTECT)
    month = models.CharField(max_length=7)
    state = models.CharField(max_length=16, choices=RequestState.choices,
                             default=RequestState.SENT)
    sent_on = models.DateField()
    transferred_on = models.DateField(null=True, blank=True)
    distributed_on = models.DateField(null=True, blank=True)
    to_accounts = models.BigIntegerField(help_text="tiyn for the children's accounts")
    direct = models.BigIntegerField(help_text="tiyn for children paid directly (A7.9)")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["city", "month"], name="one_request")]

    def __str__(self) -> str:
        return f"funding {self.city_id} {self.month} ({self.state})"


class FundingLine(models.Model):
    """One child's line: the norm, the balance already there, what is owed, the amount (I5)."""

    request = models.ForeignKey(FundingRequest, on_delete=models.CASCADE, related_name="lines")
    voucher = models.ForeignKey("enrollment.Voucher", on_delete=models.PROTECT)
    account = models.ForeignKey(LedgerAccount, null=True, blank=True, on_delete=models.PROTECT)
    norm = models.BigIntegerField()
    balance = models.BigIntegerField()
    owed = models.BigIntegerField()
    amount = models.BigIntegerField()
    direct = models.BooleanField(help_text="no account (or parent not registered): A7.9")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "voucher"], name="one_line")]
        indexes = [models.Index(fields=["request", "amount", "id"], name="line_by_amount")]

    def __str__(self) -> str:
        return f"{self.request_id}/{self.voucher_id}: {self.amount}"

class Shortfall(models.TextChoices):
    """Why a settled sheet was not paid in full at once: it is owed, and paid first when the
    money is there (I5, I18)."""

    ACCOUNT_SHORT = "account_short", gettext_lazy("the child's account held less (I5)")
    OPERATOR_SHORT = "operator_short", gettext_lazy(
        "the operator had not received the money for direct payment yet (I18)")


class Settlement(models.Model):
    """What a final sheet costs (A8): the Госзаказ due, what was paid of it, the parent fee."""

    sheet = models.OneToOneField("attendance.Sheet", on_delete=models.PROTECT)
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
    owed_because = models.CharField(
        max_length=24, blank=True, choices=Shortfall.choices,
        help_text="why `paid` is short of `due` when the month was settled (I5, I18)")

    class Meta:
        indexes = [models.Index(fields=["voucher", "month"]),
                   # the few owed items (I5, I18) among a year's millions of settlements: the
                   # reports' owed column and tick's count read them without a scan
                   models.Index(fields=["city", "month"], condition=Q(paid__lt=F("due")),
                                name="settlement_owed")]

    def __str__(self) -> str:
        return f"settlement {self.voucher_id} {self.month}: {self.paid}/{self.due}"

class Recalculation(models.Model):
    """A9: one correction of a paid month: the amounts before and after, what came back."""

    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT,
                                   related_name="recalculations")
    sheet_version = models.PositiveIntegerField()
    due_before = models.BigIntegerField()
    due_after = models.BigIntegerField()
    fee_before = models.BigIntegerField()
    fee_after = models.BigIntegerField()
    recovered = models.BigIntegerField(default=0, help_text="tiyn the preschool gave back")
    made_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["settlement", "sheet_version"],
                                               name="one_recalculation_per_version")]

    def __str__(self) -> str:
        return f"A9 {self.settlement_id} v{self.sheet_version}: {self.due_before} -> {self.due_after}"


class FlowTotal(models.Model):
    """The transfers posted on one day (the Kazakhstan date of `created_at`), summed per city,
    period, code and the two accounts' kinds: the stored part of the reports' money (A14, A15).
    A posting day never changes, so a day's row is exact once the day is over
    (finance.flow_totals)."""

    posted_on = models.DateField()
    city = models.CharField(max_length=32)
    period = models.CharField(max_length=7)
    code = models.CharField(max_length=16, choices=TransferCode.choices)
    debit_kind = models.CharField(max_length=16, choices=AccountKind.choices)
    credit_kind = models.CharField(max_length=16, choices=AccountKind.choices)
    amount = models.BigIntegerField(help_text="tiyn")
    transfers = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["posted_on", "city", "period", "code", "debit_kind", "credit_kind"],
            name="one_flow_total")]
        indexes = [models.Index(fields=["city", "posted_on"])]

    def __str__(self) -> str:
        return f"{self.posted_on} {self.city} {self.period} {self.code}: {self.amount}"


class FlowTotalsThrough(models.Model):
    """One row: the last posting day FlowTotal holds (None: none yet)."""

    through = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"flow totals through {self.through}"
