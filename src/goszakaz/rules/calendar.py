"""Kazakhstan work calendar: `holidays` (KZ) plus the moves of days off in rules/kz-calendar.json."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import holidays

from goszakaz.domain.calendar import OutsideCalendar, WorkCalendar

DATA_FILE = Path(__file__).resolve().parent / "kz-calendar.json"


@dataclass(frozen=True)
class YearData:
    """One year of kz-calendar.json: moves of a day off and corrections, with their source."""

    year: int
    moved_working_days: frozenset[dt.date]
    moved_days_off: frozenset[dt.date]
    not_days_off: frozenset[dt.date]
    extra_days_off: frozenset[dt.date]
    source: str
    note: str


def _dates(year: int, values: Iterable[str], what: str) -> frozenset[dt.date]:
    days = frozenset(dt.date.fromisoformat(v) for v in values)
    stray = sorted(d for d in days if d.year != year)
    if stray:
        raise ValueError(f"kz-calendar.json {year}: {what} {stray[0]} is not in {year}")
    return days


def _year_data(year: int, raw: dict[str, Any]) -> YearData:
    transfers = raw.get("transfers", [])
    return YearData(
        year=year,
        moved_working_days=_dates(year, (t["working_day"] for t in transfers), "working_day"),
        moved_days_off=_dates(year, (t["day_off"] for t in transfers), "day_off"),
        not_days_off=_dates(year, raw.get("not_days_off", []), "not_days_off"),
        extra_days_off=_dates(year, raw.get("extra_days_off", []), "extra_days_off"),
        source=raw["source"],
        note=raw.get("note", ""),
    )


@functools.cache
def calendar_data() -> dict[int, YearData]:
    """The years of kz-calendar.json, read once."""
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {int(y): _year_data(int(y), data) for y, data in raw["years"].items()}


def data_years() -> list[int]:
    """The years kz_calendar can build: those the data file has been checked for."""
    return sorted(calendar_data())


def kz_calendar(years: int | Iterable[int]) -> WorkCalendar:
    """The Kazakhstan WorkCalendar for these years (cached per set of years).

    Days off come from `holidays.country_holidays("KZ")` with its carry-overs of weekend
    holidays (observed) and its own "Day off (substituted ...)" entries; the data file adds the
    other half of each move (the worked Saturday or Sunday, which the library cannot express),
    re-files the library's substituted days as moved days off rather than holidays, and applies
    corrections. A year missing from the data file raises OutsideCalendar: its moves are unknown.
    """
    wanted = (years,) if isinstance(years, int) else tuple(sorted(set(years)))
    if not wanted:
        raise ValueError("kz_calendar needs at least one year")
    return _kz_calendar(wanted)


@functools.cache
def _kz_calendar(years: tuple[int, ...]) -> WorkCalendar:
    data = calendar_data()
    missing = [y for y in years if y not in data]
    if missing:
        raise OutsideCalendar(
            f"no Kazakhstan calendar data for {', '.join(map(str, missing))}: add the year's moves "
            f"of days off to {DATA_FILE.name} (known: {', '.join(map(str, sorted(data)))})"
        )
    library = holidays.country_holidays("KZ", years=list(years), observed=True)
    days_off: set[dt.date] = set(library)
    moved_working: set[dt.date] = set()
    moved_off: set[dt.date] = set()
    for year in years:
        entry = data[year]
        days_off |= entry.extra_days_off
        days_off -= entry.not_days_off
        moved_working |= entry.moved_working_days
        moved_off |= entry.moved_days_off
    days_off -= moved_off  # the library lists some moved days off as holidays: keep each once
    return WorkCalendar.build(
        holidays=days_off, moved_days_off=moved_off, moved_working_days=moved_working, years=years
    )
