"""The only place that changes child accounts: bank lists, opened and closed accounts, monthly lists.

What these steps change in vouchers (statuses, annulment) and risk cases is done by those apps'
services, called from workflows.bank_accounts and workflows.onboarding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from goszakaz.access.actor import Actor
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record, record_many
from goszakaz.audit.transitions import move
from goszakaz.banking.models import (
    ACCOUNT_TRANSITIONS,
    AccountStatus,
    ChildAccount,
    MonthlyBankList,
)
from goszakaz.clock import local_date
from goszakaz.deadlines.models import Deadline
from goszakaz.deadlines.services import meet_everywhere, open_deadline
from goszakaz.domain.months import first_day
from goszakaz.domain.states import needs_transition
from goszakaz.enrollment.models import Voucher, VoucherStatus
from goszakaz.notifications.models import Notification
from goszakaz.notifications.services import notify, notify_many
from goszakaz.registry.models import Bank, City, Preschool, Role
from goszakaz.registry.services import register_with_bank


class BankingError(Exception):
    """A bank step the rules do not allow; the message says which."""


class DateRefused(BankingError):
    """A date a bank reported that cannot be true of what it concerns (before the account was
    requested or opened, or in the future); nothing changed."""


def _check_day(day: dt.date, *, future: str, early: str, not_before: dt.date,
               now: dt.datetime) -> None:
    """A date from a bank is checked against what it concerns: not before `not_before`, not
    after today (Kazakhstan's date at `now`); the messages take %(day)s, %(today)s, %(on)s."""
    today = local_date(now)
    values = {"day": day.strftime("%d.%m.%Y"), "today": today.strftime("%d.%m.%Y"),
              "on": not_before.strftime("%d.%m.%Y")}
    if day > today:
        raise DateRefused(future % values)
    if day < not_before:
        raise DateRefused(early % values)


def request_accounts(*, city: City, bank: Bank, on: dt.date, actor: Actor,
                     now: dt.datetime) -> list[int]:
    """A7.5, A7.6: put every verified child of the city without an account on the bank's list;
    returns their voucher ids (the caller moves the vouchers to `account_requested`).

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
    notify_many([{"city": city.code, "kind": "bank_instructions", "recipient_key": parent,
                  "payload": {"bank": bank.name, "voucher": pk},
                  "dedup_key": f"bank-instructions/{pk}/{bank.code}"} for pk, parent in children],
                at=now)
    ids = [pk for pk, _parent in children]
    record(actor=actor, action=AuditAction.ACCOUNTS_REQUESTED, at=now, obj_type="bank",
           obj_id=bank.code, city=city.code, after={"children": len(ids), "on": on.isoformat()},
           children=ids)
    return ids


@dataclass(frozen=True)
class Opening:
    """What a bank reports of an account it opened (A7.6, A7.7)."""

    account_id: int
    number: str
    opened_on: dt.date
    parent_registered: bool


Outcome = bool | Exception  # opened now, open already under the same number, or refused
Check = Callable[[ChildAccount], Exception | None]  # the caller's last word on an opening


def account_opened(
    *, account: ChildAccount, number: str, opened_on: dt.date, parent_registered: bool,
    actor: Actor, now: dt.datetime,
) -> bool:
    """A7.6, A7.7: the bank opened the child's account (the caller makes the voucher active);
    False when it was open already under the same number. `opened_on` is not before the day the
    account was requested, nor in the future (DateRefused). (accounts_opened, for one.)"""
    outcome = accounts_opened(bank_id=account.bank_id, openings=[Opening(
        account.pk, number, opened_on, parent_registered)], actor=actor, now=now)[account.pk]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def accounts_opened(*, bank_id: int, openings: Sequence[Opening], actor: Actor,
                    now: dt.datetime, check: Check | None = None) -> dict[int, Outcome]:
    """A7.6, A7.7: accounts of one bank opened (each at most once), each decided alone: True
    opened now, False open already under the same number, or the error refusing it: a
    BankingError (a date before the request or in the future, another number, a closed
    account, a number another child has), or what `check` returns for an account that would be
    opened now (the caller's: its voucher can no longer become active). The opened ones are
    saved in one statement with their audit rows; the caller makes their vouchers active."""
    ids = [o.account_id for o in openings]
    if len(set(ids)) != len(ids):
        raise ValueError("an account is reported twice in one message")
    accounts = {a.pk: a for a in ChildAccount.objects.select_for_update().filter(
        bank_id=bank_id, pk__in=ids).order_by("pk")}
    used = dict(ChildAccount.objects.filter(bank_id=bank_id, number__in=[
        o.number for o in openings]).values_list("number", "pk"))
    outcomes: dict[int, Outcome] = {}
    opening: list[tuple[ChildAccount, Opening]] = []
    for o in openings:
        account = accounts.get(o.account_id)
        try:
            outcomes[o.account_id] = _may_open(account, o, used, now)
        except BankingError as e:
            outcomes[o.account_id] = e
            continue
        if outcomes[o.account_id] and account is not None:
            refused = check(account) if check is not None else None
            if refused is not None:
                outcomes[o.account_id] = refused
                continue
            used[o.number] = account.pk
            opening.append((account, o))
    try:
        with transaction.atomic():  # a savepoint: another child's account may take a number
            _save_opened(opening, actor, now)
    except IntegrityError:  # it did, at the same moment (the unique index decided)
        if len(opening) == 1:
            outcomes[opening[0][0].pk] = BankingError(_number_used())
            return outcomes
        for _account, o in opening:  # one by one, to find which
            outcomes.update(accounts_opened(bank_id=bank_id, openings=[o], actor=actor,
                                            now=now, check=check))
    return outcomes


def _number_used() -> str:
    return _("This account number is already used for another child.")


def _may_open(account: ChildAccount | None, o: Opening, used: dict[str, int],
              now: dt.datetime) -> bool:
    """True: the account is to be opened; False: open already under this number; raises the
    BankingError that refuses it."""
    if account is None:
        raise BankingError(_("No such account request for this bank."))
    _check_day(o.opened_on, not_before=account.requested_on, now=now,
               future=_("The account cannot be opened on %(day)s: that day has not come yet "
                        "(today is %(today)s)."),
               early=_("The account cannot be opened on %(day)s: it was requested on %(on)s."))
    if account.status == AccountStatus.OPENED:
        if account.number != o.number:
            raise BankingError(_("The account is already open under another number."))
        return False
    if account.status == AccountStatus.CLOSED:
        raise BankingError(_("The account is closed; the bank asks for a new one."))
    if used.get(o.number, account.pk) != account.pk:
        raise BankingError(_number_used())
    return needs_transition(account.status, AccountStatus.OPENED, ACCOUNT_TRANSITIONS)


def _save_opened(opening: list[tuple[ChildAccount, Opening]], actor: Actor,
                 now: dt.datetime) -> None:
    """The opened accounts and their audit rows (as audit.transitions.move leaves them)."""
    if not opening:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {ChildAccount._meta.db_table} SET status = %s, number = %s, "
            "opened_on = %s, parent_registered = %s WHERE id = %s",
            [(AccountStatus.OPENED.value, o.number, o.opened_on, o.parent_registered, a.pk)
             for a, o in opening])
    record_many(actor=actor, action=AuditAction.ACCOUNT_OPENED, at=now, obj_type="account",
                entries=[(a.pk, a.city, {"status": a.status},
                          {"status": AccountStatus.OPENED.value,
                           "opened_on": o.opened_on.isoformat()}, [a.voucher_id])
                         for a, o in opening])


def account_closed(*, account: ChildAccount, closed_on: dt.date, actor: Actor,
                   now: dt.datetime) -> bool:
    """A10: the parent ended the bank-account contract (the caller annuls the voucher); False
    when it was closed already. `closed_on` is not before the account was opened (or, never
    opened, requested), nor in the future (DateRefused). The balance's return within 5 business
    days is the ledger's."""
    account = ChildAccount.objects.select_for_update().get(pk=account.pk)
    if account.status == AccountStatus.CLOSED:
        return False
    future = _("The account cannot be closed on %(day)s: that day has not come yet (today is "
               "%(today)s).")
    if account.opened_on is not None:
        _check_day(closed_on, not_before=account.opened_on, future=future, now=now,
                   early=_("The account cannot be closed on %(day)s: it was opened on %(on)s."))
    else:
        _check_day(closed_on, not_before=account.requested_on, future=future, now=now,
                   early=_("The account cannot be closed on %(day)s: it was requested on "
                           "%(on)s."))
    return move(account, AccountStatus.CLOSED, field="status", transitions=ACCOUNT_TRANSITIONS,
                actor=actor, at=now, action=AuditAction.ACCOUNT_CLOSED, obj_type="account",
                city=account.city, children=(account.voucher_id,),
                detail={"closed_on": closed_on.isoformat()}, closed_on=closed_on) is not None


def list_due_on(month: str) -> dt.date:
    """A7.9: the bank's list for month YYYY-MM is due by the 5th of that month."""
    return first_day(month).replace(day=5)


def list_subject(bank: Bank, month: str) -> str:
    """The subject of a bank's monthly list deadline (A7.9)."""
    return f"bank-list/{bank.code}/{month}"


def list_deadline(*, bank: Bank, city: str, month: str, opened_on: dt.date) -> Deadline:
    """A7.9: the city's deadline for the bank's list of the month, due the 5th (opened once)."""
    return open_deadline(clause="A7.9", city=city, subject=list_subject(bank, month),
                         opened_on=opened_on, title=f"Ежемесячный список банка {bank.name} за "
                         f"{month}", due_on=list_due_on(month))


def banks_owing_list(*, city: City, month: str) -> list[Bank]:
    """A7.9: the banks that owe the operator a list of the city's children for the month: each
    holding an account (requested or opened) of a child of the city requested before the month
    began and not closed before it. A bank asked for accounts during the month reports them in
    the next month's list."""
    first = first_day(month)
    held = (ChildAccount.objects.filter(bank=OuterRef("pk"), city=city.code,
                                        requested_on__lt=first)
            .exclude(closed_on__lt=first))
    return list(Bank.objects.filter(Exists(held)).order_by("code"))


def receive_monthly_list(
    *, bank: Bank, month: str, opened: list[int], not_registered: list[int],
    received_on: dt.date, actor: Actor, now: dt.datetime,
) -> tuple[MonthlyBankList, list[Voucher]]:
    """A7.9: the bank's monthly list; children whose parents did not register are paid directly.

    Each such child's account is marked for direct payment to the preschool; the children are
    returned for the operator's risk verification (the caller opens one case per child) — none
    for a list received before. The list's deadline (the 5th) is met on receipt, in every city of the bank.
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
        return monthly, []
    ChildAccount.objects.filter(pk__in=not_registered).update(direct_payment=True)
    unregistered = [a.voucher for a in ChildAccount.objects.filter(pk__in=not_registered)
                    .select_related("voucher").order_by("pk")]
    subject = list_subject(bank, month)
    for city in {a.city for a in ChildAccount.objects.filter(pk__in=ids)}:
        list_deadline(bank=bank, city=city, month=month, opened_on=received_on)
    meet_everywhere(clause="A7.9", subject=subject, on=received_on)  # one list, all its cities
    record(actor=actor, action=AuditAction.BANK_LIST_RECEIVED, at=now, obj_type="bank",
           obj_id=bank.code,
           after={"month": month, "opened": len(opened), "not_registered": len(not_registered)},
           children=list(ChildAccount.objects.filter(pk__in=ids).values_list("voucher_id",
                                                                             flat=True)))
    return monthly, unregistered


def invite_preschools(*, bank: Bank, city: City, on: dt.date, now: dt.datetime) -> int:
    """A7.8: the bank invites each preschool of the city's Перечень to register, once."""
    invited = 0
    registered = set(bank.bankregistration_set.values_list("preschool_id", flat=True))
    for preschool in Preschool.objects.filter(city=city):
        key = f"bank-invite/{bank.code}/{preschool.bin}"
        if (not preschool.in_perechen(on) or preschool.pk in registered
                or Notification.objects.filter(dedup_key=key).exists()):
            continue
        notify(city=city.code, kind="bank_registration_invite", recipient_role=Role.PRE,
               recipient_key=preschool.bin, payload={"bank": bank.name}, dedup_key=key, at=now)
        invited += 1
    return invited


def register_preschool(
    *, bank: Bank, preschool_bin: str, on: dt.date, actor: Actor, now: dt.datetime
) -> bool:
    """A7.8: a preschool of the Перечень registered with the bank; once (a repeat changes
    nothing and returns False)."""
    preschool = Preschool.objects.filter(bin=preschool_bin).select_related("city").first()
    if preschool is None or not preschool.in_perechen(on):
        raise BankingError(_("No preschool with this BIN on a city's Перечень."))
    _registration, created = register_with_bank(bank=bank, preschool=preschool, on=on)
    if created:
        record(actor=actor, action=AuditAction.PRESCHOOL_REGISTERED_WITH_BANK, at=now,
               obj_type="preschool", obj_id=preschool.pk, city=preschool.city.code,
               after={"bank": bank.code, "on": on.isoformat()})
    return created
