"""Reminders to parents about the month's sheet (I17, I7, A7.14, I6), written by `tick` into the
outbox, once per sheet and kind (a rerun writes nothing new), set-based: one INSERT ... SELECT
per city and kind, no message built in Python."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Exists, F, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat, JSONObject, Substr

from goszakaz.attendance.models import FINAL, Sheet, SheetState
from goszakaz.domain.calendar import OutsideCalendar
from goszakaz.domain.months import last_day, month_of, previous
from goszakaz.notifications.models import Notification
from goszakaz.notifications.services import notify_from
from goszakaz.registry.models import City
from goszakaz.rules.calendar import kz_calendar

FIELDS = ("n_city", "n_kind", "n_role", "n_key", "n_payload", "n_dedup")


def _last_working(city: City, month: str) -> dt.date | None:
    """The month's last working day inside the city's pilot period (I17's L), or None."""
    first, last = dt.date.fromisoformat(month + "-01"), last_day(month)
    end = min(last, city.pilot_end or last)
    if end < first or (city.pilot_start and city.pilot_start > last):
        return None
    try:
        days = kz_calendar(first.year).working_days(first, end)
    except OutsideCalendar:
        return None
    return days[-1] if days else None


def _tell(sheets: QuerySet[Sheet], kind: str, now: dt.datetime) -> int:
    """One message of `kind` to the parent of each sheet not yet told (dedup remind/kind/id)."""
    dedup = Concat(Value(f"remind/{kind}/"), Cast("id", models.CharField()),
                   output_field=models.CharField())
    query: QuerySet[Any] = (
        sheets.annotate(n_city=F("city"), n_kind=Value(kind, models.CharField()),
                        n_role=Value("PAR", models.CharField()), n_key=F("voucher__parent_iin"),
                        n_payload=JSONObject(sheet=F("id"), month=F("month"),
                                             corrected=F("corrected_on")),
                        n_dedup=dedup)
        .filter(~Exists(Notification.objects.filter(dedup_key=OuterRef("n_dedup"))))
        .order_by("id"))
    return notify_from(query, FIELDS, at=now)


def _in_window(city: City, month: str, today: dt.date) -> QuerySet[Sheet] | None:
    """I17: the city's open sheets of the month whose window is open on `today` (opened on L
    where L is marked, the day after where it is not, on L when L is the month's last day)."""
    final_working = _last_working(city, month)
    if final_working is None or not final_working <= today <= last_day(month):
        return None
    sheets = Sheet.objects.filter(city=city.code, month=month, state=SheetState.OPEN)
    if today == final_working and final_working != last_day(month):
        sheets = sheets.annotate(on_l=Substr("days", final_working.day, 1)).exclude(on_l=".")
    return sheets


def remind_parents(*, today: dt.date, now: dt.datetime) -> int:
    """The day's reminders; returns how many were written.

    - `sheet_window_open` (I17): the month's sheet may be confirmed or disputed now;
    - `sheet_window_closes` (I17): tomorrow is the month's last day, the last to answer;
    - `sheet_reconfirm_closes` (A7.16, I7): tomorrow is the last day to confirm a corrected
      sheet (the day after its correction);
    - `sheet_unconfirmed` (A7.14, I6): last month's sheet was confirmed by silence, and the
      month before was answered: a second silent month annuls the State order.
    """
    month, written = month_of(today), 0
    last_month = previous(month)
    for city in City.objects.order_by("code"):
        sheets = _in_window(city, month, today)
        if sheets is not None:
            written += _tell(sheets, "sheet_window_open", now)
            if today == last_day(month) - dt.timedelta(days=1):
                written += _tell(sheets, "sheet_window_closes", now)
        silent_before = Sheet.objects.filter(voucher_id=OuterRef("voucher_id"),
                                             month=previous(last_month), state__in=FINAL,
                                             parent_responded=False)
        written += _tell(Sheet.objects.filter(city=city.code, month=last_month,
                                              state=SheetState.AUTO_CONFIRMED,
                                              parent_responded=False)
                         .filter(~Exists(silent_before)), "sheet_unconfirmed", now)
    corrected = Sheet.objects.filter(state=SheetState.CORRECTED,
                                     corrected_on=today - dt.timedelta(days=1))
    written += _tell(corrected, "sheet_reconfirm_closes", now)
    return written
