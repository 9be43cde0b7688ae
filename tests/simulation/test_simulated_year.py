"""Simulated pilot years (issue 9): a few seeds of a small year with faults hold every invariant,
faults change no balance, and the invariants do catch a sheet paid differently from the tally."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command

from goszakaz.simulation import invariants
from goszakaz.simulation.run import NotFresh, Options, play, simulate, start
from goszakaz.simulation.world import Violation
from tests.factories import pilot_city

pytestmark = [pytest.mark.simulation, pytest.mark.django_db(transaction=True)]
D = dt.date
START, END = D(2024, 3, 1), D(2025, 1, 20)


@pytest.fixture(autouse=True)
def _cities(settings: object, tmp_path: Path) -> None:
    settings.NOBD_EXPORT_DIR = tmp_path / "nobd"  # type: ignore[attr-defined]
    for code in ("taraz", "shymkent", "turkestan", "uralsk"):
        pilot_city(code)


def small_year(seed: int, faults: bool, children: int = 8,
               cities: tuple[str, ...] = ("taraz", "uralsk"), first: dt.date = START,
               last: dt.date = END) -> Options:
    return Options(cities=list(cities), children=children, first=first, last=last, seed=seed,
                   faults=faults)


# A year's every day costs a tick of every city, so CI's seeds each take a part of the year:
# its start (onboarding, the НОБД check, the first lists, fundings and settlements), and its end
# (both cities onboarded on 18 November, Taraz's pilot end on 25 December, the 1 January sweep).
# Whole years run in bench/simulation.py (docs/performance.md).
PARTS = {
    11: (("taraz", "uralsk"), D(2024, 11, 18), D(2025, 1, 7)),
    12: (("shymkent", "turkestan"), D(2024, 3, 1), D(2024, 4, 6)),
}


@pytest.mark.parametrize("seed", sorted(PARTS))
def test_a_small_year_with_faults_holds_every_invariant(seed: int) -> None:
    # covers: A7.9, A7.12, A7.14, A7.16, A7.18, A8.2, A8.3, A8.4, A8.5, A10, A11, A12, I5, I6, I7,
    # covers: I17, I18, I20, I21
    cities, first, last = PARTS[seed]
    summary = simulate(small_year(seed, faults=True, cities=cities, first=first, last=last))
    assert summary.figures["settlements"] > 0
    assert summary.faults_done.get("ticks killed and run again", 0) > 0
    assert summary.faults_done.get("two ticks at once", 0) > 0
    assert summary.balances["child"] >= 0
    assert sum(summary.balances.values()) == 0  # double entry: the budget's out is someone's in
    assert summary.surprises == []


def test_faults_change_no_balance() -> None:
    # covers: A7.18, I20 (a killed tick run again ends as one run; repeated bank messages and
    # two ticks at once change nothing)
    options = small_year(5, faults=False, children=6, cities=("shymkent",), last=D(2024, 4, 3))
    calm = simulate(options)
    call_command("flush", interactive=False, verbosity=0)
    for code in ("taraz", "shymkent", "turkestan", "uralsk"):
        pilot_city(code)
    options.faults = True
    stormy = simulate(options)
    assert stormy.faults_done
    assert stormy.balance_digest == calm.balance_digest
    assert stormy.balances == calm.balances
    assert stormy.figures == calm.figures
    # where the time went, by part of the day (not seed-stable, so not among the figures)
    assert {"tick", "invariants", "onboarding", "bank", "preschools", "parents"} <= set(
        calm.seconds_by_part)
    parts = calm.seconds_by_part.values()
    assert min(parts) >= 0 and sum(parts) <= calm.seconds + 0.05 * len(parts)  # each rounded


def test_several_workers_make_the_same_year_as_one(settings: object, tmp_path: Path) -> None:
    # covers: A7.13, A7.14, A7.15 (the preschools' marks and the parents' answers made by two
    # processes at once: the same year, figure for figure)
    options = small_year(7, faults=False, children=12, cities=("shymkent", "taraz"),
                         last=D(2024, 4, 3))
    one = simulate(options)
    call_command("flush", interactive=False, verbosity=0)
    for code in ("taraz", "shymkent", "turkestan", "uralsk"):
        pilot_city(code)
    settings.NOBD_EXPORT_DIR = tmp_path / "nobd-2"  # type: ignore[attr-defined]
    options.workers = 2
    two = simulate(options)
    assert two.workers == 2 and two.calls_by_workers >= 20 and one.calls_by_workers == 0
    assert two.events["marks entered (page)"] > 0 and two.events["sheets confirmed by the parent"]
    assert (two.figures, two.balances, two.balance_digest, two.events, two.surprises) == (
        one.figures, one.balances, one.balance_digest, one.events, one.surprises)


def test_the_invariants_catch_a_sheet_paid_against_the_tally(tmp_path: Path) -> None:
    # covers: A8.1, I4 (the simulation's own payment on its tally, against the settlement)
    world = start(small_year(3, faults=False, children=6, cities=("turkestan",)), tmp_path)
    play(world, until=D(2024, 4, 2))
    invariants.month_end(world, D(2024, 4, 2))  # clean as the simulation left it
    key, sheet = next((k, s) for k, s in sorted(world.tally.sheets.items())
                      if k[1] == "2024-03" and s.state in ("confirmed", "auto_confirmed"))
    first_present = next(i for i, c in enumerate(sheet.days) if c == "P")
    sheet.put(first_present + 1, "S")  # the tally now disagrees with the sheet the system paid
    with pytest.raises(Violation,
                       match=rf"seed 3, day 2024-04-02: sheet \d+ \({key[0]}, 2024-03\) days"):
        invariants.month_end(world, D(2024, 4, 2))


def test_a_second_run_on_the_same_database_is_refused(tmp_path: Path) -> None:
    world = start(small_year(4, faults=False, children=4, cities=("turkestan",)), tmp_path)
    play(world, until=D(2024, 3, 2))
    with pytest.raises(NotFresh):
        start(small_year(4, faults=False, children=4, cities=("turkestan",)), tmp_path)
