"""Design capacity (A6): the most places a preschool's contracts occupy on any day from a date on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from goszakaz.domain.months import next_first


def peak_occupancy(
    contracts: Iterable[tuple[dt.date, dt.date | None]], from_day: dt.date,
    to_day: dt.date | None = None,
) -> int:
    """The most contracts (start, end inclusive or None) in force on one day of [from_day, to_day].

    A place freed by a contract ending on the last day of a month is free for a contract starting
    on the 1st of the next (A11), so counting "every contract not ended yet" would overcount.
    """
    events: list[tuple[dt.date, int]] = []
    for start, end in contracts:
        if (end is not None and end < from_day) or (to_day is not None and start > to_day):
            continue
        events.append((max(start, from_day), 1))
        if end is not None:
            events.append((end + dt.timedelta(days=1), -1))
    events.sort(key=lambda e: (e[0], e[1]))  # on one day, the endings (-1) first
    peak = current = 0
    for _, delta in events:
        current += delta
        peak = max(peak, current)
    return peak


def has_free_place(
    contracts: Iterable[tuple[dt.date, dt.date | None]], start: dt.date, capacity: int,
    end: dt.date | None = None,
) -> bool:
    """A6: may one more contract run from `start` to `end` (None: open-ended) within capacity?"""
    return peak_occupancy(contracts, start, end) < capacity


def first_of_month_on_or_after(day: dt.date) -> dt.date:
    """A11, I8: the day a change of preschool asked for on `day` takes effect."""
    if day.day == 1:
        return day
    return next_first(day)
