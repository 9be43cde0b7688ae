"""What every file import shares: the whole-or-nothing error, the result, and the CLI runner."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from goszakaz.queue.files import RowError


class ImportRejected(Exception):
    """The file has bad rows and was not imported; `errors` names each line and field."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the file; nothing imported")
        self.errors = errors


@dataclass
class ImportResult:
    """What an import did: created, updated, unchanged, rejected rows."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def run_import_command(args: argparse.Namespace, service: Callable[..., ImportResult]) -> int:
    """`goszakaz import-…`: exit 0 with the file imported, or 2 with every bad line on stderr."""
    from django.db import transaction

    from goszakaz.registry.models import City, Role

    city = City.objects.filter(code=args.city).first()
    if city is None:
        print(f"error: unknown city {args.city!r}", file=sys.stderr)
        return 2
    rejects = args.rejects or args.file.with_name(args.file.name + ".rejects.csv")
    try:
        with transaction.atomic():
            result = service(city=city, path=args.file, skip_invalid=args.skip_invalid,
                             rejects=rejects, actor=None, role=Role.EDU)
    except ImportRejected as e:
        for err in e.errors:
            print(f"{args.file}: {err}", file=sys.stderr)
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as e:
        print(f"error: {args.file}: {e}", file=sys.stderr)
        return 2
    rejected = len({e.line for e in result.errors})
    print(f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
          f"rejected {rejected}")
    if result.errors:
        print(f"bad rows written to {rejects}")
    return 0
