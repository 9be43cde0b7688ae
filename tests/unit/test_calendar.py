"""The business-day calendar on hand-built calendars: weekends, holidays, moves, deadlines, months."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goszakaz.domain.calendar import OutsideCalendar, WorkCalendar

D = dt.date
DAY = dt.timedelta(days=1)

# A small May 2024 modelled on the real one: 1, 7, 9 May holidays; Saturday 4 May worked,
# Wednesday 8 May off instead.
MAY = WorkCalendar.build(
    holidays={D(2024, 5, 1), D(2024, 5, 7), D(2024, 5, 9)},
    moved_days_off={D(2024, 5, 8)},
    moved_working_days={D(2024, 5, 4)},
)
WEEKENDS_ONLY = WorkCalendar()


def test_weekends_are_off_and_weekdays_work_without_data() -> None:
    # Monday 15 April 2024 .. Sunday 21 April 2024
    week = [D(2024, 4, 15) + i * DAY for i in range(7)]
    assert [WEEKENDS_ONLY.is_working_day(d) for d in week] == [True] * 5 + [False] * 2


def test_holidays_and_moved_days_off_are_off_and_a_moved_working_day_works() -> None:
    assert not MAY.is_working_day(D(2024, 5, 1))
    assert not MAY.is_working_day(D(2024, 5, 8))
    assert MAY.is_working_day(D(2024, 5, 4))  # Saturday
    assert not MAY.is_working_day(D(2024, 5, 5))  # the Sunday after it stays off
    assert MAY.is_working_day(D(2024, 5, 6))


def test_a_holiday_on_a_weekend_does_not_take_away_a_working_day() -> None:
    # covers: I4
    # The calendar does not carry a weekend holiday over by itself: the data lists the carry-over.
    saturday_holiday = WorkCalendar.build(holidays={D(2024, 7, 6)})
    assert saturday_holiday.working_days_in_month(2024, 7) == 23
    carried = WorkCalendar.build(holidays={D(2024, 7, 6), D(2024, 7, 8)})
    assert carried.working_days_in_month(2024, 7) == 22
    # listing a day both as a holiday and as a moved day off counts it once
    both = WorkCalendar.build(holidays={D(2024, 5, 8)}, moved_days_off={D(2024, 5, 8)})
    assert both.working_days_in_month(2024, 5) == 22


def test_working_days_lists_an_inclusive_range() -> None:
    assert MAY.working_days(D(2024, 5, 3), D(2024, 5, 10)) == [
        D(2024, 5, 3), D(2024, 5, 4), D(2024, 5, 6), D(2024, 5, 10),
    ]
    assert MAY.count_working_days(D(2024, 5, 3), D(2024, 5, 10)) == 4
    assert MAY.working_days(D(2024, 5, 10), D(2024, 5, 3)) == []
    assert MAY.working_days(D(2024, 5, 7), D(2024, 5, 7)) == []
    assert MAY.working_days(D(2024, 5, 6), D(2024, 5, 6)) == [D(2024, 5, 6)]


def test_month_working_day_counts() -> None:
    # covers: I4
    assert WEEKENDS_ONLY.working_days_in_month(2024, 4) == 22
    assert WEEKENDS_ONLY.working_days_in_month(2024, 2) == 21  # leap February, 1 Feb a Thursday
    assert WEEKENDS_ONLY.working_days_in_month(2023, 2) == 20
    assert WEEKENDS_ONLY.working_days_in_month(2024, 12) == 22
    # 23 weekdays - 1, 7, 8, 9 May + Saturday 4 May
    assert MAY.working_days_in_month(2024, 5) == 20


def test_add_business_days_skips_weekends() -> None:
    # covers: A7.11, A7.12
    # Friday + 2 business days: Monday, Tuesday
    assert WEEKENDS_ONLY.add_business_days(D(2024, 4, 12), 2) == D(2024, 4, 16)
    # a term starting on a Saturday runs from Monday
    assert WEEKENDS_ONLY.add_business_days(D(2024, 4, 13), 2) == D(2024, 4, 16)
    assert WEEKENDS_ONLY.add_business_days(D(2024, 4, 15), 2) == D(2024, 4, 17)


def test_add_business_days_across_holidays_and_a_moved_working_day() -> None:
    # covers: A7.4, A10
    # after Friday 3 May: Sat 4 (worked), Mon 6, Fri 10, Mon 13, Tue 14
    assert MAY.add_business_days(D(2024, 5, 3), 5) == D(2024, 5, 14)
    # the day itself never counts, even when it is a working day
    assert MAY.add_business_days(D(2024, 5, 6), 1) == D(2024, 5, 10)
    assert MAY.add_business_days(D(2024, 5, 6), 0) == D(2024, 5, 6)
    with pytest.raises(ValueError, match="negative"):
        MAY.add_business_days(D(2024, 5, 6), -1)


def test_ten_business_days_after_the_month_ends() -> None:
    # covers: A7.17
    # April's sheets: after 30 April -> 2, 3, 4 (Sat, worked), 6, 10, 13, 14, 15, 16, 17 May
    assert MAY.add_business_days(D(2024, 4, 30), 10) == D(2024, 5, 17)


def test_five_business_days_after_1_january() -> None:
    # covers: A7.18
    new_year = WorkCalendar.build(holidays={D(2025, 1, 1), D(2025, 1, 2), D(2025, 1, 7)},
                                  moved_days_off={D(2025, 1, 3)},
                                  moved_working_days={D(2025, 1, 5)})
    # Sunday 5 (worked), Monday 6, Wednesday 8, Thursday 9, Friday 10
    assert new_year.add_business_days(D(2025, 1, 1), 5) == D(2025, 1, 10)


def test_next_working_day_is_the_day_itself_when_it_works() -> None:
    assert MAY.next_working_day(D(2024, 5, 6)) == D(2024, 5, 6)
    assert MAY.next_working_day(D(2024, 5, 7)) == D(2024, 5, 10)
    assert MAY.next_working_day(D(2024, 5, 4)) == D(2024, 5, 4)
    assert MAY.next_working_day(D(2024, 5, 11)) == D(2024, 5, 13)


def test_contradictory_data_is_refused() -> None:
    with pytest.raises(ValueError, match="Saturday or Sunday"):
        WorkCalendar.build(moved_working_days={D(2024, 5, 6)})
    with pytest.raises(ValueError, match="weekday"):
        WorkCalendar.build(moved_days_off={D(2024, 5, 5)})
    with pytest.raises(ValueError, match="both"):
        WorkCalendar.build(holidays={D(2024, 5, 4)}, moved_working_days={D(2024, 5, 4)})
    with pytest.raises(ValueError, match="outside"):
        WorkCalendar.build(holidays={D(2023, 12, 31)}, years={2024})


def test_dates_outside_the_covered_years_raise() -> None:
    # covers: A7.18
    # a deadline running into a year with unknown holidays is an error, not a guess
    cal = WorkCalendar.build(holidays={D(2024, 12, 16)}, years={2024})
    assert cal.covers(D(2024, 1, 1)) and not cal.covers(D(2025, 1, 1))
    assert cal.add_business_days(D(2024, 12, 20), 5) == D(2024, 12, 27)
    with pytest.raises(OutsideCalendar):
        cal.add_business_days(D(2024, 12, 27), 5)
    with pytest.raises(OutsideCalendar):
        cal.is_working_day(D(2023, 12, 29))
    with pytest.raises(OutsideCalendar):
        cal.working_days_in_month(2025, 1)
    assert WEEKENDS_ONLY.covers(D(1999, 1, 1))


def test_the_calendar_is_frozen_and_hashable() -> None:
    with pytest.raises(AttributeError):
        MAY.holidays = frozenset()  # type: ignore[misc]
    same = WorkCalendar(holidays=frozenset(MAY.holidays), moved_days_off=MAY.moved_days_off,
                        moved_working_days=MAY.moved_working_days)
    assert same == MAY and hash(same) == hash(MAY)


YEAR_2024 = [D(2024, 1, 1) + i * DAY for i in range(366)]
WEEKENDS_2024 = [d for d in YEAR_2024 if d.weekday() >= 5]
WEEKDAYS_2024 = [d for d in YEAR_2024 if d.weekday() < 5]


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    holidays = draw(st.frozensets(st.sampled_from(YEAR_2024), max_size=40))
    moved_off = draw(st.frozensets(st.sampled_from(WEEKDAYS_2024), max_size=6))
    moved_working = draw(st.frozensets(st.sampled_from(WEEKENDS_2024), max_size=6))
    return WorkCalendar.build(holidays=holidays, moved_days_off=moved_off,
                              moved_working_days=moved_working - holidays - moved_off,
                              years={2024, 2025})


@given(cal=calendars(), start=st.sampled_from(YEAR_2024), n=st.integers(min_value=1, max_value=40))
def test_add_business_days_lands_on_the_nth_working_day(
    cal: WorkCalendar, start: dt.date, n: int
) -> None:
    # covers: A7.4, A7.11, A7.12, A7.17, A7.18, A10
    due = cal.add_business_days(start, n)
    assert due > start
    assert cal.is_working_day(due)
    assert len(cal.working_days(start + DAY, due)) == n
    assert cal.add_business_days(start, n + 1) == cal.add_business_days(due, 1)
    assert cal.next_working_day(start + DAY) == cal.add_business_days(start, 1)


@given(cal=calendars())
def test_month_counts_add_up_to_the_year(cal: WorkCalendar) -> None:
    # covers: I4
    months = sum(cal.working_days_in_month(2024, m) for m in range(1, 13))
    assert months == cal.count_working_days(D(2024, 1, 1), D(2024, 12, 31))
    brute = sum(
        1 for d in YEAR_2024
        if d in cal.moved_working_days
        or (d.weekday() < 5 and d not in cal.holidays and d not in cal.moved_days_off)
    )
    assert months == brute
