"""Template filters: labels of allocation reasons, deadlines, city names, months and amounts in the
page's language."""

from __future__ import annotations

import datetime as dt
import re

from django import template
from django.utils import translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from goszakaz.domain.money import format_tenge, parse_tiyn
from goszakaz.notifications.texts import text_of

register = template.Library()
NBSP = "\u00a0"  # thousands separator of ru and kk amounts, kept on one line

REASONS = {
    "not resident": _("not resident in the city"),
    "no matching category": _("no matching category"),
    "military priority": _("military family, placed first"),
}


@register.filter
def reason_label(code: str) -> str:
    """The reader's words for a reason code of the allocation output."""
    return str(REASONS.get(code, code))


@register.filter
def city_name(city: object) -> str:
    """The city's name in the current language (Russian by default)."""
    lang = translation.get_language() or "ru"
    return str(getattr(city, f"name_{lang}", None) or getattr(city, "name_ru", ""))


@register.filter
def tenge(tiyn: int) -> str:
    """Integer tiyn as tenge, the same in every language (docs/readings.md, "Formats"):
    5727273 -> "57 272,73 ₸", the groups joined by a no-break space."""
    return format_tenge(tiyn)


@register.filter
def tenge_text(text: object) -> str:
    """An amount kept as tenge text in a message's data ("57272.73") shown as `tenge` shows tiyn;
    also the shape SQLite's float remainder once wrote ("60000.0." for 60000.00, "5.7." for
    5.07); anything else as it is."""
    value = str(text if text is not None else "")
    if value.endswith(".") and value.count(".") == 2:
        whole, digit = value[:-1].split(".")
        value = f"{whole}.{digit.zfill(2)}"
    try:
        return tenge(parse_tiyn(value))
    except ValueError:
        return value


DEADLINES = {
    "A7.4": _("the НОБД check of the lists"),
    "A7.9": _("the bank's monthly list"),
    "A7.11": _("the funding request"),
    "A7.12": _("the transfer to the operator"),
    "A7.14": _("the automatic confirmation of the silent sheets"),
    "A7.16": _("the parent's confirmation of a corrected sheet"),
    "A7.17": _("the sheets to НОБД"),
    "A10": _("a closed account's balance back to the operator"),
    "A7.18": _("the balances of 1 January back to the operator"),
}


@register.filter
def deadline_title(deadline: object) -> str:
    """A deadline's title: as written (Russian) on Russian pages, else its clause's label with
    what it is for (the subject after its kind, e.g. "taraz/2024-04")."""
    title = str(getattr(deadline, "title", ""))
    label = DEADLINES.get(str(getattr(deadline, "clause", "")))
    if (translation.get_language() or "ru") == "ru" or label is None:
        return months_named(title)
    subject = str(getattr(deadline, "subject", ""))
    return f"{label} ({months_named(subject.split('/', 1)[-1])})"


MONTH = re.compile(r"\b(\d{4}-\d{2})(?!-?\d)")


def months_named(text: str) -> str:
    """Every month "2024-04" in a text named as the reader names it ("Апрель 2024")."""
    return MONTH.sub(lambda m: month_label(m.group(1)), text)


@register.filter
def month_label(month: object) -> str:
    """A month "2024-04" as the reader names it: "Апрель 2024" (ru), "Сәуір 2024" (kk),
    "April 2024" (en); anything else as it is."""
    text = str(month or "")
    year, _sep, number = text.partition("-")
    if not (year.isdigit() and number.isdigit() and 1 <= int(number) <= 12):
        return text
    return f"{MONTHS[int(number)]} {year}"


@register.filter
def date_text(value: object) -> str:
    """A day kept as ISO text in a message's data ("2024-12-01") as dd.mm.yyyy ("01.12.2024");
    anything else as it is."""
    text = str(value or "")
    try:
        return dt.date.fromisoformat(text).strftime("%d.%m.%Y")
    except ValueError:
        return text


@register.filter
def notification_text(notification: object) -> str | None:
    """A message's words in the page's language (notifications.texts), or None when the
    template words this kind itself."""
    return text_of(notification)  # type: ignore[arg-type]
