"""The preschool's day (A7.13): a group's children by name, "all present" as an explicit act
(I22), then a key or a tap per exception, each saved as it is made (HTMX) or by a plain form."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goszakaz import clock
from goszakaz.access.actor import Actor
from goszakaz.access.permissions import Action
from goszakaz.attendance import services
from goszakaz.attendance.models import MARK_LABELS, UNMARKED, Sheet, SheetState
from goszakaz.audit.services import record_read
from goszakaz.domain.calendar import OutsideCalendar
from goszakaz.domain.iin import short_iin
from goszakaz.domain.months import month_of
from goszakaz.domain.payment import SheetError
from goszakaz.enrollment.models import Contract
from goszakaz.registry.models import Preschool
from goszakaz.rules.calendar import kz_calendar
from goszakaz.web.bounds import bounded_day
from goszakaz.web.permissions import actor_of, own_preschool, permits
from goszakaz.web.pupil_scope import Scope, by_name, in_force, pupil_name, scope_of

PRESENT = "P"
# The keys of each mark, as day.js reads them and the page lists them: the letter on a Latin,
# Russian or Kazakh layout and the physical key (П is where G is, Б where ",", Н where Y, О
# where J), so the same finger works whatever layout the tablet is in.
KEYS = {"P": ("П", "P", "G", "1"), "S": ("Б", "S", "B", "2"), "A": ("Н", "A", "Y", "3"),
        "V": ("О", "V", "J", "4")}


# The words on a mark's button: short enough for four on a phone (the legend has the full ones).
SHORT = {"P": gettext_lazy("Present"), "S": gettext_lazy("Sick"), "A": gettext_lazy("No reason"),
         "V": gettext_lazy("Vacation")}


@dataclass
class Row:
    """One child on the day: the contract, the mark, why it is closed, what the last save said."""

    contract: Contract
    name: str
    iin: str
    mark: str
    closed: str = ""
    error: str = ""
    saved: bool = False


def _day(request: HttpRequest) -> dt.date | None:
    text = (request.GET.get("day") or request.POST.get("day") or "").strip()
    if not text:
        return clock.today()
    day, problem = bounded_day(text)
    if day is None:
        messages.error(request, problem or _("Choose a date: day, month and year."))
    return day


def _page_closed(preschool: Preschool, day: dt.date, today: dt.date) -> str:
    """Why nothing can be marked on the day for anyone, or ""."""
    try:
        working = kz_calendar((day.year,)).is_working_day(day)
    except OutsideCalendar as e:
        return str(e)
    if not working:
        return _("Not a working day: nothing to mark.")
    if day > today:
        return _("This day has not come yet: the sheet is filled day by day.")
    if not preschool.city.in_pilot(day) or not preschool.in_perechen(day):
        return _("The preschool is not in the pilot on this day.")
    return ""


def _rows(contracts: list[Contract], day: dt.date, closed: str) -> list[Row]:
    sheets = {s.voucher_id: s for s in Sheet.objects.filter(
        month=month_of(day), voucher_id__in=[c.voucher_id for c in contracts])}
    rows = []
    for c in by_name(contracts):
        sheet = sheets.get(c.voucher_id)
        why = closed
        if not why and sheet is not None and sheet.state != SheetState.OPEN:
            why = _("The sheet is closed: %(state)s.") % {"state": sheet.get_state_display()}
        rows.append(Row(c, pupil_name(c), short_iin(c.voucher.child_iin),
                        sheet.days[day.day - 1] if sheet else UNMARKED, why))
    return rows


def save_marks(*, preschool_id: int, rows: list[Row], codes: dict[int, str], day: dt.date,
               actor: Actor, now: dt.datetime) -> list[Row]:
    """Save each row's new code; one child's refused mark (a closed sheet, I17) never blocks the
    others: the rest are saved and the refused rows carry the reason. Returns the rows tried."""
    tried = [r for r in rows if codes.get(r.contract.voucher_id, r.mark) != r.mark]
    marks = [(r.contract.voucher, day, codes[r.contract.voucher_id]) for r in tried]
    working = kz_calendar((day.year,)).is_working_day
    with transaction.atomic():
        done = services.mark_many(preschool_id=preschool_id, marks=marks,
                                  is_working_day=working, actor=actor, now=now)
    refused: dict[int, SheetError] = dict(done.refused)
    if refused:  # mark_many saved nothing: save the others
        with transaction.atomic():
            services.mark_many(preschool_id=preschool_id, is_working_day=working, actor=actor,
                               now=now, marks=[m for i, m in enumerate(marks) if i not in refused])
    for i, row in enumerate(tried):
        if i in refused:
            row.error = str(refused[i])
        else:
            row.mark, row.saved = marks[i][2], True
    return tried


@permits(Action.SHEETS_VIEW, post=Action.SHEETS_MARK)
def preschool_day(request: HttpRequest) -> HttpResponse:
    """A7.13, I22: the group's day; POST saves marks (one child's, or "all present": every
    open unmarked child present, exceptions kept) and answers HTMX with the rows."""
    actor, now = actor_of(request), clock.now()
    preschool = get_object_or_404(Preschool.objects.select_related("city"),
                                  pk=own_preschool(request))
    action = Action.SHEETS_MARK if request.method == "POST" else Action.SHEETS_VIEW
    scope = scope_of(request, actor, preschool, action, default_first=True)
    day = _day(request)
    if day is None:
        if request.method == "POST":
            return redirect(request.path)
        day = clock.today()
    closed = _page_closed(preschool, day, clock.local_date(now))
    rows = _rows(list(scope.contracts(in_force(preschool, day, day)).select_related("voucher")),
                 day, closed)
    if request.method == "POST":
        return _post(request, actor, now, preschool, scope, day, rows)
    record_read(actor=actor, at=now, what="page:preschool-day", city=preschool.city.code,
                children=[r.contract.voucher_id for r in rows], detail={"day": day.isoformat()})
    unmarked = sum(1 for r in rows if not r.closed and r.mark == UNMARKED)
    return render(request, "web/preschool_day.html", _context(scope, day, rows, closed) | {
        "unmarked": unmarked, "group_choice": len(scope.groups) > 1 or actor.group is None})


def _context(scope: Scope, day: dt.date, rows: list[Row], closed: str) -> dict[str, object]:
    return {"scope": scope, "day": day, "rows": rows, "closed": closed,
            "marks": [(m.value, label, KEYS[m.value], SHORT[m.value])
                      for m, label in MARK_LABELS.items()],
            "month": month_of(day)}


def _post(request: HttpRequest, actor: Actor, now: dt.datetime, preschool: Preschool,
          scope: Scope, day: dt.date, rows: list[Row]) -> HttpResponse:
    everyone = "all" in request.POST
    codes: dict[int, str] = {}
    late: list[Row] = []  # a change to a sheet closed since the page was shown
    for r in rows:
        code = request.POST.get(f"mark-{r.contract.voucher_id}", "").strip().upper()
        if r.closed:
            if code and code != r.mark:
                r.error = r.closed
                late.append(r)
        elif code:
            codes[r.contract.voucher_id] = code
        elif everyone and r.mark == UNMARKED:
            codes[r.contract.voucher_id] = PRESENT
    tried = late + save_marks(preschool_id=preschool.pk, rows=rows, codes=codes, day=day,
                              actor=actor, now=now)
    if request.htmx:  # type: ignore[attr-defined]  # the rows asked about, as they are now
        shown = rows if everyone else [r for r in rows
                                       if f"mark-{r.contract.voucher_id}" in request.POST]
        return render(request, "web/_day_rows.html", _context(scope, day, shown, ""))
    for r in tried:
        if r.error:
            messages.error(request, f"{r.name} ({r.iin}): {r.error}")
    if any(r.saved for r in tried) or not tried:
        messages.success(request, _("The day is marked."))
    return redirect(f"{request.path}?day={day.isoformat()}&group={scope.key}")
