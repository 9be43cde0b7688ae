"""Writing audit rows by an explicit call (never a signal)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from goszakaz.audit.models import AuditEntry


def record(
    *,
    user: Any,
    role: str,
    action: str,
    obj_type: str,
    obj_id: object,
    city: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit row; `user` may be None for the system (commands, scheduler)."""
    return AuditEntry.objects.create(
        at=timezone.now(),
        user=user if getattr(user, "is_authenticated", False) else None,
        role=role,
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        city=city,
        before=before,
        after=after,
    )


def record_many(
    *,
    user: Any,
    role: str,
    action: str,
    obj_type: str,
    entries: Iterable[tuple[object, str, dict[str, Any] | None, dict[str, Any] | None]],
) -> int:
    """Append one audit row per (obj_id, city, before, after), as `record` would, in one insert."""
    at = timezone.now()
    user = user if getattr(user, "is_authenticated", False) else None
    rows = [AuditEntry(at=at, user=user, role=role, action=action, object_type=obj_type,
                       object_id=str(obj_id), city=city, before=before, after=after)
            for obj_id, city, before, after in entries]
    AuditEntry.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
