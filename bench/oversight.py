"""Benchmark of the oversight pages (A14, issue 13: a page within 1 s): each page's data timed on
the database as it is (read only: fill it first, e.g. `python bench/settlement.py --n 250000`).

Usage:
  DATABASE_URL=... python bench/oversight.py [--as-of 2024-05-02] [--city C] [--runs 3]

Times each page's data (`reports.oversight`: its grouped queries, its charts and tables) for
every city together (the operator's first view) and for one city (an EDU's), the median of
`--runs` runs, and prints one JSON object with the database's size. Nothing is written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time


def arguments() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today())
    p.add_argument("--city", help="the one city timed apart (default: the one with most sheets)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--live", action="store_true",
                   help="ignore the stored totals (finance's flows, attendance's sheets): "
                        "every figure from the live queries, as before issue 13's aggregates")
    return p.parse_args()


ARGS = arguments() if __name__ == "__main__" else None
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goszakaz.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import translation  # noqa: E402

from goszakaz.attendance import sheet_totals  # noqa: E402
from goszakaz.attendance.models import Sheet, SheetTotalsThrough  # noqa: E402
from goszakaz.deadlines.models import Deadline  # noqa: E402
from goszakaz.enrollment.models import Voucher  # noqa: E402
from goszakaz.finance import flow_totals  # noqa: E402
from goszakaz.finance.models import FlowTotalsThrough, Transfer  # noqa: E402
from goszakaz.registry.models import City  # noqa: E402
from goszakaz.reports.oversight import PAGES  # noqa: E402


def main() -> int:
    args = ARGS
    assert args is not None
    every = list(City.objects.order_by("code"))
    busiest = (Sheet.objects.values_list("city").annotate(n=Count("pk")).order_by("-n")
               .values_list("city", flat=True).first())
    one = [c for c in every if c.code == (args.city or busiest)] or every[:1]
    size = {"vouchers": Voucher.objects.count(), "sheets": Sheet.objects.count(),
            "transfers": Transfer.objects.count(), "deadlines": Deadline.objects.count()}
    seconds: dict[str, float] = {}
    with transaction.atomic(), translation.override("ru"):
        stored = {"flows_through": str(flow_totals.through()),
                  "sheets_through": str(sheet_totals.through())}
        if args.live:  # rolled back at the end: nothing is written
            FlowTotalsThrough.objects.update(through=None)
            SheetTotalsThrough.objects.update(through=None)
        for name, page in PAGES.items():
            for scope, cities in (("all cities", every), (one[0].code, one)):
                runs = []
                for _ in range(args.runs):
                    started = time.perf_counter()
                    page(as_of=args.as_of, cities=cities)
                    runs.append(time.perf_counter() - started)
                seconds[f"{name}, {scope}"] = round(statistics.median(runs), 3)
        transaction.set_rollback(args.live)
    print(json.dumps({"date": dt.date.today().isoformat(), "database": connection.vendor,
                      "as_of": args.as_of.isoformat(), "size": size, "live": args.live,
                      **stored, "seconds": seconds},
                     ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
