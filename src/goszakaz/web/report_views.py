"""The operator's page of the plan-schedule (P1-P5): each milestone's due day, executors and
status, updated by the operator (audited by reports.services)."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.domain.states import IllegalTransition
from goszakaz.reports.models import Milestone, MilestoneStatus
from goszakaz.reports.services import MilestoneRefused, update_milestone
from goszakaz.web.bounds import bounded_day
from goszakaz.web.permissions import actor_of, permits


@permits(Action.PLAN_VIEW, post=Action.PLAN_UPDATE)
def operator_plan(request: HttpRequest) -> HttpResponse:
    """GET: the plan-schedule; POST: one milestone's status, done day and note."""
    today = clock.today()
    if request.method == "POST":
        code = request.POST.get("code", "")
        status = request.POST.get("status", "")
        text = request.POST.get("done_on", "").strip()
        done_on, problem = bounded_day(text) if text else (None, None)
        if text and done_on is None:
            messages.error(request, problem or _("Enter the day as YYYY-MM-DD."))
        elif status not in MilestoneStatus.values:
            messages.error(request, _("Choose a status."))
        else:
            try:
                with transaction.atomic():
                    update_milestone(code=code, status=status, done_on=done_on,
                                     note=request.POST.get("note"), actor=actor_of(request),
                                     now=clock.now(), today=today)
            except Milestone.DoesNotExist:
                messages.error(request, _("There is no such milestone."))
            except MilestoneRefused as e:
                messages.error(request, str(e))
            except IllegalTransition:
                messages.error(request, _("A milestone done cannot go back."))
            else:
                messages.success(request, _("The plan-schedule is updated."))
        return redirect("operator-plan")
    rows = [{"m": m, "title": m.title(), "form": m.form(),
             "late": m.status != MilestoneStatus.DONE and m.due_on < today
             or bool(m.done_on and m.done_on > m.due_on)}
            for m in Milestone.objects.order_by("code")]
    return render(request, "web/operator_plan.html", {
        "rows": rows, "statuses": MilestoneStatus.choices})
