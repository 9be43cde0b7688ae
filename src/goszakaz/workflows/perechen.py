"""The city's Перечень kept by EDU (A4, A6): a preschool's design capacity changed, never below
the places its contracts take; a preschool excluded from a date, its pupils' parents told; the
history of both, from the audit trail."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from goszakaz.access.actor import Actor
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.models import AuditEntry
from goszakaz.audit.services import record
from goszakaz.domain.capacity import peak_occupancy
from goszakaz.enrollment.models import Contract
from goszakaz.notifications.services import notify, notify_many
from goszakaz.registry import services as registry
from goszakaz.registry.models import Preschool, Role

HISTORY = (AuditAction.PERECHEN_INCLUDED, AuditAction.PERECHEN_CAPACITY,
           AuditAction.PRESCHOOL_EXCLUDED)


class PerechenRefused(Exception):
    """The change would break a rule of the Перечень: the message says which."""


def places_taken(*, preschool: Preschool, on: dt.date) -> int:
    """A6: the most places the preschool's contracts take on any day from `on`."""
    return peak_occupancy(preschool.contracts.values_list("starts_on", "ends_on"), on)


def change_capacity(*, preschool: Preschool, capacity: int, on: dt.date, note: str,
                    actor: Actor, now: dt.datetime) -> bool:
    """A6: the design capacity from `on` (today); refused below the places taken from then on.
    The same capacity again changes nothing (False)."""
    taken = places_taken(preschool=preschool, on=on)
    if capacity < taken:
        raise PerechenRefused(
            _("The design capacity cannot be less than the places its contracts take: "
              "%(taken)d from %(on)s.") % {"taken": taken, "on": on.strftime("%d.%m.%Y")})
    before = registry.set_capacity(preschool=preschool, capacity=capacity)
    if before == capacity:
        return False
    record(actor=actor, action=AuditAction.PERECHEN_CAPACITY, at=now, obj_type="preschool",
           obj_id=preschool.pk, city=preschool.city.code, before={"design_capacity": before},
           after={"design_capacity": capacity, "on": on.isoformat(), "note": note})
    return True


def pupils_after(*, preschool: Preschool, on: dt.date) -> list[Contract]:
    """The contracts of the preschool in force on `on` or later (their children lose the
    preschool when it leaves the Перечень from `on`)."""
    return list(preschool.contracts.filter(Q(ends_on=None) | Q(ends_on__gte=on))
                .select_related("voucher"))


def exclude_from(*, preschool: Preschool, on: dt.date, note: str, actor: Actor,
                 now: dt.datetime) -> bool:
    """A4: the preschool leaves the Перечень from `on` (no marks, no new contracts from then);
    the preschool and the parents of its pupils from that day are told, so that each parent
    chooses another preschool (A6: the Госзаказ is kept). Excluded already by then: False."""
    before = registry.exclude_preschool(preschool=preschool, on=on)
    if before is False:
        return False
    city = preschool.city.code
    pupils = pupils_after(preschool=preschool, on=on)
    record(actor=actor, action=AuditAction.PRESCHOOL_EXCLUDED, at=now, obj_type="preschool",
           obj_id=preschool.pk, city=city,
           before={"excluded_on": before.isoformat() if isinstance(before, dt.date) else None},
           after={"excluded_on": on.isoformat(), "note": note, "pupils": len(pupils)},
           children=[c.voucher_id for c in pupils])
    notify(city=city, kind="preschool_excluded", recipient_role=Role.PRE,
           recipient_key=preschool.bin, at=now, payload={"on": on.isoformat()},
           dedup_key=f"perechen_excluded/{preschool.pk}/{on.isoformat()}")
    notify_many([{"city": city, "kind": "perechen_excluded", "recipient_key":
                  c.voucher.parent_iin, "payload": {"preschool": preschool.name,
                                                     "on": on.isoformat()},
                  "dedup_key": f"perechen_excluded/{preschool.pk}/{on.isoformat()}/{c.pk}"}
                 for c in pupils], at=now)
    return True


def history(*, preschool: Preschool) -> list[AuditEntry]:
    """The preschool's inclusion, capacity changes and exclusions, newest first."""
    return list(AuditEntry.objects.filter(object_type="preschool", object_id=str(preschool.pk),
                                          action__in=[str(a) for a in HISTORY])
                .order_by("-at", "-pk"))
