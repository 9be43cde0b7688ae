"""The words of a message, in the reader's language, for the cabinet and any other channel
(SMS, e-mail): amounts as `60 000,00 ₸`, dates as dd.mm.yyyy, months by name."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from goszakaz.domain.money import format_tenge, parse_tiyn
from goszakaz.domain.months import last_day
from goszakaz.notifications.models import Notification


def money(value: Any) -> str:
    """Tiyn (an int) as tenge; a payload of old messages kept tenge as text ("60000.00"), and
    before issue 11 in the shape SQLite's float remainder wrote ("60000.0." for 60000.00, "5.7."
    for 5.07); anything else as it is."""
    if isinstance(value, int) and not isinstance(value, bool):
        return format_tenge(value)
    text = str(value if value is not None else "")
    if text.endswith(".") and text.count(".") == 2:
        whole, digit = text[:-1].split(".")
        text = f"{whole}.{digit.zfill(2)}"
    try:
        return format_tenge(parse_tiyn(text))
    except ValueError:
        return text


def month_name(month: Any) -> str:
    """"2024-04" as "Апрель 2024" (the reader's language)."""
    year, _sep, number = str(month or "").partition("-")
    if year.isdigit() and number.isdigit() and 1 <= int(number) <= 12:
        return f"{MONTHS[int(number)]} {year}"
    return str(month or "")


def date_text(value: Any) -> str:
    """An ISO date of a payload as dd.mm.yyyy."""
    try:
        return dt.date.fromisoformat(str(value)).strftime("%d.%m.%Y")
    except ValueError:
        return str(value or "")


def _month_end(month: Any) -> str:
    """The last day of a payload's month as dd.mm.yyyy."""
    try:
        return last_day(str(month)).strftime("%d.%m.%Y")
    except ValueError:
        return ""


def _plus_days(day: Any, days: int) -> str:
    """A payload's ISO date plus days, as dd.mm.yyyy."""
    try:
        return (dt.date.fromisoformat(str(day)[:10]) + dt.timedelta(days=days)).strftime(
            "%d.%m.%Y")
    except ValueError:
        return ""


RECONFIRM_DAYS = 2  # A7.16, I7 (attendance.services.RECONFIRM_DAYS: this layer is below it)


def text_of(n: Notification, lang: str | None = None) -> str | None:
    """The message in words, or None for a kind the cabinet's template words itself."""
    if lang is not None:
        with translation.override(lang):
            return text_of(n)
    p: dict[str, Any] = n.payload if isinstance(n.payload, dict) else {}
    month = month_name(p.get("month"))
    if n.kind == "payment":  # A7.18
        return _("%(month)s: the State order of %(amount)s for %(days)s payable day(s) is paid "
                 "to the preschool; the parent fee for the month is %(fee)s.") % {
            "month": month, "amount": money(p.get("due", p.get("state_order"))),
            "days": p.get("days"), "fee": money(p.get("fee", p.get("parent_fee")))}
    if n.kind == "payment_owed":  # A7.18, I5, I18: an owed month paid later
        return _("%(month)s: %(amount)s is paid to %(preschool)s (what was owed for the "
                 "month).") % {"month": month, "amount": money(p.get("amount")),
                                 "preschool": p.get("preschool", "")}
    if n.kind == "funding":  # A7.12
        return _("%(month)s: %(amount)s of the State order is credited to the child's "
                 "account.") % {"month": month, "amount": money(p.get("amount"))}
    if n.kind == "sheet_window_open":  # I17
        return _("The attendance sheet of %(month)s is ready: confirm it or dispute it by "
                 "%(day)s.") % {"month": month, "day": _month_end(p.get("month"))}
    if n.kind == "sheet_window_closes":  # I17
        return _("Tomorrow, %(day)s, is the last day to confirm or dispute the attendance sheet "
                 "of %(month)s; after that it is confirmed automatically.") % {
            "month": month, "day": _month_end(p.get("month"))}
    if n.kind == "sheet_reconfirm_closes":  # A7.16, I7
        return _("Tomorrow, %(day)s, is the last day to confirm the attendance sheet of "
                 "%(month)s the preschool corrected after your dispute; after that it is "
                 "confirmed automatically.") % {"month": month, "day": _plus_days(
                     p.get("corrected"), RECONFIRM_DAYS)}
    if n.kind == "sheet_unconfirmed":  # A7.14, I6
        return _("The attendance sheet of %(month)s was confirmed automatically: you did not "
                 "answer it. If you leave the next month's sheet unanswered too, the State "
                 "order is annulled (two months in a row).") % {"month": month}
    return None
