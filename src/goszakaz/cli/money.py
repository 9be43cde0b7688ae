"""`goszakaz ledger verify | settle | tick | totals | issue-token`: the money's commands, the
reports' stored totals and API tokens."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time

from django.db import transaction

from goszakaz import clock
from goszakaz.access.actor import SYSTEM, Actor
from goszakaz.attendance import sheet_totals
from goszakaz.cli.progress import bars
from goszakaz.finance import flow_totals
from goszakaz.finance.verify import verify
from goszakaz.registry.models import Bank, Preschool
from goszakaz.workflows import monthly_cycle
from goszakaz.workflows.onboarding import issue_api_token

logger = logging.getLogger(__name__)


def run(args: argparse.Namespace) -> int:
    """Dispatch `ledger verify`, `settle`, `tick` and `issue-token`; returns the exit code."""
    if args.command == "ledger":
        return ledger_verify()
    if args.command == "issue-token":
        return issue_token_command(args)
    # --date names the business day to act for; the rows written are stamped with the real
    # moment (a catch-up run never backdates the ledger or the audit trail)
    today, now = args.date or clock.today(), clock.now()
    if args.command == "totals":
        return totals_command(args.action, today=today, now=now)
    if args.command == "settle":
        cities = monthly_cycle.pilot_cities(args.city)
        if not cities:
            print(f"error: unknown city {args.city!r}", file=sys.stderr)
            return 2
        started = time.perf_counter()
        with bars() as shown:
            total = monthly_cycle.settle_month(month=args.month, cities=cities, today=today,
                                               now=now, on_progress=shown.task(
                                                   f"settle {args.month}"))
        logger.info("settle done", extra={
            "command": "settle", "month": args.month, "cities": [c.code for c in cities],
            "sheets": total, "seconds": round(time.perf_counter() - started, 3)})
        print(f"settled {total} sheet(s) of {args.month}")
        return 0
    with bars() as shown:
        done = monthly_cycle.tick(today=today, now=now, on_progress=shown.steps())
    print(f"settled {done.settled} sheet(s) of {done.month}")
    if done.left or done.owed:
        print(f"open items: {done.left} final sheet(s) not paid (the log names them), "
              f"{done.owed} sheet(s) owed to preschools until the next funding")
    print(f"tick {today.isoformat()}: {done.closed_swept} closed account(s) and "
          f"{done.year_end_swept} year-end balance(s) returned, {done.delivered} message(s) "
          f"delivered")
    return 0


def totals_command(action: str, *, today: dt.date, now: dt.datetime) -> int:
    """`goszakaz totals refresh | rebuild`: the reports' stored totals, each kind in one
    transaction (a repeated refresh stores nothing; a rebuild replaces every stored day)."""
    started = time.perf_counter()
    with transaction.atomic():
        flows = (flow_totals.rebuild(now=now) if action == "rebuild"
                 else flow_totals.refresh(now=now))
    with transaction.atomic():
        sheets = (sheet_totals.rebuild(today=today) if action == "rebuild"
                  else sheet_totals.refresh(today=today))
    logger.info("totals stored", extra={"command": f"totals {action}", "flow_rows": flows,
                                        "sheet_rows": sheets,
                                        "seconds": round(time.perf_counter() - started, 3)})
    print(f"totals {action}: {flows} flow row(s) through {flow_totals.through()}, "
          f"{sheets} sheet row(s) through {sheet_totals.through()}")
    return 0


def ledger_verify() -> int:
    """`goszakaz ledger verify`: exit 0 when clean, 1 naming every violation."""
    started = time.perf_counter()
    problems = verify()
    logger.log(logging.WARNING if problems else logging.INFO, "ledger verified", extra={
        "command": "ledger verify", "violations": len(problems),
        "seconds": round(time.perf_counter() - started, 3)})
    for p in problems:
        print(p, file=sys.stderr)
    print("ledger: clean" if not problems else f"ledger: {len(problems)} violation(s)")
    return 1 if problems else 0


def issue_token_command(args: argparse.Namespace) -> int:
    """`goszakaz issue-token --bank CODE | --preschool BIN`: print a new API token once."""
    actor, now = Actor.system(SYSTEM), clock.now()
    if args.bank:
        bank = Bank.objects.filter(code=args.bank).first()
        if bank is None:
            print(f"error: no bank with code {args.bank!r}", file=sys.stderr)
            return 2
        with transaction.atomic():
            print(issue_api_token(bank=bank, actor=actor, now=now))
        logger.info("token issued", extra={"command": "issue-token", "bank_id": bank.pk})
        return 0
    preschool = Preschool.objects.filter(bin=args.preschool).select_related("city").first()
    if preschool is None:
        print(f"error: no preschool with BIN {args.preschool!r}", file=sys.stderr)
        return 2
    with transaction.atomic():
        print(issue_api_token(preschool=preschool, actor=actor, now=now))
    logger.info("token issued", extra={"command": "issue-token", "preschool_id": preschool.pk})
    return 0
