"""The operator's pages of any child: the search by IIN or name, and the child's file (every read
audited, DESIGN rules 5 and 11; the IIN or name searched for travels in a POST, never a URL)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.audit.services import record_read
from goszakaz.domain.iin import short_iin
from goszakaz.enrollment.models import Voucher
from goszakaz.reports.child_file import FOUND_MAX, child_file, find_children
from goszakaz.web.permissions import actor_of, permits


class SearchForm(forms.Form):
    """The child's IIN (12 digits) or a part of the name."""

    q = forms.CharField(max_length=200, min_length=2, label=gettext_lazy("IIN or name"),
                        widget=forms.TextInput(attrs={"autocomplete": "off",
                                                      "inputmode": "search"}))


@permits(Action.CHILD_FILE_VIEW, post=Action.CHILD_FILE_VIEW)
def operator_children(request: HttpRequest) -> HttpResponse:
    """Find a child by IIN or name; the children found, each linking to its file."""
    form = SearchForm(request.POST or None)
    found: list[Voucher] | None = None
    if request.method == "POST" and form.is_valid():
        found = find_children(form.cleaned_data["q"])
        record_read(actor=actor_of(request), at=clock.now(), what="page:operator-children",
                    children=[v.pk for v in found[:FOUND_MAX]])
    return render(request, "web/operator_children.html", {
        "form": form, "searched": found is not None,
        "found": [{"v": v, "masked_iin": short_iin(v.child_iin)} for v in (found or [])[:FOUND_MAX]],
        "more": found is not None and len(found) > FOUND_MAX, "most": FOUND_MAX})


@permits(Action.CHILD_FILE_VIEW)
def operator_child(request: HttpRequest, voucher_id: int) -> HttpResponse:
    """One child's file: voucher history, contracts, accounts, sheets, transfers, risk cases."""
    voucher = get_object_or_404(Voucher.objects.select_related("city"), pk=voucher_id)
    record_read(actor=actor_of(request), at=clock.now(), what="page:operator-child",
                city=voucher.city.code, children=[voucher.pk])
    return render(request, "web/operator_child.html", {
        "f": child_file(voucher), "masked_iin": short_iin(voucher.child_iin), "today": clock.today()})
