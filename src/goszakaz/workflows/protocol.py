"""The operator closes a risk case by protocol (A7.4, A9): the data confirmed, or corrected where
they live (the voucher, the preschool, or a disputed sheet, whose paid month is recalculated);
a child with no case left open is verified."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from goszakaz.access.actor import Actor
from goszakaz.attendance import services as attendance
from goszakaz.attendance.models import Sheet
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record
from goszakaz.clock import local_date
from goszakaz.domain.payment import SheetError
from goszakaz.enrollment import services as enrollment
from goszakaz.enrollment.models import Voucher, VoucherStatus
from goszakaz.finance.recalculation import recalculate
from goszakaz.registry import services as registry
from goszakaz.verification import services as verification
from goszakaz.verification.models import Protocol, RiskCase, RiskCaseKind

VerificationError = verification.VerificationError


def close_by_protocol(
    *, case: RiskCase, decision: str, corrections: dict[str, Any], actor: Actor,
    now: dt.datetime, on: dt.date | None = None, number: str = "", note: str = "",
    dated: dt.date | None = None,
) -> Protocol:
    """A7.4: the protocol confirms or corrects the data; the child or preschool goes on.

    `corrections` (only with "corrected"): child_name, birth_date, child_iin of a voucher;
    name, bin of a preschool; days of a sheet the preschool upheld in a dispute (A7.16, A9).
    Closing a case again with the same decision returns its protocol; any refused correction
    is a VerificationError, and nothing is changed. `dated`: the protocol's own date (the day
    it was signed), `on` when not given.
    """
    on = on or local_date(now)
    case = verification.lock_case(case)
    if not verification.check_protocol(case=case, decision=decision, corrections=corrections):
        return case.protocol
    number = number or f"A7.4/{case.city.code}/{case.pk}"
    try:
        applied = _correct(case, corrections, number=number, on=on, actor=actor, now=now)
    except (enrollment.EnrollmentError, registry.RegistryError, SheetError) as e:
        raise VerificationError(str(e)) from None
    if corrections and not applied:
        raise VerificationError(_("The corrections change nothing: confirm the data instead."))
    protocol = verification.close_case(case=case, decision=decision, applied=applied,
                                       number=number, note=note, on=on, actor=actor, now=now,
                                       dated=dated)
    if case.voucher_id is not None:
        voucher = Voucher.objects.get(pk=case.voucher_id)
        if voucher.status == VoucherStatus.GRANTED and not verification.unresolved(voucher.pk):
            enrollment.set_status(voucher=voucher, to=VoucherStatus.VERIFIED,
                                  why="A7.4: risk cases closed by protocol", actor=actor, now=now)
    return protocol


def _correct(case: RiskCase, corrections: dict[str, Any], *, number: str, on: dt.date,
             actor: Actor, now: dt.datetime) -> dict[str, Any]:
    """Apply a protocol's corrections where the data live; field -> {before, after}."""
    if not corrections:
        return {}
    if case.kind == RiskCaseKind.SHEET_DISPUTE:
        return _correct_sheet(case, corrections, on=on, actor=actor, now=now)
    if case.voucher_id is not None:
        return enrollment.correct_voucher(voucher=Voucher.objects.get(pk=case.voucher_id),
                                          corrections=corrections, protocol=number, actor=actor,
                                          now=now)
    preschool = verification.subject_preschool(case)
    applied = registry.correct_preschool(preschool=preschool,
                                         corrections={k: str(v) for k, v in corrections.items()})
    if applied:
        record(actor=actor, action=AuditAction.PRESCHOOL_CORRECTED, at=now, obj_type="preschool",
               obj_id=preschool.pk, city=case.city.code,
               after={"fields": sorted(applied), "protocol": number})  # values stay out of audit
    return applied


def _correct_sheet(case: RiskCase, corrections: dict[str, Any], *, on: dt.date, actor: Actor,
                   now: dt.datetime) -> dict[str, Any]:
    """A7.16, A9: the operator found for the parent: the sheet's days are corrected and a month
    already paid is recalculated."""
    unknown = sorted(set(corrections) - {"days"})
    if unknown:
        raise VerificationError(_("A protocol cannot correct %(fields)s.")
                                % {"fields": ", ".join(unknown)})
    sheet = Sheet.objects.get(voucher=case.voucher, month=case.found["ours"])
    applied = attendance.correct_by_protocol(sheet=sheet, days=str(corrections["days"]).strip(),
                                             on=on, actor=actor, now=now)
    recalculate(sheet=Sheet.objects.get(pk=sheet.pk), on=on, actor=actor, now=now)
    return {"days": applied}
