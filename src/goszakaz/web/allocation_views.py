"""Pages of the city's allocation runs (T1, T2, A7.1): the form, a run with its frozen inputs, its
iterations as numbers and as a chart, its per-child list, the confirmation step, the past runs."""

from __future__ import annotations

from fractions import Fraction

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goszakaz import clock
from goszakaz import rules as rule_data
from goszakaz.access.permissions import Action
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.models import AuditEntry
from goszakaz.audit.services import record
from goszakaz.domain import allocation as alloc
from goszakaz.domain.states import IllegalTransition
from goszakaz.queue import services
from goszakaz.queue.models import AllocationRun, RunCategory, RunState
from goszakaz.reports import listing, lists
from goszakaz.reports.charts import Line, Series, lines, stacked_rows
from goszakaz.web import staff_lists
from goszakaz.web.bounds import BoundedDateField
from goszakaz.web.permissions import actor_of, permits, require
from goszakaz.web.views import edu_city, lang_of

RUNS_SHOWN = 200  # past runs listed; a city makes a few a year


class AllocationForm(forms.Form):
    """Volume (A7.1) and as-of date of an allocation."""

    volume = forms.IntegerField(min_value=0, max_value=10_000_000,
                                label=gettext_lazy("Volume (places)"))
    as_of = BoundedDateField(label=gettext_lazy("Allocation date"))


def person(user: object) -> str:
    """How a page names a staff member: the full name, else the login."""
    if user is None:
        return "—"
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or str(getattr(user, "username", "—"))


@permits(Action.ALLOCATION_VIEW)
def edu_allocations(request: HttpRequest) -> HttpResponse:
    """The city's allocation runs, newest first: date, volume, places, state in words, who."""
    city = edu_city(request)
    runs = list(AllocationRun.objects.filter(city=city).select_related("created_by")
                .order_by("-created_at", "-pk")[:RUNS_SHOWN])
    deciders = _deciders([r.pk for r in runs])
    for r in runs:
        r.made_by = person(r.created_by)  # type: ignore[attr-defined]
        r.decided_by = deciders.get(r.pk, "")  # type: ignore[attr-defined]
    return render(request, "web/edu_allocations.html", {
        "city": city, "runs": runs, "total": AllocationRun.objects.filter(city=city).count(),
        "shown": RUNS_SHOWN})


def _deciders(run_ids: list[int]) -> dict[int, str]:
    """Who confirmed or discarded each run, from the audit trail (run id -> name)."""
    rows = (AuditEntry.objects.filter(
        object_type="allocation_run", object_id__in=[str(i) for i in run_ids],
        action__in=[AuditAction.ALLOCATION_CONFIRMED, AuditAction.ALLOCATION_DISCARDED])
        .select_related("user").order_by("at"))
    return {int(e.object_id): person(e.user) for e in rows}


@permits(Action.ALLOCATION_PREVIEW, post=Action.ALLOCATION_PREVIEW)
def edu_allocation_new(request: HttpRequest) -> HttpResponse:
    """Preview an allocation: the form, then a preview run."""
    city = edu_city(request)
    if not city.allocation_rules:  # A5: the general law applies, not the Taraz procedure
        messages.error(request, _("This city distributes places by the general law; "
                                  "the Taraz procedure does not apply."))
        return redirect("edu-queue")
    form = AllocationForm(request.POST or None, initial={"as_of": clock.today()})
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            run = services.preview_allocation(
                city=city, volume=form.cleaned_data["volume"], as_of=form.cleaned_data["as_of"],
                actor=actor_of(request), now=clock.now())
        return redirect("edu-allocation", run_id=run.pk)
    return render(request, "web/edu_allocation_new.html", {"form": form, "city": city})


@permits(Action.ALLOCATION_VIEW)
def edu_allocation(request: HttpRequest, run_id: int) -> HttpResponse:
    """An allocation run: the inputs it froze, the summary per category, the iterations as a
    table and a chart (I9), and its per-child list (seat order, search, filters, XLSX)."""
    run = get_object_or_404(AllocationRun.objects.select_related("city", "created_by"),
                            pk=run_id)
    actor = require(request, Action.ALLOCATION_VIEW, city=run.city.code)
    shown = staff_lists.show(request, lists.allocation.RUN_SEATS,
                             listing.Scope(city=run.city, within=run.pk))
    if isinstance(shown, HttpResponse):  # the export of the per-child list
        return shown
    read = [row.obj.application_id for row in shown.rows]
    if read:  # staff reading applicants' records: logged (DESIGN rule 5)
        record(actor=actor, action=AuditAction.QUEUE_READ, at=clock.now(),
               obj_type="allocation_run", obj_id=run.pk, city=run.city.code,
               after={"params": shown.selection.params(), "applications": read})
    categories = list(run.categories.all())
    rule_set = rule_data.load(run.rules)
    lang = lang_of()
    titles = {c.number: c.title[lang] for c in rule_set.categories}
    iterations = [[float(Fraction(v)) for v in it] for it in run.iterations]
    for c in categories:
        c.vp_float = float(Fraction(c.vp))  # type: ignore[attr-defined]
        c.vf_float = float(Fraction(c.vf))  # type: ignore[attr-defined]
        c.title = titles.get(c.number, "")  # type: ignore[attr-defined]
    queued = run.outcomes.count()
    return render(request, "web/edu_allocation.html", {
        "run": run, "categories": categories, "iterations": iterations,
        "numbers": [c.number for c in categories], "is_preview": run.state == RunState.PREVIEW,
        "rules_from": rule_set.effective_from, "made_by": person(run.created_by),
        "decided_by": _deciders([run.pk]).get(run.pk, ""), "queued": queued,
        "in_categories": sum(c.applications for c in categories),
        "iteration_chart": _iteration_chart(categories, run.iterations), "list": shown,
        "seats_chart": _seats_chart(categories)})


def _iteration_chart(categories: list[RunCategory], iterations: list[list[str]]) -> SafeString:
    """I9: Vf of each category with demand after each iteration, one line per category."""
    shown = [i for i, c in enumerate(categories) if c.applications]
    chart = lines([str(n) for n in range(1, len(iterations) + 1)],
                  [Line(_("Category %(n)d") % {"n": categories[i].number},
                        [float(Fraction(it[i])) for it in iterations]) for i in shown],
                  title=_("Vf of each category after each iteration"),
                  fmt=lambda v: str(floatformat(v, 3)), font="")  # as the table writes it
    return mark_safe(chart)  # drawn by reports.charts, every text escaped there; no inline
    # style (the pages' CSP): site.css sets the charts' font


def _seats_chart(categories: list[RunCategory]) -> SafeString:
    """Each category with demand: the places it got and the applications left waiting."""
    shown = [c for c in categories if c.applications]
    chart = stacked_rows(
        [_("Category %(n)d") % {"n": c.number} for c in shown],
        [Series(_("Places"), [c.seats for c in shown]),
         Series(_("Left in the queue"), [c.applications - c.seats for c in shown])],
        title=_("Places and applications per category"), label_width=120, font="")
    return mark_safe(chart)  # drawn by reports.charts, every text escaped there


@permits(post=Action.ALLOCATION_DECIDE)
def edu_allocation_decide(request: HttpRequest, run_id: int) -> HttpResponse:
    """Confirm (after the confirmation step) or discard a preview run."""
    run = get_object_or_404(AllocationRun.objects.select_related("city"), pk=run_id)
    actor = require(request, Action.ALLOCATION_DECIDE, city=run.city.code)
    if (request.POST.get("decision") == "confirm" and request.POST.get("confirmed") != "1"
            and run.state == RunState.PREVIEW):
        return _confirm_allocation_page(request, run)
    try:
        with transaction.atomic():
            if request.POST.get("decision") == "confirm":
                try:
                    services.confirm_allocation(run=run, actor=actor, now=clock.now())
                except services.StalePreview:
                    messages.error(request, _("The queue has changed since this preview. "
                                              "Discard it and make a new one."))
                    return redirect("edu-allocation", run_id=run.pk)
                messages.success(request, _("The allocation is confirmed; parents are "
                                            "notified."))
            else:
                services.discard_allocation(run=run, actor=actor, now=clock.now())
                messages.info(request, _("The preview is discarded."))
    except IllegalTransition:  # decided already (another window): the run stays as it is
        run.refresh_from_db()
        messages.error(request, _("This allocation is already %(state)s; it is not changed.")
                       % {"state": run.get_state_display()})
    return redirect("edu-allocation", run_id=run.pk)


def _confirm_allocation_page(request: HttpRequest, run: AllocationRun) -> HttpResponse:
    """What a confirmation does, asked before it is done (it cannot be undone): how many children
    get places, how many parents are notified in their cabinet (T1.3), what stays queued."""
    given = Q(status=alloc.ALLOCATED)
    counts = run.outcomes.aggregate(
        children=Count("pk", filter=given),
        parents=Count("pk", filter=given & ~Q(application__parent_iin="")), total=Count("pk"))
    return render(request, "web/edu_allocation_confirm.html", {
        "run": run, "children": counts["children"], "parents": counts["parents"],
        "waiting": counts["total"] - counts["children"]})

