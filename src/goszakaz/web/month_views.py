"""The preschool's month of a group: children × working days, read-only where a sheet is closed,
with each child's A8 outcome so far; and the group's month as an XLSX template to fill."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.attendance.models import MARK_LABELS, UNMARKED, Sheet, SheetState
from goszakaz.audit.services import record_read
from goszakaz.domain import payment as pay
from goszakaz.domain.calendar import OutsideCalendar
from goszakaz.domain.iin import short_iin
from goszakaz.domain.months import first_day, last_day, month_of, next_first, previous
from goszakaz.enrollment.models import Contract
from goszakaz.finance.month_context import MonthContext
from goszakaz.finance.tariffs import TariffMissing
from goszakaz.registry.models import Preschool
from goszakaz.rules.calendar import kz_calendar
from goszakaz.web.bounds import bounded_month
from goszakaz.web.permissions import actor_of, own_preschool, permits
from goszakaz.web.pupil_scope import Scope, by_name, in_force, pupil_name, scope_of

SYMBOLS = {"P": "✓", "S": "Б", "A": "Н", "V": "О", UNMARKED: "·"}  # the legend says them in words
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Cell:
    """One child's working day: its mark, whether the contract covers it, the word for it."""

    day: dt.date
    code: str
    covered: bool
    word: str = ""


@dataclass
class Line:
    """One child's month: the sheet's days and state, and the A8 outcome so far."""

    contract: Contract
    name: str
    iin: str
    state: str
    closed: bool
    cells: list[Cell] = field(default_factory=list)
    outcome: pay.Payment | None = None
    problem: str = ""


def _scope_month(request: HttpRequest) -> tuple[Preschool, Scope, str, list[Contract]]:
    """The preschool, the group asked for, the month (this month when none is), its pupils."""
    actor = actor_of(request)
    preschool = get_object_or_404(Preschool.objects.select_related("city"),
                                  pk=own_preschool(request))
    scope = scope_of(request, actor, preschool, Action.SHEETS_VIEW, default_first=True)
    month = bounded_month(request.GET.get("month", ""))[0] or month_of(clock.today())
    contracts = by_name(list(scope.contracts(in_force(preschool, first_day(month),
                                                      last_day(month)))
                             .select_related("voucher")))
    return preschool, scope, month, contracts


def _covers(contracts: list[Contract], day: dt.date) -> bool:
    return any(c.starts_on <= day and (c.ends_on is None or day <= c.ends_on) for c in contracts)


@permits(Action.SHEETS_VIEW)
def preschool_month(request: HttpRequest) -> HttpResponse:
    """A7.13, A8, I4, I22: the group's month as a grid, with each child's payable days and
    amount by the settlement's own calculator (unmarked days counted as present, I22)."""
    preschool, scope, month, contracts = _scope_month(request)
    try:
        days = kz_calendar((int(month[:4]),)).working_days(first_day(month), last_day(month))
    except OutsideCalendar:
        days = []
    sheets = {s.voucher_id: s for s in Sheet.objects.filter(
        month=month, voucher_id__in=[c.voucher_id for c in contracts])}
    context = MonthContext(preschool.city, month, only={c.voucher_id for c in contracts})
    by_child: dict[int, list[Contract]] = {}
    for c in contracts:
        by_child.setdefault(c.voucher_id, []).append(c)
    lines, words = [], {m.value: str(label) for m, label in MARK_LABELS.items()}
    words[UNMARKED] = _("not marked")
    for voucher_id, own in by_child.items():
        sheet = sheets.get(voucher_id)
        marks = sheet.days if sheet else UNMARKED * last_day(month).day
        line = Line(own[0], pupil_name(own[0]), short_iin(own[0].voucher.child_iin),
                    str(sheet.get_state_display() if sheet else SheetState.OPEN.label),
                    sheet is not None and sheet.state != SheetState.OPEN)
        for d in days:
            code = marks[d.day - 1]
            line.cells.append(Cell(d, code, _covers(own, d), words.get(code, code)))
        if days:
            try:
                line.outcome = context.payment(voucher_id, preschool.pk, marks)
            except (TariffMissing, pay.SheetError) as e:
                line.problem = str(e) if isinstance(e, pay.SheetError) else _(
                    "No norm is set for the month.")
        lines.append(line)
    record_read(actor=actor_of(request), at=clock.now(), what="page:preschool-month",
                city=preschool.city.code, children=list(by_child), detail={"month": month})
    first = first_day(month)
    return render(request, "web/preschool_month.html", {
        "scope": scope, "month": month, "days": days, "lines": lines, "symbols": SYMBOLS,
        "legend": [(SYMBOLS[code], word) for code, word in words.items()],
        "today": clock.today(), "previous": previous(month),
        "next": month_of(next_first(first)),
        "group_choice": len(scope.groups) > 1 or actor_of(request).group is None})


@permits(Action.SHEETS_VIEW)
def preschool_month_template(request: HttpRequest) -> HttpResponse:
    """A7.13: the group's month as an XLSX to fill and import back (attendance.upload): a row
    per child (child_iin, the name) and a column per working day, the codes to type listed."""
    preschool, scope, month, contracts = _scope_month(request)
    days = kz_calendar((int(month[:4]),)).working_days(first_day(month), last_day(month))
    book = Workbook()
    sheet = book.active
    sheet.title = month
    sheet.append(["child_iin", "child_name", *[str(d.day) for d in days]])
    seen = set()
    for c in contracts:
        if c.voucher_id not in seen:
            seen.add(c.voucher_id)
            sheet.append([c.voucher.child_iin, c.voucher.child_name])
    codes = DataValidation(type="list", formula1='"П,Б,Н,О,P,S,A,V"', allow_blank=True)
    sheet.add_data_validation(codes)
    if days and seen:
        codes.add(f"C2:{sheet.cell(row=1, column=2 + len(days)).column_letter}{1 + len(seen)}")
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 14, 28
    out = io.BytesIO()
    book.save(out)
    record_read(actor=actor_of(request), at=clock.now(), what="file:preschool-month-template",
                city=preschool.city.code, children=sorted(seen), detail={"month": month})
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    name = f"attendance-{month}-{scope.group.pk if scope.group else 'all'}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
