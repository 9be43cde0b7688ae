"""Pages of the attendance sheet: the preschool marks the day (A7.13) and answers disputes
(A7.16); the operator's silent sheets (A7.14). The parent's pages: web.parent_views."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.attendance import services
from goszakaz.attendance.models import FINAL, MARK_LABELS, Sheet, SheetState
from goszakaz.attendance.upload import import_group_sheet
from goszakaz.audit.services import record_read
from goszakaz.domain.months import month_of, previous
from goszakaz.domain.payment import SheetError
from goszakaz.enrollment.models import Contract
from goszakaz.files import ImportRejected, TooManyErrors
from goszakaz.rules.calendar import kz_calendar
from goszakaz.web.bounds import bounded_day, bounded_month
from goszakaz.web.permissions import actor_of, own_preschool, permits, require
from goszakaz.web.views import mask_iin
from goszakaz.workflows.dispute import answer_dispute


def _day(request: HttpRequest) -> dt.date | None:
    """The day asked for (today when none is), or None with a message when it is not a date
    or falls outside the years the work calendar has data for (web.bounds)."""
    text = (request.GET.get("day") or request.POST.get("day") or "").strip()
    if not text:
        return clock.today()
    day, problem = bounded_day(text)
    if day is None:
        messages.error(request, problem or _("Choose a date: day, month and year."))
    return day


@permits(Action.SHEETS_VIEW, post=Action.SHEETS_MARK)
def preschool_day(request: HttpRequest) -> HttpResponse:
    """A7.13: the preschool marks the day for every child whose contract is in force."""
    actor, now, preschool = actor_of(request), clock.now(), own_preschool(request)
    asked = _day(request)
    if asked is None and request.method == "POST":
        return redirect(request.path)
    day = asked or clock.today()
    contracts = list(Contract.objects.filter(preschool_id=preschool, starts_on__lte=day)
                     .filter(Q(ends_on=None) | Q(ends_on__gte=day)).select_related("voucher"))
    calendar = kz_calendar((day.year,))
    if request.method == "POST":
        chosen = [(c.voucher, day, code) for c in contracts
                  if (code := request.POST.get(f"mark-{c.voucher_id}", ""))]
        # one child's refused mark (a sheet already confirmed, I17) never blocks the group:
        # the others are saved, the refused ones named
        with transaction.atomic():
            done = services.mark_many(preschool_id=preschool, marks=chosen,
                                      is_working_day=calendar.is_working_day, actor=actor,
                                      now=now)
        refused = dict(done.refused)
        if refused:
            kept = [m for i, m in enumerate(chosen) if i not in refused]
            with transaction.atomic():
                services.mark_many(preschool_id=preschool, marks=kept,
                                   is_working_day=calendar.is_working_day, actor=actor, now=now)
        for i, e in sorted(refused.items()):
            messages.error(request, f"{mask_iin(chosen[i][0].child_iin)}: {e}")
        if len(refused) < len(chosen):
            messages.success(request, _("The day is marked."))
        return redirect(f"{request.path}?day={day.isoformat()}")
    month = month_of(day)
    sheets = {s.voucher_id: s for s in Sheet.objects.filter(
        month=month, voucher_id__in=[c.voucher_id for c in contracts])}
    rows = [{"c": c, "masked_iin": mask_iin(c.voucher.child_iin),
             "mark": (sheets[c.voucher_id].days[day.day - 1]
                      if c.voucher_id in sheets else "."),
             "days": sheets[c.voucher_id].days if c.voucher_id in sheets else ""}
            for c in contracts]
    record_read(actor=actor, at=now, what="page:preschool-day",
                children=[c.voucher_id for c in contracts], detail={"day": day.isoformat()})
    return render(request, "web/preschool_day.html", {
        "day": day, "rows": rows, "marks": [(m.value, label) for m, label in MARK_LABELS.items()],
        "working": calendar.is_working_day(day)})


@permits(post=Action.SHEETS_MARK)
def preschool_upload(request: HttpRequest) -> HttpResponse:
    """A7.13: the month's sheet of a whole group from an XLSX (or CSV) file."""
    actor, preschool = actor_of(request), own_preschool(request)
    month, problem = bounded_month(request.POST.get("month", ""))
    upload = request.FILES.get("file")
    suffix = Path(upload.name).suffix.lower() if upload and upload.name else ""
    if problem:
        messages.error(request, problem)
    if month is None or upload is None or suffix not in (".xlsx", ".csv") or (upload.size or 0) > 20 * 2**20:
        messages.error(request, _("Choose the month and an XLSX or CSV file under 20 MB."))
        return redirect("preschool-day")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"group{suffix}"
        path.write_bytes(upload.read())
        try:
            with transaction.atomic():
                result = import_group_sheet(preschool_id=preschool, month=month,
                                            path=path, actor=actor, now=clock.now())
        except ImportRejected as e:
            for err in e.errors[:30]:
                messages.error(request, str(err))
            messages.error(request, str(e) if isinstance(e, TooManyErrors) else _(
                "Nothing was imported: %(n)d problem(s).") % {"n": len(e.errors)})
            return redirect("preschool-day")
        except ValueError as e:  # the file itself: not CSV text, not an XLSX, over a limit
            messages.error(request, str(e))
            return redirect("preschool-day")
    messages.success(request, _("Marks saved: %(n)d.") % {"n": result.updated})
    return redirect("preschool-day")


@permits(Action.DISPUTES_VIEW)
def preschool_disputes(request: HttpRequest) -> HttpResponse:
    """A7.15, A7.16: the parents' disputes of this preschool's sheets, to agree or disagree."""
    sheets = list(Sheet.objects.filter(preschool_id=own_preschool(request),
                                       state=SheetState.DISPUTED)
                  .select_related("voucher", "dispute").order_by("month", "pk"))
    rows = [{"s": s, "masked_iin": mask_iin(s.voucher.child_iin)} for s in sheets]
    record_read(actor=actor_of(request), at=clock.now(), what="page:preschool-disputes",
                children=[s.voucher_id for s in sheets])
    return render(request, "web/preschool_disputes.html", {"rows": rows})


@permits(post=Action.DISPUTE_ANSWER)
def preschool_dispute_answer(request: HttpRequest, sheet_id: int) -> HttpResponse:
    """A7.16: agree and correct the days (the parent confirms them), or disagree (the operator
    gets a risk case and the preschool's sheet is paid)."""
    sheet = get_object_or_404(Sheet, pk=sheet_id)
    actor = require(request, Action.DISPUTE_ANSWER, preschool=sheet.preschool_id)
    agree = request.POST.get("answer") == "agree"
    now = clock.now()
    try:
        with transaction.atomic():
            answer_dispute(sheet=sheet, agree=agree, on=clock.local_date(now), actor=actor,
                           now=now, corrected_days=request.POST.get("days", "").strip()
                           if agree else None)
    except SheetError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("The corrected sheet went to the parent.") if agree
                         else _("The dispute went to the operator."))
    return redirect("preschool-disputes")


SHOWN = 2000  # rows on one page; the counts are of the whole month


@permits(Action.UNCONFIRMED_VIEW)
def operator_unconfirmed(request: HttpRequest) -> HttpResponse:
    """A7.14, I6: the month's sheets the parent did not confirm (silence confirmed them), the
    second month in a row marked: that voucher is annulled after the month's payment."""
    month = request.GET.get("month") or month_of(clock.today().replace(day=1)
                                                  - dt.timedelta(days=1))
    if bounded_month(month)[0] is None:
        month = month_of(clock.today())
    silent = (Sheet.objects.filter(month=month, state=SheetState.AUTO_CONFIRMED,
                                   parent_responded=False)
              .select_related("voucher", "preschool").order_by("city", "preschool__name"))
    silent_before = Sheet.objects.filter(month=previous(month), parent_responded=False,
                                         state__in=FINAL).values("voucher_id")
    second = silent.filter(voucher_id__in=silent_before)
    shown = list(silent[:SHOWN])
    before = set(second.filter(pk__in=[s.pk for s in shown]).values_list("voucher_id",
                                                                          flat=True))
    rows = [{"s": s, "masked_iin": mask_iin(s.voucher.child_iin),
             "second": s.voucher_id in before} for s in shown]
    record_read(actor=actor_of(request), at=clock.now(), what="page:operator-unconfirmed",
                children=[s.voucher_id for s in shown], detail={"month": month})
    return render(request, "web/operator_unconfirmed.html", {
        "month": month, "rows": rows, "total": silent.count(), "second": second.count(),
        "shown": SHOWN})
