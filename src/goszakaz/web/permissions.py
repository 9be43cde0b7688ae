"""Permissions as pure functions of (actor's role and scope, action, object) (DESIGN rule 6, A3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from goszakaz.registry.models import Role

CITY_ACTIONS = {
    "queue.view": {Role.EDU},
    "queue.actualize": {Role.EDU},
    "allocation.preview": {Role.EDU},
    "allocation.view": {Role.EDU},
    "allocation.confirm": {Role.EDU},
}


@dataclass(frozen=True)
class Actor:
    """Who is asking: role, the city of an EDU user, the IIN of a parent."""

    role: str | None
    city: str | None = None
    iin: str = ""


def actor_of(user: Any) -> Actor:
    """The Actor of a Django user (no role when not signed in or without a membership)."""
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    if membership is None:
        return Actor(role=None)
    return Actor(role=membership.role,
                 city=membership.city.code if membership.city_id else None,
                 iin=membership.iin)


def can(actor: Actor, action: str, *, city: str | None = None, parent_iin: str | None = None,
        ) -> bool:
    """May the actor do the action on an object of this city (or of this parent)?

    An EDU user acts only in its own city; a parent reaches only their own children.
    """
    if action in CITY_ACTIONS:
        return actor.role in CITY_ACTIONS[action] and city is not None and actor.city == city
    if action == "application.view":
        if actor.role == Role.PAR:
            return bool(actor.iin) and actor.iin == parent_iin
        return actor.role == Role.EDU and city is not None and actor.city == city
    if action == "cabinet.view":
        return actor.role == Role.PAR and bool(actor.iin)
    return False
