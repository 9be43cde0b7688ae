"""The preschool's disputes inbox (A7.15, A7.16): the parent's reason and document, the answer by
a grid of the child's month or a reason to disagree; and the dispute's document, opened in the
browser by those who may see it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import PurePath

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.attendance.models import UNMARKED, Dispute, Sheet, SheetState
from goszakaz.attendance.services import RECONFIRM_DAYS
from goszakaz.audit.services import record_read
from goszakaz.domain.calendar import OutsideCalendar
from goszakaz.domain.months import last_day
from goszakaz.domain.payment import Mark, SheetError
from goszakaz.enrollment.models import Contract
from goszakaz.registry.models import City
from goszakaz.rules.calendar import kz_calendar
from goszakaz.web.permissions import actor_of, own_preschool, permits, require
from goszakaz.web.views import mask_iin
from goszakaz.workflows.dispute import answer_dispute

# A day's mark in a word or two, for a cell of the grid (the legend says it in full).
WORDS = {UNMARKED: gettext_lazy("not marked"), Mark.PRESENT: gettext_lazy("present"),
         Mark.SICK: gettext_lazy("sick"), Mark.ABSENT: gettext_lazy("absent"),
         Mark.VACATION: gettext_lazy("vacation")}
# The document as it is stored (by its content, attendance.services.dispute): how it is sent.
CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png",
                 "heic": "image/heic"}
INLINE = {"pdf", "jpg", "png"}  # a browser shows these; a HEIC photo is downloaded
ANSWERED_SHOWN = 31  # days an upheld dispute stays on the page after its answer


@dataclass(frozen=True)
class Cell:
    """One day of the child's month on the grid: its mark, and whether the answer may change
    it (a working day of the contract, inside the pilot, not after today)."""

    day: dt.date
    mark: str
    editable: bool
    working: bool = True

    @property
    def words(self) -> str:
        return str(WORDS.get(self.mark, self.mark))


def grid(sheet: Sheet, today: dt.date) -> list[Cell]:
    """The cells of a sheet's month; a mark may change only where a preschool may mark (A7.13)."""
    first = dt.date.fromisoformat(sheet.month + "-01")
    city = City.objects.get(code=sheet.city)
    terms = list(Contract.objects.filter(voucher_id=sheet.voucher_id,
                                         preschool_id=sheet.preschool_id)
                 .values_list("starts_on", "ends_on"))
    try:
        working = kz_calendar(first.year).is_working_day
    except OutsideCalendar:
        return [Cell(first.replace(day=i + 1), m, False) for i, m in enumerate(sheet.days)]
    cells = []
    for i in range(last_day(sheet.month).day):
        day = first.replace(day=i + 1)
        works = working(day)
        editable = (day <= today and works and city.in_pilot(day)
                    and any(s <= day and (e is None or day <= e) for s, e in terms))
        cells.append(Cell(day, sheet.days[i], editable, works))
    return cells


def corrected_days(sheet: Sheet, cells: list[Cell], posted: QueryDict) -> str:
    """The days the grid sends: each editable day's chosen mark, every other day as it was."""
    days = list(sheet.days)
    for cell in cells:
        chosen = posted.get(f"day-{cell.day.day}", cell.mark)
        if cell.editable and chosen in WORDS:
            days[cell.day.day - 1] = chosen
    return "".join(days)


def _document_kind(dispute: Dispute | None) -> str:
    """The stored document's extension (pdf, jpg, png, heic), or "" when there is none."""
    if dispute is None or not dispute.document:
        return ""
    return PurePath(dispute.document.name or "").suffix.lstrip(".").lower()


@permits(Action.DISPUTES_VIEW)
def preschool_disputes(request: HttpRequest) -> HttpResponse:
    """A7.15, A7.16: the parents' disputes of this preschool's sheets, each with the child's name,
    the parent's reason and document, and the answer: a corrected grid or a reason to disagree;
    below, the answers waiting for the parent's confirmation."""
    preschool, today = own_preschool(request), clock.today()
    open_ = list(Sheet.objects.filter(preschool_id=preschool, state=SheetState.DISPUTED)
                 .select_related("voucher", "dispute").order_by("month", "pk"))
    answered = list(Sheet.objects.filter(preschool_id=preschool).filter(
        state__in=(SheetState.CORRECTED, SheetState.UPHELD),
        dispute__answered_on__gte=today - dt.timedelta(days=ANSWERED_SHOWN))
        .select_related("voucher", "dispute").order_by("-dispute__answered_on", "pk"))
    rows = [{"s": s, "masked_iin": mask_iin(s.voucher.child_iin), "cells": grid(s, today),
             "kind": _document_kind(s.dispute)} for s in open_]
    done = [{"s": s, "masked_iin": mask_iin(s.voucher.child_iin),
             "until": (s.dispute.answered_on + dt.timedelta(days=RECONFIRM_DAYS)
                       if s.dispute.answered_on else None)} for s in answered]
    record_read(actor=actor_of(request), at=clock.now(), what="page:preschool-disputes",
                children=[s.voucher_id for s in open_ + answered])
    return render(request, "web/preschool_disputes.html", {
        "rows": rows, "done": done, "today": today,
        "parent_until": today + dt.timedelta(days=RECONFIRM_DAYS),
        "legend": [(code, WORDS[code]) for code in WORDS]})


@permits(post=Action.DISPUTE_ANSWER)
def preschool_dispute_answer(request: HttpRequest, sheet_id: int) -> HttpResponse:
    """A7.16: agree and correct the days on the grid (the parent then has 2 calendar days to
    confirm, I7), or disagree with a reason (the operator gets a risk case with it, and the
    preschool's sheet is paid)."""
    sheet = get_object_or_404(Sheet.objects.select_related("voucher"), pk=sheet_id)
    actor = require(request, Action.DISPUTE_ANSWER, preschool=sheet.preschool_id)
    agree = request.POST.get("answer") == "agree"
    now = clock.now()
    on = clock.local_date(now)
    days = corrected_days(sheet, grid(sheet, on), request.POST) if agree else None
    if agree and days == sheet.days and sheet.state == SheetState.DISPUTED:
        messages.error(request, _("Change at least one day on the grid to agree, or disagree "
                                  "and say why."))
        return redirect("preschool-disputes")
    try:
        with transaction.atomic():
            moved = answer_dispute(sheet=sheet, agree=agree, on=on, actor=actor, now=now,
                                   corrected_days=days,
                                   reason=request.POST.get("reason", "") if not agree else "")
    except SheetError as e:
        messages.error(request, str(e))
        return redirect("preschool-disputes")
    if not moved:
        messages.success(request, _("This answer is already given."))
    elif agree:
        until = (on + dt.timedelta(days=RECONFIRM_DAYS)).strftime("%d.%m.%Y")
        messages.success(request, _(
            "The corrected sheet went to the parent. They confirm it by %(day)s; if they do "
            "not, it is confirmed automatically, and the month is paid by the corrected sheet.")
            % {"day": until})
    else:
        messages.success(request, _(
            "Your answer and its reason went to the operator's risk verification; the month is "
            "paid by your sheet, and the parent is told."))
    return redirect("preschool-disputes")


@permits(Action.DISPUTE_DOCUMENT)
def dispute_document(request: HttpRequest, sheet_id: int) -> HttpResponse:
    """A7.15: the document a parent attached to a dispute, opened in the browser (a PDF or a
    photo; a HEIC photo downloaded) by the sheet's preschool, the child's parent or the operator;
    every opening logged. Never a public media URL: MEDIA_ROOT is not served."""
    dispute = get_object_or_404(Dispute.objects.select_related("sheet__voucher"),
                                sheet_id=sheet_id)
    sheet = dispute.sheet
    actor = require(request, Action.DISPUTE_DOCUMENT, preschool=sheet.preschool_id,
                    parent_iin=sheet.voucher.parent_iin)
    kind = _document_kind(dispute)
    if kind not in CONTENT_TYPES:
        raise Http404
    try:  # at most 5 MB (attendance.models.MAX_DOCUMENT): read whole
        with dispute.document.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise Http404 from None
    record_read(actor=actor, at=clock.now(), what="dispute-document", city=sheet.city,
                children=[sheet.voucher_id], detail={"sheet": sheet.pk, "month": sheet.month})
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = content_disposition_header(
        kind not in INLINE, f"dispute-{sheet.month}.{kind}") or ""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
