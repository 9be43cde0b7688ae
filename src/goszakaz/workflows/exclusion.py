"""An exclusion (A7.4): the operator's notice to the city department, and EDU excluding the child
(the voucher annulled) or the preschool (off the Перечень)."""

from __future__ import annotations

import datetime as dt

from goszakaz.access.actor import Actor
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record
from goszakaz.clock import local_date
from goszakaz.enrollment.models import AnnulmentReason, Voucher
from goszakaz.registry import services as registry
from goszakaz.verification import services as verification
from goszakaz.verification.models import RiskCase
from goszakaz.workflows import annulment


def request_exclusion(*, case: RiskCase, actor: Actor, now: dt.datetime,
                      on: dt.date | None = None, note: str = "", number: str = "") -> RiskCase:
    """A7.4: the operator notifies the city department to exclude (with the operator's document
    number, kept); asking again sends nothing."""
    return verification.request_exclusion(case=case, on=on or local_date(now), actor=actor,
                                          now=now, note=note, number=number)


def exclude(*, case: RiskCase, on: dt.date, actor: Actor, now: dt.datetime) -> bool:
    """A7.4: EDU, on the operator's notice, excludes the child (the voucher is annulled, the
    parent told) or the preschool (off the Перечень from `on`, the preschool told). Again: a
    no-op (False); without the notice: IllegalTransition."""
    case = verification.lock_case(case)
    if not verification.may_exclude(case):
        return False
    if case.voucher_id is not None:
        annulment.annul(voucher=Voucher.objects.get(pk=case.voucher_id),
                        reason=AnnulmentReason.EXCLUDED, on=on, actor=actor, now=now)
    else:
        preschool = verification.subject_preschool(case)
        before = registry.exclude_preschool(preschool=preschool, on=on)
        if before is not False:
            record(actor=actor, action=AuditAction.PRESCHOOL_EXCLUDED, at=now,
                   obj_type="preschool", obj_id=preschool.pk, city=case.city.code,
                   before={"excluded_on": before.isoformat() if isinstance(before, dt.date)
                           else None},
                   after={"excluded_on": on.isoformat(), "risk_case": case.pk})
    return verification.mark_excluded(case=case, on=on, actor=actor, now=now)
