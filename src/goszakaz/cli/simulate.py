"""`goszakaz simulate`: a simulated pilot year on the configured database (issue 9)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys

from goszakaz.cli.progress import bars
from goszakaz.simulation.run import NotFresh, Options, Summary, simulate
from goszakaz.simulation.world import Violation

logger = logging.getLogger(__name__)


def run(args: argparse.Namespace) -> int:
    """Run the simulation; exit 1 when an invariant failed (naming the seed and day), 2 when
    the database is not fresh."""
    options = Options(cities=[c.strip() for c in args.cities.split(",") if c.strip()],
                      children=args.children, first=args.date_from, last=args.date_to,
                      seed=args.seed, faults=args.faults, workers=args.workers)
    with bars() as shown:
        report = shown.task("simulated days")
        try:
            summary = simulate(options, on_day=(lambda _day, done, total: report(1, total))
                               if report is not None else None)
        except Violation as e:
            print(f"invariant failed: {e}", file=sys.stderr)
            return 1
        except (NotFresh, ValueError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    print_summary(summary)
    if args.summary:
        args.summary.write_text(json.dumps(dataclasses.asdict(summary), ensure_ascii=False,
                                           indent=2) + "\n", encoding="utf-8")
    return 0


def print_summary(summary: Summary) -> None:
    """The summary at the end of the run, for people."""
    print(f"simulated {summary.days} day(s), seed {summary.seed}"
          f"{' with faults' if summary.faults else ''}: {summary.seconds} s")
    for name, value in summary.figures.items():
        print(f"  {name}: {value}")
    print("  balances (tiyn): " + ", ".join(f"{k} {v}" for k, v in summary.balances.items()))
    print(f"  balance digest: {summary.balance_digest}")
    print("  seconds by part of the day: " + ", ".join(
        f"{part} {s}" for part, s in summary.seconds_by_part.items()))
    if summary.workers > 1:
        print(f"  workers: {summary.workers}, the people's calls they made: "
              f"{summary.calls_by_workers}")
    for name, n in summary.events.items():
        print(f"  {name}: {n}")
    for name, n in summary.faults_done.items():
        print(f"  fault: {name}: {n}")
    print(f"  surprises (refusals the people did not expect): {len(summary.surprises)}")
    for line in summary.surprises[:20]:
        print(f"    {line}")
    print("  invariants: all held")
