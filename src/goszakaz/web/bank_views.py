"""Pages of the bank step: the operator sends lists to banks; the reference bank's cabinet (A7.5-A7.10)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goszakaz import clock
from goszakaz.banking import services
from goszakaz.banking.models import AccountStatus, ChildAccount, MonthlyBankList
from goszakaz.deadlines.models import Deadline, DeadlineState
from goszakaz.domain import months
from goszakaz.enrollment.services import EnrollmentError
from goszakaz.registry.models import Bank, City, Role
from goszakaz.web.permissions import actor_of, can
from goszakaz.web.views import mask_iin


class SendListForm(forms.Form):
    """A7.5: which city's verified children go to which bank."""

    city = forms.ModelChoiceField(queryset=City.objects.all(), label=gettext_lazy("City"))
    bank = forms.ModelChoiceField(queryset=Bank.objects.all(), label=gettext_lazy("Bank"))


@login_required
def operator_banks(request: HttpRequest) -> HttpResponse:
    """The operator: send the verified children to a bank; the banks' lists; open deadlines."""
    if not can(actor_of(request.user), "operator.view"):
        raise PermissionDenied
    form = SendListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            n = services.request_accounts(city=form.cleaned_data["city"],
                                          bank=form.cleaned_data["bank"], on=clock.today(),
                                          actor=request.user, role=Role.OPR)
        messages.success(request, _("Children sent to the bank: %(n)d.") % {"n": n})
        return redirect("operator-banks")
    return render(request, "web/operator_banks.html", {
        "form": form, "lists": MonthlyBankList.objects.select_related("bank").order_by("-month"),
        "deadlines": Deadline.objects.filter(state=DeadlineState.OPEN).order_by("due_on")[:100],
        "today": clock.today()})


class OpenForm(forms.Form):
    """A7.6: the account the bank opened for a child on its list."""

    account = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    number = forms.RegexField(regex=r"^KZ[0-9]{2}[0-9A-Z]{16}$", label="IBAN")
    parent_registered = forms.BooleanField(required=False, label=gettext_lazy("Parent registered"))


class MonthForm(forms.Form):
    """A7.9: the month whose list the bank sends (every account is listed by its state)."""

    month = forms.RegexField(regex=months.PATTERN, label=gettext_lazy("Month"))


@login_required
def bank_cabinet(request: HttpRequest) -> HttpResponse:
    """The reference bank: open accounts, close them, send the monthly list."""
    actor = actor_of(request.user)
    if not can(actor, "bank.cabinet"):
        raise PermissionDenied
    bank = get_object_or_404(Bank, code=actor.bank)
    today = clock.today()
    if request.method == "POST":
        try:
            with transaction.atomic():
                _bank_action(request, bank)
        except (services.BankingError, EnrollmentError) as e:
            messages.error(request, str(e))
        return redirect("bank-cabinet")
    accounts = list(ChildAccount.objects.filter(bank=bank).select_related("voucher")
                    .order_by("status", "pk")[:500])
    for a in accounts:
        a.masked_iin = mask_iin(a.voucher.child_iin)  # type: ignore[attr-defined]
    return render(request, "web/bank_cabinet.html", {
        "bank": bank, "accounts": accounts, "month": today.strftime("%Y-%m"),
        "lists": MonthlyBankList.objects.filter(bank=bank).order_by("-month")[:24]})


def _bank_action(request: HttpRequest, bank: Bank) -> None:
    action = request.POST.get("action")
    today = clock.today()
    if action == "open":
        form = OpenForm(request.POST)
        if not form.is_valid():
            raise services.BankingError(_("Check the IBAN: KZ, 2 digits, 16 letters or digits."))
        account = get_object_or_404(ChildAccount, pk=form.cleaned_data["account"], bank=bank)
        services.account_opened(account=account, number=form.cleaned_data["number"],
                                opened_on=today,
                                parent_registered=form.cleaned_data["parent_registered"],
                                actor=request.user, role=Role.BANK)
        messages.success(request, _("The account is open."))
    elif action == "close":
        account = get_object_or_404(ChildAccount, pk=request.POST.get("account", "0"), bank=bank)
        services.account_closed(account=account, closed_on=today, actor=request.user,
                                role=Role.BANK)
        messages.success(request, _("The account is closed; the voucher is annulled."))
    elif action == "month":
        month = MonthForm(request.POST)
        if not month.is_valid():
            raise services.BankingError(_("The month must be YYYY-MM."))
        live = ChildAccount.objects.filter(bank=bank, status=AccountStatus.OPENED)
        services.receive_monthly_list(
            bank=bank, month=month.cleaned_data["month"], received_on=today, actor=request.user,
            opened=list(live.filter(parent_registered=True).values_list("pk", flat=True)),
            not_registered=list(live.filter(parent_registered=False)
                                .values_list("pk", flat=True)))
        messages.success(request, _("The monthly list is sent."))
