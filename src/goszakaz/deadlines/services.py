"""Opening and meeting deadlines; business days come from the Kazakhstan calendar."""

from __future__ import annotations

import datetime as dt

from goszakaz.deadlines.models import Deadline, DeadlineState
from goszakaz.rules.calendar import kz_calendar


def business_days_after(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` in the Kazakhstan calendar."""
    # The next year's calendar only when the term may reach it (its data may not exist yet).
    reaches_next_year = start + dt.timedelta(days=2 * n + 21) > dt.date(start.year, 12, 31)
    years = (start.year, start.year + 1) if reaches_next_year else (start.year,)
    return kz_calendar(years).add_business_days(start, n)


def open_deadline(
    *, clause: str, city: str, subject: str, title: str, opened_on: dt.date, due_on: dt.date
) -> Deadline:
    """Track a term; opening the same (clause, city, subject) again returns the first row."""
    deadline, _ = Deadline.objects.get_or_create(
        clause=clause, city=city, subject=subject,
        defaults={"title": title, "opened_on": opened_on, "due_on": due_on})
    return deadline


def meet(*, clause: str, city: str, subject: str, on: dt.date) -> bool:
    """Mark a deadline met on a day; False if there is none open."""
    return bool(Deadline.objects.filter(clause=clause, city=city, subject=subject,
                                        state=DeadlineState.OPEN)
                .update(state=DeadlineState.MET, met_on=on))


def overdue(*, city: str, today: dt.date) -> list[Deadline]:
    """Open deadlines of a city past their due day (the dashboard's red list)."""
    return list(Deadline.objects.filter(city=city, state=DeadlineState.OPEN, due_on__lt=today))
