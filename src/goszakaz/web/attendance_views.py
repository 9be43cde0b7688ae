"""Pages of the attendance sheet: the preschool's group month from a file (A7.13; the day is in
day_views, disputes in dispute_views); the operator's silent sheets (A7.14). The parent's
pages: web.parent_views."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.attendance.models import FINAL, Sheet, SheetState
from goszakaz.attendance.upload import import_group_sheet
from goszakaz.audit.services import record_read
from goszakaz.domain.months import month_of, previous
from goszakaz.files import ImportRejected, TooManyErrors
from goszakaz.registry.models import City
from goszakaz.web.bounds import bounded_month
from goszakaz.web.permissions import actor_of, own_preschool, permits
from goszakaz.web.views import mask_iin


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
                                            path=path, actor=actor, now=clock.now(),
                                            group_id=actor.group)
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
    return redirect(f"{reverse('preschool-month')}?" + urlencode(  # the month as imported
        {"month": month, "group": request.POST.get("group", "")}))




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
    cities = {c.code: c for c in City.objects.all()}  # a city by its name, not its code
    rows = [{"s": s, "masked_iin": mask_iin(s.voucher.child_iin), "city": cities.get(s.city),
             "second": s.voucher_id in before} for s in shown]
    record_read(actor=actor_of(request), at=clock.now(), what="page:operator-unconfirmed",
                children=[s.voucher_id for s in shown], detail={"month": month})
    return render(request, "web/operator_unconfirmed.html", {
        "month": month, "rows": rows, "total": silent.count(), "second": second.count(),
        "shown": SHOWN})
