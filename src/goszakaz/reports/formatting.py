"""How the report and the pages write amounts, months, clauses, cities and shares in the reader's
language (`60 000,00 ₸`, "Апрель 2024"): the pages' filters (web.templatetags) call these."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from goszakaz.domain.money import format_tenge
from goszakaz.notifications.texts import month_name

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

# who must act for a deadline of the clause to be met
ACTORS = {
    "A7.4": _("the operator"),
    "A7.9": _("the bank"),
    "A7.11": _("the operator"),
    "A7.12": _("the city's education department"),
    "A7.14": _("the operator (the automatic step)"),
    "A7.16": _("the parent"),
    "A7.17": _("the operator"),
    "A10": _("the bank and the operator"),
    "A7.18": _("the bank and the operator"),
}


def tenge(tiyn: int) -> str:
    """5727273 -> "57 272,73 ₸", the same in every language (domain.money.format_tenge)."""
    return format_tenge(int(tiyn))


def number(n: int) -> str:
    """250000 -> "250 000": a count grouped by thousands with no-break spaces, as amounts are."""
    return f"{int(n):,}".replace(",", NBSP)


def month_label(month: str) -> str:
    """"2024-04" -> "Апрель 2024" (ru), "Сәуір 2024" (kk), "April 2024" (en)."""
    return month_name(month)


def clause_label(clause: str) -> str:
    """"A7.9 — the bank's monthly list"."""
    label = DEADLINES.get(clause)
    return f"{clause} — {label}" if label else clause


def percent(part: float) -> str:
    """0.256 -> "25,6 %", a decimal comma in every language as money has (docs/readings.md,
    "Shares in every language")."""
    return f"{part * 100:.1f}".replace(".", ",") + NBSP + "%"


def city_name(city: object) -> str:
    """The city's name in the current language."""
    return str(getattr(city, f"name_{_lang()}", None) or getattr(city, "name_ru", ""))


def _lang() -> str:
    return (translation.get_language() or "ru")[:2]
