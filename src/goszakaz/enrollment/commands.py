"""The enrollment subcommands of `goszakaz`: import-children (A5, A7.3) and import-contracts (A7.10)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from django.db import transaction

from goszakaz.queue.services import ImportRejected, ImportResult
from goszakaz.registry.models import City, Role


def run(args: argparse.Namespace) -> int:
    """Dispatch one of the enrollment subcommands; returns the exit code."""
    from goszakaz.enrollment.imports import import_children, import_contracts

    if args.command == "import-children":
        return import_command(args, import_children)
    if args.command == "import-contracts":
        return import_command(args, import_contracts)
    raise SystemExit(f"unknown command {args.command}")  # pragma: no cover


def import_command(args: argparse.Namespace, service: Callable[..., ImportResult]) -> int:
    """Exit 0 with the file imported, or 2 with every bad line and field on stderr."""
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
    print(f"created {result.created}, unchanged {result.unchanged}, rejected {rejected}")
    if result.errors:
        print(f"bad rows written to {rejects}")
    return 0
