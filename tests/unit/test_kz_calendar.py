"""The real Kazakhstan calendar (holidays KZ + rules/kz-calendar.json) against published facts.

Sources are recorded per year in src/goszakaz/rules/kz-calendar.json; the counts below are the
Ministry of Labour's 2024 working-time balance (five-day week) unless a comment says otherwise.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources

import holidays
import pytest

from goszakaz.domain.calendar import OutsideCalendar
from goszakaz.rules.calendar import calendar_data, data_years, kz_calendar

D = dt.date
KZ = kz_calendar([2024, 2025, 2026])


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2024, 1, 1), False),   # New Year
        (D(2024, 1, 2), False),
        (D(2024, 1, 8), True),    # Orthodox Christmas fell on Sunday 7 January: no carry-over
        (D(2024, 3, 8), False),   # International Women's Day, Friday
        (D(2024, 3, 21), False),  # Nauryz, Thursday
        (D(2024, 3, 22), False),  # Nauryz, Friday
        (D(2024, 3, 23), False),  # Nauryz, Saturday ...
        (D(2024, 3, 25), False),  # ... carried to Monday 25 March
        (D(2024, 3, 26), True),
        (D(2024, 5, 1), False),   # Unity Day, Wednesday
        (D(2024, 5, 2), True),
        (D(2024, 5, 3), True),
        (D(2024, 5, 4), True),    # Saturday worked: day off moved to 8 May (ministry order)
        (D(2024, 5, 5), False),
        (D(2024, 5, 6), True),
        (D(2024, 5, 7), False),   # Defender of the Fatherland Day
        (D(2024, 5, 8), False),   # the moved day off
        (D(2024, 5, 9), False),   # Victory Day
        (D(2024, 5, 10), True),
        (D(2024, 6, 17), True),   # Kurban ait began Sunday 16 June: no carry-over
        (D(2024, 7, 8), False),   # Capital Day fell on Saturday 6 July: carried to Monday 8 July
        (D(2024, 8, 30), False),  # Constitution Day, Friday
        (D(2024, 10, 25), False),  # Republic Day, Friday
        (D(2024, 12, 16), False),  # Independence Day, Monday
        (D(2024, 12, 17), True),  # one day since 2022
        (D(2025, 1, 3), False),   # day off moved from Sunday 5 January 2025
        (D(2025, 1, 5), True),    # Sunday worked
        (D(2025, 1, 7), False),   # Orthodox Christmas, Tuesday
        (D(2025, 3, 10), False),  # 8 March fell on Saturday
        (D(2025, 3, 24), False),  # Nauryz 22, 23 March (weekend) carried to 24, 25 March
        (D(2025, 3, 25), False),
        (D(2025, 6, 6), False),   # Kurban ait 2025, Friday
        (D(2025, 5, 8), True),    # no move in May 2025
        (D(2026, 1, 5), True),    # no move in January 2026
        (D(2026, 3, 9), False),   # 8 March 2026 fell on Sunday
        (D(2026, 5, 11), False),  # 9 May 2026 fell on Saturday
        (D(2026, 8, 31), True),   # 30 August is no longer Constitution Day from 2026
        (D(2026, 10, 26), False),  # Republic Day fell on Sunday 25 October
    ],
)
def test_published_days_off_and_working_days(day: dt.date, working: bool) -> None:
    assert KZ.is_working_day(day) is working


def test_working_days_in_april_and_may_2024() -> None:
    # covers: I4
    assert KZ.working_days_in_month(2024, 4) == 22
    assert KZ.working_days_in_month(2024, 5) == 20  # 23 weekdays - 1, 7, 8, 9 May + Saturday 4 May


def test_working_days_of_every_month_of_2024() -> None:
    # covers: I4
    # The ministry's balance says 19 for June: it was drawn up assuming Kurban ait on Monday
    # 17 June; the muftiate then set Sunday 16 June and the ministry left 17 June a working day.
    balance = [21, 21, 17, 22, 20, 19, 22, 21, 21, 22, 21, 21]
    real = [*balance[:5], 20, *balance[6:]]
    assert [KZ.working_days_in_month(2024, m) for m in range(1, 13)] == real


def test_working_days_of_months_reported_for_2025_and_2026() -> None:
    # covers: I4
    assert KZ.working_days_in_month(2025, 1) == 20  # 11 days off in January 2025 (Kursiv)
    assert KZ.working_days_in_month(2025, 11) == 20  # BAQ.KZ, November 2025
    assert KZ.working_days_in_month(2026, 1) == 19  # ministry calendar for January 2026


def test_five_business_days_after_friday_3_may_2024() -> None:
    # covers: A7.4, A10
    # Sat 4 (worked), Mon 6, [7, 8, 9 off], Fri 10, Mon 13, Tue 14
    assert KZ.add_business_days(D(2024, 5, 3), 5) == D(2024, 5, 14)


def test_funding_request_and_transfer_after_the_bank_list_of_march_2024() -> None:
    # covers: A7.11, A7.12
    bank_list = D(2024, 3, 5)  # by the 5th
    request = KZ.add_business_days(bank_list, 2)
    assert request == D(2024, 3, 7)
    # 8 March holiday, 9-10 weekend
    assert KZ.add_business_days(request, 2) == D(2024, 3, 12)


def test_sheets_of_april_2024_reach_nobd_within_10_business_days() -> None:
    # covers: A7.17
    month_end = D(2024, 4, 30)
    assert KZ.add_business_days(month_end, 10) == D(2024, 5, 17)


def test_balances_of_1_january_2025_return_within_5_business_days() -> None:
    # covers: A7.18
    # 2 Jan holiday, 3 Jan moved day off, Sun 5 (worked), Mon 6, [7 Christmas], 8, 9, 10
    assert KZ.add_business_days(D(2025, 1, 1), 5) == D(2025, 1, 10)


def test_next_working_day_after_the_nauryz_holidays_of_2024() -> None:
    assert KZ.next_working_day(D(2024, 3, 21)) == D(2024, 3, 26)


def test_every_library_substituted_day_off_is_a_recorded_transfer() -> None:
    # The library knows only the day-off half of a move; the worked weekend day must come from
    # the data file, or a calendar would have the day off without the day worked for it.
    named = holidays.country_holidays("KZ", years=data_years(), language="en_US")
    substituted = {d for d, name in named.items() if name.startswith("Day off (substituted")}
    assert D(2024, 5, 8) in substituted  # the check itself still finds the library's entries
    recorded = set().union(*(y.moved_days_off for y in calendar_data().values()))
    assert substituted <= recorded


def test_each_day_is_filed_once_and_weekend_holidays_cost_no_working_day() -> None:
    # covers: I4
    assert not KZ.holidays & KZ.moved_days_off
    assert D(2024, 5, 8) in KZ.moved_days_off and D(2024, 5, 8) not in KZ.holidays
    assert D(2024, 3, 23) in KZ.holidays  # Saturday Nauryz stays listed as what it is
    # March 2024: 21 weekdays - 8, 21, 22 March - 25 March (carried from Saturday 23)
    assert KZ.working_days_in_month(2024, 3) == 17


def test_every_data_year_has_a_source() -> None:
    assert data_years() == [2024, 2025, 2026, 2027]
    for year in calendar_data().values():
        assert year.source.strip()
        assert not year.moved_working_days & year.moved_days_off


def test_2027_counts_the_statutory_holidays_and_their_carry_overs() -> None:
    # covers: A7.18 (the 1 January sweep's 5 business days run into January)
    kz = kz_calendar(2027)
    assert not kz.is_working_day(D(2027, 1, 4))  # 2 January fell on Saturday: carried over
    assert not kz.is_working_day(D(2027, 3, 15))  # Constitution Day under the 2026 Constitution
    assert kz.is_working_day(D(2027, 8, 30))  # no longer a holiday
    from goszakaz.deadlines.services import business_days_after

    assert business_days_after(D(2027, 1, 1), 5) == D(2027, 1, 12)  # 5, 6, 8, 11, 12 January


def test_years_without_data_are_refused() -> None:
    with pytest.raises(OutsideCalendar, match="2023"):
        kz_calendar(2023)
    only_2024 = kz_calendar(2024)
    with pytest.raises(OutsideCalendar):
        only_2024.is_working_day(D(2025, 1, 5))
    with pytest.raises(ValueError, match="at least one year"):
        kz_calendar([])


def test_calendars_are_cached_per_set_of_years() -> None:
    assert kz_calendar([2025, 2024]) is kz_calendar((2024, 2025, 2024))
    assert kz_calendar(2024) is kz_calendar([2024])
    assert kz_calendar(2024) is not kz_calendar([2024, 2025])


def test_the_data_file_ships_with_the_package() -> None:
    data = resources.files("goszakaz.rules").joinpath("kz-calendar.json")
    assert data.is_file()
