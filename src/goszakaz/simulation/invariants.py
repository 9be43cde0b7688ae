"""The invariants, checked against the simulation's own tally, never the system's books: every
final sheet settled once at the amount A8 gives for what was entered, or an owed item with a
reason; money only inside a pilot period and never across children; the accounts touched each
day balance; a clean `ledger verify` at each month's end (finance.verify)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import F, Q, Sum

from goszakaz.attendance.models import FINAL, Sheet
from goszakaz.domain.months import first_day, last_day, month_of, previous
from goszakaz.enrollment.models import Voucher, VoucherStatus
from goszakaz.finance.models import LedgerAccount, Recalculation, Settlement, Transfer
from goszakaz.finance.verify import verify
from goszakaz.registry.models import Preschool
from goszakaz.simulation.world import Violation, World, at

PAID = ("payment", "direct")


def _fail(world: World, day: dt.date, what: str) -> None:
    raise Violation(f"seed {world.seed}, day {day.isoformat()}: {what}")


def after_tick(world: World, day: dt.date, *, since: dt.date | None = None) -> None:
    """What must hold once the day's tick has run (see the module's docstring)."""
    _annulments(world, day)
    since = since or day - dt.timedelta(days=1)  # final since yesterday: settled last night
    sheets = Sheet.objects.filter(city__in=list(world.cities), final_on__gte=since,
                                  final_on__lt=day, state__in=FINAL).order_by("pk")
    _sheets(world, day, sheets)
    _transfers_of(world, day)


def _annulments(world: World, day: dt.date) -> None:
    cities = [s.city for s in world.cities.values()]
    annulled = set(Voucher.objects.filter(city__in=cities, status=VoucherStatus.ANNULLED)
                   .values_list("pk", flat=True))
    foreseen = set(world.tally.annulled)
    if annulled != foreseen:
        _fail(world, day, f"annulled vouchers differ from the tally: system only "
                          f"{sorted(annulled - foreseen)[:10]}, tally only "
                          f"{sorted(foreseen - annulled)[:10]}")


def _sheets(world: World, day: dt.date, sheets: object) -> None:
    """Each sheet as the tally has it; each final one settled at the tally's A8 amount."""
    tally = world.tally
    rows = list(sheets.values_list("pk", "voucher_id", "month", "days", "state",  # type: ignore[attr-defined]
                                   "preschool_id"))
    ids = [r[0] for r in rows]
    settlements = {s.sheet_id: s for i in range(0, len(ids), 900)  # SQLite's variables
                   for s in Settlement.objects.filter(sheet_id__in=ids[i:i + 900])}
    ledger = _moved({(s.voucher_id, s.month) for s in settlements.values()})
    for pk, voucher_id, month, days, state, preschool_id in rows:
        mine = tally.sheets.get((voucher_id, month))
        if mine is None:
            _fail(world, day, f"sheet {pk} ({voucher_id}, {month}) was never made by the "
                              "simulation")
            return
        if days != mine.days and days != mine.protocol_days:
            _fail(world, day, f"sheet {pk} ({voucher_id}, {month}) days {days!r}, the tally "
                              f"{mine.days!r}")
        if preschool_id != mine.preschool_id:
            _fail(world, day, f"sheet {pk} ({voucher_id}, {month}) is kept by preschool "
                              f"{preschool_id}, the marks were entered by {mine.preschool_id}")
        if state != mine.state:
            _fail(world, day, f"sheet {pk} ({voucher_id}, {month}) is {state}, the tally says "
                              f"{mine.state}")
        if state not in FINAL:
            continue
        expected = tally.expected(voucher_id, month)
        settled = settlements.get(pk)
        if expected.due is None:
            if settled is not None:
                _fail(world, day, f"sheet {pk} settled though {expected.why_none}")
            continue
        if settled is None:
            _fail(world, day, f"final sheet {pk} ({voucher_id}, {month}) not settled; "
                              f"owed {expected.due}")
            return
        if settled.due != expected.due:
            _fail(world, day, f"sheet {pk} ({voucher_id}, {month}) settled at {settled.due} "
                              f"tiyn, A8 on the tally gives {expected.due}")
        _paid(world, day, settled, ledger.get((settled.voucher_id, settled.month), (0, 0)))


def _moved(keys: set[tuple[int, str]]) -> dict[tuple[int, str], tuple[int, int]]:
    """(paid to preschools, taken back from them) per (child, month), from the ledger."""
    out: dict[tuple[int, str], tuple[int, int]] = {}
    children = sorted({k[0] for k in keys})
    for i in range(0, len(children), 500):
        rows = (Transfer.objects.filter(child_id__in=children[i:i + 500],
                                        code__in=(*PAID, "correction"))
                .values_list("child_id", "period", "code").annotate(n=Sum("amount")))
        for child, period, code, n in rows:
            paid, back = out.get((child, period), (0, 0))
            out[(child, period)] = (paid, back + n) if code == "correction" else (paid + n, back)
    return out


def _paid(world: World, day: dt.date, s: Settlement, ledger: tuple[int, int]) -> None:
    """The money of one settlement: what the ledger moved to preschools is what it says was
    paid, never more than due; a shortfall has its reason (I5, I18) or an A9 recalculation."""
    moved, back = ledger
    if moved - back != s.paid:
        _fail(world, day, f"settlement of {s.voucher_id} {s.month}: paid {s.paid}, the ledger "
                          f"moved {moved} and took back {back}")
    if s.paid > s.due:
        _fail(world, day, f"settlement of {s.voucher_id} {s.month}: paid {s.paid} > due {s.due}")
    if s.paid < s.due and not s.owed_because and not Recalculation.objects.filter(
            settlement=s).exists():
        _fail(world, day, f"settlement of {s.voucher_id} {s.month} owes {s.due - s.paid} with "
                          "no reason")


def _transfers_of(world: World, day: dt.date) -> None:
    """The day's transfers: payments inside the pilot, to the child's own preschool, from its
    own account; every account they touched balances."""
    moved = list(Transfer.objects.filter(city__in=list(world.cities), created_at__gte=at(day, 0),
                                         created_at__lt=at(day + dt.timedelta(days=1), 0)))
    if not moved:
        return
    touched = {t.debit_id for t in moved} | {t.credit_id for t in moved}
    accounts = LedgerAccount.objects.in_bulk(list(touched))
    bins = dict(Preschool.objects.values_list("bin", "pk"))
    for t in moved:
        if t.code not in PAID:
            continue
        city = world.cities[t.city].city
        first, last = first_day(t.period), last_day(t.period)
        if first > (city.pilot_end or last) or last < city.pilot_start:
            _fail(world, day, f"transfer {t.id} pays {t.period}, outside {t.city}'s pilot")
        debit, credit = accounts[t.debit_id], accounts[t.credit_id]
        if t.code == "payment" and debit.owner != str(t.child_id):
            _fail(world, day, f"transfer {t.id} pays child {t.child_id} from {debit.owner}'s "
                              "account")
        mine = world.tally.sheets.get((t.child_id or 0, t.period))
        if mine is None or bins.get(credit.owner) != mine.preschool_id:
            _fail(world, day, f"transfer {t.id} pays {credit.owner}, not the child's preschool")
    debits: dict[int, int] = defaultdict(int)
    credits: dict[int, int] = defaultdict(int)
    for pk, n in (Transfer.objects.filter(Q(debit_id__in=touched)).values_list("debit_id")
                  .annotate(n=Sum("amount")).values_list("debit_id", "n")):
        debits[pk] = n
    for pk, n in (Transfer.objects.filter(Q(credit_id__in=touched)).values_list("credit_id")
                  .annotate(n=Sum("amount")).values_list("credit_id", "n")):
        credits[pk] = n
    for pk in sorted(touched):
        a = accounts[pk]
        if a.debits_posted != debits[pk] or a.credits_posted != credits[pk]:
            _fail(world, day, f"account {a.kind}:{a.owner} does not balance: posted "
                              f"{a.debits_posted}/{a.credits_posted}, transfers "
                              f"{debits[pk]}/{credits[pk]}")


def month_end(world: World, day: dt.date) -> None:
    """At a month's end: every sheet as the tally has it and settled as it says, owed items
    of two months back cleared where the city is still funded, and `ledger verify` clean."""
    # sheets final in the last two months: older ones were checked then, and what is paid
    # on them later (owed items, A9) is checked below and by the ledger's own invariants
    after_tick(world, day, since=day - dt.timedelta(days=62))
    mine = Sheet.objects.filter(city__in=list(world.cities))  # not an earlier run's (the demo)
    _sheets(world, day, mine.exclude(state__in=FINAL).order_by("pk"))
    if mine.count() != len(world.tally.sheets):
        made = set(mine.values_list("voucher_id", "month"))
        _fail(world, day, f"sheets the tally has and the system does not: "
                          f"{sorted(set(world.tally.sheets) - made)[:5]}")
    stale = previous(previous(month_of(day)))
    for state in world.cities.values():
        if state.funded.get(month_of(day)) != "distributed":
            continue
        owed = Settlement.objects.filter(city=state.city.code, month__lte=stale,
                                         paid__lt=F("due")).order_by("month", "voucher_id")
        if owed.exists():
            s = owed.first()
            assert s is not None
            _fail(world, day, f"{state.city.code}: settlement of {s.voucher_id} {s.month} still "
                              f"owes {s.due - s.paid} ({s.owed_because}) two fundings later")
    problems = verify()
    if problems:
        _fail(world, day, "ledger verify: " + "; ".join(problems[:5]))
