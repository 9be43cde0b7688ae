"""`goszakaz import-applications | import-children | import-contracts`: a city's file, whole or nothing."""

from __future__ import annotations

import argparse
import logging
import sys
import time

from django.db import transaction

from goszakaz import clock
from goszakaz.access.actor import Actor
from goszakaz.cli.progress import bars
from goszakaz.enrollment.imports import import_children, import_contracts
from goszakaz.files import ImportRejected
from goszakaz.queue.services import import_applications
from goszakaz.registry.models import City, Role

SERVICES = {"import-applications": import_applications, "import-children": import_children,
            "import-contracts": import_contracts}

logger = logging.getLogger(__name__)


def run(args: argparse.Namespace) -> int:
    """Exit 0 with the file imported, or 2 with every bad line on stderr."""
    city = City.objects.filter(code=args.city).first()
    if city is None:
        print(f"error: unknown city {args.city!r}", file=sys.stderr)
        return 2
    rejects = args.rejects or args.file.with_name(args.file.name + ".rejects.csv")
    started = time.perf_counter()
    fields = {"command": args.command, "city": city.code}  # never the file's name or rows
    try:
        with bars() as shown, transaction.atomic():
            result = SERVICES[args.command](city=city, path=args.file,
                                            skip_invalid=args.skip_invalid, rejects=rejects,
                                            actor=Actor.system(Role.EDU), now=clock.now(),
                                            on_progress=shown.task(f"{args.command} {city.code}"))
    except ImportRejected as e:
        logger.warning("import rejected", extra={
            **fields, "errors": len(e.errors), "rows": len({err.line for err in e.errors}),
            "seconds": round(time.perf_counter() - started, 3)})
        for err in e.errors:
            print(f"{args.file}: {err}", file=sys.stderr)
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as e:
        logger.warning("import failed", extra={**fields, "error": type(e).__name__})
        print(f"error: {args.file}: {e}", file=sys.stderr)
        return 2
    rejected = len({e.line for e in result.errors})
    logger.info("import done", extra={
        **fields, "new": result.created, "updated": result.updated,
        "unchanged": result.unchanged, "rejected": rejected,
        "seconds": round(time.perf_counter() - started, 3)})
    print(f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
          f"rejected {rejected}")
    if result.errors:
        print(f"bad rows written to {rejects}")
    return 0
