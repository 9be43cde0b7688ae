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


def reschedule(*, clause: str, city: str, subject: str, due_on: dt.date) -> bool:
    """Move an open deadline's due day (it was provisional, e.g. A7.11 until the bank's list
    arrives); a met or cancelled one keeps the day it had. False if nothing changed."""
    return bool(Deadline.objects.filter(clause=clause, city=city, subject=subject,
                                        state=DeadlineState.OPEN).exclude(due_on=due_on)
                .update(due_on=due_on))


def meet_everywhere(*, clause: str, subject: str, on: dt.date) -> int:
    """Meet the open deadlines of this clause and subject in every city (one bank's list serves
    all its cities); returns how many."""
    return Deadline.objects.filter(clause=clause, subject=subject,
                                   state=DeadlineState.OPEN).update(state=DeadlineState.MET,
                                                                    met_on=on)


def meet_due_by(*, clause: str, by: dt.date, on: dt.date) -> int:
    """Meet every open deadline of the clause due on or before `by`, in every city (a step
    that ran for all of them, e.g. the auto-confirmation of every month ended); returns how
    many."""
    return Deadline.objects.filter(clause=clause, due_on__lte=by,
                                   state=DeadlineState.OPEN).update(state=DeadlineState.MET,
                                                                    met_on=on)


def open_subjects(*, clause: str, prefix: str) -> list[tuple[int, str, str]]:
    """(id, city, subject) of the open deadlines of a clause whose subject starts with
    `prefix`."""
    return list(Deadline.objects.filter(clause=clause, subject__startswith=prefix,
                                        state=DeadlineState.OPEN)
                .values_list("pk", "city", "subject"))


def meet_rows(*, met_on: dict[int, dt.date]) -> int:
    """Meet the open deadlines with these ids, each on its own day; returns how many."""
    done = 0
    for pk, on in met_on.items():
        done += Deadline.objects.filter(pk=pk, state=DeadlineState.OPEN).update(
            state=DeadlineState.MET, met_on=on)
    return done


def cancel_rows(*, ids: list[int]) -> int:
    """Cancel the open deadlines with these ids (their cause went away); returns how many."""
    return Deadline.objects.filter(pk__in=ids, state=DeadlineState.OPEN).update(
        state=DeadlineState.CANCELLED)
