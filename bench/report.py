"""Benchmark of the results report (issue 13): each part of `report pilot` timed on the database
as it is (read only: fill it first, e.g. `python bench/simulation.py year --children N`).

Usage:
  DATABASE_URL=... python bench/report.py [--as-of 2025-01-20] [--formats json,html,xlsx,pdf]
      [--city C]

Prints one JSON object: the database's size (vouchers, sheets, transfers, settlements), the
seconds of each query part (money, figures, deadlines, disputes), of each format, and the peak
memory. Nothing is written to the database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from typing import Any


def arguments() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2025, 1, 20))
    p.add_argument("--formats", default="json,html,xlsx")
    p.add_argument("--city")
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
from django.utils import translation  # noqa: E402

from goszakaz.attendance import sheet_totals  # noqa: E402
from goszakaz.attendance.models import Sheet, SheetTotalsThrough  # noqa: E402
from goszakaz.enrollment.models import Voucher  # noqa: E402
from goszakaz.finance import flow_totals  # noqa: E402
from goszakaz.finance.models import FlowTotalsThrough, Settlement, Transfer  # noqa: E402
from goszakaz.registry.models import City  # noqa: E402
from goszakaz.reports import document, exports, figures, money  # noqa: E402
from goszakaz.reports.pilot import pilot_report  # noqa: E402


def timed(what: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    out = what()
    return out, round(time.perf_counter() - started, 3)


def main() -> int:
    args = ARGS
    assert args is not None
    codes = [args.city] if args.city else list(City.objects.values_list("code", flat=True))
    size = {"vouchers": Voucher.objects.count(), "sheets": Sheet.objects.count(),
            "transfers": Transfer.objects.count(), "settlements": Settlement.objects.count()}
    parts: dict[str, float] = {}
    with transaction.atomic(), translation.override("ru"):
        stored = {"flows_through": str(flow_totals.through()),
                  "sheets_through": str(sheet_totals.through())}
        if args.live:  # rolled back at the end: nothing is written
            FlowTotalsThrough.objects.update(through=None)
            SheetTotalsThrough.objects.update(through=None)
        _, parts["money"] = timed(lambda: money.city_money(as_of=args.as_of, cities=codes))
        _, parts["figures"] = timed(lambda: figures.month_figures(as_of=args.as_of, cities=codes))
        _, parts["deadlines"] = timed(lambda: figures.deadlines(as_of=args.as_of, cities=codes))
        _, parts["disputes"] = timed(lambda: figures.disputes_by_preschool(as_of=args.as_of,
                                                                           cities=codes))
        report, parts["whole report's data"] = timed(lambda: pilot_report(as_of=args.as_of,
                                                                          city=args.city))
        writers = {"json": lambda: json.dumps(exports.to_json(report)),
                   "html": lambda: document.to_html(report),
                   "xlsx": lambda: exports.to_xlsx(report),
                   "pdf": lambda: document.to_pdf(report)}
        for fmt in args.formats.split(","):
            out, seconds = timed(writers[fmt])
            parts[f"{fmt} (data and file)"] = round(parts["whole report's data"] + seconds, 3)
            parts[f"{fmt} bytes"] = len(out)
        transaction.set_rollback(args.live)
    print(json.dumps({"date": dt.date.today().isoformat(), "database": connection.vendor,
                      "as_of": args.as_of.isoformat(), "size": size, "live": args.live,
                      **stored, "seconds": parts,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024},
                     ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
