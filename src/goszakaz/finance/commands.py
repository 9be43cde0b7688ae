"""The Django-backed finance subcommands of `goszakaz`: ledger verify."""

from __future__ import annotations

import argparse
import sys

from goszakaz.finance.verify import verify


def run(args: argparse.Namespace) -> int:
    """`goszakaz ledger verify`: exit 0 when clean, 1 naming every violation."""
    problems = verify()
    for p in problems:
        print(p, file=sys.stderr)
    print("ledger: clean" if not problems else f"ledger: {len(problems)} violation(s)")
    return 1 if problems else 0
