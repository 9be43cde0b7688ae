"""Benchmark of the simulated pilot year (issue 9): a sweep of seeds, or one year at size.

Usage:
  DATABASE_URL=... python bench/simulation.py sweep --seeds 1-20 [--children 20] [--faults]
      [--cities taraz,shymkent,turkestan,uralsk] [--from 2024-03-01] [--to 2025-01-20]
  DATABASE_URL=... python bench/simulation.py year --children 62500 [--seed 1] [--faults]
      [--workers N] ...

The database is emptied and migrated before each run (never point it at real data); without
DATABASE_URL it is SQLite under GOSZAKAZ_DATA_DIR. `sweep` runs one simulated year per seed and
records the seeds run, the violations found (each naming its seed and day) and the seconds;
`year` runs one and prints its summary. Each prints one JSON object at the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import resource
import sys
import time


def _seeds(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        out += list(range(int(low), int(high or low) + 1))
    return out


def arguments() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("mode", choices=("sweep", "year"))
    p.add_argument("--seeds", type=_seeds, default=[1], help="e.g. 1-20 or 3,5,8 (sweep)")
    p.add_argument("--seed", type=int, default=1, help="the seed (year)")
    p.add_argument("--children", type=int, default=20, help="children per city")
    p.add_argument("--cities", default="taraz,shymkent,turkestan,uralsk")
    p.add_argument("--from", dest="first", type=dt.date.fromisoformat,
                   default=dt.date(2024, 3, 1))
    p.add_argument("--to", dest="last", type=dt.date.fromisoformat,
                   default=dt.date(2025, 1, 20))
    p.add_argument("--faults", action="store_true")
    p.add_argument("--workers", type=int, default=1,
                   help="processes making the people's calls at once (PostgreSQL)")
    return p.parse_args()


ARGS = arguments() if __name__ == "__main__" else None
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goszakaz.settings")
# production settings, as a deployment runs: DEBUG would log every query of the year (a tenth of
# its time); the simulated systems call the API in-process on http://localhost
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-simulation-" + os.urandom(16).hex())
os.environ.setdefault("ALLOWED_HOSTS", "localhost")
os.environ.setdefault("GOSZAKAZ_SSL_REDIRECT", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from goszakaz import clock  # noqa: E402
from goszakaz.registry import pilot_cities  # noqa: E402
from goszakaz.registry.models import City  # noqa: E402
from goszakaz.simulation.run import Options, simulate  # noqa: E402
from goszakaz.simulation.world import Violation  # noqa: E402


def fresh() -> None:
    """An empty, migrated database with the pilot cities."""
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    pilot_cities.ensure(City)


def _progress(started: float):  # noqa: ANN202
    """A line on stderr each simulated day: the day, seconds since the start, peak RSS (a run
    at size shows where its hours go, and can be stopped with a figure in hand)."""
    def on_day(day: dt.date, done: int, total: int) -> None:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(f"{day.isoformat()} {done}/{total} {time.perf_counter() - started:.1f} s "
              f"{rss} MB", file=sys.stderr, flush=True)
    return on_day


def one(args: argparse.Namespace, seed: int) -> tuple[dict[str, object], str | None]:
    fresh()
    options = Options(cities=args.cities.split(","), children=args.children, first=args.first,
                      last=args.last, seed=seed, faults=args.faults, workers=args.workers)
    try:
        summary = simulate(options, on_day=_progress(time.perf_counter())
                           if args.mode == "year" else None)
    except Violation as e:
        return {}, str(e)
    return dataclasses.asdict(summary), None


def main() -> int:
    args = ARGS
    assert args is not None
    base = {"date": clock.today().isoformat(), "database": connection.vendor,
            "cities": args.cities, "children_per_city": args.children,
            "from": args.first.isoformat(), "to": args.last.isoformat(), "faults": args.faults,
            "workers": args.workers}
    if args.mode == "year":
        started = time.perf_counter()
        summary, violation = one(args, args.seed)
        print(json.dumps({**base, "seed": args.seed, "violation": violation,
                          "seconds": round(time.perf_counter() - started, 1),
                          "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                          // 1024,
                          "workers_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN)
                          .ru_maxrss // 1024, "summary": summary}, ensure_ascii=False, indent=1))
        return 1 if violation else 0
    runs, violations = [], []
    for seed in args.seeds:
        started = time.perf_counter()
        summary, violation = one(args, seed)
        seconds = round(time.perf_counter() - started, 1)
        runs.append({"seed": seed, "seconds": seconds,
                     "digest": summary.get("balance_digest"),
                     "surprises": len(summary.get("surprises", [])),  # type: ignore[arg-type]
                     "violation": violation})
        if violation:
            violations.append(violation)
        print(json.dumps(runs[-1], ensure_ascii=False), file=sys.stderr)
    print(json.dumps({**base, "seeds_run": args.seeds, "violations_found": len(violations),
                      "violations": violations, "runs": runs}, ensure_ascii=False, indent=1))
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
