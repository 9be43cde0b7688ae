"""The one clock: the moment now and today's date in Kazakhstan (UTC+5); only the edges read it.

Views, API operations, commands and `tick` read the clock once and pass `now` (and `today`)
into the services; services never read the time themselves (ruff's banned-API rule forbids
`timezone.now`, `date.today` and the like anywhere else). Tests fix the clock with `frozen`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

# Kazakhstan keeps one time zone, UTC+5, since 1 March 2024 (Asia/Almaty was UTC+6 before);
# tests/unit/test_clock.py pins it, so an outdated time zone database fails loudly.
KZ = ZoneInfo("Asia/Almaty")

_frozen: list[dt.datetime] = []  # a test's fixed moment, seen by every thread (live servers)


def check_time_zone() -> None:
    """Refuse to start with a time zone database older than Kazakhstan's move to UTC+5 (1 March
    2024, tzdata 2024a): every date of the pilot would be an hour off."""
    if KZ.utcoffset(dt.datetime(2024, 3, 2, 12)) != dt.timedelta(hours=5):
        raise RuntimeError(
            "the time zone database puts Asia/Almaty at "
            f"{KZ.utcoffset(dt.datetime(2024, 3, 2, 12))}, not UTC+5 (since 1 March 2024): "
            "update the system's tzdata, or set PYTHONTZPATH= (empty) to use the tzdata package")


def now() -> dt.datetime:
    """The current moment, timezone-aware."""
    if _frozen:
        return _frozen[-1]
    return dt.datetime.now(dt.UTC)


def local(moment: dt.datetime) -> dt.datetime:
    """A moment in Kazakhstan's local time."""
    return moment.astimezone(KZ)


def local_date(moment: dt.datetime) -> dt.date:
    """The date in Kazakhstan at a moment (a date-time near midnight UTC falls on the next day)."""
    return moment.astimezone(KZ).date()


def today() -> dt.date:
    """Today's date in Kazakhstan."""
    return local_date(now())


def moment_of(day: dt.date) -> dt.datetime:
    """The moment a command run "for a day" acts at: now when the day is today, else 09:00
    local time of that day (a replayed or simulated day)."""
    current = now()
    if local_date(current) == day:
        return current
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=KZ)


@contextmanager
def frozen(moment: dt.datetime | dt.date) -> Iterator[dt.datetime]:
    """Fix the clock at a moment (a date: 09:00 local time) for every thread, e.g. in a test of
    pages served by a live server; restores the running clock afterwards."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(9, 0), tzinfo=KZ)
    if moment.tzinfo is None:
        raise ValueError("a frozen moment must be timezone-aware")
    _frozen.append(moment)
    try:
        yield moment
    finally:
        _frozen.pop()
