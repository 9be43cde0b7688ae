"""Putting messages into the outbox; the same dedup key twice writes one message."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from goszakaz.notifications.models import Notification


def notify(
    *, city: str, kind: str, recipient_iin: str, payload: dict[str, Any], dedup_key: str
) -> Notification:
    """Write a cabinet message once per dedup key (delivered at once to the web cabinet)."""
    now = timezone.now()
    obj, _ = Notification.objects.get_or_create(
        dedup_key=dedup_key,
        defaults={
            "city": city,
            "kind": kind,
            "recipient_iin": recipient_iin,
            "payload": payload,
            "created_at": now,
            "delivered_at": now,
        },
    )
    return obj
