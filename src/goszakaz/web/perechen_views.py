"""EDU's pages of one preschool of the Перечень (A4, A6): its occupancy and history, a new
design capacity, and its exclusion from a date behind a confirmation step."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.registry.models import Preschool
from goszakaz.web.bounds import BoundedDateField
from goszakaz.web.permissions import actor_of, permits
from goszakaz.web.views import edu_city
from goszakaz.workflows import perechen


class CapacityForm(forms.Form):
    """A6: a new design capacity, and why (the document it comes from)."""

    design_capacity = forms.IntegerField(min_value=1, max_value=5000,
                                         label=gettext_lazy("New design capacity"))
    note = forms.CharField(max_length=300, required=False,
                           label=gettext_lazy("Basis (document, number)"))


class ExcludeForm(forms.Form):
    """A4: the day the preschool leaves the Перечень, and why."""

    on = BoundedDateField(label=gettext_lazy("Exclude from the day"))
    note = forms.CharField(max_length=300, label=gettext_lazy("Basis (document, number)"))


def _preschool(request: HttpRequest, preschool_id: int) -> Preschool:
    """The preschool, of the EDU user's own city (404 otherwise)."""
    return get_object_or_404(Preschool.objects.select_related("city"), pk=preschool_id,
                             city=edu_city(request))


@permits(Action.PERECHEN_VIEW, post=Action.PERECHEN_INCLUDE)
def edu_preschool(request: HttpRequest, preschool_id: int) -> HttpResponse:
    """A4, A6: one preschool: places taken against design capacity, the history, a new
    capacity (never below the places taken)."""
    preschool, today = _preschool(request, preschool_id), clock.today()
    form = CapacityForm(request.POST or None, initial={"design_capacity":
                                                       preschool.design_capacity})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                changed = perechen.change_capacity(
                    preschool=preschool, capacity=form.cleaned_data["design_capacity"], on=today,
                    note=form.cleaned_data["note"], actor=actor_of(request), now=clock.now())
        except perechen.PerechenRefused as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("The design capacity is changed.") if changed
                             else _("The design capacity is the same: nothing changed."))
        return redirect("edu-preschool", preschool_id=preschool.pk)
    return render(request, "web/edu_preschool.html", {
        "p": preschool, "form": form, "exclude": ExcludeForm(),
        "taken": perechen.places_taken(preschool=preschool, on=today),
        "history": perechen.history(preschool=preschool)})


@permits(post=Action.PERECHEN_INCLUDE)
def edu_preschool_exclude(request: HttpRequest, preschool_id: int) -> HttpResponse:
    """A4: exclude from a date, in two steps: what follows is shown first (its pupils' parents
    told to choose another preschool), then the exclusion is confirmed."""
    preschool = _preschool(request, preschool_id)
    form = ExcludeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("edu-preschool", preschool_id=preschool.pk)
    on, note = form.cleaned_data["on"], form.cleaned_data["note"]
    if request.POST.get("confirmed") != "1":
        return render(request, "web/edu_preschool_exclude.html", {
            "p": preschool, "on": on, "note": note,
            "pupils": len(perechen.pupils_after(preschool=preschool, on=on))})
    with transaction.atomic():
        done = perechen.exclude_from(preschool=preschool, on=on, note=note,
                                     actor=actor_of(request), now=clock.now())
    if done:
        messages.success(request, _("%(name)s leaves the list from %(on)s; the parents of its "
                                    "pupils are told to choose another preschool.")
                         % {"name": preschool.name, "on": on.strftime("%d.%m.%Y")})
    else:
        messages.error(request, _("The preschool is already excluded from that day or earlier."))
    return redirect("edu-preschool", preschool_id=preschool.pk)
