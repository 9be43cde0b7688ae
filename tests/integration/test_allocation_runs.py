"""Allocation runs in the database: preview with frozen inputs, confirmation, messages (T1, T2, A5)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from goszakaz.access.actor import Actor
from goszakaz.domain.states import IllegalTransition
from goszakaz.notifications.models import Notification
from goszakaz.queue.models import Application, ApplicationState, RunState
from goszakaz.queue.services import (
    NotTarazProcedure,
    StalePreview,
    confirm_allocation,
    discard_allocation,
    explanation,
    import_applications,
    preview_allocation,
)
from goszakaz.registry.models import Role
from tests.factories import NOW, PARENT_IIN, app_row

AS_OF = dt.date(2024, 8, 1)


@pytest.fixture
def queue(taraz, write_csv) -> None:
    rows = [app_row(str(i), dt.date(2019, 3, 1), f"2022-01-{i:02d}T09:00:00", i,
                    large_family="true" if i % 3 == 0 else "false",
                    military_family="true" if i == 20 else "false",
                    parent_iin=PARENT_IIN if i in (3, 20) else "")
            for i in range(1, 25)]
    import_applications(city=taraz, path=write_csv(rows), skip_invalid=False, actor=Actor.system(Role.EDU),
                        now=NOW)


def test_preview_keeps_inputs_and_results(taraz, queue, edu_taraz) -> None:
    # covers: T1.4, T1.5, T1.6, T2, I13, A7.1
    run = preview_allocation(city=taraz, volume=5, as_of=AS_OF, actor=Actor.of_user(edu_taraz), now=NOW)
    assert run.state == RunState.PREVIEW and (run.volume, run.rules) == (5, "taraz-2024")
    assert (run.military_applications, run.military_seats, run.allocated) == (1, 1, 5)
    # 24 applicants aged 5 on 1 July 2024: large families (8, i % 3 == 0) in category 1,
    # the other 15 non-military in category 5. Vt = 5 - 1 = 4: Vp1 = 4*4/35, Vp5 = 4*2/35,
    # then what is left is shared 4:2 between the two categories with demand: Vf = 8/3, 4/3.
    cats = {c.number: c for c in run.categories.all()}
    assert Fraction(cats[1].vp) == Fraction(16, 35) and Fraction(cats[5].vp) == Fraction(8, 35)
    assert Fraction(cats[1].vf) == Fraction(8, 3) and Fraction(cats[5].vf) == Fraction(4, 3)
    assert (cats[1].seats, cats[5].seats) == (3, 1)
    assert run.iterations[0][0] == "16/35" and run.iterations[-1][0] == "8/3"
    outcome = run.outcomes.get(application__application_id="20")
    assert (outcome.status, outcome.seat_order, outcome.reason) == ("allocated", 1,
                                                                     "military priority")
    assert outcome.inputs["military_family"] is True and outcome.inputs["birth_date"]
    assert not Notification.objects.filter(kind="place_allocated").exists()


def test_confirm_allocates_and_notifies_once(taraz, queue, edu_taraz) -> None:
    # covers: T1.7, T1.8
    run = preview_allocation(city=taraz, volume=5, as_of=AS_OF, actor=Actor.of_user(edu_taraz), now=NOW)
    assert confirm_allocation(run=run, actor=Actor.of_user(edu_taraz), now=NOW) is True
    assert confirm_allocation(run=run, actor=Actor.of_user(edu_taraz), now=NOW) is False  # no-op
    allocated = Application.objects.filter(state=ApplicationState.ALLOCATED)
    assert allocated.count() == 5
    orders = run.outcomes.exclude(seat_order=None).order_by("seat_order")
    # Seat 1 military; then round 1 gives category 1 its k=4 (capped at 3), category 5 one.
    assert [(o.seat_order, o.category) for o in orders] == [
        (1, None), (2, 1), (3, 1), (4, 1), (5, 5)]
    notes = Notification.objects.filter(kind="place_allocated", recipient_key=PARENT_IIN)
    assert notes.count() == 2
    with pytest.raises(IllegalTransition):
        discard_allocation(run=run, actor=Actor.of_user(edu_taraz), now=NOW)


def test_explanation_for_the_parent(taraz, queue, edu_taraz) -> None:
    # covers: T1.2, T1.3
    run = preview_allocation(city=taraz, volume=5, as_of=AS_OF, actor=Actor.of_user(edu_taraz), now=NOW)
    confirm_allocation(run=run, actor=Actor.of_user(edu_taraz), now=NOW)
    text = explanation(Application.objects.get(application_id="3"), today=NOW.date(), lang="ru")
    assert "Категория 1:" in text and "Номер в очереди категории: 1." in text
    assert "Мест для категории: 3; места получили заявления с номерами 1–3." in text
    en = explanation(Application.objects.get(application_id="3"), today=NOW.date(), lang="en")
    assert "Category 1:" in en and "has a place" in en


def test_only_taraz_uses_the_procedure(shymkent, edu_shymkent) -> None:
    # covers: A5
    with pytest.raises(NotTarazProcedure):
        preview_allocation(city=shymkent, volume=10, as_of=AS_OF, actor=Actor.of_user(edu_shymkent), now=NOW)


def test_a_preview_of_a_changed_queue_cannot_be_confirmed(taraz, queue, edu_taraz,
                                                         write_csv) -> None:
    # covers: T1.4, T3
    first = preview_allocation(city=taraz, volume=5, as_of=AS_OF, actor=Actor.of_user(edu_taraz), now=NOW)
    second = preview_allocation(city=taraz, volume=5, as_of=AS_OF, actor=Actor.of_user(edu_taraz), now=NOW)
    confirm_allocation(run=first, actor=Actor.of_user(edu_taraz), now=NOW)
    with pytest.raises(StalePreview):  # the first took five applications out of the queue
        confirm_allocation(run=second, actor=Actor.of_user(edu_taraz), now=NOW)
    third = preview_allocation(city=taraz, volume=2, as_of=AS_OF, actor=Actor.of_user(edu_taraz), now=NOW)
    import_applications(city=taraz, path=write_csv([app_row("77", dt.date(2019, 3, 1),
                                                            "2023-05-05T10:00:00", 77)]),
                        skip_invalid=False, actor=Actor.system(Role.EDU), now=NOW)
    with pytest.raises(StalePreview):  # a new application came in
        confirm_allocation(run=third, actor=Actor.of_user(edu_taraz), now=NOW)
    assert Application.objects.filter(state=ApplicationState.ALLOCATED).count() == 5
