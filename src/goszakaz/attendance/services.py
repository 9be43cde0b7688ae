"""The only place that changes sheets: daily marks, confirmation, disputes, automatic confirmation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from goszakaz.access.actor import SYSTEM, Actor
from goszakaz.attendance import sheet_totals
from goszakaz.attendance.models import (
    DOCUMENT_TYPES,
    FINAL,
    MARK_CODES,
    MAX_DOCUMENT,
    REASON_MAX,
    SHEET_TRANSITIONS,
    UNMARKED,
    Dispute,
    Sheet,
    SheetState,
    SheetVersion,
)
from goszakaz.attendance.reconfirm import meet_reconfirmation, open_reconfirmation
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record, record_many
from goszakaz.audit.transitions import move
from goszakaz.clock import local_date
from goszakaz.domain.calendar import OutsideCalendar
from goszakaz.domain.months import last_day, month_of
from goszakaz.domain.payment import SheetError
from goszakaz.domain.states import IllegalTransition
from goszakaz.enrollment.models import Contract, Voucher, VoucherStatus
from goszakaz.files import document_kind
from goszakaz.notifications.services import notify
from goszakaz.registry.models import City, Preschool, Role
from goszakaz.rules.calendar import kz_calendar

WorkingDay = Callable[[dt.date], bool]  # the calendar's predicate: is the day a working day?
RECONFIRM_DAYS = 2  # A7.16, I7: calendar days for the parent to confirm a corrected sheet
STATE_ACTIONS = {
    SheetState.CONFIRMED: AuditAction.SHEET_CONFIRMED,
    SheetState.AUTO_CONFIRMED: AuditAction.SHEET_AUTO_CONFIRMED,
    SheetState.DISPUTED: AuditAction.SHEET_DISPUTED,
    SheetState.CORRECTED: AuditAction.SHEET_CORRECTED,
    SheetState.UPHELD: AuditAction.SHEET_UPHELD,
}


def _contract_on(voucher: Voucher, day: dt.date) -> Contract | None:
    return (voucher.contracts.filter(starts_on__lte=day)
            .filter(Q(ends_on=None) | Q(ends_on__gte=day)).select_related("preschool").first())


def sheet_for(*, voucher: Voucher, month: str, now: dt.datetime) -> Sheet:
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
        _save_versions([sheet], Role.PRE, now)
    return sheet


@dataclass
class Marks:
    """What a batch of marks did: the refused ones by their index (then nothing was saved),
    the sheets after it by (voucher id, month), and how many marks changed a day."""

    refused: list[tuple[int, SheetError]] = field(default_factory=list)
    sheets: dict[tuple[int, str], Sheet] = field(default_factory=dict)
    changed: int = 0


def mark(
    *, voucher: Voucher, day: dt.date, code: str, preschool_id: int, is_working_day: WorkingDay,
    actor: Actor, now: dt.datetime,
) -> Sheet:
    """A7.13: the preschool marks one day of a child's sheet (see mark_many)."""
    done = mark_many(preschool_id=preschool_id, marks=[(voucher, day, code)],
                     is_working_day=is_working_day, actor=actor, now=now)
    if done.refused:
        raise done.refused[0][1]
    return done.sheets[(voucher.pk, month_of(day))]


def mark_many(
    *, preschool_id: int, marks: Sequence[tuple[Voucher, dt.date, str]], is_working_day: WorkingDay,
    actor: Actor, now: dt.datetime,
) -> Marks:
    """A7.13: the preschool marks days of its children's sheets: all of the marks or none.

    A mark is refused unless its code is P, S, A or V, the day is not in the future (the sheet
    is filled daily), the child's contract with this preschool covers it (an annulled voucher's
    days before the annulment stay the preschool's to mark, A10-A13), the preschool is on the
    Перечень then (A4), it is a working day (`is_working_day`, the calendar's predicate) and
    the sheet is still open. Each sheet that
    changes gets one new version for the batch; a mark equal to the day's changes nothing. The
    batch leaves one audit row naming the children whose sheets it changed.
    """
    done = Marks()
    if not marks:
        return done
    today = local_date(now)
    preschool = Preschool.objects.select_related("city").get(pk=preschool_id)
    voucher_ids = {v.pk for v, _day, _code in marks}
    contracts = _contract_terms(voucher_ids, preschool_id)
    months = {month_of(day) for _v, day, _code in marks}
    sheets = {(s.voucher_id, s.month): s for s in Sheet.objects.select_for_update().filter(
        voucher_id__in=voucher_ids, month__in=months)}
    for i, (voucher, day, code) in enumerate(marks):
        why = _refusal(voucher, day, code, preschool, contracts.get(voucher.pk, []),
                       sheets.get((voucher.pk, month_of(day))), today, is_working_day)
        if why is not None:
            done.refused.append((i, why))
    if done.refused:
        return done
    _open_sheets(sheets, marks, preschool, now)
    touched: dict[int, Sheet] = {}
    for voucher, day, code in marks:
        sheet = sheets[(voucher.pk, month_of(day))]
        if sheet.days[day.day - 1] != code:
            sheet.days = sheet.days[:day.day - 1] + code + sheet.days[day.day:]
            touched[sheet.pk] = sheet
            done.changed += 1
    for sheet in touched.values():
        sheet.version += 1
    _save_days(list(touched.values()))
    _save_versions(list(touched.values()), Role.PRE, now)
    if touched:
        record(actor=actor, action=AuditAction.SHEET_MARKED, at=now, obj_type="preschool",
               obj_id=preschool_id, city=preschool.city.code,
               after={"marks": done.changed, "months": sorted(months)},
               children=[s.voucher_id for s in touched.values()])
    done.sheets = {key: sheets[key] for key in {(v.pk, month_of(day)) for v, day, _c in marks}}
    return done


Terms = list[tuple[dt.date, dt.date | None]]  # a child's contracts with one preschool


def _contract_terms(voucher_ids: set[int], preschool_id: int) -> dict[int, Terms]:
    """Each child's contract terms (start, end) with this preschool, in one query."""
    terms: dict[int, Terms] = {}
    for voucher_id, start, end in (Contract.objects.filter(
            preschool_id=preschool_id, voucher_id__in=voucher_ids)
            .values_list("voucher_id", "starts_on", "ends_on")):
        terms.setdefault(voucher_id, []).append((start, end))
    return terms


def _covers(terms: Terms, day: dt.date) -> bool:
    """Does one of the contracts cover the day?"""
    return any(start <= day and (end is None or day <= end) for start, end in terms)


def _refusal(voucher: Voucher, day: dt.date, code: str, preschool: Preschool,
             contracts: Terms, sheet: Sheet | None,
             today: dt.date, is_working_day: WorkingDay) -> SheetError | None:
    """Why one mark of mark_many is refused, or None."""
    if code not in MARK_CODES:
        return SheetError(_("Unknown mark %(code)r: use P, S, A or V.") % {"code": code}, "code")
    if day > today:
        return SheetError(_("%(day)s has not come yet: the sheet is filled day by day.")
                          % {"day": day.isoformat()}, "day")
    if not _covers(contracts, day) or (sheet is not None and sheet.preschool_id != preschool.pk):
        if voucher.status == VoucherStatus.ANNULLED:  # its contract ended the day before
            return SheetError(_("The voucher is annulled."), "child_iin")
        return SheetError(_("The day is outside the child's contract with this preschool."),
                          "day")
    if not preschool.city.in_pilot(day):
        return SheetError(_("%(day)s is outside the city's pilot period.")
                          % {"day": day.isoformat()}, "day")
    if not preschool.in_perechen(day):
        return SheetError(_("The preschool is not on the city's list on %(day)s.")
                          % {"day": day.isoformat()}, "day")
    try:
        working = is_working_day(day)
    except OutsideCalendar as e:
        return SheetError(str(e), "day")
    if not working:
        return SheetError(_("%(day)s is not a working day.") % {"day": day.isoformat()}, "day")
    if sheet is not None and sheet.state != SheetState.OPEN and sheet.days[day.day - 1] != code:
        return SheetError(_("The sheet is no longer open."), "day")  # the same mark: no change
    return None


def _open_sheets(sheets: dict[tuple[int, str], Sheet],
                 marks: Sequence[tuple[Voucher, dt.date, str]], preschool: Preschool,
                 now: dt.datetime) -> None:
    """Open (version 1, nothing marked) the sheets the marks need that do not exist yet."""
    new: dict[tuple[int, str], Sheet] = {}
    for voucher, day, _code in marks:
        key = (voucher.pk, month_of(day))
        if key not in sheets and key not in new:
            new[key] = Sheet(voucher=voucher, month=key[1], preschool=preschool,
                             city=preschool.city.code, days=UNMARKED * last_day(key[1]).day)
    Sheet.objects.bulk_create(list(new.values()))  # PostgreSQL and SQLite return the new ids
    _save_versions(list(new.values()), Role.PRE, now)
    sheets.update(new)


def _save_days(sheets: list[Sheet]) -> None:
    """The new days and version of each sheet, in one executemany (bulk_update's CASE over a
    group's sheets costs the ORM more than the database: 18 ms a day page)."""
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {Sheet._meta.db_table} SET days = %s, version = %s "
                           "WHERE id = %s", [(s.days, s.version, s.pk) for s in sheets])


def _save_versions(changed: list[Sheet], role: str, now: dt.datetime) -> None:
    """A new version row of each changed sheet, in one executemany: bulk_create asks for the new
    ids back and builds a model per row, a quarter of a day page's marking for nothing."""
    if not changed:
        return
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {SheetVersion._meta.db_table} (sheet_id, version, days, state, role, at)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [(s.pk, s.version, s.days, s.state, role, at) for s in changed])


def _move(sheet: Sheet, to: str, *, on: dt.date, actor: Actor, now: dt.datetime,
          **fields: Any) -> bool:
    sheet = Sheet.objects.select_for_update().get(pk=sheet.pk)
    if to in FINAL:
        fields["final_on"] = on
        fields["incomplete"] = bool(_unmarked_sheets([_Row.of(sheet)]))
    was = sheet.state
    moved = move(sheet, to, transitions=SHEET_TRANSITIONS, actor=actor, at=now,
                 action=STATE_ACTIONS[SheetState(to)], obj_type="sheet", city=sheet.city,
                 children=(sheet.voucher_id,), **fields) is not None
    if moved and was == SheetState.CORRECTED:  # A7.16, I7: the parent's term is over
        meet_reconfirmation(sheet=sheet, on=on)
    if moved and to in FINAL:  # final on a day the reports' totals already hold
        sheet_totals.recount(city=sheet.city, month=sheet.month, final_on=on,
                             preschool_id=sheet.preschool_id)
    return moved


def window_opens(sheet: Sheet) -> dt.date:
    """I17: the first day the parent may confirm or dispute the month's sheet.

    The month's last working day inside the city's pilot period (L), once the preschool has
    marked it; unmarked, the day after (the end of day L). When L is not a day of the child's
    contract with the sheet's preschool there is nothing left to mark, and when L is the month's
    last calendar day the window would be empty: then it opens on L (docs/readings.md).
    """
    month_first = dt.date.fromisoformat(sheet.month + "-01")
    last = last_day(sheet.month)
    city = City.objects.get(code=sheet.city)
    pilot_last = min(last, city.pilot_end or last)
    days = kz_calendar(month_first.year).working_days(month_first, pilot_last)
    if not days:  # no working day of the pilot in the month: never before the month's end
        return last
    final_working = days[-1]
    if sheet.days[final_working.day - 1] != UNMARKED or final_working == last:
        return final_working
    terms = _contract_terms({sheet.voucher_id}, sheet.preschool_id).get(sheet.voucher_id, [])
    if not _covers(terms, final_working):
        return final_working
    return final_working + dt.timedelta(days=1)


@dataclass(frozen=True)
class AnswerWindow:
    """The parent's window on a sheet: `opens`..`closes` (None when there is none to come),
    what may be done on the day asked about, and `silent`: the window is over without an
    answer, so the sheet is (or, by the next `tick`, becomes) confirmed automatically."""

    opens: dt.date | None
    closes: dt.date | None
    confirm: bool
    dispute: bool
    silent: bool

    @property
    def before(self) -> bool:
        """The window is still to come."""
        return self.opens is not None and not (self.confirm or self.silent)


NO_WINDOW = AnswerWindow(None, None, False, False, False)


def answer_window(sheet: Sheet, on: dt.date) -> AnswerWindow:
    """What the parent may do with the sheet on `on` (the pages ask it, `confirm` and `dispute`
    enforce it). I17, A7.14: an open sheet from window_opens to the month's last day; A7.16,
    I7: a corrected one within 2 calendar days of the correction, never before the month's
    window (no confirmation closes a month still being marked); a final or disputed sheet:
    nothing to do."""
    if sheet.state == SheetState.OPEN:
        opens, closes = window_opens(sheet), last_day(sheet.month)
        inside = opens <= on <= closes
        return AnswerWindow(opens, closes, inside, inside, on > closes)
    if sheet.state == SheetState.CORRECTED and sheet.corrected_on is not None:
        opens = max(sheet.corrected_on, window_opens(sheet))
        closes = reconfirm_by(sheet.corrected_on)
        return AnswerWindow(opens, closes, opens <= on <= closes, False, on > closes)
    return NO_WINDOW


def _check_window(sheet: Sheet, on: dt.date) -> None:
    """Refuse an answer outside the sheet's window (answer_window); a sheet in another state
    is left to its transition table."""
    window = answer_window(sheet, on)
    if window.confirm or window.opens is None:
        return
    if window.silent:
        raise SheetError(_("The 2 days to confirm the corrected sheet are over: it was "
                           "confirmed automatically.") if sheet.state == SheetState.CORRECTED
                         else _("The month is over: the sheet was confirmed automatically."))
    raise SheetError(_("The month's sheet can be confirmed or disputed from %(day)s, once "
                       "the preschool has marked the month's last working day.")
                     % {"day": window.opens.strftime("%d.%m.%Y")})


def reconfirm_by(corrected_on: dt.date) -> dt.date:
    """A7.16, I7: the last day the parent confirms a sheet corrected on `corrected_on`."""
    return corrected_on + dt.timedelta(days=RECONFIRM_DAYS)


def confirm(*, sheet: Sheet, on: dt.date, actor: Actor, now: dt.datetime) -> bool:
    """A7.14, A7.16: the parent confirms the sheet (or the corrected one) in its window (I17);
    a repeat is a no-op."""
    _check_window(sheet, on)
    try:
        return _move(sheet, SheetState.CONFIRMED, on=on, actor=actor, now=now,
                     parent_responded=True)
    except IllegalTransition:
        raise SheetError(_("A sheet in state “%(state)s” cannot be confirmed.")
                         % {"state": _state_now(sheet)}) from None


def _state_now(sheet: Sheet) -> str:
    """The sheet's state as it is now (read under the lock _move took: what another request,
    the winner of a race, made of it), for the loser's refusal."""
    return Sheet.objects.get(pk=sheet.pk).get_state_display()


def dispute(
    *, sheet: Sheet, reason: str, on: dt.date, actor: Actor, now: dt.datetime,
    document: UploadedFile | None = None,  # type: ignore[type-arg]
) -> Dispute:
    """A7.15: the parent disputes the sheet in its window (I17) with a reason and an optional
    document."""
    if not reason.strip():
        raise SheetError(_("A dispute needs a reason."), "reason")
    if len(reason.strip()) > REASON_MAX:
        raise SheetError(_("The reason is longer than %(max)d characters.") % {"max": REASON_MAX},
                         "reason")
    _check_window(sheet, on)
    if document is not None:  # by its content, never by the name it came with
        head = document.read(16)
        document.seek(0)
        ext = document_kind(head) or ""
        if ext not in DOCUMENT_TYPES or (document.size or 0) > MAX_DOCUMENT:
            raise SheetError(_("The document must be a PDF, JPEG, PNG or HEIC file, at most "
                               "5 MB."), "document")
    try:
        moved = _move(sheet, SheetState.DISPUTED, on=on, actor=actor, now=now,
                      parent_responded=True)
    except IllegalTransition:  # confirmed meanwhile (another window, another request)
        raise SheetError(_("A sheet in state “%(state)s” cannot be disputed.")
                         % {"state": _state_now(sheet)}) from None
    if not moved:
        return Dispute.objects.get(sheet=sheet)
    d = Dispute.objects.create(sheet=sheet, reason=reason.strip(), opened_on=on)
    if document is not None:
        d.document.save(f"sheet-{sheet.pk}.{ext}", document, save=True)
    notify(city=sheet.city, kind="sheet_disputed", recipient_role=Role.PRE,
           recipient_key=sheet.preschool.bin, payload={"sheet": sheet.pk, "month": sheet.month},
           dedup_key=f"disputed/{sheet.pk}", at=now)
    return d


def answer(*, sheet: Sheet, agree: bool, on: dt.date, actor: Actor, now: dt.datetime,
           corrected_days: str | None = None, reason: str = "") -> bool:
    """A7.16: the preschool agrees (and corrects the days) or disagrees; True when it moved.

    Agreeing: the corrected sheet waits for the parent's confirmation for 2 calendar days (I7).
    Disagreeing needs the preschool's reason (kept for the operator): payment follows the
    preschool's sheet; the operator gets a risk case (opened by the caller, workflows.dispute).
    Only a disputed sheet is answered; the same answer again changes nothing. The parent is
    told either way.
    """
    sheet = Sheet.objects.select_for_update().get(pk=sheet.pk)
    repeat = SheetState.CORRECTED if agree else SheetState.UPHELD
    if sheet.state == repeat and (not agree or corrected_days == sheet.days):
        return False
    if sheet.state != SheetState.DISPUTED:
        raise SheetError(_("Only a disputed sheet is answered; this one is “%(state)s”.")
                         % {"state": sheet.get_state_display()})
    reason = "" if agree else reason.strip()
    if not agree and not reason:
        raise SheetError(_("Say why you disagree: the operator reads it."), "reason")
    if len(reason) > REASON_MAX:
        raise SheetError(_("The reason is longer than %(max)d characters.") % {"max": REASON_MAX},
                         "reason")
    if agree:
        corrected = corrected_days or ""
        _check_days(sheet, corrected, today=on)
        sheet.days, sheet.version = corrected, sheet.version + 1
        sheet.save(update_fields=["days", "version"])
        moved = _move(sheet, SheetState.CORRECTED, on=on, actor=actor, now=now,
                      corrected_on=on)
        open_reconfirmation(sheet=sheet, corrected_on=on,
                            due_on=on + dt.timedelta(days=RECONFIRM_DAYS))
        _save_versions([Sheet.objects.get(pk=sheet.pk)], Role.PRE, now)
    else:
        moved = _move(sheet, SheetState.UPHELD, on=on, actor=actor, now=now)
    Dispute.objects.filter(sheet=sheet).update(agreed=agree, answered_on=on,
                                               answer_reason=reason)
    voucher = Voucher.objects.only("parent_iin").get(pk=sheet.voucher_id)
    notify(city=sheet.city, kind="dispute_agreed" if agree else "dispute_upheld",
           recipient_key=voucher.parent_iin, payload={
               "sheet": sheet.pk, "month": sheet.month,
               "until": (on + dt.timedelta(days=RECONFIRM_DAYS)).strftime("%d.%m.%Y")},
           dedup_key=f"answered/{sheet.pk}", at=now)
    return moved


def _check_days(sheet: Sheet, days: str, today: dt.date | None = None) -> None:
    """A corrected month of marks: one per day, and each changed mark on a working day of the
    child's contract with the sheet's preschool (A7.13), none after `today` (no day is marked
    before it comes)."""
    if len(days) != len(sheet.days) or any(c not in MARK_CODES and c != UNMARKED for c in days):
        raise SheetError(_("A corrected sheet needs one mark per day of the month."), "days")
    first = dt.date.fromisoformat(sheet.month + "-01")
    calendar = kz_calendar(first.year)
    terms = _contract_terms({sheet.voucher_id}, sheet.preschool_id).get(sheet.voucher_id, [])
    for i, code in enumerate(days):
        day = first.replace(day=i + 1)
        if code == UNMARKED or code == sheet.days[i]:
            continue
        if today is not None and day > today:
            raise SheetError(_("%(day)s has not come yet: the sheet is filled day by day.")
                             % {"day": day.strftime("%d.%m.%Y")}, "days")
        if not _covers(terms, day):
            raise SheetError(_("The day is outside the child's contract with this preschool.")
                             + f" ({day.isoformat()})", "days")
        if not calendar.is_working_day(day):
            raise SheetError(_("%(day)s is not a working day.") % {"day": day.isoformat()},
                             "days")


def correct_by_protocol(*, sheet: Sheet, days: str, on: dt.date, actor: Actor,
                        now: dt.datetime) -> dict[str, str]:
    """A7.16, A9: the operator's protocol on a dispute the preschool upheld corrects the days.

    The sheet stays final (it was paid by the preschool's version); the corrected days are a new
    version, and the payment is recalculated by the caller. Marks only on working days of the
    child's contract with the sheet's preschool. Returns the days before and after.
    """
    sheet = Sheet.objects.select_for_update().get(pk=sheet.pk)
    if sheet.state != SheetState.UPHELD:
        raise SheetError(_("Only a sheet the preschool upheld in a dispute is corrected by "
                           "protocol."))
    _check_days(sheet, days)
    before = sheet.days
    if days == before:
        raise SheetError(_("The corrections change nothing: confirm the data instead."), "days")
    sheet.days, sheet.version = days, sheet.version + 1
    sheet.save(update_fields=["days", "version"])
    sheet_totals.recount(city=sheet.city, month=sheet.month, final_on=sheet.final_on,
                         preschool_id=sheet.preschool_id)
    _save_versions([sheet], actor.role, now)
    record(actor=actor, action=AuditAction.SHEET_CORRECTED_BY_PROTOCOL, at=now, obj_type="sheet",
           obj_id=sheet.pk, city=sheet.city, after={"version": sheet.version},
           children=[sheet.voucher_id])
    for recipient_role, key in ((Role.PAR, sheet.voucher.parent_iin),
                                (Role.PRE, sheet.preschool.bin)):
        notify(city=sheet.city, kind="sheet_corrected", recipient_role=recipient_role,
               recipient_key=key, payload={"sheet": sheet.pk, "month": sheet.month},
               dedup_key=f"corrected/{sheet.pk}/v{sheet.version}/{recipient_role}", at=now)
    return {"before": before, "after": days}


AUTO_CHUNK = 20_000  # sheets auto-confirmed per transaction


@dataclass(frozen=True)
class _Row:
    """What the I22 check needs of a sheet."""

    pk: int
    voucher_id: int
    preschool_id: int
    city: str
    month: str
    days: str

    @classmethod
    def of(cls, sheet: Sheet) -> _Row:
        return cls(sheet.pk, sheet.voucher_id, sheet.preschool_id, sheet.city, sheet.month,
                   sheet.days)


def _unmarked_sheets(rows: Sequence[_Row]) -> set[int]:
    """I22: the sheets (of `rows`) with a working day of the child's contract with the sheet's
    preschool, inside the city's pilot period, left unmarked; in a few queries."""
    working: dict[str, list[dt.date]] = {}
    for month in {r.month for r in rows}:
        first = dt.date.fromisoformat(month + "-01")
        working[month] = kz_calendar(first.year).working_days(first, last_day(month))
    # only a sheet with a working day unmarked needs its contracts and its city looked at
    gaps = [r for r in rows if UNMARKED in r.days
            and any(r.days[day.day - 1] == UNMARKED for day in working[r.month])]
    if not gaps:
        return set()
    pilots = {c.code: c for c in City.objects.filter(code__in={r.city for r in gaps})}
    contracts: dict[tuple[int, int], Terms] = {}
    for voucher_id, preschool_id, start, end in Contract.objects.filter(
            voucher_id__in={r.voucher_id for r in gaps}).values_list(
            "voucher_id", "preschool_id", "starts_on", "ends_on"):
        contracts.setdefault((voucher_id, preschool_id), []).append((start, end))
    unmarked: set[int] = set()
    for row in gaps:
        city, terms = pilots[row.city], contracts.get((row.voucher_id, row.preschool_id), [])
        if any(row.days[day.day - 1] == UNMARKED and city.in_pilot(day) and _covers(terms, day)
               for day in working[row.month]):
            unmarked.add(row.pk)
    return unmarked


def auto_confirm(*, today: dt.date, now: dt.datetime) -> int:
    """A7.14, I7: silence is confirmation: open sheets of months that ended before `today`, and
    corrected sheets older than 2 calendar days; each flagged when a working day was left
    unmarked (I22). Set-based, AUTO_CHUNK sheets a transaction (committed when the caller holds
    none), one audit row a chunk and city naming its children. Running it again changes nothing.
    """
    stale = dt.date(today.year, today.month, 1) - dt.timedelta(days=1)
    count = 0
    months = (Sheet.objects.filter(state=SheetState.OPEN, month__lte=month_of(stale))
              .values_list("month", flat=True).distinct())
    for month in sorted(set(months)):
        count += _confirm_silent(Sheet.objects.filter(state=SheetState.OPEN, month=month),
                                 SheetState.OPEN, on=last_day(month), now=now)
    limit = today - dt.timedelta(days=RECONFIRM_DAYS)
    corrected = {day for day in Sheet.objects.filter(
        state=SheetState.CORRECTED, corrected_on__lt=limit)
        .values_list("corrected_on", flat=True).distinct() if day is not None}
    for corrected_on in sorted(corrected):
        count += _confirm_silent(
            Sheet.objects.filter(state=SheetState.CORRECTED, corrected_on=corrected_on),
            SheetState.CORRECTED, on=corrected_on + dt.timedelta(days=RECONFIRM_DAYS), now=now)
    return count


def _confirm_silent(sheets: QuerySet[Sheet], before: str, *, on: dt.date,
                    now: dt.datetime) -> int:
    """Move `sheets` (all in state `before`) to auto-confirmed, final on `on`, chunk by chunk:
    each chunk locked, flagged (I22), moved and audited in one transaction."""
    count, after = 0, 0
    while True:
        with transaction.atomic():
            rows = [_Row(*values) for values in sheets.select_for_update().filter(pk__gt=after)
                    .order_by("pk").values_list("pk", "voucher_id", "preschool_id", "city",
                                                "month", "days")[:AUTO_CHUNK]]
            if not rows:
                return count
            ids = [r.pk for r in rows]
            unmarked = _unmarked_sheets(rows)
            span = sheets.filter(pk__gte=ids[0], pk__lte=ids[-1])
            span.exclude(pk__in=unmarked).update(state=SheetState.AUTO_CONFIRMED, final_on=on)
            span.filter(pk__in=unmarked).update(state=SheetState.AUTO_CONFIRMED, final_on=on,
                                                incomplete=True)
            for city, month in sorted({(r.city, r.month) for r in rows}):
                sheet_totals.recount(city=city, month=month, final_on=on)
            by_city: dict[str, list[_Row]] = {}
            for row in rows:
                by_city.setdefault(row.city, []).append(row)
            record_many(actor=Actor.system(SYSTEM), action=AuditAction.SHEET_AUTO_CONFIRMED,
                        at=now, obj_type="sheets", entries=[
                            (f"{city}/{ids[0]}-{ids[-1]}", city, {"state": before},
                             {"state": SheetState.AUTO_CONFIRMED, "final_on": on.isoformat(),
                              "sheets": len(part), "incomplete": sum(
                                  r.pk in unmarked for r in part)},
                             sorted(r.voucher_id for r in part))
                            for city, part in sorted(by_city.items())])
        count += len(rows)
        after = ids[-1]
