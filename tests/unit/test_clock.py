"""The clock: Kazakhstan keeps one time zone, UTC+5, since 1 March 2024 (DESIGN, Time)."""

from __future__ import annotations

import datetime as dt

from goszakaz import clock
from goszakaz.domain.months import month_of


def test_kazakhstan_is_utc_plus_5_since_march_2024() -> None:
    assert clock.KZ.utcoffset(dt.datetime(2024, 4, 1)) == dt.timedelta(hours=5)
    assert clock.KZ.utcoffset(dt.datetime(2026, 12, 1)) == dt.timedelta(hours=5)
    assert clock.KZ.utcoffset(dt.datetime(2024, 2, 1)) == dt.timedelta(hours=6)  # Almaty before


def test_a_moment_near_midnight_falls_in_the_right_month() -> None:
    # 19:30 UTC on 31 March is 00:30 on 1 April in Kazakhstan: an April day, an April mark
    moment = dt.datetime(2024, 3, 31, 19, 30, tzinfo=dt.UTC)
    assert clock.local_date(moment) == dt.date(2024, 4, 1)
    assert month_of(clock.local_date(moment)) == "2024-04"
    # 18:59 UTC on 30 April is 23:59 on 30 April: still April
    assert clock.local_date(dt.datetime(2024, 4, 30, 18, 59, tzinfo=dt.UTC)) == dt.date(2024, 4, 30)


def test_a_frozen_clock_is_seen_everywhere_and_restored() -> None:
    with clock.frozen(dt.date(2024, 4, 26)) as moment:
        assert clock.today() == dt.date(2024, 4, 26) and clock.now() == moment
        assert clock.moment_of(dt.date(2024, 4, 26)) == moment
    assert clock.today() != dt.date(2024, 4, 26)


def test_a_replayed_day_acts_at_nine_local_time() -> None:
    assert clock.local(clock.moment_of(dt.date(2024, 5, 2))).time() == dt.time(9, 0)
