"""Business-day calendar: working days, month counts and "within N business days" deadlines."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from goszakaz.domain.months import last_of

_DAY = dt.timedelta(days=1)
_SATURDAY = 5  # date.weekday(): Monday 0 ... Saturday 5, Sunday 6


class OutsideCalendar(ValueError):
    """A date the calendar has no data for: its holidays and moves of that year are unknown."""


def _is_weekend(day: dt.date) -> bool:
    return day.weekday() >= _SATURDAY


@dataclass(frozen=True)
class WorkCalendar:
    """A five-day-week calendar built from data; the functions below never guess a holiday.

    - `holidays`: the days off for holidays as published, including the weekday a holiday that
      fell on a weekend was carried to (e.g. Capital Day, Saturday 6 July 2024 -> Monday 8 July).
      The calendar does not derive such carry-overs itself: whoever builds it lists them, so a
      carry-over can never be counted twice. A holiday on a Saturday or Sunday changes nothing.
    - `moved_days_off`: weekdays that are off because a day off was moved onto them
      (Wednesday 8 May 2024, moved from Saturday 4 May).
    - `moved_working_days`: Saturdays and Sundays that are working days because their day off
      was moved (Saturday 4 May 2024).
    - `years`: the years the data covers; asking about a date outside them raises
      OutsideCalendar rather than silently treating an unknown holiday as a working day.
      Empty means "any year" (a calendar of weekends and the listed days only).
    """

    holidays: frozenset[dt.date] = frozenset()
    moved_days_off: frozenset[dt.date] = frozenset()
    moved_working_days: frozenset[dt.date] = frozenset()
    years: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        for name in ("holidays", "moved_days_off", "moved_working_days", "years"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        weekday_moves = sorted(d for d in self.moved_working_days if not _is_weekend(d))
        if weekday_moves:
            raise ValueError(f"a moved working day must be a Saturday or Sunday: {weekday_moves[0]}")
        weekend_moves = sorted(d for d in self.moved_days_off if _is_weekend(d))
        if weekend_moves:
            raise ValueError(f"a moved day off must be a weekday: {weekend_moves[0]}")
        clash = sorted(self.moved_working_days & (self.holidays | self.moved_days_off))
        if clash:
            raise ValueError(f"{clash[0]} is listed both as a working day and as a day off")
        if self.years:
            listed = self.holidays | self.moved_days_off | self.moved_working_days
            stray = sorted(d for d in listed if d.year not in self.years)
            if stray:
                raise ValueError(f"{stray[0]} lies outside the calendar's years {sorted(self.years)}")

    @classmethod
    def build(
        cls,
        *,
        holidays: Iterable[dt.date] = (),
        moved_days_off: Iterable[dt.date] = (),
        moved_working_days: Iterable[dt.date] = (),
        years: Iterable[int] = (),
    ) -> WorkCalendar:
        """The calendar of these days (any iterables); validates like the constructor."""
        return cls(frozenset(holidays), frozenset(moved_days_off), frozenset(moved_working_days),
                   frozenset(years))

    def covers(self, day: dt.date) -> bool:
        """Whether the calendar has data for the year of `day` (always, when `years` is empty)."""
        return not self.years or day.year in self.years

    def _check(self, day: dt.date) -> None:
        if not self.covers(day):
            raise OutsideCalendar(
                f"no calendar data for {day.isoformat()} (years covered: "
                f"{', '.join(str(y) for y in sorted(self.years))})"
            )

    def is_working_day(self, day: dt.date) -> bool:
        """A moved working day, or a Monday-Friday that is neither a holiday nor a moved day off."""
        self._check(day)
        if day in self.moved_working_days:
            return True
        return not (_is_weekend(day) or day in self.holidays or day in self.moved_days_off)

    def working_days(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """The working days from `first` to `last`, both inclusive; empty when last < first."""
        return list(_working_days(self, first, last))

    def count_working_days(self, first: dt.date, last: dt.date) -> int:
        """How many working days lie from `first` to `last`, both inclusive (I4 for part months)."""
        return len(self.working_days(first, last))

    def working_days_in_month(self, year: int, month: int) -> int:
        """I4: the working days of a month, the divisor of the daily Госзаказ rate."""
        first = dt.date(year, month, 1)
        return self.count_working_days(first, last_of(first))

    def add_business_days(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after `day`: the last day of "within n business days after `day`".

        The day itself never counts, working or not, so a term starting on a Friday or on a
        holiday runs from the next working day. Deadlines that use it: A7.4 (5 days for checking
        the lists), A7.11 and A7.12 (2 days for the funding request and the transfer), A7.17
        (10 days after the month ends for passing sheets to НОБД), A7.18 and A10 (5 days for
        returning balances to OPR). n = 0 returns `day` unchanged.
        """
        if n < 0:
            raise ValueError(f"a number of business days cannot be negative: {n}")
        self._check(day)
        found = 0
        while found < n:
            day += _DAY
            if self.is_working_day(day):
                found += 1
        return day

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, else the first working day after it.

        For a due date that a rule moves off a day off (a term ending on a holiday ends on the
        next working day); "the first working day after X" is add_business_days(X, 1).
        """
        while not self.is_working_day(day):
            day += _DAY
        return day


@functools.lru_cache(maxsize=4096)
def _working_days(calendar: WorkCalendar, first: dt.date, last: dt.date) -> tuple[dt.date, ...]:
    """WorkCalendar.working_days, remembered: a month's settlement asks the same months often."""
    if last < first:
        return ()
    calendar._check(first)
    calendar._check(last)
    days: list[dt.date] = []
    day = first
    while day <= last:
        if calendar.is_working_day(day):
            days.append(day)
        day += _DAY
    return tuple(days)
