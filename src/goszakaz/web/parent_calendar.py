"""The parent's month as a calendar: weeks × weekdays, each day with its mark in words (colour is
never the only signal), and the legend."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from goszakaz.attendance.models import Sheet
from goszakaz.domain.calendar import OutsideCalendar
from goszakaz.rules.calendar import kz_calendar

# kind -> the words read out and shown in the legend (colour is never the only signal)
KINDS: dict[str, Promise] = {
    "present": _("present"),
    "sick": _("sick (certificate)"),
    "absent": _("absent without a valid reason"),
    "vacation": _("vacation (application)"),
    "unmarked": _("not marked"),
    "future": _("not yet"),
    "off": _("day off"),
}
# the short sign in a day's cell, in the reader's alphabet: the letters a timesheet uses
SIGNS = {
    "ru": {"present": "Я", "sick": "Б", "absent": "Н", "vacation": "О"},
    "kk": {"present": "К", "sick": "А", "absent": "С", "vacation": "Д"},
    "en": {"present": "P", "sick": "S", "absent": "A", "vacation": "V"},
}
NEUTRAL = {"unmarked": "?", "future": "·", "off": "—"}


def sign(kind: str) -> str:
    """The short sign of a kind of day in the page's language."""
    lang = translation.get_language() or "ru"
    return NEUTRAL.get(kind) or SIGNS.get(lang, SIGNS["ru"])[kind]


CODES = {"P": "present", "S": "sick", "A": "absent", "V": "vacation"}
WEEKDAYS = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
WEEKDAY_NAMES = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"),
                 _("Saturday"), _("Sunday")]


@dataclass(frozen=True)
class Day:
    """One day of the calendar."""

    day: dt.date
    kind: str

    @property
    def sign(self) -> str:
        return sign(self.kind)

    @property
    def words(self) -> str:
        return str(KINDS[self.kind])


def month_days(sheet: Sheet, today: dt.date) -> list[Day]:
    """Every day of the sheet's month with its kind: a mark, not marked (a working day gone by),
    not yet (to come), or a day off."""
    first = dt.date.fromisoformat(sheet.month + "-01")
    try:
        working = kz_calendar(first.year).is_working_day
    except OutsideCalendar:  # a year the calendar lacks: weekends only
        def working(day: dt.date) -> bool:
            return day.weekday() < 5
    days = []
    for i, code in enumerate(sheet.days):
        day = first.replace(day=i + 1)
        try:
            works = working(day)
        except OutsideCalendar:
            works = day.weekday() < 5
        if code in CODES:
            kind = CODES[code]
        elif not works:
            kind = "off"
        elif day > today:
            kind = "future"
        else:
            kind = "unmarked"
        days.append(Day(day, kind))
    return days


def weeks(days: list[Day]) -> list[list[Day | None]]:
    """The days in weeks from Monday; None for the cells outside the month."""
    if not days:
        return []
    rows: list[list[Day | None]] = [[None] * days[0].day.weekday()]
    for d in days:
        if len(rows[-1]) == 7:
            rows.append([])
        rows[-1].append(d)
    rows[-1].extend([None] * (7 - len(rows[-1])))
    return rows


def counts(days: list[Day]) -> list[tuple[str, str, int]]:
    """(kind, words, how many) of each kind found in the month, in the legend's order."""
    found = {k: sum(d.kind == k for d in days) for k in KINDS}
    return [(k, str(KINDS[k]), n) for k, n in found.items() if n and k != "off"]


def legend() -> list[tuple[str, str, str]]:
    """(kind, sign, words) of every kind."""
    return [(k, sign(k), str(words)) for k, words in KINDS.items()]
