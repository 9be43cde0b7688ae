"""Writing audit rows by an explicit call (never a signal): who, what, when, before and after."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from goszakaz.access.actor import Actor
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.models import AuditEntry

Json = dict[str, Any] | None


def _who(actor: Actor) -> dict[str, Any]:
    return {"user_id": actor.user_id, "role": actor.role, "client": actor.client,
            "token": actor.token}


def record(
    *, actor: Actor, action: AuditAction, at: dt.datetime, obj_type: str, obj_id: object,
    city: str = "", before: Json = None, after: Json = None, children: Sequence[int] = (),
) -> AuditEntry:
    """Append one audit row; `children` lists the vouchers a save or a read touched."""
    return AuditEntry.objects.create(
        at=at, action=AuditAction(action), object_type=obj_type, object_id=str(obj_id),
        city=city, before=before, after=after, children=sorted(set(children)), **_who(actor))


def record_many(
    *, actor: Actor, action: AuditAction, at: dt.datetime, obj_type: str,
    entries: Iterable[tuple[object, str, Json, Json, list[int]]],
) -> int:
    """Append one audit row per (obj_id, city, before, after, children), as `record` would, in
    one insert."""
    who = _who(actor)
    rows = [AuditEntry(at=at, action=AuditAction(action), object_type=obj_type,
                       object_id=str(obj_id), city=city, before=before, after=after,
                       children=children, **who)
            for obj_id, city, before, after, children in entries]
    AuditEntry.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def record_read(*, actor: Actor, at: dt.datetime, what: str, children: Iterable[int],
                city: str = "", detail: Json = None) -> AuditEntry | None:
    """A read of children's personal data (a page, an API answer, a file): one row per request
    naming every child it showed; nothing when it showed none (DESIGN rules 5 and 11)."""
    shown = sorted(set(children))
    if not shown:
        return None
    return record(actor=actor, action=AuditAction.CHILDREN_READ, at=at, obj_type="read",
                  obj_id=what, city=city, after=detail, children=shown)
