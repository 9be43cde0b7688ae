"""Pages of the НОБД check (A7.4): the operator's lists, risk cases and protocols; EDU's exclusions."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from goszakaz import clock
from goszakaz.attendance.models import Sheet
from goszakaz.audit.services import record
from goszakaz.registry.models import City, Role
from goszakaz.verification import services
from goszakaz.verification.models import RiskCase, RiskCaseKind, RiskCaseState
from goszakaz.verification.nobd import CsvNobdExport, NobdExportError
from goszakaz.web.permissions import actor_of, can
from goszakaz.web.views import edu_city

MAX_UPLOAD = 50 * 2**20  # an НОБД export of a large city is a few MB


class VerifyForm(forms.Form):
    """A7.3, A7.4: the city whose lists came in, and the НОБД export to check them against."""

    city = forms.ModelChoiceField(queryset=City.objects.all(), label=gettext_lazy("City"))
    export = forms.FileField(label=gettext_lazy("НОБД export (CSV or XLSX)"))


@login_required
def operator_cases(request: HttpRequest) -> HttpResponse:
    """The operator: check a city's lists against НОБД; the open risk cases."""
    if not can(actor_of(request.user), "operator.view"):
        raise PermissionDenied
    form = VerifyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["export"]
        suffix = Path(upload.name).suffix.lower()
        if upload.size > MAX_UPLOAD or suffix not in (".csv", ".xlsx"):
            messages.error(request, _("The export must be a CSV or XLSX file under 50 MB."))
            return redirect("operator-cases")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"export{suffix}"
            path.write_bytes(upload.read())
            try:
                nobd = CsvNobdExport(path)
            except NobdExportError as e:
                for err in e.errors[:20]:
                    messages.error(request, str(err))
                return redirect("operator-cases")
        today = clock.today()
        with transaction.atomic():
            submission, _deadline = services.receive_lists(
                city=form.cleaned_data["city"], received_on=today, actor=request.user,
                role=Role.OPR)
            summary = services.verify(submission=submission, nobd=nobd, on=today,
                                      actor=request.user, role=Role.OPR)
        messages.success(request, _("Checked: %(s)s") % {"s": summary})
        return redirect("operator-cases")
    cases = (RiskCase.objects.filter(state=RiskCaseState.OPEN)
             .select_related("city", "voucher", "preschool").order_by("opened_on", "pk")[:300])
    return render(request, "web/operator_cases.html", {"form": form, "cases": cases})


class ProtocolForm(forms.Form):
    """A7.4: the operator's decision on a case."""

    decision = forms.ChoiceField(choices=[("confirmed", gettext_lazy("Data confirmed")),
                                          ("corrected", gettext_lazy("Data corrected")),
                                          ("exclusion", gettext_lazy("Ask EDU to exclude"))])
    number = forms.CharField(max_length=40, required=False, label=gettext_lazy("Protocol number"))
    child_name = forms.CharField(max_length=200, required=False, label=gettext_lazy("Correct name"))
    birth_date = forms.DateField(required=False, label=gettext_lazy("Correct birth date"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.CharField(max_length=31, required=False,
                           label=gettext_lazy("Correct sheet (a mark per day: P, S, A, V or .)"))
    note = forms.CharField(max_length=300, required=False, label=gettext_lazy("Note"))


@login_required
def operator_case(request: HttpRequest, case_id: int) -> HttpResponse:
    """One risk case: what differed, its history, and the protocol that closes it."""
    if not can(actor_of(request.user), "operator.view"):
        raise PermissionDenied
    case = get_object_or_404(RiskCase.objects.select_related("city", "voucher", "preschool"),
                             pk=case_id)
    record(user=request.user, role=Role.OPR, action="risk_case.read", obj_type="risk_case",
           obj_id=case.pk, city=case.city.code)
    form = ProtocolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if data["decision"] == "exclusion":
                    services.request_exclusion(case=case, actor=request.user, role=Role.OPR,
                                               note=data["note"])
                else:
                    corrections = {k: data[k] for k in ("child_name", "birth_date", "days")
                                   if data[k]}
                    services.close_by_protocol(case=case, decision=data["decision"],
                                               corrections=corrections, actor=request.user,
                                               role=Role.OPR, number=data["number"],
                                               note=data["note"])
        except (ValueError, services.VerificationError) as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("The case is updated."))
        return redirect("operator-case", case_id=case.pk)
    sheet = None
    if case.kind == RiskCaseKind.SHEET_DISPUTE:  # A7.16: the two versions side by side
        sheet = (Sheet.objects.filter(voucher=case.voucher, month=case.found["ours"])
                 .select_related("dispute").first())
    return render(request, "web/operator_case.html", {"case": case, "form": form,
                                                      "events": case.events.all(),
                                                      "sheet": sheet})


@login_required
def edu_exclusions(request: HttpRequest) -> HttpResponse:
    """EDU: the operator's notices to exclude a child or a preschool (A7.4)."""
    city = edu_city(request, "perechen.manage")
    cases = (RiskCase.objects.filter(city=city,
                                     state=RiskCaseState.EXCLUSION_REQUESTED)
             .select_related("voucher", "preschool"))
    return render(request, "web/edu_exclusions.html", {"cases": cases})


@login_required
@require_POST
def edu_exclude(request: HttpRequest, case_id: int) -> HttpResponse:
    """EDU excludes the child or preschool of a case the operator flagged."""
    case = get_object_or_404(RiskCase.objects.select_related("city"), pk=case_id)
    if not can(actor_of(request.user), "perechen.manage", city=case.city.code):
        raise PermissionDenied
    with transaction.atomic():
        services.exclude(case=case, on=clock.today(), actor=request.user, role=Role.EDU)
    messages.success(request, _("Excluded."))
    return redirect("edu-exclusions")
