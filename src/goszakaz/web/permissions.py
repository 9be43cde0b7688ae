"""Permissions as pure functions of (actor's role and scope, action, object) (DESIGN rule 6, A3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from goszakaz.registry.models import Role

# Actions on an object of one city: the EDU user of that city only.
CITY_ACTIONS = {
    "queue.view", "queue.actualize", "allocation.preview", "allocation.view",
    "allocation.confirm", "perechen.manage", "vouchers.grant", "voucher.life_event",
    "funding.transfer",
}


@dataclass(frozen=True)
class Actor:
    """Who is asking: role, and scope (EDU city, parent IIN, bank code, preschool id)."""

    role: str | None
    city: str | None = None
    iin: str = ""
    bank: str | None = None
    preschool: int | None = None


def actor_of(user: Any) -> Actor:
    """The Actor of a Django user (no role when not signed in or without a membership)."""
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    if membership is None:
        return Actor(role=None)
    return Actor(role=membership.role,
                 city=membership.city.code if membership.city_id else None,
                 iin=membership.iin,
                 bank=membership.bank.code if membership.bank_id else None,
                 preschool=membership.preschool_id)


def can(actor: Actor, action: str, *, city: str | None = None, parent_iin: str | None = None,
        bank: str | None = None, preschool: int | None = None) -> bool:
    """May the actor do the action on an object of this city, parent, bank or preschool?

    An EDU user acts only in its own city; a parent reaches only their own children; a bank
    only its own accounts; a preschool only its own pupils; the operator works nationally.
    """
    if action in CITY_ACTIONS:
        return actor.role == Role.EDU and city is not None and actor.city == city
    if action in ("application.view", "voucher.view"):
        if actor.role == Role.PAR:
            return bool(actor.iin) and actor.iin == parent_iin
        return actor.role == Role.EDU and city is not None and actor.city == city
    if action in ("cabinet.view", "contract.sign"):
        return actor.role == Role.PAR and bool(actor.iin) and (
            parent_iin is None or actor.iin == parent_iin)
    if action == "tariffs.manage":  # the city's norms and fees: its EDU, or the operator
        return actor.role == Role.OPR or (actor.role == Role.EDU and actor.city == city)
    if action in ("accounts.request", "operator.view"):
        return actor.role == Role.OPR
    if action in ("bank.cabinet", "bank.account"):
        return actor.role == Role.BANK and actor.bank is not None and (
            bank is None or actor.bank == bank)
    if action in ("preschool.cabinet", "preschool.pupils"):
        return actor.role == Role.PRE and actor.preschool is not None and (
            preschool is None or actor.preschool == preschool)
    return False
