"""Onboarding a city: the Перечень (A4), the НОБД check of the city's lists (A7.3, A7.4), the
verified children sent to a bank (A7.5), the API tokens of banks' and preschools' systems."""

from __future__ import annotations

import datetime as dt

from goszakaz.access.actor import Actor
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record
from goszakaz.banking import services as banking
from goszakaz.enrollment import services as enrollment
from goszakaz.enrollment.models import VoucherStatus
from goszakaz.registry import services as registry
from goszakaz.registry.models import Bank, City, Preschool
from goszakaz.verification import services as verification
from goszakaz.verification.models import ListSubmission
from goszakaz.verification.nobd import Nobd


def issue_api_token(*, actor: Actor, now: dt.datetime, bank: Bank | None = None,
                    preschool: Preschool | None = None) -> str:
    """A new API token of a bank's or a preschool's own system: returned once, only its digest
    is kept; the issue is audited naming the token's row and holder, never its value."""
    token, row = registry.issue_token(at=now, bank=bank, preschool=preschool)
    holder = f"bank:{bank.code}" if bank is not None else f"preschool:{row.preschool_id}"
    record(actor=actor, action=AuditAction.TOKEN_ISSUED, at=now, obj_type="api_token",
           obj_id=row.pk, city=preschool.city.code if preschool is not None else "",
           after={"holder": holder})
    return token


def include_preschool(*, city: City, bin_: str, name: str, design_capacity: int,
                      included_on: dt.date, actor: Actor, now: dt.datetime) -> Preschool:
    """A4: EDU puts a preschool on the city's Перечень from a day (registered if new)."""
    preschool, before, created = registry.include_in_perechen(
        city=city, bin_=bin_, name=name, design_capacity=design_capacity,
        included_on=included_on)
    record(actor=actor, action=AuditAction.PERECHEN_INCLUDED, at=now, obj_type="preschool",
           obj_id=preschool.pk, city=city.code, before=before,
           after={"included_on": included_on.isoformat(), "created": created})
    return preschool


def check_lists(*, submission: ListSubmission, nobd: Nobd, on: dt.date, actor: Actor,
                now: dt.datetime) -> verification.VerificationSummary:
    """A7.4: the operator checks the lists against НОБД; every child with no open risk case
    is verified, and the check's deadline is met."""
    found = verification.check(submission=submission, nobd=nobd, on=on, actor=actor, now=now)
    verified = enrollment.set_status_many(voucher_ids=found.clear, to=VoucherStatus.VERIFIED,
                                          why="A7.4: НОБД", actor=actor, now=now)
    return verification.finish_check(found=found, verified=len(verified), on=on, actor=actor,
                                     now=now)


def send_to_bank(*, city: City, bank: Bank, on: dt.date, actor: Actor, now: dt.datetime) -> int:
    """A7.5: the operator puts the city's verified children without an account on the bank's
    list; their vouchers wait for the account. Returns how many were added."""
    ids = banking.request_accounts(city=city, bank=bank, on=on, actor=actor, now=now)
    enrollment.set_status_many(voucher_ids=ids, to=VoucherStatus.ACCOUNT_REQUESTED,
                               why=f"bank {bank.code}", actor=actor, now=now)
    return len(ids)
