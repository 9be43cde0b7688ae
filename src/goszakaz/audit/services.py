"""Writing audit rows by an explicit call (never a signal)."""

from __future__ import annotations

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
