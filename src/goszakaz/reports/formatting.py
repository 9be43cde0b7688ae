"""How the report writes amounts, months, clauses and shares in the reader's language (the same
forms as the pages' filters: `60 000,00 ₸`, "Апрель 2024")."""

from __future__ import annotations

from django.utils import translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from goszakaz.domain.money import format_tiyn

NBSP = "\u00a0"

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


def tenge(tiyn: int) -> str:
    """5727273 -> "57 272,73 ₸" (ru, kk), "57,272.73 ₸" (en)."""
    whole, cents = format_tiyn(int(tiyn)).split(".")
    sign, digits = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    groups = f"{int(digits):,}"
    if _lang() == "en":
        return f"{sign}{groups}.{cents} ₸"
    return f"{sign}{groups.replace(',', NBSP)},{cents} ₸"


def month_label(month: str) -> str:
    """"2024-04" -> "Апрель 2024" (ru), "Сәуір 2024" (kk), "April 2024" (en)."""
    year, _sep, number = month.partition("-")
    if not (year.isdigit() and number.isdigit() and 1 <= int(number) <= 12):
        return month
    return f"{MONTHS[int(number)]} {year}"


def clause_label(clause: str) -> str:
    """"A7.9 — the bank's monthly list"."""
    label = DEADLINES.get(clause)
    return f"{clause} — {label}" if label else clause


def percent(part: float) -> str:
    """0.256 -> "25,6 %" (ru, kk), "25.6 %" (en)."""
    text = f"{part * 100:.1f}"
    return (text if _lang() == "en" else text.replace(".", ",")) + NBSP + "%"


def city_name(city: object) -> str:
    """The city's name in the current language."""
    return str(getattr(city, f"name_{_lang()}", None) or getattr(city, "name_ru", ""))


def _lang() -> str:
    return (translation.get_language() or "ru")[:2]
