"""The oversight pages (A14): deadlines, money, attendance and the queue, for the operator (every
city, or one chosen) and for an EDU (its own city only), each a chart with its figures, the
tables, and the same tables as XLSX (`?format=xlsx`)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.attendance.models import Sheet
from goszakaz.deadlines.models import Deadline
from goszakaz.finance.models import FundingRequest
from goszakaz.registry.models import City, Role
from goszakaz.reports.exports import tables_xlsx
from goszakaz.reports.formatting import city_name, number, tenge
from goszakaz.reports.oversight import PAGES, Oversight
from goszakaz.reports.tables import Table
from goszakaz.web.permissions import actor_of, permits, require

TITLES = {
    "deadlines": gettext_lazy("Deadlines"),
    "money": gettext_lazy("Money flow"),
    "attendance": gettext_lazy("Attendance and confirmation"),
    "queue": gettext_lazy("Queue and places"),
}
INTROS = {
    "deadlines": gettext_lazy(
        "Every term of the law with a deadline: met in time, met late, missed (still open past "
        "its day) and not due yet, per clause, city and month. Each late one names what it "
        "concerns and who must act."),
    "money": gettext_lazy(
        "The budget's money to the operator, to the children's accounts and to the preschools, "
        "what the operator paid directly, what came back and what is still owed, by the month "
        "the money is for. The total row's balance is summed from the accounts themselves."),
    "attendance": gettext_lazy(
        "How the sheets became final: confirmed by the parent, automatically, or disputed; the "
        "disputes' outcomes and the days by mark. The month's preschools are listed the "
        "furthest from their city's norm first."),
    "queue": gettext_lazy(
        "Applications by category and the period they were submitted, the places allocated, "
        "vouchers granted and annulled by reason, and each preschool's children against its "
        "design capacity."),
}


def _page(request: HttpRequest, page: str) -> HttpResponse:
    """One oversight page for the actor's cities, as HTML or XLSX."""
    actor = actor_of(request)
    asked = request.GET.get("city", "")
    if actor.role == Role.EDU:
        asked = asked or (actor.city or "")
        require(request, Action.OVERSIGHT_VIEW, city=asked)  # EDU: its own city only
    every = list(City.objects.order_by("code"))
    cities = [c for c in every if c.code == asked] if asked else every
    if asked and not cities:
        raise Http404
    today = clock.today()
    kwargs = {"month": request.GET.get("month", "")} if page == "attendance" else {}
    data: Oversight = PAGES[page](as_of=today, cities=cities, **kwargs)
    if request.GET.get("format") == "xlsx":
        answer = HttpResponse(tables_xlsx(data.tables), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        name = f"oversight-{page}-{asked or 'all'}-{today.strftime('%d.%m.%Y')}.xlsx"
        answer["Content-Disposition"] = f'attachment; filename="{name}"'
        return answer
    late_links = _links(data.late, actor.role) if page == "deadlines" else []
    tables = [t for t in data.tables if t.key != "late"]
    late_table = next((t for t in data.tables if t.key == "late"), None)
    return render(request, "web/oversight_page.html", {
        "page": page, "title": TITLES[page], "intro": INTROS[page], "data": data,
        "tables": [(t, cells(t)) for t in tables], "late_table": late_table,
        "late_rows": list(zip(cells(late_table), late_links, strict=True)) if late_table else [],
        "as_of": today, "operator": actor.role == Role.OPR, "asked": asked,
        "city": cities[0] if asked else None,
        "city_choices": [(c.code, city_name(c)) for c in every],
        "tabs": [(name, f"oversight-{name}", TITLES[name]) for name in PAGES],
        "nav_section": "oversight", "xlsx": _xlsx_query(request)})


def cells(table: Table) -> list[list[tuple[str, str, bool]]]:
    """The table's rows as the page shows them: (header, text, a number?) per cell, amounts in
    tenge and counts grouped by thousands (the XLSX keeps the same rows as numbers)."""
    out = []
    for row in table.rows:
        out.append([(head, (tenge(v) if money else number(v)) if isinstance(v, int) else str(v),
                     isinstance(v, int))
                    for head, v, money in zip(table.header, row, table.money, strict=True)])
    return out


def _xlsx_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query["format"] = "xlsx"
    return query.urlencode()


def _links(late: list[Deadline], role: str) -> list[str]:
    """Each late deadline's page: where what it concerns is seen or done, for this role ("" where
    the role has none)."""
    funding = {}
    months = {_month_of(d) for d in late if d.clause in ("A7.11", "A7.12")}
    if months:
        funding = {(city, month): pk for pk, city, month in FundingRequest.objects.filter(
            month__in=months).values_list("pk", "city__code", "month")}
    sheets = dict(Sheet.objects.filter(pk__in=[int(d.subject.rsplit("/", 1)[-1]) for d in late
                                               if d.clause == "A7.16"
                                               and d.subject.rsplit("/", 1)[-1].isdigit()])
                  .values_list("pk", "month"))
    out = []
    for d in late:
        month = _month_of(d)
        if d.clause in ("A7.11", "A7.12"):
            pk = funding.get((d.city, month))
            out.append(reverse("funding-request", args=[pk]) if pk else reverse(
                "operator-funding" if role == Role.OPR else "edu-funding"))
        elif role == Role.EDU:
            out.append(reverse("edu-exclusions") if d.clause == "A7.4" else "")
        elif d.clause == "A7.4":
            out.append(reverse("operator-cases"))
        elif d.clause in ("A7.14", "A7.16"):
            tail = d.subject.rsplit("/", 1)[-1]
            month = sheets.get(int(tail), "") if d.clause == "A7.16" and tail.isdigit() else month
            out.append(reverse("operator-unconfirmed") + (f"?month={month}" if month else ""))
        else:  # A7.9, A7.17, A10, A7.18: the banks' page lists the open deadlines
            out.append(reverse("operator-banks"))
    return out


def _month_of(d: Deadline) -> str:
    """The month a deadline's subject names ("funding/taraz/2024-04" -> "2024-04"), or ""."""
    return next((p for p in d.subject.split("/") if len(p) == 7 and p[4] == "-"), "")


@permits(Action.OVERSIGHT_VIEW)
def oversight_deadlines(request: HttpRequest) -> HttpResponse:
    """A14: the deadlines of every clause with a term, met, late and open."""
    return _page(request, "deadlines")


@permits(Action.OVERSIGHT_VIEW)
def oversight_money(request: HttpRequest) -> HttpResponse:
    """A2, A14: the money per city and month."""
    return _page(request, "money")


@permits(Action.OVERSIGHT_VIEW)
def oversight_attendance(request: HttpRequest) -> HttpResponse:
    """A14: confirmation, disputes and attendance per city, month and preschool."""
    return _page(request, "attendance")


@permits(Action.OVERSIGHT_VIEW)
def oversight_queue(request: HttpRequest) -> HttpResponse:
    """A14: the queue and the places."""
    return _page(request, "queue")

