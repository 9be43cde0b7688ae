"""The only place that changes child accounts: bank lists, opened and closed accounts, monthly lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from goszakaz import tokens
from goszakaz.audit.services import record
from goszakaz.banking.models import (
    ACCOUNT_TRANSITIONS,
    AccountStatus,
    BankToken,
    ChildAccount,
    MonthlyBankList,
)
from goszakaz.deadlines.services import meet, open_deadline
from goszakaz.domain.states import needs_transition
from goszakaz.enrollment.models import AnnulmentReason, Voucher, VoucherStatus
from goszakaz.enrollment.services import annul, set_status, set_status_many
from goszakaz.notifications.models import Notification
from goszakaz.notifications.services import notify, notify_many
from goszakaz.registry.models import Bank, City, Role
from goszakaz.verification.services import report_parent_not_registered


class BankingError(Exception):
    """A bank step the rules do not allow; the message says which."""


def issue_token(*, bank: Bank) -> str:
    """A new API token for a bank: shown once, stored only as its SHA-256."""
    return tokens.issue(BankToken, bank=bank)


def bank_for_token(token: str) -> Bank | None:
    """The bank an active token belongs to, or None."""
    holder: Bank | None = tokens.holder_of(BankToken, "bank", token)
    return holder


def request_accounts(*, city: City, bank: Bank, on: dt.date, actor: Any, role: str) -> int:
    """A7.5, A7.6: put every verified child of the city without an account on the bank's list.

    The bank gets only what opening an account needs; the parent gets the bank's instructions.
    Running it again adds only children verified since.
    """
    live_account = ChildAccount.objects.filter(voucher=OuterRef("pk")).exclude(
        status=AccountStatus.CLOSED)
    children = list(Voucher.objects.select_for_update()
                    .filter(city=city, status=VoucherStatus.VERIFIED)
                    .filter(~Exists(live_account)).order_by("pk")
                    .values_list("pk", "parent_iin"))
    ChildAccount.objects.bulk_create(
        [ChildAccount(voucher_id=pk, bank=bank, city=city.code, requested_on=on)
         for pk, _parent in children], batch_size=2000)
    set_status_many(voucher_ids=[pk for pk, _parent in children],
                    to=VoucherStatus.ACCOUNT_REQUESTED, why=f"bank {bank.code}", actor=actor,
                    role=role)
    notify_many([{"city": city.code, "kind": "bank_instructions", "recipient_key": parent,
                  "payload": {"bank": bank.name, "voucher": pk},
                  "dedup_key": f"bank-instructions/{pk}/{bank.code}"} for pk, parent in children])
    added = len(children)
    record(user=actor, role=role, action="accounts.requested", obj_type="bank", obj_id=bank.code,
           city=city.code, after={"children": added, "on": on.isoformat()})
    return added


def account_opened(
    *, account: ChildAccount, number: str, opened_on: dt.date, parent_registered: bool,
    actor: Any, role: str,
) -> ChildAccount:
    """A7.6, A7.7: the bank opened the child's account; the voucher becomes active."""
    account = ChildAccount.objects.select_for_update().get(pk=account.pk)
    if not needs_transition(account.status, AccountStatus.OPENED, ACCOUNT_TRANSITIONS):
        if account.number != number:
            raise BankingError(_("The account is already open under another number."))
        return account
    if ChildAccount.objects.filter(bank=account.bank, number=number).exists():
        raise BankingError(_("This account number is already used for another child."))
    account.status, account.number, account.opened_on = AccountStatus.OPENED, number, opened_on
    account.parent_registered = parent_registered
    account.save(update_fields=["status", "number", "opened_on", "parent_registered"])
    set_status(voucher=account.voucher, to=VoucherStatus.ACTIVE, why="account opened",
               actor=actor, role=role)
    record(user=actor, role=role, action="account.opened", obj_type="account", obj_id=account.pk,
           city=account.city, after={"opened_on": opened_on.isoformat()})
    return account


def account_closed(*, account: ChildAccount, closed_on: dt.date, actor: Any, role: str) -> bool:
    """A10: the parent ended the bank-account contract; the voucher is annulled.

    The balance's return to the operator within 5 business days belongs to the ledger.
    """
    account = ChildAccount.objects.select_for_update().get(pk=account.pk)
    if not needs_transition(account.status, AccountStatus.CLOSED, ACCOUNT_TRANSITIONS):
        return False
    account.status, account.closed_on = AccountStatus.CLOSED, closed_on
    account.save(update_fields=["status", "closed_on"])
    annul(voucher=account.voucher, reason=AnnulmentReason.ACCOUNT_CLOSED,
          on=closed_on + dt.timedelta(days=1), actor=actor, role=role)
    record(user=actor, role=role, action="account.closed", obj_type="account", obj_id=account.pk,
           city=account.city, after={"closed_on": closed_on.isoformat()})
    return True


def list_due_on(month: str) -> dt.date:
    """A7.9: the bank's list for month YYYY-MM is due by the 5th of that month."""
    year, mon = (int(p) for p in month.split("-"))
    return dt.date(year, mon, 5)


def receive_monthly_list(
    *, bank: Bank, month: str, opened: list[int], not_registered: list[int],
    received_on: dt.date, actor: Any, role: str = Role.BANK,
) -> MonthlyBankList:
    """A7.9: the bank's monthly list; children whose parents did not register are paid directly.

    Each such child's account is marked for direct payment to the preschool and the child goes
    to the operator's risk verification (one open case per child). The list's deadline (the 5th)
    is met on receipt.
    """
    ids = set(opened) | set(not_registered)
    known = set(ChildAccount.objects.filter(bank=bank, pk__in=ids).values_list("pk", flat=True))
    if ids - known:
        raise BankingError(_("Unknown accounts for this bank: %(ids)s.")
                           % {"ids": sorted(ids - known)[:10]})
    if set(opened) & set(not_registered):
        raise BankingError(_("An account is both opened and not registered."))
    monthly, created = MonthlyBankList.objects.get_or_create(
        bank=bank, month=month, defaults={"received_on": received_on, "opened": sorted(opened),
                                          "not_registered": sorted(not_registered)})
    if not created:
        return monthly
    ChildAccount.objects.filter(pk__in=not_registered).update(direct_payment=True)
    for account in ChildAccount.objects.filter(pk__in=not_registered).select_related("voucher"):
        report_parent_not_registered(voucher=account.voucher, month=month, on=received_on,
                                     actor=actor, role=role)
    for city in {a.city for a in ChildAccount.objects.filter(pk__in=ids)}:
        subject = f"bank-list/{bank.code}/{month}"
        open_deadline(clause="A7.9", city=city, subject=subject, opened_on=received_on,
                      title=f"Ежемесячный список банка {bank.name} за {month}",
                      due_on=list_due_on(month))
        meet(clause="A7.9", city=city, subject=subject, on=received_on)
    record(user=actor, role=role, action="bank_list.received", obj_type="bank", obj_id=bank.code,
           after={"month": month, "opened": len(opened), "not_registered": len(not_registered)})
    return monthly


def invite_preschools(*, bank: Bank, city: City, on: dt.date, actor: Any, role: str) -> int:
    """A7.8: the bank invites each preschool of the city's Перечень to register, once."""
    from goszakaz.registry.models import BankRegistration, Preschool

    invited = 0
    registered = set(BankRegistration.objects.filter(bank=bank).values_list("preschool_id",
                                                                             flat=True))
    for preschool in Preschool.objects.filter(city=city):
        key = f"bank-invite/{bank.code}/{preschool.bin}"
        if (not preschool.in_perechen(on) or preschool.pk in registered
                or Notification.objects.filter(dedup_key=key).exists()):
            continue
        notify(city=city.code, kind="bank_registration_invite", recipient_role=Role.PRE,
               recipient_key=preschool.bin, payload={"bank": bank.name}, dedup_key=key)
        invited += 1
    return invited


def register_preschool(
    *, bank: Bank, preschool_bin: str, on: dt.date, actor: Any, role: str = Role.BANK
) -> tuple[Any, bool]:
    """A7.8: a preschool of the Перечень registered with the bank; once (a repeat changes nothing)."""
    from goszakaz.registry.models import BankRegistration, Preschool

    preschool = Preschool.objects.filter(bin=preschool_bin).first()
    if preschool is None or not preschool.in_perechen(on):
        raise BankingError(_("No preschool with this BIN on a city's Перечень."))
    registration, created = BankRegistration.objects.get_or_create(
        bank=bank, preschool=preschool, defaults={"registered_on": on})
    if created:
        record(user=actor, role=role, action="preschool.registered_with_bank",
               obj_type="preschool", obj_id=preschool.pk, city=preschool.city.code,
               after={"bank": bank.code, "on": on.isoformat()})
    return registration, created
