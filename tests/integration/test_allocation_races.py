"""Concurrent confirmations on PostgreSQL, with real connections: the city row serializes them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from goszakaz.access.actor import Actor
from goszakaz.queue.models import Application, ApplicationState, RunState
from goszakaz.queue.services import (
    StalePreview,
    confirm_allocation,
    import_applications,
    preview_allocation,
)
from goszakaz.registry.models import Role
from tests.factories import NOW, app_row, make_user, pilot_city, race

pytestmark = [pytest.mark.postgres,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def previews(write_csv):
    taraz = pilot_city("taraz")
    edu = make_user("edu-race", Role.EDU, taraz)
    rows = [app_row(str(i), dt.date(2019, 3, 1), f"2023-01-{i:02d}T10:00:00", i)
            for i in range(1, 11)]
    import_applications(city=taraz, path=write_csv(rows), skip_invalid=False, actor=Actor.system(Role.EDU),
                        now=NOW)
    a = preview_allocation(city=taraz, volume=3, as_of=dt.date(2024, 8, 1), actor=Actor.of_user(edu), now=NOW)
    b = preview_allocation(city=taraz, volume=4, as_of=dt.date(2024, 8, 1), actor=Actor.of_user(edu), now=NOW)
    return edu, a, b


def test_two_previews_confirmed_at_once_one_wins(previews) -> None:
    # covers: T1.7, T1.8
    assert connection.vendor == "postgresql"
    edu, a, b = previews
    results = race(lambda: confirm_allocation(run=a, actor=Actor.of_user(edu), now=NOW),
                   lambda: confirm_allocation(run=b, actor=Actor.of_user(edu), now=NOW))
    assert sorted(type(r).__name__ for r in results) == ["StalePreview", "bool"]
    winner = a if results[0] is True else b
    assert isinstance(results[1 if winner is a else 0], StalePreview)
    allocated = Application.objects.filter(state=ApplicationState.ALLOCATED).count()
    assert allocated == winner.allocated


def test_the_same_preview_confirmed_twice_at_once_confirms_once(previews) -> None:
    # covers: T1.7
    edu, a, _ = previews
    results = race(lambda: confirm_allocation(run=a, actor=Actor.of_user(edu), now=NOW),
                   lambda: confirm_allocation(run=a, actor=Actor.of_user(edu), now=NOW))
    assert sorted(results) == [False, True]
    a.refresh_from_db()
    assert a.state == RunState.CONFIRMED
    assert Application.objects.filter(state=ApplicationState.ALLOCATED).count() == 3
