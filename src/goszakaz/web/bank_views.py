"""Pages of the bank step: the operator sends lists to banks; the reference bank's cabinet
(A7.5-A7.10): its accounts to open, opened and closed, the monthly list, and the payments and
returns made from the accounts (A7.18, A10)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goszakaz import clock
from goszakaz.access.actor import Actor
from goszakaz.access.permissions import Action
from goszakaz.banking.models import AccountStatus, ChildAccount, MonthlyBankList
from goszakaz.banking.services import BankingError
from goszakaz.deadlines.models import Deadline, DeadlineState
from goszakaz.domain import months
from goszakaz.domain.states import IllegalTransition
from goszakaz.enrollment.services import EnrollmentError
from goszakaz.finance.models import AccountKind, LedgerAccount, TransferCode
from goszakaz.registry.models import Bank, City
from goszakaz.reports import listing, lists
from goszakaz.web import staff_lists
from goszakaz.web.permissions import actor_of, permits
from goszakaz.web.views import mask_iin, posted_id
from goszakaz.workflows import bank_accounts
from goszakaz.workflows.onboarding import send_to_bank


class SendListForm(forms.Form):
    """A7.5: which city's verified children go to which bank."""

    city = forms.ModelChoiceField(queryset=City.objects.all(), label=gettext_lazy("City"))
    bank = forms.ModelChoiceField(queryset=Bank.objects.all(), label=gettext_lazy("Bank"))


@permits(Action.BANK_LISTS_VIEW, post=Action.ACCOUNTS_REQUEST)
def operator_banks(request: HttpRequest) -> HttpResponse:
    """The operator: send the verified children to a bank; the banks' lists; open deadlines."""
    form = SendListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        now = clock.now()
        with transaction.atomic():
            n = send_to_bank(city=form.cleaned_data["city"], bank=form.cleaned_data["bank"],
                             on=clock.local_date(now), actor=actor_of(request), now=now)
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


@permits(Action.BANK_ACCOUNTS_VIEW, post=Action.BANK_ACCOUNTS_REPORT)
def bank_cabinet(request: HttpRequest) -> HttpResponse:
    """The reference bank: open accounts, close them, send the monthly list."""
    actor, now = actor_of(request), clock.now()
    bank = get_object_or_404(Bank, code=actor.bank)
    today = clock.local_date(now)
    if request.method == "POST" and request.POST.get("action") == "close" and (
            request.POST.get("confirmed") != "1"):
        return _confirm_close(request, bank)
    if request.method == "POST":
        try:
            with transaction.atomic():
                _bank_action(request, bank, actor, now)
        except (BankingError, EnrollmentError) as e:
            messages.error(request, str(e))
        except IllegalTransition:  # its text names states by code: the page says it in words
            messages.error(request, _("The account is not in a state that allows this; "
                                      "nothing is changed."))
        return redirect("bank-cabinet")
    shown = staff_lists.show(request, lists.bank.ACCOUNTS, listing.Scope(bank=bank.code),
                             actions="web/_bank_account_actions.html")
    if isinstance(shown, HttpResponse):
        return shown
    return render(request, "web/bank_cabinet.html", {
        "bank": bank, "list": shown, "month": today.strftime("%Y-%m"),
        "lists": MonthlyBankList.objects.filter(bank=bank).order_by("-month")[:24]})


@permits(Action.BANK_ACCOUNTS_VIEW)
def bank_payments(request: HttpRequest) -> HttpResponse:
    """A7.18, A10: what the bank paid from its children's accounts to preschools, and what it
    returned to the operator, by month (search, filters, XLSX)."""
    bank = get_object_or_404(Bank, code=actor_of(request).bank)
    shown = staff_lists.show(request, lists.bank.PAYMENTS, listing.Scope(bank=bank.code))
    if isinstance(shown, HttpResponse):
        return shown
    totals = dict(shown.selection.queryset().order_by().values_list("code")
                  .annotate(n=Sum("amount")).values_list("code", "n"))
    return render(request, "web/bank_payments.html", {
        "bank": bank, "list": shown, "paid": totals.get(TransferCode.PAYMENT, 0),
        "returned": totals.get(TransferCode.SWEEP, 0)})


def _confirm_close(request: HttpRequest, bank: Bank) -> HttpResponse:
    """A10: before an account is closed, what follows: the child's Госзаказ is annulled from the
    next day and the account's balance goes back to the operator."""
    account = get_object_or_404(ChildAccount.objects.select_related("voucher"),
                                pk=posted_id(request.POST.get("account")) or 0, bank=bank)
    ledger = LedgerAccount.objects.filter(kind=AccountKind.CHILD,
                                          owner=str(account.voucher_id)).first()
    return render(request, "web/bank_close_confirm.html", {
        "account": account, "masked_iin": mask_iin(account.voucher.child_iin),
        "balance": ledger.balance if ledger else 0,
        "from_day": clock.today() + dt.timedelta(days=1)})


def _bank_action(request: HttpRequest, bank: Bank, actor: Actor, now: dt.datetime) -> None:
    action = request.POST.get("action")
    today = clock.local_date(now)
    if action == "open":
        form = OpenForm(request.POST)
        if not form.is_valid():
            raise BankingError(_("Check the IBAN: KZ, 2 digits, 16 letters or digits."))
        account = get_object_or_404(ChildAccount, pk=form.cleaned_data["account"], bank=bank)
        bank_accounts.account_opened(account=account, number=form.cleaned_data["number"],
                                     opened_on=today,
                                     parent_registered=form.cleaned_data["parent_registered"],
                                     actor=actor, now=now)
        messages.success(request, _("The account is open."))
    elif action == "close":
        account = get_object_or_404(ChildAccount, pk=posted_id(request.POST.get("account")) or 0,
                                    bank=bank)
        bank_accounts.account_closed(account=account, closed_on=today, actor=actor, now=now)
        messages.success(request, _("The account is closed; the voucher is annulled."))
    elif action == "month":
        month = MonthForm(request.POST)
        if not month.is_valid():
            raise BankingError(_("The month must be YYYY-MM."))
        live = ChildAccount.objects.filter(bank=bank, status=AccountStatus.OPENED)
        bank_accounts.monthly_list(
            bank=bank, month=month.cleaned_data["month"], received_on=today, actor=actor,
            now=now,
            opened=list(live.filter(parent_registered=True).values_list("pk", flat=True)),
            not_registered=list(live.filter(parent_registered=False)
                                .values_list("pk", flat=True)))
        messages.success(request, _("The monthly list is sent."))
