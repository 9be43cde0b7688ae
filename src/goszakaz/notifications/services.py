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


def notify_many(messages: list[dict[str, Any]]) -> int:
    """`notify` for many messages at once (each a dict of notify's keyword arguments); a dedup
    key already in the outbox (or twice in the list) writes nothing; returns how many were written."""
    now = timezone.now()
    taken = set(Notification.objects.filter(dedup_key__in=[m["dedup_key"] for m in messages])
                .values_list("dedup_key", flat=True))
    new: list[Notification] = []
    for m in messages:
        if m["dedup_key"] in taken:
            continue
        taken.add(m["dedup_key"])
        new.append(Notification(city=m["city"], kind=m["kind"],
                                recipient_role=m.get("recipient_role", "PAR"),
                                recipient_key=m["recipient_key"], payload=m["payload"],
                                created_at=now, dedup_key=m["dedup_key"]))
    Notification.objects.bulk_create(new, batch_size=2000)
    delivered = [n.pk for n in new if CHANNELS[n.channel].deliver(n)]
    Notification.objects.filter(pk__in=delivered).update(delivered_at=now)
    return len(new)
