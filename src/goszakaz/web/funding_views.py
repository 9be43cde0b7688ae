"""Pages of the monthly funding cycle (A7.11, A7.12, A7.9): the operator's request, the city's
transfer to the operator, the operator's distribution to the children's accounts."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.deadlines.models import Deadline
from goszakaz.domain import months
from goszakaz.finance import funding
from goszakaz.finance.models import FundingRequest, RequestState
from goszakaz.finance.tariffs import TariffMissing
from goszakaz.registry.models import City, Role
from goszakaz.reports import listing, lists
from goszakaz.web import staff_lists
from goszakaz.web.permissions import actor_of, permits, require
from goszakaz.web.templatetags.goszakaz import month_label, tenge
from goszakaz.web.views import edu_city


class RequestForm(forms.Form):
    """A7.11: the city and month to request money for."""

    city = forms.ModelChoiceField(queryset=City.objects.order_by("code"),
                                  label=gettext_lazy("City"))
    month = forms.RegexField(regex=months.PATTERN, label=gettext_lazy("Month"),
                             widget=forms.TextInput(attrs={"placeholder": "2024-04"}))


def _requests(city: City | None = None) -> list[FundingRequest]:
    rows = FundingRequest.objects.select_related("city").order_by("-month", "city__code")
    return list(rows.filter(city=city) if city else rows[:100])


@permits(Action.FUNDING_LIST, post=Action.FUNDING_REQUEST)
def operator_funding(request: HttpRequest) -> HttpResponse:
    """A7.11: the operator makes the month's request for a city (after the banks' lists, A7.9);
    the requests and their steps."""
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        city, month = form.cleaned_data["city"], form.cleaned_data["month"]
        prior = FundingRequest.objects.filter(city=city, month=month).first()
        if prior is not None:
            messages.info(request, _("The request for %(month)s was sent on %(on)s.")
                          % {"month": month_label(month), "on": prior.sent_on.strftime("%d.%m.%Y")})
            return redirect("funding-request", request_id=prior.pk)
        try:
            now = clock.now()
            with transaction.atomic():
                made = funding.build_request(city=city, month=month, on=clock.local_date(now),
                                             actor=actor_of(request), now=now)
        except funding.FundingRefused as e:
            messages.error(request, str(e))
        except TariffMissing:
            messages.error(request, _("No norm is set for %(month)s: set the tariffs first.")
                           % {"month": month_label(month)})
        except IntegrityError:  # sent at the same moment from another window: that one stands
            return redirect("operator-funding")
        else:
            messages.success(request, _("The request is sent to the city: %(amount)s.")
                             % {"amount": tenge(made.to_accounts + made.direct)})
            return redirect("funding-request", request_id=made.pk)
    return render(request, "web/funding.html", {"form": form, "requests": _requests(),
                                                "operator": True})


@permits(Action.CITY_FUNDING_VIEW)
def edu_funding(request: HttpRequest) -> HttpResponse:
    """A7.12: the city's requests, to approve and transfer to the operator."""
    city = edu_city(request)
    return render(request, "web/funding.html", {"requests": _requests(city), "city": city})


@permits(Action.FUNDING_VIEW)
def funding_request(request: HttpRequest, request_id: int) -> HttpResponse:
    """One request: totals, the deadlines, and each child's line: the norm, what is owed, the
    balance already on the account, the amount, and whether it is paid directly (A7.9, I5)."""
    made = get_object_or_404(FundingRequest.objects.select_related("city"), pk=request_id)
    actor = require(request, Action.FUNDING_VIEW, city=made.city.code)
    counts = made.lines.aggregate(children=Count("pk"),
                                  with_account=Count("pk", filter=Q(direct=False)))
    shown = staff_lists.show(request, lists.edu.FUNDING_LINES,
                             listing.Scope(city=made.city, within=made.pk))
    if isinstance(shown, HttpResponse):
        return shown
    subject = f"funding/{made.city.code}/{made.month}"
    return render(request, "web/funding_request.html", {
        "r": made, "operator": actor.role == Role.OPR, "list": shown,
        "children": counts["children"], "with_account": counts["with_account"],
        "deadlines": Deadline.objects.filter(city=made.city.code, subject=subject),
        "today": clock.today()})


@permits(post=Action.FUNDING_STEP)
def funding_step(request: HttpRequest, request_id: int) -> HttpResponse:
    """The next step: EDU transfers the money to the operator; the operator distributes it."""
    made = get_object_or_404(FundingRequest.objects.select_related("city"), pk=request_id)
    require(request, Action.FUNDING_VIEW, city=made.city.code)  # another city's: refused
    steps: dict[str, Action] = {RequestState.SENT: Action.FUNDING_TRANSFER,
                                RequestState.TRANSFERRED: Action.FUNDING_DISTRIBUTE}
    step = steps.get(made.state)
    if step is not None and request.POST.get("confirmed") != "1":
        require(request, step, **({"city": made.city.code} if step == Action.FUNDING_TRANSFER
                                  else {}))
        return _confirm_step(request, made)
    now = clock.now()
    with transaction.atomic():
        if made.state == RequestState.SENT:
            actor = require(request, Action.FUNDING_TRANSFER, city=made.city.code)
            funding.transfer_to_operator(request=made, on=clock.local_date(now), actor=actor,
                                         now=now)
            messages.success(request, _("The money is transferred to the operator."))
        elif made.state == RequestState.TRANSFERRED:
            actor = require(request, Action.FUNDING_DISTRIBUTE)
            n = funding.distribute(request=made, on=clock.local_date(now), actor=actor, now=now)
            messages.success(request, _("Children's accounts credited: %(n)d.") % {"n": n})
        else:  # a second click, or a step already done in another window
            messages.info(request, _("This step is already done."))
    return redirect("funding-request", request_id=made.pk)


def _confirm_step(request: HttpRequest, made: FundingRequest) -> HttpResponse:
    """Money moved cannot be moved back by a click: before the transfer (A7.12) or the
    distribution, the page says how much goes where and for how many children, and asks again."""
    counts = made.lines.aggregate(children=Count("pk"),
                                  with_account=Count("pk", filter=Q(direct=False)))
    return render(request, "web/funding_confirm.html", {
        "r": made, "children": counts["children"], "with_account": counts["with_account"],
        "transfer": made.state == RequestState.SENT})
