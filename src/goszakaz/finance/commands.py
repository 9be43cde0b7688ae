"""The Django-backed finance subcommands of `goszakaz`: ledger verify, settle, tick."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys

from django.db import transaction

from goszakaz import clock
from goszakaz.domain.months import month_of
from goszakaz.finance.verify import verify
from goszakaz.registry.models import City

CHUNK = int(os.environ.get("GOSZAKAZ_SETTLE_CHUNK", "20000"))  # sheets per transaction


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
    from goszakaz.finance.payments import settle_chunk

    cities = _cities(city_code)
    if not cities:
        print(f"error: unknown city {city_code!r}", file=sys.stderr)
        return 2
    with transaction.atomic():
        auto_confirm(today=today)
    total = 0
    for city in cities:
        context, after = None, 0
        while True:
            with transaction.atomic():
                context = context or MonthContext(city, month)
                n, after = settle_chunk(city=city, month=month, on=today, actor=None, role="OPR",
                                        limit=CHUNK, context=context, after=after)
            total += n
            if n == 0:
                break
    print(f"settled {total} sheet(s) of {month}")
    return 0


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
