"""The tariffs page: the city's monthly norms and its preschools' parent fees, effective-dated,
with their history (EDU of the city, the operator)."""

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
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.models import AuditEntry
from goszakaz.domain.money import parse_tiyn
from goszakaz.finance import tariffs
from goszakaz.finance.models import AgeGroup, Norm, ParentFee, StayMode
from goszakaz.registry.models import City, Preschool, Role
from goszakaz.web.bounds import MAX_TENGE, BoundedDateField
from goszakaz.web.permissions import actor_of, permits, require


class TengeField(forms.CharField):
    """An amount in tenge ("60000.00"), cleaned to integer tiyn; never a float; at most
    MAX_TENGE (so that it fits its column, whatever is typed)."""

    def to_python(self, value: object) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            if len(text) > 30:  # no amount is written longer
                raise ValueError
            tiyn = parse_tiyn(text.replace(",", ".").replace(" ", "").replace("\u00a0", ""))
        except ValueError:
            raise forms.ValidationError(_("Write the amount in tenge, e.g. 60000.00.")) from None
        if tiyn > MAX_TENGE * 100:
            raise forms.ValidationError(_("At most %(max)s tenge.") % {
                "max": f"{MAX_TENGE:,}".replace(",", "\u00a0")})
        return tiyn


class NormForm(forms.Form):
    age_group = forms.ChoiceField(choices=AgeGroup.choices, label=gettext_lazy("Age group"))
    stay_mode = forms.ChoiceField(choices=StayMode.choices, label=gettext_lazy("Stay mode"))
    effective_from = BoundedDateField(label=gettext_lazy("From"))
    amount = TengeField(label=gettext_lazy("Norm a month, tenge"))


class FeeForm(forms.Form):
    preschool = forms.ModelChoiceField(queryset=Preschool.objects.none(),
                                       label=gettext_lazy("Preschool"))
    effective_from = BoundedDateField(label=gettext_lazy("From"))
    amount = TengeField(label=gettext_lazy("Parent fee a month, tenge"))


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
