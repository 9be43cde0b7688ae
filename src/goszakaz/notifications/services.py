"""Putting messages into the outbox; the same dedup key twice writes one message."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from goszakaz.notifications.channels import CHANNELS
from goszakaz.notifications.models import Notification


def notify(
    *, city: str, kind: str, recipient_key: str, payload: dict[str, Any], dedup_key: str,
    recipient_role: str = "PAR",
) -> Notification:
    """Write a cabinet message once per dedup key (delivered at once to the web cabinet).

    The recipient is a role and a key: a parent's IIN, a city code for its education
    department, a preschool's BIN, a bank's code.
    """
    now = timezone.now()
    obj, created = Notification.objects.get_or_create(
        dedup_key=dedup_key,
        defaults={
            "city": city,
            "kind": kind,
            "recipient_role": recipient_role,
            "recipient_key": recipient_key,
            "payload": payload,
            "created_at": now,
        },
    )
    if created and CHANNELS[obj.channel].deliver(obj):
        obj.delivered_at = now
        obj.save(update_fields=["delivered_at"])
    return obj
