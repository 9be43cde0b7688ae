"""The Django-backed subcommands of `goszakaz`: import-applications, demo, run."""

from __future__ import annotations

import argparse
import sys

from django.core.management import call_command
from django.db import transaction

from goszakaz.registry.models import City, Role


def run(args: argparse.Namespace) -> int:
    """Dispatch one of the Django-backed subcommands; returns the exit code."""
    if args.command == "import-applications":
        return import_command(args)
    if args.command == "demo":
        from goszakaz import demo

        call_command("migrate", verbosity=0)
        demo.load()
        demo.print_logins()
        return 0
    if args.command == "run":
        from goszakaz import demo

        call_command("migrate", verbosity=0)
        demo.load()
        demo.print_logins()
        call_command("runserver", "127.0.0.1:8000", use_reloader=False)
        return 0
    raise SystemExit(f"unknown command {args.command}")  # pragma: no cover


def import_command(args: argparse.Namespace) -> int:
    """`goszakaz import-applications`: exit 0, or 2 with every bad line and field on stderr."""
    from goszakaz.queue.services import ImportRejected, import_applications

    city = City.objects.filter(code=args.city).first()
    if city is None:
        print(f"error: unknown city {args.city!r}", file=sys.stderr)
        return 2
    rejects = args.rejects or args.file.with_name(args.file.name + ".rejects.csv")
    try:
        with transaction.atomic():
            result = import_applications(city=city, path=args.file, skip_invalid=args.skip_invalid,
                                         rejects=rejects, actor=None, role=Role.EDU)
    except ImportRejected as e:
        for err in e.errors:
            print(f"{args.file}: {err}", file=sys.stderr)
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as e:
        print(f"error: {args.file}: {e}", file=sys.stderr)
        return 2
    print(f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
          f"rejected {len(result.errors) and len({e.line for e in result.errors})}")
    if result.errors:
        print(f"bad rows written to {rejects}")
    return 0
