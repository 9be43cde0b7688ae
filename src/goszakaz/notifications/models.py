"""One row per message: kind, recipient, payload, when created and delivered."""

from django.db import models


class Notification(models.Model):
    """A message in the outbox; the cabinet channel delivers it when it is written."""

    city = models.CharField(max_length=32, db_index=True)
    kind = models.CharField(max_length=32)
    recipient_role = models.CharField(max_length=8, default="PAR",
                                      help_text="PAR, EDU, PRE, BANK or OPR")
    recipient_key = models.CharField(
        max_length=32, db_index=True,
        help_text="whose cabinet: a parent's IIN, a city code (EDU), a BIN (PRE), a bank code")
    payload = models.JSONField()
    channel = models.CharField(max_length=16, default="cabinet")
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    dedup_key = models.CharField(max_length=128, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} -> {self.recipient_role} ({self.created_at:%Y-%m-%d})"
