"""The simulated year, day by day: the day's `tick` (killed and run again, or twice at once,
with faults), the invariants, then the people: staff, the bank, parents, preschools. Returns a
summary whose figures one seed always gives the same."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import Count, F, Sum
from django.utils import translation

from goszakaz.attendance.models import Sheet
from goszakaz.domain.months import last_day, month_of, previous
from goszakaz.enrollment.models import Voucher
from goszakaz.finance.models import LedgerAccount, Settlement, Transfer
from goszakaz.registry.models import City
from goszakaz.simulation import bank, faults, invariants, parents, preschools, staff
from goszakaz.simulation.crowd import Crowd
from goszakaz.simulation.people import population
from goszakaz.simulation.setup import onboard, open_bank
from goszakaz.simulation.world import CityState, Violation, World, at
from goszakaz.workflows.monthly_cycle import tick

logger = logging.getLogger(__name__)
OnDay = Callable[[dt.date, int, int], None]  # (the day, days done, all days)


class NotFresh(RuntimeError):
    """The database already holds children of these cities: the simulation needs them empty."""


@dataclass
class Options:
    """What `goszakaz simulate` was asked for."""

    cities: list[str]
    children: int
    first: dt.date
    last: dt.date
    seed: int
    faults: bool = False
    workdir: Path | None = None
    workers: int = 1  # processes making the people's independent calls (PostgreSQL)


@dataclass
class Summary:
    """The run's figures (the same seed: the same figures) and the seconds it took."""

    seed: int
    faults: bool
    days: int
    figures: dict[str, Any] = field(default_factory=dict)
    balances: dict[str, int] = field(default_factory=dict)
    balance_digest: str = ""
    events: dict[str, int] = field(default_factory=dict)
    faults_done: dict[str, int] = field(default_factory=dict)
    surprises: list[str] = field(default_factory=list)
    seconds: float = 0.0
    seconds_by_part: dict[str, float] = field(default_factory=dict)  # not seed-stable
    workers: int = 1
    calls_by_workers: int = 0  # the people's calls the crowd's workers made (simulation.crowd)


def simulate(options: Options, on_day: OnDay | None = None) -> Summary:
    """Run the simulated period; a failed invariant raises Violation naming the seed and day."""
    connection_created.connect(_quick_sqlite)
    if connection.connection is not None:  # opened already
        _quick_sqlite(None, connection)
    try:
        # the simulated people read the system's refusals in English, whichever language was
        # active (a refusal they expect is recognised by its text)
        with tempfile.TemporaryDirectory() as tmp, translation.override("en"):
            world = start(options, options.workdir or Path(tmp))
            world.crowd = Crowd(options.workers)
            try:
                play(world, until=options.last, on_day=on_day)
                return finish(world)
            finally:
                world.crowd.close()
    finally:
        connection_created.disconnect(_quick_sqlite)


def _quick_sqlite(sender: object, connection: Any, **kwargs: object) -> None:
    """On SQLite the simulation's database is scratch data: commits are not flushed to the disk
    one by one (WAL, synchronous=NORMAL; still atomic), which makes a year's thousands of
    small commits several times faster. PostgreSQL is left as configured."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:  # not a test's
        with connection.cursor() as cur:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")


def start(options: Options, workdir: Path) -> World:
    """The people of the run, drawn from the seed; nothing is in the system yet."""
    cities = {c.code: c for c in City.objects.filter(code__in=options.cities)}
    unknown = sorted(set(options.cities) - set(cities))
    if unknown:
        raise ValueError(f"unknown cities: {', '.join(unknown)}")
    if Voucher.objects.filter(city__in=list(cities.values())).exists():
        raise NotFresh("the database already has children in these cities: simulate on a "
                       "fresh database")
    world = World(seed=options.seed, rng=random.Random(options.seed),
                  faults_rng=random.Random(f"faults/{options.seed}") if options.faults else None,
                  first=options.first, last=options.last, workdir=workdir,
                  started=time.perf_counter())
    used: set[str] = set()
    # a city's place among all the configured cities numbers its preschools' BINs: a run of one
    # city after a run of others (the demo) never reuses a BIN
    places = {code: i for i, code in enumerate(sorted(City.objects.values_list("code",
                                                                              flat=True)))}
    for code in sorted(options.cities):
        city, i = cities[code], places[code]
        onboard_on = max(city.pilot_start, options.first)
        end = min(city.pilot_end or options.last, options.last)
        schools, children = population(city=code, city_index=i + 1, children=options.children,
                                       start=onboard_on, end=end,
                                       rng=random.Random(f"{options.seed}/{code}"), used=used)
        world.cities[code] = CityState(city=city, schools=schools, children=children,
                                       onboard_on=onboard_on)
    return world


def play(world: World, *, until: dt.date, on_day: OnDay | None = None) -> None:
    """The days from where the world is to `until`: each day's tick, what it did foreseen, the
    invariants (and a month's at its end), then the people's day."""
    total = (world.last - world.first).days + 1
    day = world.day
    while day <= until:
        world.day = day
        with world.timed("tick"):
            _tick(world, day)
        with world.timed("invariants"):
            _foresee(world, day)
            invariants.after_tick(world, day)
            if day.day == 1 and day > world.first:
                invariants.month_end(world, day)
        _people(world, day, world.workdir)
        if on_day is not None:
            on_day(day, (day - world.first).days + 1, total)
        day += dt.timedelta(days=1)
    world.day = day


def finish(world: World) -> Summary:
    """The tick of the day after the last, every invariant once more, and the summary."""
    _tick(world, world.day)
    _foresee(world, world.day)
    invariants.month_end(world, world.day)
    total = (world.last - world.first).days + 1
    summary = _summary(world, total)
    summary.faults_done = dict(sorted(world.faults_done.items()))
    summary.seconds = round(time.perf_counter() - world.started, 1)
    summary.seconds_by_part = {part: round(s, 1) for part, s in sorted(
        world.seconds.items(), key=lambda kv: -kv[1])}
    if world.crowd is not None:
        summary.workers, summary.calls_by_workers = world.crowd.workers, world.crowd.made
    logger.info("simulation done", extra={"seed": world.seed, "faults": summary.faults,
                                          "days": total, "seconds": summary.seconds})
    return summary


def _tick(world: World, day: dt.date) -> None:
    """The system's night run for the day (with faults: killed and run again, or twice at
    once); a tick that fails is a failed invariant."""
    now, done, rng = at(day, 1), world.faults_done, world.faults_rng
    try:
        url = faults.database_url() if rng is not None else None
        if rng is not None and url is not None and rng.random() < 0.04:
            if faults.process_tick(today=day, now=now, rng=rng, url=url):
                done["tick processes SIGKILLed and run again"] += 1
            tick(today=day, now=now)
        elif rng is not None and rng.random() < 0.3:
            if faults.killed_tick(today=day, now=now, rng=rng):
                done["ticks killed and run again"] += 1
            tick(today=day, now=now)
        elif rng is not None and rng.random() < 0.15:
            errors = faults.two_ticks(today=day, now=now)
            done["two ticks at once"] += 1
            if errors:
                raise errors[0]
        else:
            tick(today=day, now=now)
    except Exception as e:
        raise Violation(f"seed {world.seed}, day {day.isoformat()}: tick failed: {e!r}") from e


def _foresee(world: World, day: dt.date) -> None:
    """What the night's tick did by the rules, as the tally foresees it (never read back):
    silence confirmed last month's open sheets (A7.14) and corrected sheets older than 2 days
    (I7), and a child silent two months in a row lost the voucher after the payment (I6)."""
    this, tally = month_of(day), world.tally
    for month in sorted(m for m in tally.open_months if m < this):
        for key in tally.by_month[month]:
            s = tally.sheets[key]
            if s.state == "open":
                s.state, s.final_on = "auto_confirmed", last_day(month)
        tally.open_months.discard(month)
    for key in sorted(tally.corrected):
        s = tally.sheets[key]
        if s.corrected_on is not None and s.corrected_on < day - dt.timedelta(days=2):
            s.state, s.final_on = "auto_confirmed", s.corrected_on + dt.timedelta(days=2)
            tally.corrected.discard(key)
    if day.day == 1:
        for voucher_id in world.tally.silent_twice(previous(this)):
            world.tally.annul(voucher_id, day, "two months unconfirmed (A7.14)")


def _people(world: World, day: dt.date, workdir: Path) -> None:
    """The people's day: onboarding where a pilot starts, then staff, bank, preschools, parents."""
    for state in world.cities.values():
        if state.onboard_on == day:
            with world.timed("onboarding"):
                if world.bank.bank is None:
                    open_bank(world, day)
                onboard(world, state, day, workdir)
    with world.timed("staff"):
        for code in sorted(world.cities):
            staff.work(world, world.cities[code], day)
    if world.bank.bank is not None:
        with world.timed("bank"):
            bank.work(world, day)
    with world.timed("preschools"):
        for code in sorted(world.cities):  # the preschools mark the day before parents look (I17)
            preschools.work(world, world.cities[code], day, workdir)
    with world.timed("parents"):
        for code in sorted(world.cities):
            parents.work(world, world.cities[code], day)


def _summary(world: World, days: int) -> Summary:
    """The run's figures, read from the system and the tally (the same seed: the same)."""
    summary = Summary(seed=world.seed, faults=world.faults_rng is not None, days=days)
    codes = sorted(world.cities)
    summary.figures = {
        "children planned": sum(len(c.children) for c in world.cities.values()),
        "vouchers": Voucher.objects.filter(city__code__in=codes).count(),
        "sheets": dict(sorted(Sheet.objects.filter(city__in=codes).values_list("state")
                              .annotate(n=Count("pk")).values_list("state", "n"))),
        "settlements": Settlement.objects.filter(city__in=codes).count(),
        "owed items open": {f"{city} {month} {why or 'A9'}": n for city, month, why, n in (
            Settlement.objects.filter(city__in=codes, paid__lt=F("due"))
            .values_list("city", "month", "owed_because").annotate(n=Count("pk"))
            .order_by("city", "month", "owed_because")
            .values_list("city", "month", "owed_because", "n"))},
        "tiyn moved": dict(sorted(Transfer.objects.filter(city__in=codes).values_list("code")
                                  .annotate(n=Sum("amount")).values_list("code", "n"))),
    }
    names = {str(v): f"child {c.city}/{c.key}" for v, c in world.child_of.items()}
    lines = []
    kinds: Counter[str] = Counter()
    for kind, owner, credits, debits in (LedgerAccount.objects.filter(city__in=codes)
                                         .values_list("kind", "owner", "credits_posted",
                                                      "debits_posted")):
        kinds[kind] += credits - debits
        lines.append(f"{kind}|{names.get(owner, owner)}|{credits - debits}\n")
    digest = hashlib.sha256("".join(sorted(lines)).encode())
    summary.balances = dict(sorted(kinds.items()))
    summary.balance_digest = digest.hexdigest()[:16]
    summary.events = dict(sorted(world.tally.events.items()))
    summary.surprises = world.surprises
    return summary
