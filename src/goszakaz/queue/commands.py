"""The Django-backed subcommands of `goszakaz`: import-applications, demo, run."""

from __future__ import annotations

import argparse

from django.core.management import call_command


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
    from goszakaz.imports import run_import_command
    from goszakaz.queue.services import import_applications

    return run_import_command(args, import_applications)
