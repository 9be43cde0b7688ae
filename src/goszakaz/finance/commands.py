"""The Django-backed finance subcommands of `goszakaz`: ledger verify, settle, tick."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connection, transaction

from goszakaz import clock
from goszakaz.domain.months import month_of
from goszakaz.finance.verify import verify
from goszakaz.registry.models import City

CHUNK = int(os.environ.get("GOSZAKAZ_SETTLE_CHUNK", "20000"))  # sheets per transaction
# chunks settled at once on PostgreSQL, each in its own transaction and connection: one
# computes A8 while another waits for the database (2 cores: the client and the server)
WORKERS = int(os.environ.get("GOSZAKAZ_SETTLE_WORKERS", "2"))


def run(args: argparse.Namespace) -> int:
    """Dispatch `ledger verify`, `settle` and `tick`; returns the exit code."""
    if args.command == "ledger":
        return ledger_verify()
    if args.command == "settle":
        return settle_command(month=args.month, city_code=args.city,
                              today=args.date or clock.today())
    if args.command == "tick":
        return tick(today=args.date or clock.today())
    raise SystemExit(f"unknown command {args.command}")  # pragma: no cover


def ledger_verify() -> int:
    """`goszakaz ledger verify`: exit 0 when clean, 1 naming every violation."""
    problems = verify()
    for p in problems:
        print(p, file=sys.stderr)
    print("ledger: clean" if not problems else f"ledger: {len(problems)} violation(s)")
    return 1 if problems else 0


def _cities(city_code: str | None) -> list[City]:
    cities = City.objects.filter(code=city_code) if city_code else City.objects.all()
    return list(cities.order_by("code"))


def settle_command(*, month: str, city_code: str | None, today: dt.date) -> int:
    """`goszakaz settle --month M`: confirm what silence confirmed, pay every final sheet once.

    Commits every CHUNK sheets; run again (after a crash or a kill) it settles only the rest,
    so it ends in the same state as one uninterrupted run.
    """
    from goszakaz.attendance.services import auto_confirm
    from goszakaz.finance.month_context import MonthContext
    from goszakaz.finance.payments import open_preschool_accounts

    cities = _cities(city_code)
    if not cities:
        print(f"error: unknown city {city_code!r}", file=sys.stderr)
        return 2
    with transaction.atomic():
        auto_confirm(today=today)
    # in the caller's transaction (a test's, a tick's) one thread; otherwise WORKERS at once
    workers = 1 if connection.vendor != "postgresql" or connection.in_atomic_block else WORKERS
    total = 0
    for city in cities:
        context = MonthContext(city, month)
        if workers == 1:
            total += _settle_chunks(city, month, today, context)
            continue
        with transaction.atomic():
            open_preschool_accounts(city=city, month=month)
        with ThreadPoolExecutor(workers) as pool:
            runs = [pool.submit(_settle_in_thread, city, month, today, context)
                    for _ in range(workers)]
            total += sum(run.result() for run in runs)
    print(f"settled {total} sheet(s) of {month}")
    return 0


def _settle_chunks(city: City, month: str, today: dt.date, context: Any) -> int:
    """Settle the city's month chunk by chunk, each committed; returns the sheets settled.

    Runs alongside others: each takes the sheets no other run holds (settle_chunk skips locked
    ones), so together they settle every sheet once; one stops when nothing is left for it.
    """
    from goszakaz.finance.payments import settle_chunk

    settled, after = 0, 0
    while True:
        with transaction.atomic():
            n, last = settle_chunk(city=city, month=month, on=today, actor=None, role="OPR",
                                   limit=CHUNK, context=context, after=after)
        settled += n
        if last == after:
            return settled
        after = last


def _settle_in_thread(city: City, month: str, today: dt.date, context: Any) -> int:
    """_settle_chunks on the thread's own database connection, closed at the end."""
    try:
        return _settle_chunks(city, month, today, context)
    finally:
        connection.close()


def tick(*, today: dt.date) -> int:
    """`goszakaz tick [--date D]`: everything due on the day; running it twice changes nothing.

    Confirms silent sheets (A7.14, I7) and settles the last month once it is over (A7.18);
    returns the balances of closed bank accounts (A10) and, from 1 January, last year's
    balances (A7.18); writes the last month's sheets for НОБД (A7.17); hands undelivered
    messages to their channels.
    """
    from django.conf import settings

    from goszakaz.attendance.nobd_export import export_sheets
    from goszakaz.finance.sweep import sweep_closed_accounts, sweep_year_end
    from goszakaz.notifications.channels import deliver_pending

    last_month_day = today.replace(day=1) - dt.timedelta(days=1)
    last_month = month_of(last_month_day)
    settle_command(month=last_month, city_code=None, today=today)
    with transaction.atomic():
        closed = sweep_closed_accounts(today=today, actor=None, role="OPR")
    swept = 0
    if today.month == 1:
        with transaction.atomic():
            swept = sweep_year_end(year=today.year, today=today, actor=None, role="OPR")
    for city in _cities(None):
        if city.pilot_start <= last_month_day:
            with transaction.atomic():
                export_sheets(city=city, month=last_month, directory=settings.NOBD_EXPORT_DIR,
                              today=today, actor=None, role="OPR")
    with transaction.atomic():
        delivered = deliver_pending()
    print(f"tick {today.isoformat()}: {closed} closed account(s) and {swept} year-end "
          f"balance(s) returned, {delivered} message(s) delivered")
    return 0
