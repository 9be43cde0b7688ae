"""The bank API (JSON, a token per bank, Idempotency-Key on every write): A7.5-A7.10."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Header, Router, Schema, Status

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.api.auth import Allowed, client
from goszakaz.api.errors import ERRORS, Error
from goszakaz.api.idempotency import Answer, idempotent
from goszakaz.audit.services import record_read
from goszakaz.banking.models import AccountStatus, ChildAccount
from goszakaz.banking.services import BankingError, DateRefused, Opening, register_preschool
from goszakaz.domain import months
from goszakaz.domain.states import IllegalTransition
from goszakaz.enrollment.models import VoucherStatus
from goszakaz.enrollment.services import EnrollmentError
from goszakaz.registry.models import Bank
from goszakaz.workflows import bank_accounts

KEY = Header(..., alias="Idempotency-Key", min_length=1, max_length=128)  # type: ignore[type-arg]
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]  # a database id: refuse what no row can have
BATCH = 1000  # accounts a batch message may report
PAGE = 10_000  # account requests an answer lists at most


router = Router(tags=["bank"])


class AccountRequest(Schema):
    """What a bank needs to open a child's account (and no more: personal-data law)."""

    account_id: int
    child_iin: str
    child_name: str
    birth_date: dt.date
    parent_iin: str
    requested_on: dt.date


class Opened(Schema):
    account_id: Id
    number: str = Field(..., pattern=r"^KZ[0-9]{2}[0-9A-Z]{16}$", description="IBAN")
    opened_on: dt.date
    parent_registered: bool


class OpenedBatch(Schema):
    accounts: list[Opened] = Field(..., min_length=1, max_length=BATCH)


class Outcome(Schema):
    account_id: int
    status: str
    error: int | None = None
    detail: str | None = None


class BatchDone(Schema):
    results: list[Outcome]


class Closed(Schema):
    account_id: Id
    closed_on: dt.date


class MonthlyList(Schema):
    month: str = Field(..., pattern=months.PATTERN)
    opened: list[Id] = Field(default_factory=list, max_length=1_000_000)
    parents_not_registered: list[Id] = Field(default_factory=list, max_length=1_000_000)


class Registered(Schema):
    preschool_bin: str = Field(..., pattern=r"^[0-9]{12}$")
    registered_on: dt.date


class Done(Schema):
    account_id: int | None = None
    status: str


def _bank(request: HttpRequest) -> Bank:
    bank = client(request).bank
    assert bank is not None
    return bank


def _own_account(bank: Bank, account_id: int) -> ChildAccount | None:
    """A bank reaches only its own accounts."""
    return ChildAccount.objects.filter(bank=bank, pk=account_id).select_related("voucher").first()


@router.get("/account-requests", response={200: list[AccountRequest], **ERRORS},
             auth=Allowed(Action.BANK_ACCOUNTS_VIEW))
def account_requests(request: HttpRequest, after: Id | None = None,
                     limit: Annotated[int, Field(ge=1, le=PAGE)] = PAGE
                     ) -> list[dict[str, Any]]:
    """A7.5: the children this bank is asked to open accounts for (a child whose voucher was
    annulled since is no longer one), by account id, `limit` at a
    time (at most 10,000): ask again with `after` = the last account id until a page comes
    back shorter than `limit` (a city's first day can list 60,000 children)."""
    rows = ChildAccount.objects.filter(bank=_bank(request), status=AccountStatus.REQUESTED
                                       ).exclude(voucher__status=VoucherStatus.ANNULLED)
    if after is not None:
        rows = rows.filter(pk__gt=after)
    page = list(rows.order_by("pk").values_list(
        "pk", "voucher_id", "voucher__child_iin", "voucher__child_name", "voucher__birth_date",
        "voucher__parent_iin", "requested_on")[:limit])
    record_read(actor=client(request).actor, at=clock.now(), what="api:bank:account-requests",
                children=[r[1] for r in page])
    return [{"account_id": pk, "child_iin": iin, "child_name": name, "birth_date": birth,
             "parent_iin": parent, "requested_on": on}
            for pk, _voucher, iin, name, birth, parent, on in page]


@router.post("/accounts/opened", response={200: Done, **ERRORS, 404: Error, 409: Error},
             auth=Allowed(Action.BANK_ACCOUNTS_REPORT))
def accounts_opened(request: HttpRequest, body: Opened, idempotency_key: str = KEY) -> Status[dict[str, Any]]:
    """A7.6, A7.7: an account was opened for a child on the list (422: a date before the
    account was requested, or in the future; nothing changes)."""
    bank, actor, now = _bank(request), client(request).actor, clock.now()

    def handle() -> Answer:
        account = _own_account(bank, body.account_id)
        if account is None:
            return 404, {"detail": "no such account request for this bank"}
        try:
            bank_accounts.account_opened(account=account, number=body.number,
                                         opened_on=body.opened_on,
                                         parent_registered=body.parent_registered, actor=actor,
                                         now=now)
        except DateRefused as e:
            return 422, {"detail": str(e)}
        except (BankingError, EnrollmentError, IllegalTransition) as e:
            return 409, {"detail": str(e)}
        return 200, {"account_id": account.pk, "status": AccountStatus.OPENED}

    return Status(*idempotent(client=bank, key=idempotency_key, path="accounts/opened",
                              body=body.dict(), handler=handle, now=now))


@router.post("/accounts/opened/batch", response={200: BatchDone, **ERRORS, 404: Error},
             auth=Allowed(Action.BANK_ACCOUNTS_REPORT))
def accounts_opened_batch(request: HttpRequest, body: OpenedBatch,
                          idempotency_key: str = KEY) -> Status[dict[str, Any]]:
    """A7.6, A7.7: up to 1,000 accounts opened, in one message (a bank opening a city's accounts
    in its first week saves a request per child). Each account is its own fact: one refused
    (a date before the request or in the future: 422; a number or a state that does not fit:
    409) is answered in its place and the others are opened. An account that is not this
    bank's refuses the whole message (404), as the single message does."""
    bank, actor, now = _bank(request), client(request).actor, clock.now()

    def handle() -> Answer:
        wanted = [item.account_id for item in body.accounts]
        twice = sorted(i for i, n in Counter(wanted).items() if n > 1)
        if twice:
            return 422, {"detail": "an account is reported twice in one message: "
                         + ", ".join(map(str, twice[:5]))}
        own = set(ChildAccount.objects.filter(bank=bank, pk__in=wanted)
                  .values_list("pk", flat=True))
        strangers = sorted(set(wanted) - own)
        if strangers:
            return 404, {"detail": "no such account request for this bank: "
                         + ", ".join(map(str, strangers[:5]))}
        try:
            outcomes = bank_accounts.accounts_opened(bank=bank, openings=[
                Opening(i.account_id, i.number, i.opened_on, i.parent_registered)
                for i in body.accounts], actor=actor, now=now)
        except IllegalTransition as e:  # a voucher annulled at this very moment: send it again
            return 409, {"detail": str(e)}
        return 200, {"results": [_outcome(i.account_id, outcomes[i.account_id])
                                 for i in body.accounts]}

    return Status(*idempotent(client=bank, key=idempotency_key, path="accounts/opened/batch",
                              body=body.dict(), handler=handle, now=now))


def _outcome(account_id: int, outcome: bool | Exception) -> dict[str, Any]:
    """One account's answer in a batch: opened, or refused with the single message's status."""
    if outcome is True or outcome is False:
        return {"account_id": account_id, "status": AccountStatus.OPENED}
    return {"account_id": account_id, "status": "refused",
            "error": 422 if isinstance(outcome, DateRefused) else 409, "detail": str(outcome)}


@router.post("/accounts/closed", response={200: Done, **ERRORS, 404: Error, 409: Error},
             auth=Allowed(Action.BANK_ACCOUNTS_REPORT))
def accounts_closed(request: HttpRequest, body: Closed, idempotency_key: str = KEY) -> Status[dict[str, Any]]:
    """A10: the parent ended the bank-account contract (422: a date before the account was
    opened, or in the future; nothing changes). A closure dated in a month already paid takes
    effect from the first unpaid day (A9)."""
    bank, actor, now = _bank(request), client(request).actor, clock.now()

    def handle() -> Answer:
        account = _own_account(bank, body.account_id)
        if account is None:
            return 404, {"detail": "no such account for this bank"}
        try:
            bank_accounts.account_closed(account=account, closed_on=body.closed_on,
                                         actor=actor, now=now)
        except DateRefused as e:
            return 422, {"detail": str(e)}
        except (BankingError, EnrollmentError, IllegalTransition) as e:
            return 409, {"detail": str(e)}
        return 200, {"account_id": account.pk, "status": AccountStatus.CLOSED}

    return Status(*idempotent(client=bank, key=idempotency_key, path="accounts/closed",
                              body=body.dict(), handler=handle, now=now))


@router.post("/monthly-lists", response={200: Done, **ERRORS, 409: Error},
             auth=Allowed(Action.BANK_ACCOUNTS_REPORT))
def monthly_lists(
    request: HttpRequest, body: MonthlyList, idempotency_key: str = KEY
) -> Status[dict[str, Any]]:
    """A7.9: the list of the month, by the 5th: accounts opened, parents not registered."""
    bank, actor, now = _bank(request), client(request).actor, clock.now()

    def handle() -> Answer:
        try:
            bank_accounts.monthly_list(bank=bank, month=body.month, opened=body.opened,
                                       not_registered=body.parents_not_registered,
                                       received_on=clock.local_date(now), actor=actor, now=now)
        except BankingError as e:
            return 409, {"detail": str(e)}
        return 200, {"status": "received"}

    return Status(*idempotent(client=bank, key=idempotency_key, path="monthly-lists",
                              body=body.dict(), handler=handle, now=now))


@router.post("/preschools/registered", response={200: Done, **ERRORS, 409: Error},
             auth=Allowed(Action.BANK_PRESCHOOL_REGISTER))
def preschools_registered(
    request: HttpRequest, body: Registered, idempotency_key: str = KEY
) -> Status[dict[str, Any]]:
    """A7.8: a preschool of the Перечень registered with this bank (once; a repeat changes nothing)."""
    bank, actor, now = _bank(request), client(request).actor, clock.now()

    def handle() -> Answer:
        try:
            created = register_preschool(bank=bank, preschool_bin=body.preschool_bin,
                                         on=body.registered_on, actor=actor, now=now)
        except BankingError as e:
            return 409, {"detail": str(e)}
        return 200, {"status": "registered" if created else "already registered"}

    return Status(*idempotent(client=bank, key=idempotency_key, path="preschools/registered",
                              body=body.dict(), handler=handle, now=now))
