"""The tariffs page: the city's monthly norms and its preschools' parent fees, effective-dated,
with their history (EDU of the city, the operator)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.models import AuditEntry
from goszakaz.domain.money import format_tiyn, parse_tiyn
from goszakaz.finance import tariffs
from goszakaz.finance.models import AgeGroup, Norm, ParentFee, StayMode
from goszakaz.registry.models import City, Preschool, Role
from goszakaz.rules.calendar import data_years
from goszakaz.web.permissions import actor_of, permits, require

# A month's norm or parent fee per child: the pilot's norms are tens of thousands of tenge; ten
# million is far above any of them and far inside the amount's column (docs/readings.md, A8).
MAX_TARIFF = 10_000_000 * 100


class TengeField(forms.CharField):
    """An amount in tenge ("60000.00"), cleaned to integer tiyn in [min_tiyn, MAX_TARIFF];
    never a float."""

    def __init__(self, *, min_tiyn: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.min_tiyn = min_tiyn

    def to_python(self, value: object) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            amount = parse_tiyn(text.replace(",", ".").replace(" ", "").replace("\u00a0", ""))
        except ValueError:
            raise forms.ValidationError(_("Write the amount in tenge, e.g. 60000.00.")) from None
        if not self.min_tiyn <= amount <= MAX_TARIFF:
            raise forms.ValidationError(
                _("The amount must be from %(low)s to %(high)s tenge.")
                % {"low": format_tiyn(self.min_tiyn), "high": format_tiyn(MAX_TARIFF)})
        return amount


def within_kept_years(day: dt.date) -> None:
    """A tariff takes effect in a year the system keeps (its work calendar's years): a norm
    from 0001 or 9999 is a typing slip, and month arithmetic past 9999 overflows."""
    years = data_years()
    if day.year not in years:
        raise forms.ValidationError(_("Choose a date in %(first)d–%(last)d, the years the "
                                      "system keeps.") % {"first": years[0], "last": years[-1]})


class NormForm(forms.Form):
    age_group = forms.ChoiceField(choices=AgeGroup.choices, label=gettext_lazy("Age group"))
    stay_mode = forms.ChoiceField(choices=StayMode.choices, label=gettext_lazy("Stay mode"))
    effective_from = forms.DateField(label=gettext_lazy("From"), validators=[within_kept_years],
                                     widget=forms.DateInput(attrs={"type": "date"}))
    amount = TengeField(min_tiyn=1, label=gettext_lazy("Norm a month, tenge"))


class FeeForm(forms.Form):
    preschool = forms.ModelChoiceField(queryset=Preschool.objects.none(),
                                       label=gettext_lazy("Preschool"))
    effective_from = forms.DateField(label=gettext_lazy("From"), validators=[within_kept_years],
                                     widget=forms.DateInput(attrs={"type": "date"}))
    amount = TengeField(min_tiyn=0, label=gettext_lazy("Parent fee a month, tenge"))


def _city(request: HttpRequest) -> City:
    """EDU: its own city; the operator: the city it asks for (?city=)."""
    actor = actor_of(request)
    code = actor.city or request.GET.get("city") or City.objects.order_by("code").values_list(
        "code", flat=True).first()
    require(request, Action.TARIFFS_VIEW, city=code)
    return get_object_or_404(City, code=code)


@permits(Action.TARIFFS_VIEW, post=Action.TARIFFS_SET)
def tariffs_page(request: HttpRequest) -> HttpResponse:
    """The city's norms and parent fees: set one from a date; every earlier value stays."""
    city = _city(request)
    actor = actor_of(request)
    role = actor.role
    norm_form = NormForm(request.POST if request.POST.get("kind") == "norm" else None,
                         prefix="norm")
    fee_form = FeeForm(request.POST if request.POST.get("kind") == "fee" else None,
                       prefix="fee")
    preschools = fee_form.fields["preschool"]
    assert isinstance(preschools, forms.ModelChoiceField)
    preschools.queryset = Preschool.objects.filter(city=city).order_by("name")
    form = norm_form if request.POST.get("kind") == "norm" else fee_form
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if form is norm_form:
                    tariffs.set_norm(city=city, age_group=data["age_group"],
                                     stay_mode=data["stay_mode"],
                                     effective_from=data["effective_from"],
                                     amount=data["amount"], actor=actor, now=clock.now())
                else:
                    tariffs.set_parent_fee(preschool=data["preschool"],
                                           effective_from=data["effective_from"],
                                           amount=data["amount"], actor=actor, now=clock.now())
        except tariffs.TariffError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("The tariff is saved."))
            return redirect(f"{request.path}?city={city.code}")
    return render(request, "web/tariffs.html", {
        "city": city, "norm_form": norm_form, "fee_form": fee_form,
        "norms": Norm.objects.filter(city=city).order_by(
            "age_group", "stay_mode", "-effective_from"),
        "fees": ParentFee.objects.filter(preschool__city=city).select_related(
            "preschool").order_by("preschool__name", "-effective_from"),
        "cities": City.objects.order_by("code") if role == Role.OPR else [],
        "changes": AuditEntry.objects.filter(city=city.code, action__in=(
            AuditAction.NORM_SET, AuditAction.PARENT_FEE_SET)).select_related("user").order_by("-pk")[:50]})
