"""The audit row: one per state change, save, API request or read of a child's data (DESIGN rule 5)."""

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """Who (user, or API client and token, in a role) did what (an AuditAction) to which object,
    when, with the state before and after, and the children it touched."""

    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    role = models.CharField(max_length=8)
    client = models.CharField(max_length=48, blank=True,
                              help_text="the API client: bank:<code> or preschool:<id>")
    token = models.BigIntegerField(null=True, blank=True, help_text="the API token's id")
    action = models.CharField(max_length=64, help_text="a member of AuditAction")
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    city = models.CharField(max_length=32, blank=True)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    children = models.JSONField(default=list, blank=True,
                                help_text="ids of the vouchers (children) it touched")

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"]),
                   models.Index(fields=["action", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.role} {self.action} {self.object_type}:{self.object_id}"
