"""A preschool's groups and staff accounts, audited: the registry changes them, the trail records
who did it (the registry sits below the audit trail)."""

from __future__ import annotations

import datetime as dt

from goszakaz.access.actor import Actor
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record
from goszakaz.registry import services as registry
from goszakaz.registry.models import Group, Membership, Preschool


def create_group(*, preschool: Preschool, name: str, age_group: str, actor: Actor,
                 now: dt.datetime) -> Group:
    """A new group of the preschool."""
    group = registry.create_group(preschool=preschool, name=name, age_group=age_group)
    record(actor=actor, action=AuditAction.GROUP_CREATED, at=now, obj_type="group",
           obj_id=group.pk, city=preschool.city.code,
           after={"name": group.name, "age_group": group.age_group})
    return group


def change_group(*, group: Group, changes: dict[str, object], actor: Actor,
                 now: dt.datetime) -> bool:
    """Rename, set the age group, archive or restore; False when nothing changed."""
    before, after = registry.change_group(group=group, changes=changes)
    if after:
        record(actor=actor, action=AuditAction.GROUP_CHANGED, at=now, obj_type="group",
               obj_id=group.pk, city=group.preschool.city.code, before=before, after=after)
    return bool(after)


def create_teacher(*, group: Group, username: str, password: str, actor: Actor,
                   now: dt.datetime) -> Membership:
    """A teacher's account for the group (the password is never recorded)."""
    membership = registry.create_teacher(group=group, username=username, password=password)
    record(actor=actor, action=AuditAction.STAFF_CREATED, at=now, obj_type="user",
           obj_id=membership.user_id, city=group.preschool.city.code,
           after={"username": membership.user.get_username(), "group": group.pk})
    return membership


def deactivate_staff(*, membership: Membership, actor: Actor, now: dt.datetime) -> bool:
    """A teacher's account can no longer sign in; False if it already could not."""
    done = registry.deactivate_staff(membership=membership)
    if done:
        record(actor=actor, action=AuditAction.STAFF_DEACTIVATED, at=now, obj_type="user",
               obj_id=membership.user_id, city=membership.preschool.city.code if
               membership.preschool else "", before={"active": True}, after={"active": False})
    return done
