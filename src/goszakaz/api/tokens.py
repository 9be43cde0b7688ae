"""Who calls the API: a request's bearer token gives its client, a bank or a preschool, as an Actor
naming the token (tokens are issued by workflows.onboarding.issue_api_token)."""

from __future__ import annotations

from dataclasses import dataclass

from goszakaz.access.actor import Actor
from goszakaz.registry.models import Bank, Preschool, Role
from goszakaz.registry.services import token_holder


@dataclass(frozen=True)
class Client:
    """Who calls the API: a bank or a preschool, and the Actor of its token."""

    actor: Actor
    bank: Bank | None = None
    preschool: Preschool | None = None


def client_of(token: str) -> Client | None:
    """The client of an active token, or None."""
    row = token_holder(token)
    if row is None:
        return None
    if row.bank is not None:
        return Client(Actor(role=Role.BANK, bank=row.bank.code, token=row.pk), bank=row.bank)
    assert row.preschool is not None
    return Client(Actor(role=Role.PRE, preschool=row.preschool.pk, token=row.pk),
                  preschool=row.preschool)
