"""Delivery channels of the outbox: the web cabinet now; SMS or e-mail plug in by the same interface."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from goszakaz.notifications.models import Notification


class Channel(Protocol):
    """Something that delivers an outbox message; True when it was delivered. A channel that
    sends words (SMS, e-mail) takes them from `notifications.texts.text_of(n, lang)`: amounts
    as 60 000,00 ₸, dates as dd.mm.yyyy, in the recipient's language."""

    def deliver(self, notification: Notification) -> bool: ...


class Cabinet:
    """The web cabinet reads the outbox itself: a message is delivered once it is written."""

    def deliver(self, notification: Notification) -> bool:
        return True


CHANNELS: dict[str, Channel] = {"cabinet": Cabinet()}


def deliver_pending(*, at: dt.datetime, limit: int = 1000) -> int:
    """Hand undelivered messages to their channels; returns how many were delivered."""
    delivered = 0
    for n in Notification.objects.filter(delivered_at=None).order_by("id")[:limit]:
        channel = CHANNELS.get(n.channel)
        if channel is not None and channel.deliver(n):
            Notification.objects.filter(pk=n.pk, delivered_at=None).update(delivered_at=at)
            delivered += 1
    return delivered
