"""The one transition helper of every status machine (DESIGN rule 4): allowed moves, a repeat
is a no-op, an illegal move raises, each move leaves its audit row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Set
from typing import Any

from django.db import models

from goszakaz.access.actor import Actor
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record
from goszakaz.domain.states import needs_transition


def move(
    obj: models.Model, to: str, *, transitions: Mapping[str, Set[str]], actor: Actor,
    at: dt.datetime, action: AuditAction, obj_type: str, city: str, field: str = "state",
    children: tuple[int, ...] = (), detail: dict[str, Any] | None = None, **changes: Any,
) -> str | None:
    """Move `obj` (locked by the caller) to state `to` with `changes` to other fields, saved
    together with its audit row; returns the state before, or None when it was there already.
    Raises IllegalTransition for a move the table does not allow. `detail` joins the audit
    row's "after" (an amount, a count)."""
    before: str = getattr(obj, field)
    if not needs_transition(before, to, transitions):
        return None
    setattr(obj, field, to)
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save(update_fields=[field, *changes])
    record(actor=actor, action=action, at=at, obj_type=obj_type,
           obj_id=obj.pk, city=city, before={field: before}, after={field: to, **(detail or {})},
           children=children)
    return before
