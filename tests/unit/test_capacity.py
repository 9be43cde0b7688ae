"""Design capacity over time (A6) and the 1st-of-the-month rule for a change of preschool (A11, I8)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from goszakaz.domain.capacity import first_of_month_on_or_after, has_free_place, peak_occupancy

D = dt.date


def brute_force_peak(contracts, from_day: dt.date, horizon: dt.date) -> int:  # inclusive
    peak = 0
    day = from_day
    while day <= horizon:
        peak = max(peak, sum(1 for s, e in contracts if s <= day and (e is None or day <= e)))
        day += dt.timedelta(days=1)
    return peak


def test_a_place_freed_at_month_end_is_free_on_the_1st() -> None:
    # covers: A6, A11
    contracts = [(D(2024, 3, 1), D(2024, 4, 30)), (D(2024, 3, 1), None)]
    assert peak_occupancy(contracts, D(2024, 5, 1)) == 1
    assert has_free_place(contracts, D(2024, 5, 1), capacity=2)
    assert not has_free_place(contracts, D(2024, 4, 30), capacity=2)


def test_a_contract_starting_later_counts_against_an_earlier_start() -> None:
    # covers: A6
    contracts = [(D(2024, 9, 1), None)]
    assert not has_free_place(contracts, D(2024, 6, 1), capacity=1)


intervals = st.lists(
    st.tuples(st.integers(0, 60), st.one_of(st.none(), st.integers(0, 60))).map(
        lambda t: (D(2024, 1, 1) + dt.timedelta(days=t[0]),
                   None if t[1] is None else D(2024, 1, 1) + dt.timedelta(days=t[0] + t[1]))),
    max_size=12)


@given(intervals, st.integers(0, 90))
def test_peak_matches_counting_every_day(contracts, offset) -> None:
    # covers: A6
    start = D(2024, 1, 1) + dt.timedelta(days=offset)
    assert peak_occupancy(contracts, start) == brute_force_peak(contracts, start, D(2024, 5, 1))


@given(intervals, st.integers(0, 90), st.integers(0, 30))
def test_peak_within_a_bounded_period(contracts, offset, length) -> None:
    # covers: A6
    start = D(2024, 1, 1) + dt.timedelta(days=offset)
    end = start + dt.timedelta(days=length)
    assert peak_occupancy(contracts, start, end) == brute_force_peak(contracts, start, end)


def test_an_ended_contract_fits_before_a_later_one() -> None:
    # covers: A6, A7.10
    later = [(D(2024, 9, 1), None)]
    assert has_free_place(later, D(2024, 3, 1), capacity=1, end=D(2024, 8, 31))
    assert not has_free_place(later, D(2024, 3, 1), capacity=1, end=D(2024, 9, 1))


def test_change_takes_effect_on_the_first() -> None:
    # covers: A11, I8
    assert first_of_month_on_or_after(D(2024, 4, 1)) == D(2024, 4, 1)
    assert first_of_month_on_or_after(D(2024, 4, 2)) == D(2024, 5, 1)
    assert first_of_month_on_or_after(D(2024, 12, 31)) == D(2025, 1, 1)
    assert first_of_month_on_or_after(D(2024, 2, 29)) == D(2024, 3, 1)
