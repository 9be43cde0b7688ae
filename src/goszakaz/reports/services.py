"""The only changes the reports app makes: the operator updates a plan-schedule milestone (P1-P5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from goszakaz.access.actor import Actor
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record
from goszakaz.audit.transitions import move
from goszakaz.reports.models import MILESTONE_TRANSITIONS, Milestone, MilestoneStatus


class MilestoneRefused(ValueError):
    """A milestone change the plan-schedule does not allow (done without a day, a day ahead)."""


def update_milestone(*, code: str, status: str, actor: Actor, now: dt.datetime, today: dt.date,
                     done_on: dt.date | None = None, note: str | None = None) -> Milestone:
    """Move milestone `code` to `status` (planned -> in progress -> done), with the day it was
    done (required for done, never after today) and a note; audited. The same status again
    changes only the note. Raises Milestone.DoesNotExist, MilestoneRefused, IllegalTransition."""
    milestone = Milestone.objects.select_for_update().get(code=code)
    if status == MilestoneStatus.DONE:
        done_on = done_on or milestone.done_on
        if done_on is None:
            raise MilestoneRefused(_("A milestone done needs the day it was done."))
        if done_on > today:
            raise MilestoneRefused(_("The day it was done is after today."))
    elif done_on is not None:
        raise MilestoneRefused(_("Only a milestone done has the day it was done."))
    changes: dict[str, Any] = {"done_on": done_on} if status == MilestoneStatus.DONE else {}
    if note is not None:
        changes["note"] = note.strip()[:500]
    before = {"status": milestone.status, "done_on": _iso(milestone.done_on),
              "note": milestone.note}
    moved = move(milestone, status, transitions=MILESTONE_TRANSITIONS, actor=actor, at=now,
                 action=AuditAction.MILESTONE_UPDATED, obj_type="milestone", city="",
                 field="status", detail={"done_on": _iso(done_on), "note": changes.get("note")},
                 **changes)
    if moved is None and changes.get("note", milestone.note) != milestone.note:
        milestone.note = str(changes["note"])
        milestone.save(update_fields=["note"])
        record(actor=actor, action=AuditAction.MILESTONE_UPDATED, at=now, obj_type="milestone",
               obj_id=milestone.pk, before=before, after={**before, "note": milestone.note})
    return milestone


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
