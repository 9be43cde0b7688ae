"""API tokens of banks and preschools: made here, shown once, stored only as their SHA-256; a
request's token gives its client (the bank or preschool, as an Actor naming the token)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from goszakaz.access.actor import Actor
from goszakaz.api.models import ApiToken
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record
from goszakaz.registry.models import Bank, Preschool, Role


@dataclass(frozen=True)
class Client:
    """Who calls the API: a bank or a preschool, and the Actor of its token."""

    actor: Actor
    bank: Bank | None = None
    preschool: Preschool | None = None


def digest(token: str) -> str:
    """The SHA-256 of a token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, actor: Actor, now: dt.datetime, bank: Bank | None = None,
                preschool: Preschool | None = None) -> str:
    """A new API token of a bank or a preschool's own system: returned once, only its digest is
    kept; the issue is audited (naming the token, never its value)."""
    if (bank is None) == (preschool is None):
        raise ValueError("a token belongs to one bank or one preschool")
    token = secrets.token_urlsafe(32)
    row = ApiToken.objects.create(token_sha256=digest(token), created_at=now, bank=bank,
                                  preschool=preschool)
    holder = f"bank:{bank.code}" if bank else f"preschool:{preschool.pk}"  # type: ignore[union-attr]
    record(actor=actor, action=AuditAction.TOKEN_ISSUED, at=now, obj_type="api_token",
           obj_id=row.pk, city=preschool.city.code if preschool else "",
           after={"holder": holder})
    return token


def client_of(token: str) -> Client | None:
    """The client of an active token, or None."""
    row = (ApiToken.objects.select_related("bank", "preschool")
           .filter(token_sha256=digest(token), active=True).first())
    if row is None:
        return None
    if row.bank is not None:
        return Client(Actor(role=Role.BANK, bank=row.bank.code, token=row.pk), bank=row.bank)
    assert row.preschool is not None
    return Client(Actor(role=Role.PRE, preschool=row.preschool.pk, token=row.pk),
                  preschool=row.preschool)
