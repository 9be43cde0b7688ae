"""API tokens of banks and preschools (only their SHA-256 kept) and the first answers to API writes."""

from __future__ import annotations

from django.db import models


class ApiToken(models.Model):
    """A token of a bank's or a preschool's own system; only its SHA-256 is stored."""

    bank = models.ForeignKey("registry.Bank", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="tokens")
    preschool = models.ForeignKey("registry.Preschool", on_delete=models.CASCADE, null=True,
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


class IdempotentRequest(models.Model):
    """The first answer to an API write request (of a bank or a preschool), returned again for a
    repeat of the same key by the same client."""

    bank = models.ForeignKey("registry.Bank", on_delete=models.CASCADE, null=True, blank=True)
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
