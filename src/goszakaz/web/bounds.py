"""What the pages accept (issue 10, "Limits"): dates inside the calendar years the system has data
for, amounts that fit their column, and the messages, in the reader's language, for the rest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _

from goszakaz.rules.calendar import data_years

MAX_TENGE = 10_000_000  # a month's norm or parent fee, in tenge: far above any real one
BIRTH_FIRST = dt.date(2000, 1, 1)  # a preschool child's birth date is never earlier


def date_range() -> tuple[dt.date, dt.date]:
    """The first and last day of the calendar years the system has data for (rules/calendar)."""
    years = data_years()
    return dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)


def outside(first: dt.date, last: dt.date) -> str:
    """The message for a date outside [first, last]."""
    return _("Dates from %(first)s to %(last)s only: the system has the calendar for these "
             "years.") % {"first": first.strftime("%d.%m.%Y"), "last": last.strftime("%d.%m.%Y")}


def bounded_day(text: str) -> tuple[dt.date | None, str | None]:
    """A day from a page's parameter (YYYY-MM-DD): (the day, None), (None, a message) when it is
    outside the calendar's years, or (None, None) when it is no date at all."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None, None
    first, last = date_range()
    if not first <= day <= last:
        return None, outside(first, last)
    return day, None


def bounded_month(text: str) -> tuple[str | None, str | None]:
    """A month (YYYY-MM) as `bounded_day` treats its first day."""
    day, problem = bounded_day(text + "-01") if len(text) == 7 else (None, None)
    return (text if day is not None else None), problem


class ISODateInput(forms.DateInput):
    """A date picker (<input type="date">): its value is ISO whatever the page's language, also
    when a form comes back with an error holding the text sent (a date typed 01.12.2026 where
    the picker is missing): a localized value in a picker reads as no date (issue 12)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, str):
            value = value.strip()
            for pattern in settings.DATE_INPUT_FORMATS:
                try:
                    return dt.datetime.strptime(value, pattern).date().isoformat()
                except ValueError:
                    continue
            return value or None
        return super().format_value(value)


class BoundedDateField(forms.DateField):
    """A date inside the calendar's years (or [first, last] when given), with the date picker
    held to them."""

    def __init__(self, *, first: dt.date | None = None, last: dt.date | None = None,
                 **kwargs: Any) -> None:
        self.first, self.last = first, last
        # a date picker's value is ISO whatever the page's language (a localized 01.08.2024 in
        # it reads as no date at all: issue 12)
        kwargs.setdefault("widget", ISODateInput())
        super().__init__(**kwargs)

    def bounds(self) -> tuple[dt.date, dt.date]:
        """[first, last] of this field."""
        first, last = date_range()
        return self.first or first, self.last or last

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        first, last = self.bounds()
        return {**super().widget_attrs(widget), "min": first.isoformat(), "max": last.isoformat()}

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None:
            return
        first, last = self.bounds()
        if not first <= value <= last:
            raise forms.ValidationError(outside(first, last), code="outside")
