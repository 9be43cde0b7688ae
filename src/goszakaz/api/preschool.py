"""The sheet API for preschools' own systems (A7.13): read the month's sheets, send day marks.

A token per preschool (`Authorization: Bearer`), an Idempotency-Key on every write; a batch of
marks goes in whole or not at all, every refused mark named by its index and field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.api.auth import Allowed, client
from goszakaz.api.errors import ERRORS, Error
from goszakaz.api.idempotency import Answer, idempotent
from goszakaz.attendance import services
from goszakaz.attendance.models import UNMARKED, Sheet
from goszakaz.audit.services import record_read
from goszakaz.domain import months
from goszakaz.enrollment.models import Contract, Voucher
from goszakaz.registry.models import Preschool
from goszakaz.rules.calendar import kz_calendar

KEY = Header(..., alias="Idempotency-Key", min_length=1, max_length=128)  # type: ignore[type-arg]
MAX_MARKS = 10_000  # a month of a large preschool's group in one request


router = Router(tags=["preschool"])


class MonthQuery(Schema):
    month: str = Field(..., pattern=months.PATTERN)


class SheetOut(Schema):
    """A child's sheet of the month: `days[i]` is the mark of day i + 1 ('.' not marked)."""

    child_iin: str
    month: str
    days: str
    state: str
    version: int = Field(..., description="0: no mark yet, the sheet is not opened")
    contract_from: dt.date
    contract_to: dt.date | None


class MarkIn(Schema):
    child_iin: str = Field(..., pattern=r"^[0-9]{12}$")
    day: dt.date
    code: str = Field(..., description="P present, S sick, A absent, V parent's vacation")


class Marks(Schema):
    marks: list[MarkIn] = Field(..., min_length=1, max_length=MAX_MARKS)


class Marked(Schema):
    marked: int
    changed: int


def _preschool(request: HttpRequest) -> Preschool:
    preschool = client(request).preschool
    assert preschool is not None
    return preschool


def _contracts(preschool: Preschool, first: dt.date, last: dt.date) -> list[Contract]:
    return list(Contract.objects.filter(preschool=preschool, starts_on__lte=last)
                .filter(Q(ends_on=None) | Q(ends_on__gte=first))
                .select_related("voucher").order_by("voucher__child_iin", "starts_on"))


@router.get("/sheets", response={200: list[SheetOut], **ERRORS}, auth=Allowed(Action.SHEETS_VIEW))
def sheets(request: HttpRequest, query: Query[MonthQuery]) -> list[dict[str, Any]]:
    """A7.13: the month's sheet of every child with a contract at this preschool in the month."""
    preschool, month = _preschool(request), query.month
    first, last = dt.date.fromisoformat(month + "-01"), months.last_day(month)
    contracts = _contracts(preschool, first, last)
    opened = {s.voucher_id: s for s in Sheet.objects.filter(
        preschool=preschool, month=month, voucher_id__in=[c.voucher_id for c in contracts])}
    out: dict[int, dict[str, Any]] = {}
    for c in contracts:
        sheet = opened.get(c.voucher_id)
        row = out.setdefault(c.voucher_id, {
            "child_iin": c.voucher.child_iin, "month": month,
            "days": sheet.days if sheet else UNMARKED * last.day,
            "state": sheet.state if sheet else "open", "version": sheet.version if sheet else 0,
            "contract_from": c.starts_on, "contract_to": c.ends_on})
        row["contract_to"] = c.ends_on  # several contracts in a month: the last one's end
    record_read(actor=client(request).actor, at=clock.now(), what="api:preschool:sheets",
                city=preschool.city.code, children=list(out), detail={"month": month})
    return list(out.values())


def _vouchers(preschool: Preschool, marks: list[MarkIn]) -> list[Voucher | None]:
    """For each mark, the child's voucher whose contract with this preschool covers the day
    (any of the child's vouchers here when none does, so the refusal says why), or None."""
    found: dict[str, list[tuple[Voucher, dt.date, dt.date | None]]] = {}
    for c in (Contract.objects.filter(preschool=preschool,
                                      voucher__child_iin__in={m.child_iin for m in marks})
              .select_related("voucher__city")):
        found.setdefault(c.voucher.child_iin, []).append((c.voucher, c.starts_on, c.ends_on))
    out: list[Voucher | None] = []
    for m in marks:
        terms = found.get(m.child_iin, [])
        covering = [v for v, start, end in terms if start <= m.day and (end is None
                                                                        or m.day <= end)]
        candidates: list[Voucher | None] = [*covering, *(v for v, _s, _e in terms), None]
        out.append(candidates[0])
    return out


def _is_working_day(day: dt.date) -> bool:
    """The calendar's answer; a year without calendar data raises OutsideCalendar."""
    return kz_calendar(day.year).is_working_day(day)


def _refused(index: int, mark: MarkIn, field: str, detail: str) -> dict[str, Any]:
    return {"index": index, "child_iin": mark.child_iin, "field": field, "detail": detail}


@router.post("/marks", response={200: Marked, **ERRORS, 409: Error},
             auth=Allowed(Action.SHEETS_MARK))
def marks(request: HttpRequest, body: Marks, idempotency_key: str = KEY) -> Status[dict[str, Any]]:
    """A7.13: day marks of this preschool's children; all of them or none (422 naming each
    refused mark)."""
    preschool, actor, now = _preschool(request), client(request).actor, clock.now()

    def handle() -> Answer:
        vouchers = _vouchers(preschool, body.marks)
        refused = [_refused(i, m, "child_iin", _("The child has no contract with this "
                                                 "preschool."))
                   for i, (m, v) in enumerate(zip(body.marks, vouchers, strict=True))
                   if v is None]
        known = [(i, v, m) for i, (m, v) in enumerate(zip(body.marks, vouchers, strict=True))
                 if v is not None]
        done = services.mark_many(preschool_id=preschool.pk,
                                  marks=[(v, m.day, m.code) for _, v, m in known],
                                  is_working_day=_is_working_day, actor=actor, now=now)
        refused += [_refused(known[j][0], known[j][2], e.field or "day", str(e))
                    for j, e in done.refused]
        if refused:
            return 422, {"detail": _("%(refused)d of %(total)d mark(s) refused; nothing was "
                                     "saved.") % {"refused": len(refused),
                                                  "total": len(body.marks)},
                         "errors": sorted(refused, key=lambda r: r["index"])}
        return 200, {"marked": len(body.marks), "changed": done.changed}

    return Status(*idempotent(client=preschool, key=idempotency_key, path="marks",
                              body=body.dict(), handler=handle, now=now))
