"""The outbox's set-based writes: a dedup key already written writes nothing, even when the
query that computed the messages could not see it (two ticks at once, the simulated faults)."""

from __future__ import annotations

from goszakaz.notifications.models import Notification
from goszakaz.notifications.services import notify, notify_from
from tests.factories import NOW


def test_a_dedup_key_already_in_the_outbox_is_skipped_not_refused(db) -> None:
    # covers: I17, A7.18
    sent = notify(city="taraz", kind="sheet_window_open", recipient_key="990101300123",
                  payload={"sheet": 7}, dedup_key="remind/sheet_window_open/7", at=NOW)
    # the same message again, computed by a query that did not look at the outbox (as a second
    # tick at once computes it before the first commits)
    again = notify_from(Notification.objects.filter(pk=sent.pk),
                        ("city", "kind", "recipient_role", "recipient_key", "payload",
                         "dedup_key"), at=NOW)
    assert again == 0
    assert Notification.objects.filter(dedup_key="remind/sheet_window_open/7").count() == 1
