"""The operator's month per city (A7.9, A7.11, A7.12, A7.14, A7.17, A7.18): every step of the
cycle with its deadline and whether it was kept, filtered by city and month."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.domain.months import month_of
from goszakaz.registry.models import City
from goszakaz.reports import formatting
from goszakaz.reports.cycle import cycle, months_of
from goszakaz.web.permissions import permits


class CycleForm(forms.Form):
    """Which city (all when none) and which month."""

    city = forms.ChoiceField(required=False, label=gettext_lazy("City"))
    month = forms.ChoiceField(label=gettext_lazy("Month"))

    def __init__(self, *args: object, cities: list[City], months: list[str],
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices: dict[str, list[tuple[str, object]]] = {  # a city by its name in the language
            "city": [("", gettext_lazy("All cities")),
                     *((c.code, formatting.city_name(c)) for c in cities)],
            "month": [(m, formatting.month_label(m)) for m in months]}
        for name, options in choices.items():
            field = self.fields[name]
            if isinstance(field, forms.ChoiceField):
                field.choices = options


@permits(Action.CYCLE_VIEW)
def operator_cycle(request: HttpRequest) -> HttpResponse:
    """The chosen month's steps in each chosen city (the current month in every city at first)."""
    today = clock.today()
    cities = list(City.objects.order_by("code"))
    months = months_of(cities, today)
    data = {"month": month_of(today), **request.GET.dict()}
    form = CycleForm(data, cities=cities, months=months)
    rows = []
    if form.is_valid():
        code = form.cleaned_data["city"]
        rows = cycle(cities=[c for c in cities if c.code == code] if code else cities,
                     month=form.cleaned_data["month"], today=today)
    return render(request, "web/operator_cycle.html", {"form": form, "rows": rows,
                                                       "today": today})
