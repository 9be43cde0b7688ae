"""The enrollment subcommands of `goszakaz`: import-children (A5, A7.3) and import-contracts (A7.10)."""

from __future__ import annotations

import argparse

from goszakaz.imports import run_import_command


def run(args: argparse.Namespace) -> int:
    """Dispatch one of the enrollment subcommands; returns the exit code."""
    from goszakaz.enrollment.imports import import_children, import_contracts

    if args.command == "import-children":
        return run_import_command(args, import_children)
    if args.command == "import-contracts":
        return run_import_command(args, import_contracts)
    raise SystemExit(f"unknown command {args.command}")  # pragma: no cover
