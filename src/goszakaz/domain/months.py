"""Months as the pilot names them ("YYYY-MM"): first and last day, the month of a day, the one before."""

from __future__ import annotations

import calendar
import datetime as dt

PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"  # a month of the pilot's years, as input is checked


def month_of(day: dt.date) -> str:
    """YYYY-MM of a day."""
    return f"{day.year:04d}-{day.month:02d}"


def first_day(month: str) -> dt.date:
    """The 1st of month YYYY-MM."""
    return dt.date.fromisoformat(month + "-01")


def last_day(month: str) -> dt.date:
    """The last day of month YYYY-MM."""
    return last_of(first_day(month))


def last_of(day: dt.date) -> dt.date:
    """The last day of the month of a day."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def next_first(day: dt.date) -> dt.date:
    """The 1st of the month after the month of a day."""
    return last_of(day) + dt.timedelta(days=1)


def previous(month: str) -> str:
    """The month before YYYY-MM."""
    return month_of(first_day(month) - dt.timedelta(days=1))
