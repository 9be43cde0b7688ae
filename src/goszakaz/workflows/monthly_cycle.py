"""The monthly cycle's steps: a month's final sheets settled (A7.18, A8, I5) with the silent
twice annulled (A7.14, I6), and `tick`, everything due on a day (DESIGN, Time)."""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from goszakaz.access.actor import Actor
from goszakaz.attendance.nobd_export import export_sheets
from goszakaz.attendance.services import auto_confirm
from goszakaz.domain.months import last_day, month_of
from goszakaz.enrollment.models import AnnulmentReason
from goszakaz.enrollment.services import annul_many
from goszakaz.finance.month_context import MonthContext
from goszakaz.finance.payments import open_preschool_accounts, settle_chunk
from goszakaz.finance.sweep import sweep_closed_accounts, sweep_year_end
from goszakaz.notifications.channels import deliver_pending
from goszakaz.registry.models import City, Role

CHUNK = int(os.environ.get("GOSZAKAZ_SETTLE_CHUNK", "20000"))  # sheets per transaction
# chunks settled at once on PostgreSQL, each in its own transaction and connection: one
# computes A8 while another waits for the database (2 cores: the client and the server)
WORKERS = int(os.environ.get("GOSZAKAZ_SETTLE_WORKERS", "2"))
OPERATOR = Actor.system(Role.OPR)  # the operator's scheduled work: settlement, sweeps, exports


def settle_part(*, city: City, month: str, on: dt.date, actor: Actor, now: dt.datetime,
                limit: int | None = None, context: MonthContext | None = None,
                after: int = 0) -> tuple[int, int]:
    """Pay final sheets of the month once (finance.payments.settle_chunk), then annul the
    vouchers of children whose parent was silent two months in a row (A7.14, I6), effective
    after this month's payment (the 1st of the next month). (settled, last sheet id looked at)."""
    settled, last, silent = settle_chunk(city=city, month=month, on=on, actor=actor, now=now,
                                         limit=limit, context=context, after=after)
    if silent:
        annul_many(voucher_ids=silent, reason=AnnulmentReason.UNCONFIRMED,
                   on=last_day(month) + dt.timedelta(days=1), actor=actor, now=now)
    return settled, last


def settle(*, city: City, month: str, on: dt.date, actor: Actor, now: dt.datetime,
           limit: int | None = None, context: MonthContext | None = None) -> int:
    """Settle the month's final sheets in the caller's transaction; returns how many."""
    return settle_part(city=city, month=month, on=on, actor=actor, now=now, limit=limit,
                       context=context)[0]


def _cities(city_code: str | None) -> list[City]:
    cities = City.objects.filter(code=city_code) if city_code else City.objects.all()
    return list(cities.order_by("code"))


def settle_month(*, month: str, cities: list[City], today: dt.date, now: dt.datetime) -> int:
    """Confirm what silence confirmed, then pay every final sheet of the month once.

    Commits every CHUNK sheets; run again (after a crash or a kill) it settles only the rest,
    so it ends in the same state as one uninterrupted run. Returns the sheets settled.
    """
    with transaction.atomic():
        auto_confirm(today=today, now=now)
    # in the caller's transaction (a test's, a tick's) one thread; otherwise WORKERS at once
    workers = 1 if connection.vendor != "postgresql" or connection.in_atomic_block else WORKERS
    total = 0
    for city in cities:
        context = MonthContext(city, month)
        if workers == 1:
            total += _settle_chunks(city, month, today, now, context)
            continue
        with transaction.atomic():
            open_preschool_accounts(city=city, month=month)
        with ThreadPoolExecutor(workers) as pool:
            runs = [pool.submit(_settle_in_thread, city, month, today, now, context)
                    for _ in range(workers)]
            total += sum(run.result() for run in runs)
    return total


def _settle_chunks(city: City, month: str, today: dt.date, now: dt.datetime,
                   context: MonthContext) -> int:
    """Settle the city's month chunk by chunk, each committed; returns the sheets settled.

    Runs alongside others: each takes the sheets no other run holds (settle_chunk skips locked
    ones), so together they settle every sheet once; one stops when nothing is left for it.
    """
    settled, after = 0, 0
    while True:
        with transaction.atomic():
            n, last = settle_part(city=city, month=month, on=today, actor=OPERATOR, now=now,
                                  limit=CHUNK, context=context, after=after)
        settled += n
        if last == after:
            return settled
        after = last


def _settle_in_thread(city: City, month: str, today: dt.date, now: dt.datetime,
                      context: MonthContext) -> int:
    """_settle_chunks on the thread's own database connection, closed at the end."""
    try:
        return _settle_chunks(city, month, today, now, context)
    finally:
        connection.close()


@dataclass(frozen=True)
class TickResult:
    """What one `tick` did."""

    settled: int
    closed_swept: int
    year_end_swept: int
    delivered: int


def tick(*, today: dt.date, now: dt.datetime) -> TickResult:
    """Everything due on the day; running it twice changes nothing.

    Confirms silent sheets (A7.14, I7) and settles the last month once it is over (A7.18);
    returns the balances of closed bank accounts (A10) and, from 1 January, last year's
    balances (A7.18); writes the last month's sheets for НОБД (A7.17); hands undelivered
    messages to their channels.
    """
    last_month_day = today.replace(day=1) - dt.timedelta(days=1)
    last_month = month_of(last_month_day)
    settled = settle_month(month=last_month, cities=_cities(None), today=today, now=now)
    with transaction.atomic():
        closed = sweep_closed_accounts(today=today, actor=OPERATOR, now=now)
    swept = 0
    if today.month == 1:
        with transaction.atomic():
            swept = sweep_year_end(year=today.year, today=today, actor=OPERATOR, now=now)
    for city in _cities(None):
        if city.pilot_start <= last_month_day:
            with transaction.atomic():
                export_sheets(city=city, month=last_month, directory=settings.NOBD_EXPORT_DIR,
                              today=today, actor=OPERATOR, now=now)
    with transaction.atomic():
        delivered = deliver_pending(at=now)
    return TickResult(settled, closed, swept, delivered)


