"""Pages of the НОБД check (A7.4): the operator's lists, risk cases and protocols; EDU's exclusions."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.attendance.models import Sheet
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record, record_read
from goszakaz.domain.iin import short_iin
from goszakaz.domain.states import IllegalTransition
from goszakaz.files import NameRefused, valid_name
from goszakaz.jobs.models import JobState
from goszakaz.jobs.services import recent, submit
from goszakaz.registry.models import City, Role
from goszakaz.reports import listing, lists
from goszakaz.verification import services
from goszakaz.verification.models import Protocol, RiskCase, RiskCaseKind, RiskCaseState
from goszakaz.web import staff_lists
from goszakaz.web.bounds import BIRTH_FIRST, BoundedDateField
from goszakaz.web.permissions import actor_of, permits, require
from goszakaz.web.templatetags.goszakaz import month_label
from goszakaz.web.views import edu_city
from goszakaz.workflows.exclusion import exclude, request_exclusion
from goszakaz.workflows.jobs import NOBD_CHECK
from goszakaz.workflows.protocol import close_by_protocol

MAX_UPLOAD = 50 * 2**20  # an НОБД export of a large city is a few MB


class VerifyForm(forms.Form):
    """A7.3, A7.4: the city whose lists came in, and the НОБД export to check them against."""

    city = forms.ModelChoiceField(queryset=City.objects.all(), label=gettext_lazy("City"))
    export = forms.FileField(label=gettext_lazy("НОБД export (CSV or XLSX)"))


@permits(Action.CASES_VIEW, post=Action.LISTS_CHECK)
def operator_cases(request: HttpRequest) -> HttpResponse:
    """The operator: check a city's lists against НОБД (a background job: the page shows its
    progress and result); the risk cases as a staff list (search, filters by kind, state, city
    and age, 100 a page, XLSX), the open ones first."""
    actor = actor_of(request)
    form = VerifyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["export"]
        suffix = Path(upload.name).suffix.lower()
        if upload.size > MAX_UPLOAD or suffix not in (".csv", ".xlsx"):
            messages.error(request, _("The export must be a CSV or XLSX file under 50 MB."))
            return redirect("operator-cases")
        with transaction.atomic():
            submit(kind=NOBD_CHECK, actor=actor, now=clock.now(),
                   city=form.cleaned_data["city"].code, data=upload.read(), suffix=suffix,
                   language=request.LANGUAGE_CODE)
        messages.success(request, _("The check is started: it runs in the background, and "
                                    "this page shows how far it got."))
        return redirect("operator-cases")
    checks = recent(kind=NOBD_CHECK)
    cities = {c.code: c for c in City.objects.all()}
    for job in checks:
        job.city_obj = cities.get(job.city)  # type: ignore[attr-defined]
    active = any(j.state in (JobState.QUEUED, JobState.RUNNING) for j in checks)
    # the checks' table alone, polled by htmx while one runs
    if request.htmx and "checks" in request.GET:  # type: ignore[attr-defined]
        return render(request, "web/operator_checks.html", {"checks": checks, "active": active})
    if not request.GET:  # the page opens on the open cases; "all" in the filter shows every one
        request.GET = QueryDict("state=" + RiskCaseState.OPEN)
    shown = staff_lists.show(request, lists.opr.RISK_CASES, listing.Scope())
    if isinstance(shown, HttpResponse):  # the XLSX of the selection, or its export job
        return shown
    return render(request, "web/operator_cases.html", {"form": form, "list": shown,
                                                       "checks": checks, "active": active})


class ProtocolForm(forms.Form):
    """A7.4: the operator's decision on a case, by a protocol: its number, date and text."""

    decision = forms.ChoiceField(choices=[("confirmed", gettext_lazy("Data confirmed")),
                                          ("corrected", gettext_lazy("Data corrected")),
                                          ("exclusion", gettext_lazy("Ask EDU to exclude"))],
                                 label=gettext_lazy("Decision"))
    number = forms.CharField(max_length=40, label=gettext_lazy("Protocol number"))
    dated = BoundedDateField(label=gettext_lazy("Protocol date"))
    note = forms.CharField(max_length=2000, label=gettext_lazy("Protocol text"),
                           widget=forms.Textarea(attrs={"rows": 4}))
    child_name = forms.CharField(max_length=200, required=False, label=gettext_lazy("Correct name"))
    birth_date = BoundedDateField(required=False, first=BIRTH_FIRST,
                                  label=gettext_lazy("Correct birth date"))
    days = forms.CharField(max_length=31, required=False,
                           label=gettext_lazy("Correct sheet (a mark per day: P, S, A, V or .)"))

    def __init__(self, *args: Any, case: RiskCase, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dated = self.fields["dated"]
        dated.first, dated.last = case.opened_on, today  # type: ignore[attr-defined]
        dated.widget.attrs.update(min=case.opened_on.isoformat(), max=today.isoformat())

    def clean_number(self) -> str:
        """The protocol's number as written, without the spaces around it."""
        return " ".join(str(self.cleaned_data["number"]).split())

    def clean_child_name(self) -> str:
        """A person's name (issue 10): letters, spaces, hyphens, apostrophes; "" if not given."""
        value: str = self.cleaned_data["child_name"]
        if not value:
            return value
        try:
            return valid_name(value)
        except NameRefused as e:
            raise forms.ValidationError(str(e)) from None


@permits(Action.CASES_VIEW, post=Action.CASE_DECIDE)
def operator_case(request: HttpRequest, case_id: int) -> HttpResponse:
    """One risk case: what differed, its evidence and history, and the protocol that closes it
    (its number, date and text, shown once it is recorded)."""
    actor, now = actor_of(request), clock.now()
    case = get_object_or_404(RiskCase.objects.select_related("city", "voucher", "preschool",
                                                             "submission"), pk=case_id)
    record(actor=actor, action=AuditAction.RISK_CASE_READ, at=now, obj_type="risk_case",
           obj_id=case.pk, city=case.city.code,
           children=[case.voucher_id] if case.voucher_id else [])
    today = clock.local_date(now)
    form = ProtocolForm(request.POST or None, case=case, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if data["decision"] == "exclusion":
                    request_exclusion(case=case, actor=actor, now=now, on=data["dated"],
                                      note=data["note"], number=data["number"])
                else:
                    corrections = {k: data[k] for k in ("child_name", "birth_date", "days")
                                   if data[k]}
                    close_by_protocol(case=case, decision=data["decision"],
                                      corrections=corrections, actor=actor, now=now,
                                      number=data["number"], note=data["note"],
                                      dated=data["dated"])
        except (ValueError, services.VerificationError) as e:
            messages.error(request, str(e))
        except IntegrityError:  # the number is another case's protocol's
            messages.error(request, _("A protocol numbered %(number)s is recorded already: "
                                      "each protocol has its own number.")
                           % {"number": data["number"]})
        else:
            messages.success(request, _("The case is updated."))
            return redirect("operator-case", case_id=case.pk)
    sheet = None
    if case.kind == RiskCaseKind.SHEET_DISPUTE:  # A7.16: the two versions side by side
        sheet = (Sheet.objects.filter(voucher=case.voucher, month=case.found["ours"])
                 .select_related("dispute").first())
    protocol = Protocol.objects.filter(case=case).first()
    return render(request, "web/operator_case.html", {
        "case": case, "form": form, "events": case_events(case), "sheet": sheet,
        "ours": evidence_words(case.found.get("ours")) or "—",
        "nobd": evidence_words(case.found.get("nobd")) or "—",
        "protocol": protocol, "corrections": [
            (str(FIELDS.get(k, k)), v.get("before"), v.get("after"))
            for k, v in (protocol.corrections if protocol else {}).items()
            if isinstance(v, dict)],
        "masked_iin": short_iin(case.voucher.child_iin) if case.voucher else "",
        "age": (case.closed_on or today) - case.opened_on, "today": today})


FIELDS = {"child_name": gettext_lazy("name"), "birth_date": gettext_lazy("birth date"),
          "child_iin": gettext_lazy("IIN"), "name": gettext_lazy("name"), "bin": gettext_lazy("BIN"),
          "days": gettext_lazy("the sheet's days")}


def case_events(case: RiskCase) -> list[dict[str, object]]:
    """The case's history in words: the states and roles by their names, the notes as read (the
    opening's note is the kind's label, in whatever language it was written then)."""
    states, roles = dict(RiskCaseState.choices), dict(Role.choices)
    return [{"at": e.at, "role": roles.get(e.role, e.role),
             "before": states.get(e.before, e.before), "after": states.get(e.after, e.after),
             "note": case.get_kind_display() if not e.before else _note(e.note)}
            for e in case.events.all()]


ACCOUNT_NOT_OPEN = re.compile(r"^account (\d+) not open$")
ACCOUNT_CLOSED = re.compile(r"^account (\d+) closed (\d{4}-\d{2}-\d{2})$")


def evidence_words(value: object) -> str:
    """A value a check found, as the reader reads it: a month named, a day as dd.mm.yyyy, the
    direct-payment findings (A7.9) in words; anything else as it is."""
    text = str(value or "")
    if m := ACCOUNT_NOT_OPEN.match(text):
        return _("account %(n)s is not open") % {"n": m.group(1)}
    if m := ACCOUNT_CLOSED.match(text):
        return _("account %(n)s closed on %(day)s") % {
            "n": m.group(1), "day": dt.date.fromisoformat(m.group(2)).strftime("%d.%m.%Y")}
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return month_label(text)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text).strftime("%d.%m.%Y")
        except ValueError:
            return text
    return text


def _note(note: str) -> str:
    """A note the services write in a fixed form, in the reader's words."""
    if note.startswith("protocol "):
        return _("protocol № %(number)s") % {"number": note.removeprefix("protocol ")}
    if note == "excluded by the city department":
        return _("excluded by the city department")
    return note


@permits(Action.EXCLUSIONS_VIEW)
def edu_exclusions(request: HttpRequest) -> HttpResponse:
    """EDU: the operator's notices to exclude a child or a preschool (A7.4)."""
    city = edu_city(request)
    cases = list(RiskCase.objects.filter(city=city, state=RiskCaseState.EXCLUSION_REQUESTED)
                 .select_related("voucher", "preschool").prefetch_related("events"))
    for c in cases:  # the operator's notice: its date and document number (the last event)
        last = max(c.events.all(), key=lambda e: (e.at, e.pk), default=None)
        c.notice = last  # type: ignore[attr-defined]
    record_read(actor=actor_of(request), at=clock.now(), what="page:edu-exclusions",
                city=city.code, children=[c.voucher_id for c in cases if c.voucher_id])
    return render(request, "web/edu_exclusions.html", {"cases": cases})


@permits(post=Action.EXCLUDE)
def edu_exclude(request: HttpRequest, case_id: int) -> HttpResponse:
    """EDU excludes the child or preschool of a case the operator flagged."""
    case = get_object_or_404(RiskCase.objects.select_related("city"), pk=case_id)
    actor = require(request, Action.EXCLUDE, city=case.city.code)
    now = clock.now()
    try:
        with transaction.atomic():
            exclude(case=case, on=clock.local_date(now), actor=actor, now=now)
    except IllegalTransition:  # the operator has not asked to exclude (or closed the case)
        messages.error(request, _("Only a case the operator asked to exclude can be "
                                  "excluded; this one is “%(state)s”.")
                       % {"state": RiskCase.objects.get(pk=case.pk).get_state_display()})
    else:
        messages.success(request, _("Excluded."))
    return redirect("edu-exclusions")
