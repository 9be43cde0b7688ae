"""Requests that collide, on PostgreSQL (issue 10), each in its own thread and connection, released
by one barrier: ten confirmations and ten disputes of one sheet through the parent's page (one
final state, one audit row of it, one dispute at most; every request answered with a redirect
and a message, the losers' a clear refusal); and the same thing sent twice at once where the
database's unique constraints decide (an account number, a monthly list, a tariff, a preschool
of the Перечень): one stands, the other is refused or repeats it, never a 500."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from goszakaz.attendance.models import Dispute, Sheet, SheetState
from goszakaz.audit.models import AuditEntry
from goszakaz.banking.models import ChildAccount
from goszakaz.enrollment.models import VoucherStatus
from goszakaz.enrollment.services import set_status
from goszakaz.registry.models import Bank, City
from tests.factories import NOW, OPR, make_voucher
from tests.integration.test_access_matrix import world  # noqa: F401 - the fixture

pytestmark = [pytest.mark.postgres,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]
EACH = 10


def answer_at_once(user, url: str, bodies: list[dict[str, str]], api: str = "",
                   ) -> list[tuple[int, list[str]]]:
    """POST every body at the same moment, each from its own signed-in client and connection
    (or, with an API token, as JSON with its own Idempotency-Key): (status, the messages the
    next page shows, or the JSON answer) of each, or the exception it raised."""
    barrier = threading.Barrier(len(bodies))
    results: list[object] = [None] * len(bodies)

    def work(i: int, body: dict[str, str]) -> None:
        try:
            client = Client(HTTP_ACCEPT_LANGUAGE="ru")
            if api:
                barrier.wait()
                response = client.post(url, json.dumps(body), content_type="application/json",
                                       HTTP_AUTHORIZATION=f"Bearer {api}",
                                       HTTP_IDEMPOTENCY_KEY=f"race-{i}")
                results[i] = (response.status_code, response.json())
                return
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


def second_account(world: dict) -> ChildAccount:  # noqa: F811
    """Another child of the city asked for an account at the same bank as world's account."""
    with transaction.atomic():
        voucher = make_voucher(City.objects.get(code="taraz"), 21)
        for status in (VoucherStatus.VERIFIED, VoucherStatus.ACCOUNT_REQUESTED):
            set_status(voucher=voucher, to=status, why="test", actor=OPR, now=NOW)
        return ChildAccount.objects.create(voucher=voucher, bank=Bank.objects.get(code="halyk"),
                                           city="taraz", requested_on=dt.date(2024, 3, 20))


def test_one_account_number_for_two_children_at_once(world) -> None:  # noqa: F811
    # covers: A7.6
    other = second_account(world)
    number = "KZ86125KZT5004100100"
    bank = world["users"]["bank"]
    results = answer_at_once(bank, reverse("bank-cabinet"), [
        {"action": "open", "account": str(pk), "number": number}
        for pk in (world["account"], other.pk)] * 2)
    assert [r for r in results if not isinstance(r, tuple)] == []
    assert {status for status, _ in results} == {302}
    assert ChildAccount.objects.filter(number=number).count() == 1
    assert sum(1 for _, shown in results if {lvl for lvl, _ in shown} == {"error"}) >= 1


def test_the_bank_api_opens_one_account_number_once_at_once(world) -> None:  # noqa: F811
    # covers: A7.6
    other = second_account(world)
    number = "KZ86125KZT5004100100"
    results = answer_at_once(None, "/api/bank/v1/accounts/opened", [
        {"account_id": pk, "number": number, "opened_on": "2024-03-25",
         "parent_registered": True} for pk in (world["account"], other.pk)] * 3,
        api=world["tokens"]["bank"])
    assert [r for r in results if not isinstance(r, tuple)] == []
    statuses = sorted(status for status, _ in results)
    assert set(statuses) <= {200, 409} and 409 in statuses, statuses
    assert all(isinstance(answer["detail"], str) for status, answer in results if status == 409)
    assert ChildAccount.objects.filter(number=number).count() == 1


def test_the_same_monthly_list_twice_at_once(world) -> None:  # noqa: F811
    # covers: A7.9
    results = answer_at_once(world["users"]["bank"], reverse("bank-cabinet"),
                             [{"action": "month", "month": "2024-06"}] * 4)
    assert [r for r in results if not isinstance(r, tuple)] == []
    assert {status for status, _ in results} == {302}
    results = answer_at_once(None, "/api/bank/v1/monthly-lists",
                             [{"month": "2024-07", "opened": [], "parents_not_registered": []}] * 4,
                             api=world["tokens"]["bank"])
    assert [r for r in results if not isinstance(r, tuple)] == []
    assert {status for status, _ in results} <= {200, 409}, results


def test_the_same_tariff_and_preschool_twice_at_once(world) -> None:  # noqa: F811
    # covers: A8.1, A4
    results = answer_at_once(world["users"]["edu"], reverse("tariffs"), [{
        "kind": "norm", "norm-age_group": "early", "norm-stay_mode": "full_day",
        "norm-effective_from": "2025-02-01", "norm-amount": str(70000 + i)} for i in range(4)])
    assert [r for r in results if not isinstance(r, tuple)] == []
    assert {status for status, _ in results} <= {200, 302}
    results = answer_at_once(world["users"]["edu"], reverse("edu-perechen"), [{
        "bin": world["bin_edu"], "name": "Балабақша", "design_capacity": "10",
        "included_on": "2024-03-01"}] * 4)
    assert [r for r in results if not isinstance(r, tuple)] == []
    assert {status for status, _ in results} <= {200, 302}


def test_the_same_list_sent_to_a_bank_twice_at_once(world) -> None:  # noqa: F811
    # covers: A7.5
    results = answer_at_once(world["users"]["opr"], reverse("operator-banks"),
                             [{"city": str(world["taraz"]), "bank": str(world["halyk"])}] * 4)
    assert [r for r in results if not isinstance(r, tuple)] == []
    assert {status for status, _ in results} == {302}
    assert ChildAccount.objects.filter(voucher__child_iin=world["pupil_iin"]).count() == 1
