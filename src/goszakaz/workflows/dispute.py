"""The preschool answers a parent's dispute of the month's sheet (A7.16): agreeing corrects the
days for the parent to confirm; disagreeing pays the preschool's sheet and opens the operator's
risk case."""

from __future__ import annotations

import datetime as dt

from goszakaz.access.actor import Actor
from goszakaz.attendance import services as attendance
from goszakaz.attendance.models import Sheet
from goszakaz.verification import services as verification


def answer_dispute(*, sheet: Sheet, agree: bool, on: dt.date, actor: Actor, now: dt.datetime,
                   corrected_days: str | None = None, reason: str = "") -> bool:
    """A7.16: the preschool's answer (a disagreement with its reason, shown on the operator's
    case); the same answer again changes nothing (False)."""
    moved = attendance.answer(sheet=sheet, agree=agree, on=on, actor=actor, now=now,
                              corrected_days=corrected_days, reason=reason)
    if moved and not agree:
        verification.report_sheet_dispute(voucher=sheet.voucher, month=sheet.month, on=on,
                                          actor=actor, now=now)
    return moved
