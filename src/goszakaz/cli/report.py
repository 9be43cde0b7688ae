"""`goszakaz report pilot`: the pilot's results report (A15, P5) as JSON, HTML, PDF or XLSX."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time

from django.db import transaction
from django.utils import translation

from goszakaz import clock
from goszakaz.registry.models import City
from goszakaz.reports.document import to_html, to_pdf
from goszakaz.reports.exports import to_json, to_xlsx
from goszakaz.reports.pilot import pilot_report

logger = logging.getLogger(__name__)


def run(args: argparse.Namespace) -> int:
    """Write the report to --output; exit 2 for an unknown city or a PDF without WeasyPrint."""
    as_of = args.as_of or clock.today()
    started = time.perf_counter()
    if args.city and not City.objects.filter(code=args.city).exists():
        print(f"error: unknown city {args.city!r}", file=sys.stderr)
        return 2
    # one snapshot: every figure read in one transaction (repeatable on PostgreSQL's MVCC)
    with transaction.atomic(), translation.override(args.lang):
        report = pilot_report(as_of=as_of, city=args.city)
        if args.format == "json":
            data = json.dumps(to_json(report), ensure_ascii=False, indent=2).encode() + b"\n"
        elif args.format == "xlsx":
            data = to_xlsx(report)
        elif args.format == "html":
            data = to_html(report).encode()
        else:
            try:
                data = to_pdf(report)
            except ImportError as e:
                print(f"error: the PDF needs WeasyPrint and its libraries (pango): {e}",
                      file=sys.stderr)
                return 2
    args.output.write_bytes(data)
    seconds = round(time.perf_counter() - started, 3)
    logger.info("report done", extra={"command": "report pilot", "format": args.format,
                                       "as_of": as_of.isoformat(), "city": args.city or "",
                                       "bytes": len(data), "seconds": seconds})
    print(f"report of {as_of.isoformat()} written to {args.output} ({len(data)} bytes, "
          f"{seconds} s)")
    return 0
