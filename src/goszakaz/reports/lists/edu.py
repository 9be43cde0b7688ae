"""The city department's lists (issue 12): the queue (T1-T3), the vouchers (A5, A12, A13), the
Перечень (A4, A6) and a funding request's per-child lines (A7.11)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from goszakaz import clock
from goszakaz import rules as rule_data
from goszakaz.domain.iin import short_iin
from goszakaz.enrollment.models import AnnulmentReason, Contract, Voucher, VoucherStatus
from goszakaz.finance.models import FundingLine
from goszakaz.queue.models import Application, ApplicationState
from goszakaz.registry.models import City, Preschool
from goszakaz.reports.listing import Column, Filter, Scope, StaffList, iin_or_name, register, yes_no

AGES = range(0, 8)


def _city_rows(model: Any, scope: Scope, city: str = "city") -> QuerySet[Any]:
    rows: QuerySet[Any] = model.objects.select_related(city)
    return rows.filter(**{city: scope.city}) if scope.city is not None else rows


def _cities(scope: Scope) -> list[tuple[str, str]]:
    lang = (get_language() or "ru")[:2]
    return [(c.code, getattr(c, f"name_{lang}", "") or c.name_ru)
            for c in City.objects.order_by("name_ru")]


CITY = Filter("city", _("City"), _cities, lambda rows, code: rows.filter(city__code=code),
              all_cities_only=True)


def _born_aged(rows: QuerySet[Any], years: str) -> QuerySet[Any]:
    """Children of a full age in years today: born after the (years+1)th birthday's eve."""
    today = clock.today()
    n = int(years)
    latest = _years_before(today, n)
    earliest = _years_before(today, n + 1) + dt.timedelta(days=1)
    return rows.filter(birth_date__gte=earliest, birth_date__lte=latest)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _age_choices(scope: Scope) -> list[tuple[str, str]]:
    return [(str(n), gettext("under 1 year") if n == 0 else
             ngettext("%(n)d year", "%(n)d years", n) % {"n": n}) for n in AGES]


def _year_choices(scope: Scope) -> list[tuple[str, str]]:
    this = clock.today().year
    return [(str(y), str(y)) for y in range(this, this - 8, -1)]


def _update_choices(scope: Scope) -> list[tuple[str, str]]:
    """The queue's last updates (T3), latest first: the applications each one changed."""
    rows = Application.objects.exclude(actualized_on=None)
    if scope.city is not None:
        rows = rows.filter(city=scope.city)
    days = rows.order_by("-actualized_on").values_list("actualized_on", flat=True).distinct()[:12]
    return [(d.isoformat(), d.strftime("%d.%m.%Y")) for d in days if d is not None]


def category_title(application: Application) -> str:
    """The application's category in words ("3 — children of large families"), or "—"."""
    if application.category is None:
        return "—"
    try:
        rule_set = rule_data.load(application.city.allocation_rules or "taraz-2024")
    except KeyError:
        return str(application.category)
    lang = (get_language() or "ru")[:2]
    for c in rule_set.categories:
        if c.number == application.category:
            return f"{c.number} — {c.title.get(lang) or c.title['ru']}"
    return str(application.category)


def _categories(scope: Scope) -> list[tuple[str, str]]:
    city = scope.city
    rule_id = (city.allocation_rules if city is not None else "") or "taraz-2024"
    lang = (get_language() or "ru")[:2]
    try:
        return [(str(c.number), f"{c.number} — {c.title.get(lang) or c.title['ru']}")
                for c in rule_data.load(rule_id).categories]
    except KeyError:
        return []


QUEUE = register(StaffList(
    key="edu-queue",
    title=_("Queue"),
    rows=lambda scope: _city_rows(Application, scope),
    search=iin_or_name("child_iin", "child_name"),
    search_hint=_("IIN (or its first digits) or name"),
    filters=(
        CITY,
        Filter("category", _("Category"), _categories,
               lambda rows, v: rows.filter(category=int(v))),
        Filter("state", _("State"), lambda scope: ApplicationState.choices,
               lambda rows, v: rows.filter(state=v)),
        Filter("age", _("Age"), _age_choices, _born_aged),
        Filter("year", _("Submitted in"), _year_choices,
               lambda rows, v: rows.filter(submitted_at__year=int(v))),
        Filter("updated", _("Changed by the update of"), _update_choices,
               lambda rows, v: rows.filter(actualized_on=dt.date.fromisoformat(v))),
    ),
    columns=(
        Column("number", _("Queue number"), lambda a: a.queue_number, "number",
               sort=("category", "queue_number")),
        Column("category", _("Category"), category_title),
        Column("name", _("Child"), lambda a: a.child_name or short_iin(a.child_iin),
               sort="child_name", link=lambda a: reverse("edu-application", args=[a.pk])),
        Column("iin", _("Child IIN"), lambda a: short_iin(a.child_iin)),
        Column("born", _("Born"), lambda a: a.birth_date, "date", sort="birth_date"),
        Column("submitted", _("Submitted"), lambda a: a.submitted_at, "datetime",
               sort="submitted_at"),
        Column("state", _("State"), lambda a: a.get_state_display(), sort="state"),
    ),
    default_sort="number",
    child=None,  # an application is not yet a child of the programme; its read is logged below
))


def _annulled_choices(scope: Scope) -> list[tuple[str, Any]]:
    return list(AnnulmentReason.choices)


VOUCHERS = register(StaffList(
    key="edu-vouchers",
    title=_("Vouchers"),
    rows=lambda scope: _city_rows(Voucher, scope),
    search=iin_or_name("child_iin", "child_name"),
    search_hint=_("IIN (or its first digits) or name"),
    filters=(
        CITY,
        Filter("status", _("Status"), lambda scope: VoucherStatus.choices,
               lambda rows, v: rows.filter(status=v)),
        Filter("reason", _("Annulled because"), _annulled_choices,
               lambda rows, v: rows.filter(annulment_reason=v)),
        Filter("age", _("Age"), _age_choices, _born_aged),
    ),
    columns=(
        Column("name", _("Child"), lambda v: v.child_name or short_iin(v.child_iin),
               sort="child_name", link=lambda v: reverse("edu-voucher", args=[v.pk])),
        Column("iin", _("Child IIN"), lambda v: short_iin(v.child_iin)),
        Column("born", _("Born"), lambda v: v.birth_date, "date", sort="birth_date"),
        Column("status", _("Status"), lambda v: v.get_status_display(), sort="status"),
        Column("from", _("From"), lambda v: v.period_start, "date", sort="period_start"),
        Column("to", _("To"), lambda v: v.period_end, "date", sort="period_end"),
        Column("annulled", _("Annulled"), lambda v: v.annulled_on, "date", sort="annulled_on"),
        Column("reason", _("Annulled because"),
               lambda v: v.get_annulment_reason_display() if v.annulment_reason else ""),
        Column("granted", _("Granted"), lambda v: v.granted_at, "datetime", sort="granted_at"),
    ),
    default_sort="-granted",
    child=lambda v: v.pk,
))


def _perechen_state(p: Preschool) -> str:
    today = clock.today()
    if p.in_perechen(today):
        return str(_("on the list"))
    if p.excluded_on is not None and p.excluded_on <= today:
        return str(_("excluded"))
    return str(_("not yet on the list"))


def _perechen_filter(rows: QuerySet[Any], v: str) -> QuerySet[Any]:
    today = clock.today()
    if v == "in":
        return rows.filter(included_on__lte=today).exclude(excluded_on__lte=today)
    return rows.filter(excluded_on__lte=today)


def _preschools(scope: Scope) -> QuerySet[Any]:
    """The preschools with their contracts in force today and the places left (A6): a count
    per preschool (its contracts' index), so a page sorted by name counts its 100 rows only."""
    today = clock.today()
    in_force = (Contract.objects.filter(preschool=OuterRef("pk"), starts_on__lte=today)
                .filter(Q(ends_on=None) | Q(ends_on__gte=today))
                .order_by().values("preschool").annotate(n=Count("pk")).values("n"))
    rows: QuerySet[Any] = (_city_rows(Preschool, scope)
                           .annotate(in_force=Coalesce(Subquery(in_force), 0))
                           .annotate(free=F("design_capacity") - F("in_force")))
    return rows


def _occupancy(p: Any) -> str:
    """Contracts in force against design capacity, in whole percent ("83 %")."""
    share = p.in_force / p.design_capacity if p.design_capacity else 0
    return f"{round(share * 100)}\u00a0%"


PERECHEN = register(StaffList(
    key="edu-perechen",
    title=_("List of preschools"),
    rows=_preschools,
    search=lambda rows, text: rows.filter(name__icontains=text) if not text.isdigit()
    else rows.filter(bin__startswith=text),
    search_hint=_("name or BIN"),
    filters=(CITY, Filter("on", _("On the list"),
                          lambda scope: [("in", _("on the list")), ("out", _("excluded"))],
                          _perechen_filter)),
    columns=(
        Column("name", _("Preschool"), lambda p: p.name, sort="name",
               link=lambda p: reverse("edu-preschool", args=[p.pk])),
        Column("bin", _("BIN"), lambda p: p.bin, sort="bin"),
        Column("capacity", _("Design capacity"), lambda p: p.design_capacity, "number",
               sort="design_capacity"),
        Column("in_force", _("Contracts in force"), lambda p: p.in_force, "number",
               sort="in_force"),
        Column("free", _("Places free"), lambda p: max(0, p.free), "number", sort="free"),
        Column("occupancy", _("Occupancy"), _occupancy),
        Column("included", _("Included on"), lambda p: p.included_on, "date",
               sort="included_on"),
        Column("excluded", _("Excluded from"), lambda p: p.excluded_on, "date",
               sort="excluded_on"),
        Column("state", _("State"), _perechen_state),
    ),
    default_sort="name",
))


def _funding_transfer(line: FundingLine) -> str | None:
    """The transfer that credited the child's account with the line's amount, once it has."""
    if line.direct or not line.amount or line.request.distributed_on is None:
        return None
    return reverse("staff-transfer", args=[f"funding/{line.voucher_id}/{line.request.month}"])


FUNDING_LINES = register(StaffList(
    key="funding-lines",
    title=_("Funding request lines"),
    rows=lambda scope: _city_rows(FundingLine, scope, "voucher__city")
    .filter(request_id=scope.within).select_related("voucher", "request"),
    search=iin_or_name("voucher__child_iin", "voucher__child_name"),
    search_hint=_("IIN (or its first digits) or name"),
    filters=(Filter("direct", _("Paid"), lambda scope: [
        ("0", _("to the child's account")), ("1", _("directly to the preschool"))],
        lambda rows, v: rows.filter(direct=v == "1")),),
    columns=(
        Column("name", _("Child"), lambda f: f.voucher.child_name or "—",
               sort=("voucher__child_name", "voucher_id")),
        Column("iin", _("Child IIN"), lambda f: short_iin(f.voucher.child_iin)),
        Column("norm", _("Norm"), lambda f: f.norm, "money", sort="norm"),
        Column("owed", _("Owed from before"), lambda f: f.owed, "money", sort="owed"),
        Column("balance", _("Balance on the account"), lambda f: f.balance, "money",
               sort="balance"),
        Column("amount", _("Amount"), lambda f: f.amount, "money", sort="amount",
               link=_funding_transfer),
        Column("direct", _("Directly to the preschool"), lambda f: yes_no(f.direct),
               sort="direct"),
    ),
    default_sort="-amount",  # the largest first; an index reads them (line_by_amount)
    child=lambda f: f.voucher_id,
))
