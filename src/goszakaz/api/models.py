"""The first answers to API writes, returned again for a repeat of the same Idempotency-Key."""

from __future__ import annotations

from django.db import models


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
