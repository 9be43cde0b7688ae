"""Pages of the EDU queue and allocation, and of the parent's cabinet."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from goszakaz import rules as rule_data
from goszakaz.audit.services import record
from goszakaz.notifications.models import Notification
from goszakaz.queue import services
from goszakaz.queue.models import AllocationRun, Application, RunState
from goszakaz.registry.models import City, Role
from goszakaz.web.permissions import Actor, actor_of, can

PAGE = 50


def mask_iin(iin: str) -> str:
    """An IIN shown as its birth-date part only: 200101******."""
    return iin[:6] + "******" if iin else ""


def _require(request: HttpRequest, action: str, **obj: Any) -> Actor:
    actor = actor_of(request.user)
    if not can(actor, action, **obj):
        raise PermissionDenied
    return actor


def edu_city(request: HttpRequest, action: str) -> City:
    """The city of the signed-in EDU user, if it may do the action there; else 403."""
    actor = actor_of(request.user)
    if actor.city is None or not can(actor, action, city=actor.city):
        raise PermissionDenied
    return get_object_or_404(City, code=actor.city)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its first page."""
    actor = actor_of(request.user)
    if actor.role == Role.EDU:
        return redirect("edu-queue")
    if actor.role == Role.PAR:
        return redirect("parent-cabinet")
    if actor.role == Role.OPR:
        return redirect("operator-banks")
    if actor.role == Role.BANK:
        return redirect("bank-cabinet")
    if actor.role == Role.PRE:
        return redirect("preschool-pupils")
    return render(request, "web/no_role.html", status=403)


@login_required
def edu_queue(request: HttpRequest) -> HttpResponse:
    """The city's queue by category: counts, and the first applications of a chosen category."""
    city = edu_city(request, "queue.view")
    rule_set = rule_data.load(city.allocation_rules or "taraz-2024")
    counts = dict(services.queued(city).exclude(category=None).values_list("category")
                  .annotate(n=Count("id")).values_list("category", "n"))
    lang = translation.get_language() or "ru"
    lang = lang if lang in ("ru", "kk", "en") else "ru"
    categories = [{"number": c.number, "k": c.coefficient, "title": c.title[lang],
                   "count": counts.get(c.number, 0)} for c in rule_set.categories]
    reasons = dict(services.queued(city).exclude(reason="").values_list("reason")
                   .annotate(n=Count("id")).values_list("reason", "n"))
    chosen = request.GET.get("category", "")
    rows: list[Application] = []
    if chosen.isdigit():
        rows = list(services.queued(city).filter(category=int(chosen))
                    .order_by("queue_number")[:PAGE])
    if rows:  # staff reading children's records: logged (DESIGN rule 5)
        record(user=request.user, role=Role.EDU, action="queue.read", obj_type="city",
               obj_id=city.code, city=city.code, after={"category": int(chosen),
                                                        "applications": len(rows)})
    for a in rows:
        a.masked_iin = mask_iin(a.child_iin)  # type: ignore[attr-defined]
    runs = AllocationRun.objects.filter(city=city).order_by("-created_at")[:10]
    return render(request, "web/edu_queue.html", {
        "city": city, "categories": categories, "reasons": reasons, "chosen": chosen,
        "rows": rows, "runs": runs, "total": services.queued(city).count(),
    })


@login_required
@require_POST
def edu_actualize(request: HttpRequest) -> HttpResponse:
    """T3: recompute categories and queue numbers of the city's queue as of today."""
    city = edu_city(request, "queue.actualize")
    with transaction.atomic():
        changed = services.actualize_queue(city=city, on=timezone.localdate(),
                                           actor=request.user, role=Role.EDU)
    messages.success(request, _("Queue updated: %(n)d applications changed.") % {"n": changed})
    return redirect("edu-queue")


class AllocationForm(forms.Form):
    """Volume (A7.1) and as-of date of an allocation."""

    volume = forms.IntegerField(min_value=0, max_value=10_000_000, label=gettext_lazy("Volume (places)"))
    as_of = forms.DateField(label=gettext_lazy("Allocation date"),
                            widget=forms.DateInput(attrs={"type": "date"}))


@login_required
def edu_allocation_new(request: HttpRequest) -> HttpResponse:
    """Preview an allocation: the form, then a preview run."""
    city = edu_city(request, "allocation.preview")
    if not city.allocation_rules:  # A5: the general law applies, not the Taraz procedure
        messages.error(request, _("This city distributes places by the general law; "
                                  "the Taraz procedure does not apply."))
        return redirect("edu-queue")
    form = AllocationForm(request.POST or None, initial={"as_of": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            run = services.preview_allocation(
                city=city, volume=form.cleaned_data["volume"], as_of=form.cleaned_data["as_of"],
                actor=request.user, role=Role.EDU)
        return redirect("edu-allocation", run_id=run.pk)
    return render(request, "web/edu_allocation_new.html", {"form": form, "city": city})


@login_required
def edu_allocation(request: HttpRequest, run_id: int) -> HttpResponse:
    """An allocation run: the summary per category and the table of iterations."""
    run = get_object_or_404(AllocationRun.objects.select_related("city"), pk=run_id)
    _require(request, "allocation.view", city=run.city.code)
    categories = list(run.categories.all())
    iterations = [[float(Fraction(v)) for v in it]
                  for it in run.iterations]
    for c in categories:
        c.vp_float = float(Fraction(c.vp))  # type: ignore[attr-defined]
        c.vf_float = float(Fraction(c.vf))  # type: ignore[attr-defined]
    return render(request, "web/edu_allocation.html", {
        "run": run, "categories": categories, "iterations": iterations,
        "numbers": [c.number for c in categories], "is_preview": run.state == RunState.PREVIEW,
    })


@login_required
@require_POST
def edu_allocation_decide(request: HttpRequest, run_id: int) -> HttpResponse:
    """Confirm or discard a preview run."""
    run = get_object_or_404(AllocationRun.objects.select_related("city"), pk=run_id)
    _require(request, "allocation.confirm", city=run.city.code)
    with transaction.atomic():
        if request.POST.get("decision") == "confirm":
            try:
                services.confirm_allocation(run=run, actor=request.user, role=Role.EDU)
            except services.StalePreview:
                messages.error(request, _("The queue has changed since this preview. "
                                          "Discard it and make a new one."))
                return redirect("edu-allocation", run_id=run.pk)
            messages.success(request, _("The allocation is confirmed; parents are notified."))
        else:
            services.discard_allocation(run=run, actor=request.user, role=Role.EDU)
            messages.info(request, _("The preview is discarded."))
    return redirect("edu-allocation", run_id=run.pk)


@login_required
def parent_cabinet(request: HttpRequest) -> HttpResponse:
    """A parent's children in the queue: category, queue number, explanation; and messages."""
    actor = _require(request, "cabinet.view")
    lang = translation.get_language() or "ru"
    lang = lang if lang in ("ru", "kk", "en") else "ru"
    apps = list(Application.objects.filter(parent_iin=actor.iin).select_related("city"))
    cards = []
    for a in apps:
        record(user=request.user, role=Role.PAR, action="application.read",
               obj_type="application", obj_id=a.pk, city=a.city.code)
        cards.append({"app": a, "masked_iin": mask_iin(a.child_iin),
                      "explanation": services.explanation(a, lang)})
    notes = Notification.objects.filter(recipient_role=Role.PAR, recipient_key=actor.iin)[:50]
    return render(request, "web/parent_cabinet.html", {"cards": cards, "notes": notes})
