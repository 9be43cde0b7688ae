"""The final sheets counted per city, month, preschool and day of finality (SheetTotal), kept
for the reports (A14, A15): the days of finality that are over stored, the later ones read live.

Freshness: a sheet counts from its `final_on`; once final, its state never changes (FINAL has
no way out) and its days change only by a protocol's correction (A9). `refresh` (the nightly
tick, after the silent sheets are confirmed) stores the days of finality up to the day before
`today` and moves `through` there, in one transaction; `sums` reads the stored days up to
min(as_of, through) and the sheets final after `through` live (the index on `final_on`).
Whatever changes a sheet counted in a stored day — a correction by protocol, a sheet made
final on a day already stored (a catch-up tick, a re-confirmation's term) — recounts that day's
group in its own transaction (`recount`). The disputes are few and read live by the reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Length, Replace

from goszakaz.attendance.models import Sheet, SheetState, SheetTotal, SheetTotalsThrough

MARKS = ("P", "S", "A", "V")  # present, sick, unexcused, vacation (domain.payment.Mark)
COLUMNS = ("present", "sick", "absent", "vacation")  # SheetTotal's, in the order of MARKS


@dataclass(frozen=True)
class SheetCount:
    """Final sheets of a city and month (and preschool, when asked by preschool)."""

    city: str
    month: str
    preschool_id: int | None
    sheets: int
    by_parent: int
    automatically: int
    days: tuple[int, int, int, int]  # by mark, in the order of MARKS


def _counted(final: QuerySet[Sheet], keys: list[str]) -> QuerySet[Any]:
    """The sheets grouped by `keys` and counted by the database: how they became final and
    the days by mark."""
    days = {f"_{m}": Sum(Length("days") - Length(Replace("days", Value(m), Value(""))))
            for m in MARKS}
    return (final.values_list(*keys).annotate(
        _total=Count("pk"),
        _parent=Count("pk", filter=Q(state=SheetState.CONFIRMED, dispute__isnull=True)),
        _auto=Count("pk", filter=Q(state=SheetState.AUTO_CONFIRMED, dispute__isnull=True)),
        **days).order_by())


def _mark(*, lock: bool) -> SheetTotalsThrough:
    rows = SheetTotalsThrough.objects.select_for_update() if lock else SheetTotalsThrough.objects
    mark = rows.order_by("pk").first()
    return mark if mark is not None else SheetTotalsThrough.objects.create(through=None)


def through() -> dt.date | None:
    """The last day of finality stored (None: none)."""
    return SheetTotalsThrough.objects.order_by("pk").values_list("through", flat=True).first()


def _store(final: QuerySet[Sheet]) -> int:
    rows = [SheetTotal(city=city, month=month, preschool_id=school, final_on=on, sheets=total,
                       by_parent=parent, automatically=auto,
                       **{c: n or 0 for c, n in zip(COLUMNS, days, strict=True)})
            for city, month, school, on, total, parent, auto, *days in
            _counted(final, ["city", "month", "preschool_id", "final_on"])]
    SheetTotal.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def refresh(*, today: dt.date) -> int:
    """Store the days of finality before `today` not stored yet; returns the rows written. In
    the caller's transaction; running it again the same day writes nothing."""
    target = today - dt.timedelta(days=1)
    mark = _mark(lock=True)
    if mark.through is not None and mark.through >= target:
        return 0
    final = Sheet.objects.filter(final_on__lte=target)
    if mark.through is not None:
        final = final.filter(final_on__gt=mark.through)
        SheetTotal.objects.filter(final_on__gt=mark.through).delete()  # none, unless by hand
    else:
        SheetTotal.objects.all().delete()
    written = _store(final)
    mark.through = target
    mark.save(update_fields=["through"])
    return written


def rebuild(*, today: dt.date) -> int:
    """Every stored day again from the sheets (`goszakaz aggregates rebuild`)."""
    mark = _mark(lock=True)
    mark.through = None
    mark.save(update_fields=["through"])
    return refresh(today=today)


def recount(*, city: str, month: str, final_on: dt.date | None,
            preschool_id: int | None = None) -> None:
    """Sheets of `city` and `month` final on `final_on` (of one preschool, or all) just
    changed: when that day is stored, its group is counted again, in the caller's
    transaction."""
    stored = through()
    if final_on is None or stored is None or final_on > stored:
        return
    _mark(lock=True)  # after a refresh running now, which may have stored the day
    which = {"city": city, "month": month, "final_on": final_on}
    if preschool_id is not None:
        which["preschool_id"] = preschool_id
    SheetTotal.objects.filter(**which).delete()
    _store(Sheet.objects.filter(**which))


def _rows(rows: Iterable[tuple[Any, ...]], by_preschool: bool) -> list[SheetCount]:
    out = []
    for city, month, *rest in rows:
        school = rest.pop(0) if by_preschool else None
        total, parent, auto, *days = rest
        out.append(SheetCount(city, month, school, total, parent or 0, auto or 0,
                              (days[0] or 0, days[1] or 0, days[2] or 0, days[3] or 0)))
    return out


def sums(*, as_of: dt.date, cities: Iterable[str], month: str | None = None,
         by_preschool: bool = False) -> list[SheetCount]:
    """The sheets final by the end of `as_of` in `cities` (of one month, if given), counted per
    city and month (and preschool): the stored days up to min(as_of, through), the later ones
    live; a key may come twice (add them up)."""
    cities = list(cities)
    keys = ["city", "month", *(["preschool_id"] if by_preschool else [])]
    stored = through()
    until = min(as_of, stored) if stored is not None else None
    final = Sheet.objects.filter(city__in=cities, final_on__lte=as_of)
    if month is not None:
        final = final.filter(month=month)
    out: list[SheetCount] = []
    if until is not None:
        totals = SheetTotal.objects.filter(city__in=cities, final_on__lte=until)
        if month is not None:
            totals = totals.filter(month=month)
        out += _rows(totals.values_list(*keys).annotate(
            Sum("sheets"), Sum("by_parent"), Sum("automatically"),
            *[Sum(c) for c in COLUMNS]).order_by(), by_preschool)
        final = final.filter(final_on__gt=until)
    if until is None or until < as_of:
        out += _rows(_counted(final, keys), by_preschool)
    return out


def live_sums(*, as_of: dt.date, cities: Iterable[str], month: str | None = None,
              by_preschool: bool = False) -> list[SheetCount]:
    """The same counts from the sheets alone (what `sums` must equal; tests)."""
    final = Sheet.objects.filter(city__in=list(cities), final_on__lte=as_of)
    if month is not None:
        final = final.filter(month=month)
    keys = ["city", "month", *(["preschool_id"] if by_preschool else [])]
    return _rows(_counted(final, keys), by_preschool)
