"""The only place that changes sheets: daily marks, confirmation, disputes, automatic confirmation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from goszakaz.attendance.models import (
    DOCUMENT_TYPES,
    MAX_DOCUMENT,
    SHEET_TRANSITIONS,
    UNMARKED,
    Dispute,
    Mark,
    Sheet,
    SheetState,
    SheetVersion,
)
from goszakaz.audit.services import record
from goszakaz.domain.months import last_day, month_of
from goszakaz.domain.states import IllegalTransition, needs_transition
from goszakaz.enrollment.models import Contract, Voucher, VoucherStatus
from goszakaz.notifications.services import notify
from goszakaz.registry.models import Role

RECONFIRM_DAYS = 2  # A7.16, I7: calendar days for the parent to confirm a corrected sheet


class SheetError(ValueError):
    """A mark or step the rules do not allow; the message says which, `field` names the input."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _contract_on(voucher: Voucher, day: dt.date) -> Contract | None:
    return (voucher.contracts.filter(starts_on__lte=day)
            .filter(Q(ends_on=None) | Q(ends_on__gte=day)).select_related("preschool").first())


def _save_version(sheet: Sheet, role: str) -> None:
    SheetVersion.objects.create(sheet=sheet, version=sheet.version, days=sheet.days,
                                state=sheet.state, role=role, at=timezone.now())


def sheet_for(*, voucher: Voucher, month: str) -> Sheet:
    """The child's sheet of the month, opened on first use at the preschool of the contract."""
    first = dt.date.fromisoformat(month + "-01")
    contract = _contract_on(voucher, last_day(month)) or _contract_on(voucher, first)
    if contract is None:
        raise SheetError(_("The child has no contract in that month."), "month")
    days = UNMARKED * last_day(month).day
    sheet, created = Sheet.objects.get_or_create(
        voucher=voucher, month=month,
        defaults={"preschool": contract.preschool, "city": voucher.city.code, "days": days})
    if created:
        _save_version(sheet, Role.PRE)
    return sheet


def mark(
    *, voucher: Voucher, day: dt.date, code: str, preschool_id: int, is_working_day: Any,
    actor: Any,
) -> Sheet:
    """A7.13: the preschool marks one day of a child's sheet (a new version each time).

    Only a working day inside the child's contract with this preschool, only while the sheet
    is open, only for an active voucher. `is_working_day` is the calendar's predicate.
    """
    if code not in Mark.values:
        raise SheetError(_("Unknown mark %(code)r: use P, S, A or V.") % {"code": code}, "code")
    if voucher.status == VoucherStatus.ANNULLED:
        raise SheetError(_("The voucher is annulled."), "child_iin")
    contract = _contract_on(voucher, day)
    if contract is None or contract.preschool_id != preschool_id:
        raise SheetError(_("The day is outside the child's contract with this preschool."),
                         "day")
    if not is_working_day(day):
        raise SheetError(_("%(day)s is not a working day.") % {"day": day.isoformat()}, "day")
    sheet = sheet_for(voucher=voucher, month=month_of(day))
    sheet = Sheet.objects.select_for_update().get(pk=sheet.pk)
    if sheet.state != SheetState.OPEN:
        raise SheetError(_("The sheet is no longer open."), "day")
    if sheet.days[day.day - 1] == code:
        return sheet
    sheet.days = sheet.days[:day.day - 1] + code + sheet.days[day.day:]
    sheet.version += 1
    sheet.save(update_fields=["days", "version"])
    _save_version(sheet, Role.PRE)
    return sheet


def _move(sheet: Sheet, to: str, *, on: dt.date, role: str, actor: Any, **fields: Any) -> bool:
    sheet = Sheet.objects.select_for_update().get(pk=sheet.pk)
    before = sheet.state
    if not needs_transition(before, to, SHEET_TRANSITIONS):
        return False
    sheet.state = to
    for name, value in fields.items():
        setattr(sheet, name, value)
    if to in (SheetState.CONFIRMED, SheetState.AUTO_CONFIRMED, SheetState.UPHELD):
        sheet.final_on = on
    sheet.save(update_fields=["state", "final_on", *fields])
    record(user=actor, role=role, action="sheet." + to, obj_type="sheet", obj_id=sheet.pk,
           city=sheet.city, before={"state": before}, after={"state": to})
    return True


def confirm(*, sheet: Sheet, on: dt.date, actor: Any) -> bool:
    """A7.14, A7.16: the parent confirms the sheet (or the corrected one); a repeat is a no-op."""
    if sheet.state == SheetState.OPEN and on > last_day(sheet.month):
        raise SheetError(_("The month is over: the sheet was confirmed automatically."))
    try:
        return _move(sheet, SheetState.CONFIRMED, on=on, role=Role.PAR, actor=actor,
                     parent_responded=True)
    except IllegalTransition:
        raise SheetError(_("A sheet in state “%(state)s” cannot be confirmed.")
                         % {"state": sheet.get_state_display()}) from None


def dispute(
    *, sheet: Sheet, reason: str, on: dt.date, actor: Any,
    document: UploadedFile | None = None,  # type: ignore[type-arg]
) -> Dispute:
    """A7.15: the parent disputes the sheet with a reason and an optional document."""
    if not reason.strip():
        raise SheetError(_("A dispute needs a reason."), "reason")
    if document is not None:
        name = document.name or ""
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if ext not in DOCUMENT_TYPES or (document.size or 0) > MAX_DOCUMENT:
            raise SheetError(_("The document must be PDF, JPG or PNG, at most 5 MB."), "document")
    if not _move(sheet, SheetState.DISPUTED, on=on, role=Role.PAR, actor=actor,
                 parent_responded=True):
        return sheet.dispute
    d = Dispute.objects.create(sheet=sheet, reason=reason.strip(), opened_on=on)
    if document is not None:
        d.document.save(f"sheet-{sheet.pk}.{ext}", document, save=True)
    notify(city=sheet.city, kind="sheet_disputed", recipient_role=Role.PRE,
           recipient_key=sheet.preschool.bin, payload={"sheet": sheet.pk, "month": sheet.month},
           dedup_key=f"disputed/{sheet.pk}")
    return d


def answer(*, sheet: Sheet, agree: bool, on: dt.date, actor: Any,
           corrected_days: str | None = None) -> bool:
    """A7.16: the preschool agrees (and corrects the days) or disagrees.

    Agreeing: the corrected sheet waits for the parent's confirmation for 2 calendar days (I7).
    Disagreeing: payment follows the preschool's sheet; the operator gets a risk case.
    """
    sheet = Sheet.objects.select_for_update().get(pk=sheet.pk)
    if agree:
        if corrected_days is None or len(corrected_days) != len(sheet.days) or any(
                c not in Mark.values and c != UNMARKED for c in corrected_days):
            raise SheetError(_("A corrected sheet needs one mark per day of the month."), "days")
        sheet.days, sheet.version = corrected_days, sheet.version + 1
        sheet.save(update_fields=["days", "version"])
        moved = _move(sheet, SheetState.CORRECTED, on=on, role=Role.PRE, actor=actor,
                      corrected_on=on)
        _save_version(Sheet.objects.get(pk=sheet.pk), Role.PRE)
    else:
        moved = _move(sheet, SheetState.UPHELD, on=on, role=Role.PRE, actor=actor)
        if moved:
            from goszakaz.verification.services import report_sheet_dispute

            report_sheet_dispute(sheet=sheet, on=on, actor=actor, role=Role.PRE)
    Dispute.objects.filter(sheet=sheet).update(agreed=agree, answered_on=on)
    return moved


def auto_confirm(*, today: dt.date) -> int:
    """A7.14, I7: silence is confirmation: open sheets of months that ended before `today`, and
    corrected sheets older than 2 calendar days. Running it again changes nothing."""
    count = 0
    stale = dt.date(today.year, today.month, 1) - dt.timedelta(days=1)
    for sheet in Sheet.objects.filter(state=SheetState.OPEN, month__lte=month_of(stale)):
        count += _move(sheet, SheetState.AUTO_CONFIRMED, on=last_day(sheet.month),
                       role="SYS", actor=None)
    limit = today - dt.timedelta(days=RECONFIRM_DAYS)
    for sheet in Sheet.objects.filter(state=SheetState.CORRECTED, corrected_on__lt=limit):
        corrected_on: dt.date = sheet.corrected_on  # type: ignore[assignment]
        count += _move(sheet, SheetState.AUTO_CONFIRMED,
                       on=corrected_on + dt.timedelta(days=RECONFIRM_DAYS), role="SYS", actor=None)
    return count
