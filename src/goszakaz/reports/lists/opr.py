"""The operator's lists (issue 12): the risk cases (A7.4, A7.9, A7.16) by kind, state, city and
age, searchable by the child's IIN or name or the preschool's BIN or name."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from goszakaz import clock
from goszakaz.domain.iin import short_iin
from goszakaz.reports.formatting import city_name
from goszakaz.reports.listing import DIGITS, Column, Filter, Scope, StaffList, register
from goszakaz.reports.lists.edu import CITY
from goszakaz.verification.models import RiskCase, RiskCaseKind, RiskCaseState

# the age of a case (days since it was opened): the filter's choices, (from, to) inclusive
AGES: dict[str, tuple[int, int | None]] = {"0-5": (0, 5), "6-30": (6, 30), "31-90": (31, 90),
                                           "91-": (91, None)}
AGE_LABELS = {"0-5": _("up to 5 days"), "6-30": _("6 to 30 days"), "31-90": _("31 to 90 days"),
              "91-": _("over 90 days")}


def _rows(scope: Scope) -> QuerySet[Any]:
    rows = RiskCase.objects.select_related("city", "voucher", "preschool", "protocol")
    return rows.filter(city=scope.city) if scope.city is not None else rows


def _search(rows: QuerySet[Any], text: str) -> QuerySet[Any]:
    """Digits: the child's IIN or the preschool's BIN (12 digits), or their beginning; words:
    each in the child's or the preschool's name."""
    compact = text.replace(" ", "")
    if DIGITS.fullmatch(compact):
        if len(compact) == 12:
            return rows.filter(Q(voucher__child_iin=compact) | Q(preschool__bin=compact))
        return rows.filter(Q(voucher__child_iin__startswith=compact)
                           | Q(preschool__bin__startswith=compact))
    rows = rows.annotate(_child=Lower(Coalesce("voucher__child_name", Value(""))),
                         _school=Lower(Coalesce("preschool__name", Value(""))))
    for word in text.split():  # LOWER() folds every alphabet (registry.apps on SQLite)
        rows = rows.filter(Q(_child__contains=word.lower()) | Q(_school__contains=word.lower()))
    return rows


def _aged(rows: QuerySet[Any], key: str) -> QuerySet[Any]:
    """The cases opened `from` to `to` days before today."""
    low, high = AGES[key]
    today = clock.today()
    rows = rows.filter(opened_on__lte=today - dt.timedelta(days=low))
    return rows if high is None else rows.filter(opened_on__gte=today - dt.timedelta(days=high))


def age_days(case: RiskCase) -> int:
    """How many days ago the case was opened."""
    return (clock.today() - case.opened_on).days


def subject(case: RiskCase) -> str:
    """The child's name (or "—") or the preschool's name."""
    if case.voucher is not None:
        return str(case.voucher.child_name or "—")
    return str(case.preschool.name) if case.preschool is not None else "—"


def number(case: RiskCase) -> str:
    """The child's IIN, its middle masked, or the preschool's BIN."""
    if case.voucher is not None:
        return short_iin(case.voucher.child_iin)
    return str(case.preschool.bin) if case.preschool is not None else ""


def protocol_number(case: RiskCase) -> str:
    """The number of the protocol that closed the case, or ""."""
    try:
        return str(case.protocol.number)
    except RiskCase.protocol.RelatedObjectDoesNotExist:
        return ""


RISK_CASES = register(StaffList(
    key="operator-cases",
    title=_("Risk cases"),
    rows=_rows,
    search=_search,
    search_hint=_("IIN, BIN or name"),
    filters=(
        CITY,
        Filter("kind", _("Mismatch"), lambda scope: RiskCaseKind.choices,
               lambda rows, v: rows.filter(kind=v)),
        Filter("state", _("State"), lambda scope: RiskCaseState.choices,
               lambda rows, v: rows.filter(state=v)),
        Filter("age", _("Age of the case"), lambda scope: list(AGE_LABELS.items()), _aged),
    ),
    columns=(
        Column("number", "№", lambda c: c.pk, "number", sort="id",
               link=lambda c: reverse("operator-case", args=[c.pk])),
        Column("city", _("City"), lambda c: city_name(c.city), sort="city__name_ru"),
        Column("subject", _("Subject"), subject,
               link=lambda c: reverse("operator-case", args=[c.pk])),
        Column("iin", _("IIN or BIN"), number),
        Column("kind", _("Mismatch"), lambda c: c.get_kind_display(), sort="kind"),
        Column("state", _("State"), lambda c: c.get_state_display(), sort="state"),
        Column("opened", _("Opened"), lambda c: c.opened_on, "date", sort="opened_on"),
        Column("age", _("Age, days"), age_days, "number"),
        Column("closed", _("Closed"), lambda c: c.closed_on, "date", sort="closed_on"),
        Column("protocol", _("Protocol"), protocol_number),
    ),
    default_sort="opened",
    child=lambda c: c.voucher_id,
))
