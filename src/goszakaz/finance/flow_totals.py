"""The ledger's flows summed by posting day (FlowTotal), kept for the reports (A14, A15): the
days that are over stored once, the days after them read live, so a sum is exact on any day.

Freshness: a transfer belongs to the day it was posted (the Kazakhstan date of `created_at`),
which never changes, and transfers are never updated or deleted. `refresh` (the nightly tick)
stores the days up to the day before `now` and moves the `through` mark there, in one
transaction; `sums` reads the stored days up to min(as_of, through) and the transfers posted
after `through` live (the index on `created_at`). A transfer posted with a moment on a day
already stored (a clock set back: tests, a replayed simulation) recounts that day in the same
transaction (`recount_day`, called by the ledger), and `ledger verify` checks the stored days
against the transfers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate

from goszakaz.clock import KZ
from goszakaz.finance.models import (
    AccountKind,
    FlowTotal,
    FlowTotalsThrough,
    Transfer,
    TransferCode,
)

# the codes whose transfers always go between the same two kinds (funding, payments, sweep):
# summed without reading the accounts (tests/integration/test_pilot_report.py checks the kinds)
CODE_KINDS: dict[str, tuple[str, str]] = {
    TransferCode.BUDGET: (AccountKind.BUDGET, AccountKind.OPERATOR),
    TransferCode.FUNDING: (AccountKind.OPERATOR, AccountKind.CHILD),
    TransferCode.PAYMENT: (AccountKind.CHILD, AccountKind.PRESCHOOL),
    TransferCode.DIRECT: (AccountKind.OPERATOR, AccountKind.PRESCHOOL),
    TransferCode.SWEEP: (AccountKind.CHILD, AccountKind.OPERATOR_RETURNS),
}


@dataclass(frozen=True)
class Flow:
    """A sum of transfers of one city, period, code and pair of account kinds."""

    city: str
    period: str
    code: str
    debit_kind: str
    credit_kind: str
    amount: int
    transfers: int


def end_of(day: dt.date) -> dt.datetime:
    """The first moment after `day` (Kazakhstan time): the transfers before it are the day's
    and earlier ones."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=KZ)


def _grouped(moved: QuerySet[Transfer], *, by_day: bool) -> list[tuple[dt.date | None, Flow]]:
    """The transfers summed by the database (and by posting day, if asked): the codes of
    CODE_KINDS without a join (the millions of a year), the others by their accounts' kinds."""
    day = {"_day": TruncDate("created_at", tzinfo=KZ)} if by_day else {}
    keys = ["_day"] if by_day else []
    out: list[tuple[dt.date | None, Flow]] = []
    for row in (moved.filter(code__in=list(CODE_KINDS)).annotate(**day)
                .values_list(*keys, "city", "period", "code")
                .annotate(_n=Sum("amount"), _c=Count("pk")).order_by()):
        *on, city, period, code, n, c = row
        out.append((on[0] if on else None, Flow(city, period, code, *CODE_KINDS[code], n, c)))
    for row in (moved.exclude(code__in=list(CODE_KINDS)).annotate(**day)
                .values_list(*keys, "city", "period", "code", "debit__kind", "credit__kind")
                .annotate(_n=Sum("amount"), _c=Count("pk")).order_by()):
        *on, city, period, code, debit, credit, n, c = row
        out.append((on[0] if on else None, Flow(city, period, code, debit, credit, n, c)))
    return out


def _mark(*, lock: bool) -> FlowTotalsThrough:
    rows = FlowTotalsThrough.objects.select_for_update() if lock else FlowTotalsThrough.objects
    mark = rows.order_by("pk").first()
    return mark if mark is not None else FlowTotalsThrough.objects.create(through=None)


def through() -> dt.date | None:
    """The last posting day stored (None: none)."""
    return FlowTotalsThrough.objects.order_by("pk").values_list("through", flat=True).first()


def _store(moved: QuerySet[Transfer]) -> int:
    rows = [FlowTotal(posted_on=day, city=f.city, period=f.period, code=f.code,
                      debit_kind=f.debit_kind, credit_kind=f.credit_kind, amount=f.amount,
                      transfers=f.transfers) for day, f in _grouped(moved, by_day=True)
            if day is not None]
    FlowTotal.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def refresh(*, now: dt.datetime) -> int:
    """Store the posting days that are over by `now` (up to the day before its Kazakhstan
    date) and not stored yet; returns the rows written. In the caller's transaction; running
    it again the same day writes nothing."""
    target = now.astimezone(KZ).date() - dt.timedelta(days=1)
    mark = _mark(lock=True)
    if mark.through is not None and mark.through >= target:
        return 0
    moved = Transfer.objects.filter(created_at__lt=end_of(target))
    if mark.through is not None:
        moved = moved.filter(created_at__gte=end_of(mark.through))
        FlowTotal.objects.filter(posted_on__gt=mark.through).delete()  # none, unless by hand
    else:
        FlowTotal.objects.all().delete()
    written = _store(moved)
    mark.through = target
    mark.save(update_fields=["through"])
    return written


def rebuild(*, now: dt.datetime) -> int:
    """Every stored day again from the transfers (`goszakaz aggregates rebuild`)."""
    mark = _mark(lock=True)
    mark.through = None
    mark.save(update_fields=["through"])
    return refresh(now=now)


def recount_day(moment: dt.datetime) -> None:
    """A transfer was just posted at `moment`: when its day is already stored (a clock set
    back), that day is summed again, in the poster's transaction."""
    day = moment.astimezone(KZ).date()
    stored = through()
    if stored is None or day > stored:
        return
    _mark(lock=True)  # after a refresh running now, which may have stored the day
    FlowTotal.objects.filter(posted_on=day).delete()
    _store(Transfer.objects.filter(created_at__gte=end_of(day - dt.timedelta(days=1)),
                                   created_at__lt=end_of(day)))


def sums(*, as_of: dt.date, cities: Iterable[str]) -> list[Flow]:
    """The flows posted by the end of `as_of` in `cities`: the stored days up to
    min(as_of, through), the later transfers live; a key may come twice (add them up)."""
    cities = list(cities)
    stored = through()
    until = min(as_of, stored) if stored is not None else None
    out: list[Flow] = []
    moved = Transfer.objects.filter(created_at__lt=end_of(as_of), city__in=cities)
    if until is not None:
        out += [Flow(*row) for row in (
            FlowTotal.objects.filter(city__in=cities, posted_on__lte=until)
            .values_list("city", "period", "code", "debit_kind", "credit_kind")
            .annotate(_n=Sum("amount"), _c=Sum("transfers")).order_by())]
        moved = moved.filter(created_at__gte=end_of(until))
    if until is None or until < as_of:
        out += [f for _day, f in _grouped(moved, by_day=False)]
    return out


def live_sums(*, as_of: dt.date, cities: Iterable[str]) -> list[Flow]:
    """The same flows from the transfers alone (what `sums` must equal; tests, verify)."""
    moved = Transfer.objects.filter(created_at__lt=end_of(as_of), city__in=list(cities))
    return [f for _day, f in _grouped(moved, by_day=False)]


def stored_differences() -> list[str]:
    """The stored days that differ from the transfers (`ledger verify`): 'day city period code
    kinds: stored X, transfers Y' lines."""
    stored = through()
    if stored is None:
        return []
    key = ("posted_on", "city", "period", "code", "debit_kind", "credit_kind")
    have = {tuple(r[:6]): (r[6], r[7]) for r in FlowTotal.objects.filter(posted_on__lte=stored)
            .values_list(*key, "amount", "transfers")}
    want: dict[tuple[object, ...], tuple[int, int]] = {}
    for day, f in _grouped(Transfer.objects.filter(created_at__lt=end_of(stored)), by_day=True):
        k = (day, f.city, f.period, f.code, f.debit_kind, f.credit_kind)
        n, c = want.get(k, (0, 0))
        want[k] = (n + f.amount, c + f.transfers)
    return [f"{' '.join(map(str, k))}: stored {have.get(k)}, transfers {want.get(k)}"
            for k in sorted(set(have) | set(want), key=str) if have.get(k) != want.get(k)]
