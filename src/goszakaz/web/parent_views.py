"""The parent's pages of a child's months: the list of months, the month as a calendar with
confirm and dispute in their window (A7.14-A7.16, I17, I7), the dispute's document, and the
statement of the child's account (A7.12, A7.18, A10)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.attendance import services
from goszakaz.attendance.models import Dispute, Sheet, SheetState
from goszakaz.domain.months import month_of, previous
from goszakaz.domain.payment import SheetError
from goszakaz.enrollment.models import Voucher
from goszakaz.finance.models import Settlement
from goszakaz.finance.statement import child_statement
from goszakaz.web import parent_calendar
from goszakaz.web.permissions import actor_of, permits

MONTHS_SHOWN = 36  # a child's months on its list, the latest first


def _own_voucher(request: HttpRequest, voucher_id: int) -> Voucher:
    """The parent's own child's voucher; another family's (or none): 404, so an id tells
    nothing of another child."""
    return get_object_or_404(Voucher.objects.select_related("city"), pk=voucher_id,
                             parent_iin=actor_of(request).iin)


def _own_sheet(request: HttpRequest, sheet_id: int) -> Sheet:
    """The parent's own child's sheet (404 for another family's)."""
    return get_object_or_404(Sheet.objects.select_related("voucher", "preschool"), pk=sheet_id,
                             voucher__parent_iin=actor_of(request).iin)


def cabinet_children(iin: str, today: dt.date) -> list[dict[str, Any]]:
    """The parent's children for the cabinet's front page: each voucher, its contract in force,
    and the months waiting for an answer now or soon (open or corrected, last month and this)."""
    vouchers = list(Voucher.objects.filter(parent_iin=iin).select_related("city")
                    .prefetch_related("contracts__preschool").order_by("pk"))
    recent = previous(month_of(today))
    waiting = list(Sheet.objects.filter(voucher__parent_iin=iin, month__gte=recent,
                                        state__in=(SheetState.OPEN, SheetState.CORRECTED))
                   .select_related("preschool").order_by("month"))
    cards: list[dict[str, Any]] = []
    for v in vouchers:
        contract = next((c for c in v.contracts.all() if c.starts_on <= today
                         and (c.ends_on is None or c.ends_on >= today)), None)
        rows = [r for r in _rows([s for s in waiting if s.voucher_id == v.pk], today)
                if r["w"] is not None and not r["w"].silent]  # type: ignore[attr-defined]
        cards.append({"v": v, "contract": contract, "todo": rows})
    return cards


def _rows(sheets: list[Sheet], today: dt.date) -> list[dict[str, object]]:
    return [{"s": s, "w": services.answer_window(s, today)
             if s.state in (SheetState.OPEN, SheetState.CORRECTED) else None} for s in sheets]


@permits(Action.CABINET_VIEW)
def parent_sheets(request: HttpRequest) -> HttpResponse:
    """Every child of the parent with its months, each linking to its calendar."""
    actor, today = actor_of(request), clock.today()
    vouchers = list(Voucher.objects.filter(parent_iin=actor.iin).order_by("pk"))
    sheets = list(Sheet.objects.filter(voucher__parent_iin=actor.iin)
                  .select_related("preschool").order_by("-month")[:MONTHS_SHOWN * 3])
    children = [{"v": v, "rows": _rows([s for s in sheets if s.voucher_id == v.pk], today)}
                for v in vouchers]
    return render(request, "web/parent_months.html", {"children": children, "today": today})


@permits(Action.CABINET_VIEW)
def parent_child_months(request: HttpRequest, voucher_id: int) -> HttpResponse:
    """One child's months, the latest first, each linking to its calendar."""
    voucher, today = _own_voucher(request, voucher_id), clock.today()
    sheets = list(Sheet.objects.filter(voucher=voucher).select_related("preschool")
                  .order_by("-month")[:MONTHS_SHOWN])
    return render(request, "web/parent_months.html", {
        "children": [{"v": voucher, "rows": _rows(sheets, today)}], "today": today,
        "one": voucher})


@permits(Action.CABINET_VIEW)
def parent_sheet(request: HttpRequest, sheet_id: int) -> HttpResponse:
    """A7.14-A7.16, I17: the month as a calendar, its state in words, the deadline, and confirm
    or dispute only while the window is open."""
    sheet, today = _own_sheet(request, sheet_id), clock.today()
    window = services.answer_window(sheet, today)
    days = parent_calendar.month_days(sheet, today)
    dispute = (Dispute.objects.filter(sheet=sheet).first()
               if sheet.state in (SheetState.DISPUTED, SheetState.CORRECTED,
                                  SheetState.UPHELD) else None)
    settlement = (Settlement.objects.filter(sheet=sheet).first()
                  if sheet.state not in (SheetState.OPEN, SheetState.DISPUTED,
                                         SheetState.CORRECTED) else None)
    return render(request, "web/parent_sheet.html", {
        "s": sheet, "w": window, "today": today, "weeks": parent_calendar.weeks(days),
        "weekdays": list(zip(parent_calendar.WEEKDAYS, parent_calendar.WEEKDAY_NAMES,
                             strict=True)),
        "counts": parent_calendar.counts(days), "legend": parent_calendar.legend(),
        "dispute": dispute, "settlement": settlement})


@permits(post=Action.SHEET_ANSWER)
def parent_sheet_answer(request: HttpRequest, sheet_id: int) -> HttpResponse:
    """The parent confirms the sheet, or disputes it with a reason and a document (a photo or a
    PDF); a refused answer is shown as an error, never as a success."""
    sheet = _own_sheet(request, sheet_id)
    actor, now = actor_of(request), clock.now()
    confirming = request.POST.get("answer") == "confirm"
    try:
        with transaction.atomic():
            if confirming:
                services.confirm(sheet=sheet, on=clock.local_date(now), actor=actor, now=now)
                done = _("The sheet is confirmed.")
            else:
                services.dispute(sheet=sheet, reason=request.POST.get("reason", ""),
                                 on=clock.local_date(now), actor=actor, now=now,
                                 document=request.FILES.get("document"))
                done = _("The dispute is sent to the preschool.")
    except SheetError as e:
        error: str | None = str(e)
    else:
        error = None
    if confirming and request.htmx:  # type: ignore[attr-defined]
        # the month-end's one tap answered in place: no second page (half a visit's work)
        return render(request, "web/parent_answered.html", {"s": sheet, "error": error,
                                                            "done": done if not error else ""})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("parent-sheet", sheet_id=sheet.pk)


@permits(Action.CABINET_VIEW)
def parent_sheet_document(request: HttpRequest, sheet_id: int) -> HttpResponse:
    """The document the parent attached to the dispute of their own child's sheet."""
    sheet = _own_sheet(request, sheet_id)
    dispute = Dispute.objects.filter(sheet=sheet).first()
    if dispute is None or not dispute.document:
        raise Http404
    name = Path(dispute.document.name or "document").name
    with dispute.document.open("rb") as f:  # at most 5 MB (attendance.models.MAX_DOCUMENT)
        body = f.read()
    response = HttpResponse(body, content_type=TYPES.get(Path(name).suffix.lower(),
                                                         "application/octet-stream"))
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png",
         ".heic": "image/heic"}


@permits(Action.CABINET_VIEW)
def parent_statement(request: HttpRequest, voucher_id: int) -> HttpResponse:
    """A7.12, A7.18, A10, A9: every movement of the child's account with the balance after it;
    the parent fee of each month apart."""
    voucher = _own_voucher(request, voucher_id)
    return render(request, "web/parent_statement.html", {
        "v": voucher, "st": child_statement(voucher.pk)})
