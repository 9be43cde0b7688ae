"""Opposite answers to one sheet at the same moment, on PostgreSQL (issue 10): ten confirmations
and ten disputes of one sheet through the parent's page, each a request in its own thread and
connection released by one barrier. One final state, one audit row of it, one dispute at most;
every request answered with a redirect and a message, the losers' a clear refusal, no 500."""

from __future__ import annotations

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse

from goszakaz.attendance.models import Dispute, Sheet, SheetState
from goszakaz.audit.models import AuditEntry
from tests.integration.test_access_matrix import world  # noqa: F401 - the fixture

pytestmark = [pytest.mark.postgres,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]
EACH = 10


def answer_at_once(user, url: str, bodies: list[dict[str, str]]) -> list[tuple[int, list[str]]]:
    """POST every body at the same moment, each from its own signed-in client and connection:
    (status, the messages the next page shows) of each, or the exception it raised."""
    barrier = threading.Barrier(len(bodies))
    results: list[object] = [None] * len(bodies)

    def work(i: int, body: dict[str, str]) -> None:
        try:
            client = Client(HTTP_ACCEPT_LANGUAGE="ru")
            client.force_login(user)
            barrier.wait()
            response = client.post(url, body)
            results[i] = (response.status_code,
                          [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)])
        except Exception as e:  # noqa: BLE001 - a server error is what the test looks for
            results[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, b)) for i, b in enumerate(bodies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results  # type: ignore[return-value]


@pytest.mark.parametrize("rounds", [3])
def test_confirm_and_dispute_of_one_sheet_at_once_end_in_one_state(world, rounds) -> None:  # noqa: F811
    # covers: A7.14, A7.15
    for n in range(rounds):
        sheet = Sheet.objects.get(pk=world["open_sheet"])
        if n:  # the same race again on a fresh open sheet of the month
            Dispute.objects.filter(sheet=sheet).delete()
            Sheet.objects.filter(pk=sheet.pk).update(state=SheetState.OPEN, final_on=None,
                                                     parent_responded=False)
        url = reverse("parent-sheet-answer", kwargs={"sheet_id": sheet.pk})
        bodies = [{"answer": "confirm"}, {"answer": "dispute", "reason": "не был"}] * EACH
        before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        results = answer_at_once(world["users"]["par"], url, bodies)

        errors = [r for r in results if not isinstance(r, tuple)]
        assert errors == [], errors[:3]
        assert {status for status, _ in results} == {302}
        final = Sheet.objects.get(pk=sheet.pk).state
        assert final in (SheetState.CONFIRMED, SheetState.DISPUTED)
        moves = AuditEntry.objects.filter(pk__gt=before, object_type="sheet",
                                          object_id=str(sheet.pk))
        assert moves.count() == 1, list(moves.values_list("action", flat=True))
        assert Dispute.objects.filter(sheet=sheet).count() == (final == SheetState.DISPUTED)
        won = "confirm" if final == SheetState.CONFIRMED else "dispute"
        for body, (_, shown) in zip(bodies, results, strict=True):
            levels = {level for level, _ in shown}
            if body["answer"] == won:  # the winner, and its repeats: done (a no-op)
                assert levels == {"success"}, shown
            else:  # the loser: told the sheet is already in the winner's state
                assert levels == {"error"}, shown
                assert any(("подтвержд" if won == "confirm" else "оспорен") in text
                           for _, text in shown), shown
