"""The per-child list of an allocation run (issue 12; T1.7, T1.8, T2): each application in seat
order, the child (IIN masked, name), its category in words, its queue number and the outcome."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from goszakaz import rules as rule_data
from goszakaz.domain import allocation as alloc
from goszakaz.domain.iin import short_iin
from goszakaz.queue.models import AllocationRun, RunOutcome
from goszakaz.reports.listing import Column, Filter, Scope, StaffList, Text, iin_or_name, register

OUTCOMES: dict[str, Text] = {
    alloc.ALLOCATED: _("place allocated"),
    alloc.WAITING: _("waiting in the queue"),
    alloc.EXCLUDED: _("not taking part"),
}
REASONS: dict[str, Text] = {  # the msgids of the pages' reason_label
    alloc.NOT_RESIDENT: _("not resident in the city"),
    alloc.NO_CATEGORY: _("no matching category"),
    alloc.MILITARY: _("military family, placed first"),
}


@lru_cache(maxsize=16)
def _titles(rule_id: str, lang: str) -> dict[int, str]:
    """The categories of a rule set by number, in the language ("5 — ...")."""
    try:
        rule_set = rule_data.load(rule_id)
    except KeyError:
        return {}
    return {c.number: f"{c.number} — {c.title.get(lang) or c.title['ru']}"
            for c in rule_set.categories}


def _lang() -> str:
    return (get_language() or "ru")[:2]


def category_words(outcome: RunOutcome) -> str:
    """The outcome's category in words, or why it has none (T2: before the categories)."""
    if outcome.category is not None:
        return _titles(outcome.run.rules, _lang()).get(outcome.category, str(outcome.category))
    return str(REASONS.get(outcome.reason, "—"))


def outcome_words(outcome: RunOutcome) -> str:
    """What the run gave the application, in words."""
    words = str(OUTCOMES.get(outcome.status, outcome.status))
    if outcome.status == alloc.EXCLUDED and outcome.reason in REASONS:
        words += f": {REASONS[outcome.reason]}"
    return words


def _rows(scope: Scope) -> QuerySet[Any]:
    rows = RunOutcome.objects.filter(run_id=scope.within).select_related("application", "run")
    return rows.filter(run__city=scope.city) if scope.city is not None else rows


def _categories(scope: Scope) -> list[tuple[str, str]]:
    run = (AllocationRun.objects.filter(pk=scope.within).only("rules").first()
           if scope.within is not None else None)
    titles = _titles(run.rules if run is not None else "taraz-2024", _lang())
    return [(str(n), title) for n, title in titles.items()]


RUN_SEATS = register(StaffList(
    key="allocation-seats",
    title=_("Allocation: the children"),
    rows=_rows,
    search=iin_or_name("application__child_iin", "application__child_name"),
    search_hint=_("IIN (or its first digits) or name"),
    filters=(
        Filter("outcome", _("Outcome"), lambda scope: list(OUTCOMES.items()),
               lambda rows, v: rows.filter(status=v)),
        Filter("category", _("Category"), _categories,
               lambda rows, v: rows.filter(category=int(v))),
    ),
    columns=(
        Column("seat", _("Seat order"), lambda o: o.seat_order, "number",
               sort=("seat_order", "category", "queue_number")),
        Column("iin", _("Child IIN"), lambda o: short_iin(o.application.child_iin)),
        Column("name", _("Child"), lambda o: o.application.child_name or "—",
               link=lambda o: reverse("edu-application", args=[o.application_id])),
        # not sorted by name: the name is the application's, no index of the run's orders it
        # (200,000 children, bench/staff_pages.py); a name is found by the search
        Column("category", _("Category"), category_words, sort=("category", "queue_number")),
        Column("number", _("Queue number"), lambda o: o.queue_number, "number",
               sort=("category", "queue_number")),
        Column("outcome", _("Outcome"), outcome_words, sort="status"),
    ),
    default_sort="seat",
    child=None,  # an application is not yet a child of the programme; its read is logged
))
