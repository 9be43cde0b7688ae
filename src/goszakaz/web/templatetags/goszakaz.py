"""Template filters: labels of allocation reasons, deadlines, city names, roles, states and audit
actions, months and amounts in the page's language (never a code: issue 12)."""

from __future__ import annotations

import re

from django import template
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from goszakaz.audit.actions import AuditAction
from goszakaz.domain.money import format_tenge
from goszakaz.notifications import texts
from goszakaz.notifications.texts import text_of
from goszakaz.registry.models import City, Role
from goszakaz.reports import formatting
from goszakaz.verification.models import RiskCaseState

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
    return formatting.city_name(city)


@register.filter
def city_of_code(code: object) -> str:
    """A city named by its code ("uralsk") in the current language; any other text as it is."""
    city = City.objects.filter(code=str(code or "")).first()
    return formatting.city_name(city) if city is not None else str(code or "")


# the audit actions a page lists (the tariffs' changes), in words
ACTIONS: dict[str, object] = {
    AuditAction.NORM_SET: _("norm set"),
    AuditAction.PARENT_FEE_SET: _("parent fee set"),
    AuditAction.PERECHEN_INCLUDED: _("included in the list of preschools"),
    AuditAction.PERECHEN_CAPACITY: _("design capacity changed"),
    AuditAction.PRESCHOOL_EXCLUDED: _("excluded from the list of preschools"),
    AuditAction.ALLOCATION_PREVIEWED: _("allocation computed"),
    AuditAction.ALLOCATION_CONFIRMED: _("allocation confirmed"),
    AuditAction.ALLOCATION_DISCARDED: _("allocation discarded"),
}


@register.filter
def action_label(code: object) -> str:
    """An audit action in words ("norm.set" -> "норматив установлен"); "change" for one no page
    has named yet, never the code."""
    return str(ACTIONS.get(str(code), _("change")))


# the reasons the code itself writes into a voucher's history (its `why`), in words
WHYS = {
    "account opened": _("the child's bank account is opened (A7.6)"),
    "A7.4: risk cases closed by protocol": _("A7.4: the risk cases are closed by protocol"),
    "A7.4: НОБД": _("A7.4: checked against НОБД"),
    "A11": _("A11: the child moves to another preschool on the 1st of a month"),
}


@register.filter
def why_label(why: object) -> str:
    """A history entry's reason: the words for one the system wrote, a person's own as typed."""
    return str(WHYS.get(str(why or ""), why or ""))


@register.filter
def role_label(code: object) -> str:
    """A role in words ("EDU" -> "управление образования")."""
    return str(Role(code).label) if code in Role.values else str(code or "—")


@register.filter
def case_state_label(code: object) -> str:
    """A risk case's state in words ("exclusion_requested" -> "уведомление об исключении
    направлено"); "—" for none (a case's first event has no state before)."""
    if not code:
        return "—"
    return str(RiskCaseState(code).label) if code in RiskCaseState.values else str(code)


@register.filter
def tenge(tiyn: int) -> str:
    """Integer tiyn as tenge, the same in every language (docs/readings.md, "Formats"):
    5727273 -> "57 272,73 ₸", the groups joined by a no-break space."""
    return format_tenge(tiyn)


@register.filter
def tenge_text(text: object) -> str:
    """An amount kept as tenge text in a message's data ("57272.73", or the "60000.0." SQLite's
    float remainder once wrote) shown as `tenge` shows tiyn; anything else as it is."""
    return texts.money("" if text is None else str(text))


@register.filter
def deadline_title(deadline: object) -> str:
    """A deadline's title: as written (Russian) on Russian pages, else its clause's label with
    what it is for (the subject after its kind, e.g. "taraz/2024-04")."""
    title = str(getattr(deadline, "title", ""))
    label = formatting.DEADLINES.get(str(getattr(deadline, "clause", "")))
    if (translation.get_language() or "ru") == "ru" or label is None:
        return months_named(title)
    subject = str(getattr(deadline, "subject", ""))
    parts = [months_named(city_of_code(p)) for p in subject.split("/")[1:]]
    return f"{label} ({', '.join(parts)})"


MONTH = re.compile(r"\b(\d{4}-\d{2})(?!-?\d)")


def months_named(text: str) -> str:
    """Every month "2024-04" in a text named as the reader names it ("Апрель 2024")."""
    return MONTH.sub(lambda m: month_label(m.group(1)), text)


@register.filter
def month_label(month: object) -> str:
    """A month "2024-04" as the reader names it: "Апрель 2024" (ru), "Сәуір 2024" (kk),
    "April 2024" (en); anything else as it is."""
    return formatting.month_label(str(month or ""))


@register.filter
def date_text(value: object) -> str:
    """A day kept as ISO text in a message's data ("2024-12-01") as dd.mm.yyyy ("01.12.2024");
    anything else as it is."""
    return texts.date_text(value)


@register.filter
def notification_text(notification: object) -> str | None:
    """A message's words in the page's language (notifications.texts), or None when the
    template words this kind itself."""
    return text_of(notification)  # type: ignore[arg-type]
