"""The monthly cycle's steps: a month's final sheets settled (A7.18, A8, I5) with the silent
twice annulled (A7.14, I6), and `tick`, everything due on a day (DESIGN, Time)."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from goszakaz.access.actor import Actor
from goszakaz.attendance import sheet_totals
from goszakaz.attendance.nobd_export import export_sheets
from goszakaz.attendance.reconfirm import meet_final_reconfirmations
from goszakaz.attendance.reminders import remind_parents
from goszakaz.attendance.services import auto_confirm
from goszakaz.banking.models import ChildAccount
from goszakaz.domain.calendar import OutsideCalendar
from goszakaz.domain.months import last_day, month_of, previous
from goszakaz.enrollment.models import AnnulmentReason, Voucher
from goszakaz.finance import flow_totals
from goszakaz.finance.models import Settlement
from goszakaz.finance.month_context import MonthContext
from goszakaz.finance.month_deadlines import (
    in_pilot,
    meet_auto_confirmation,
    month_opened,
    open_month,
)
from goszakaz.finance.payments import (
    SettledChunk,
    months_to_settle,
    open_preschool_accounts,
    pay_owed_all,
    settle_chunk,
    unsettled,
)
from goszakaz.finance.sweep import sweep_closed_accounts, sweep_year_end
from goszakaz.notifications.channels import deliver_pending
from goszakaz.registry.models import City, Role
from goszakaz.verification.services import report_paid_directly
from goszakaz.workflows import annulment

CHUNK = int(os.environ.get("GOSZAKAZ_SETTLE_CHUNK", "20000"))  # sheets per transaction
# chunks settled at once on PostgreSQL, each in its own transaction and connection: one
# computes A8 while another waits for the database (2 cores: the client and the server)
WORKERS = int(os.environ.get("GOSZAKAZ_SETTLE_WORKERS", "2"))
OPERATOR = Actor.system(Role.OPR)  # the operator's scheduled work: settlement, sweeps, exports
OnProgress = Callable[[int, int], None]  # (units done just now, all units of the work)

logger = logging.getLogger(__name__)


def settle_part(*, city: City, month: str, on: dt.date, actor: Actor, now: dt.datetime,
                limit: int | None = None, context: MonthContext | None = None,
                after: int = 0) -> SettledChunk:
    """Pay final sheets of the month once (finance.payments.settle_chunk), then annul the
    vouchers of children whose parent was silent two months in a row (A7.14, I6), effective
    after this month's payment (the 1st of the next month). Returns what settle_chunk did."""
    chunk = settle_chunk(city=city, month=month, on=on, actor=actor, now=now, limit=limit,
                         context=context, after=after)
    _to_risk_verification(city, chunk.direct, on=on, actor=actor, now=now)
    if chunk.silent:
        annulment.annul_many(voucher_ids=chunk.silent, reason=AnnulmentReason.UNCONFIRMED,
                   on=last_day(month) + dt.timedelta(days=1), actor=actor, now=now)
    return chunk


def _to_risk_verification(city: City, direct: tuple[int, ...], *, on: dt.date, actor: Actor,
                          now: dt.datetime) -> int:
    """I19, A7.9: each child a chunk paid directly (`direct`, its vouchers) has one open risk
    case: one the bank's list or the account's closure did not open already (a child who joined
    after the list) is opened now. Returns how many were opened."""
    if not direct:
        return 0
    accounts = dict(ChildAccount.objects.filter(voucher_id__in=list(direct), city=city.code)
                    .order_by("pk").values_list("voucher_id", "pk"))  # the latest, by child
    return report_paid_directly(accounts=accounts, on=on, actor=actor, now=now)


def settle(*, city: City, month: str, on: dt.date, actor: Actor, now: dt.datetime,
           limit: int | None = None, context: MonthContext | None = None) -> int:
    """Settle the month's final sheets in the caller's transaction; returns how many."""
    return settle_part(city=city, month=month, on=on, actor=actor, now=now, limit=limit,
                       context=context).sheets


def pilot_cities(code: str | None = None) -> list[City]:
    """The pilot cities in the order every batch takes them (by code), or the one with `code`."""
    found = City.objects.filter(code=code) if code else City.objects.all()
    return list(found.order_by("code"))


def confirm_silence(*, today: dt.date, now: dt.datetime) -> int:
    """A7.14, I7: what silence confirmed by `today`, committed chunk by chunk; returns how
    many."""
    started = time.perf_counter()
    confirmed = auto_confirm(today=today, now=now)
    with transaction.atomic():
        meet_auto_confirmation(today=today)  # A7.14: every month ended before today is done
        meet_final_reconfirmations()  # A7.16, I7: corrected sheets final by now
    logger.log(logging.INFO if confirmed else logging.DEBUG, "sheets auto-confirmed", extra={
        "date": today.isoformat(), "sheets": confirmed,
        "seconds": round(time.perf_counter() - started, 3)})
    return confirmed


def open_deadlines(*, today: dt.date) -> int:
    """Every pilot city's deadlines of this month and the last, from their first day, so a
    step that never happens shows as overdue (DESIGN, Time); in its own transaction. A city
    month the calendar data does not reach yet is logged and skipped, and so is a month before
    the city's first children (no list, request or payment is due for nobody: they open with
    the first voucher whose period reaches the month). Returns the rows new."""
    opened = 0
    this_month = month_of(today)
    for city in pilot_cities():
        for month in (previous(this_month), this_month):
            try:
                with transaction.atomic():
                    # once: the lists and the request move its days later
                    if not month_opened(city=city, month=month) and Voucher.objects.filter(
                            city=city, period_start__lte=last_day(month)).exists():
                        opened += open_month(city=city, month=month)
            except OutsideCalendar as e:
                logger.warning("deadlines not opened", extra={"city": city.code,
                                                              "month": month, "why": str(e)})
    return opened


def settle_month(*, month: str, cities: list[City], today: dt.date, now: dt.datetime,
                 on_progress: OnProgress | None = None, confirm: bool = True) -> int:
    """Confirm what silence confirmed, then pay every final sheet of the month once.

    Commits every CHUNK sheets; run again (after a crash or a kill) it settles only the rest,
    so it ends in the same state as one uninterrupted run. Returns the sheets settled.
    `on_progress(sheets, of_all)` hears of each chunk settled (of_all counted first, once).
    """
    if confirm:
        confirm_silence(today=today, now=now)
    # in the caller's transaction (a test's, a tick's) one thread; otherwise WORKERS at once
    workers = 1 if connection.vendor != "postgresql" or connection.in_atomic_block else WORKERS
    report: Callable[[int], None] | None = None
    pending = {city.code: unsettled(city=city, month=month) for city in cities}
    if on_progress is not None:
        of_all = sum(pending.values())
        on_progress(0, of_all)
        report = functools.partial(_report, on_progress, of_all)
    total = 0
    for city in cities:
        started = time.perf_counter()
        if not pending[city.code]:  # nothing final unpaid: only the debts (a daily tick)
            with transaction.atomic():
                pay_owed_all(city=city.code, upto=month, now=now)
            continue
        context = MonthContext(city, month)
        if workers == 1:
            done = _settle_chunks(city, month, today, now, context, report)
        else:
            with transaction.atomic():
                open_preschool_accounts(city=city, month=month)
            with ThreadPoolExecutor(workers) as pool:
                runs = [pool.submit(_settle_in_thread, city, month, today, now, context, report)
                        for _ in range(workers)]
                results = [run.result() for run in runs]
                done = sum(r[0] for r in results), sum(r[1] for r in results)
        sheets, transfers = done
        with transaction.atomic():  # I5, I18: debts paid as far as the money is there now
            pay_owed_all(city=city.code, upto=month, now=now)
        logger.log(logging.INFO if sheets else logging.DEBUG, "month settled", extra={
            "city": city.code, "month": month, "sheets": sheets, "transfers": transfers,
            "workers": workers, "seconds": round(time.perf_counter() - started, 3)})
        total += sheets
    return total


def _report(on_progress: OnProgress, of_all: int, sheets: int) -> None:
    on_progress(sheets, of_all)


def _settle_chunks(city: City, month: str, today: dt.date, now: dt.datetime,
                   context: MonthContext, report: Callable[[int], None] | None = None
                   ) -> tuple[int, int]:
    """Settle the city's month chunk by chunk, each committed; returns (sheets, transfers).

    Runs alongside others: each takes the sheets no other run holds (settle_chunk skips locked
    ones), so together they settle every sheet once; one stops when nothing is left for it.
    """
    settled, transfers, after = 0, 0, 0
    while True:
        with transaction.atomic():
            chunk = settle_part(city=city, month=month, on=today, actor=OPERATOR, now=now,
                                limit=CHUNK, context=context, after=after)
        settled += chunk.sheets
        transfers += chunk.transfers
        if report is not None and chunk.sheets:
            report(chunk.sheets)
        if chunk.last == after:
            return settled, transfers
        after = chunk.last


def _settle_in_thread(city: City, month: str, today: dt.date, now: dt.datetime,
                      context: MonthContext, report: Callable[[int], None] | None
                      ) -> tuple[int, int]:
    """_settle_chunks on the thread's own database connection, closed at the end."""
    try:
        return _settle_chunks(city, month, today, now, context, report)
    finally:
        connection.close()


@dataclass(frozen=True)
class TickResult:
    """What one `tick` did."""

    month: str
    settled: int
    left: int  # final sheets still unpaid after the settlements: the children's open items
    owed: int  # settled sheets not paid in full yet (I5, I18): paid after the next funding
    closed_swept: int
    year_end_swept: int
    delivered: int


def tick(*, today: dt.date, now: dt.datetime,
         on_progress: Callable[[str, int, int], None] | None = None) -> TickResult:
    """Everything due on the day; running it twice changes nothing.

    Opens this month's deadlines (and the last month's, if missing) for every pilot city;
    confirms silent sheets (A7.14, I7) and settles every final sheet not paid yet: the last
    month's, and any month's that became final lately (A7.18, I20);
    returns the balances of closed bank accounts (A10) and, from 1 January, last year's
    balances (A7.18); writes the last month's sheets for НОБД (A7.17); hands undelivered
    messages to their channels. Each step is logged with its counts and seconds;
    `on_progress(step, done, of_all)` hears of each step as it starts (done 0) and ends.
    """
    started = time.perf_counter()
    last_month_day = today.replace(day=1) - dt.timedelta(days=1)
    last_month = month_of(last_month_day)
    step = _Steps(today, on_progress)
    with step("open deadlines", 1) as done:
        done(deadlines=open_deadlines(today=today))
    confirm_silence(today=today, now=now)
    with step("remind parents", 1) as done, transaction.atomic():  # I17, I7, A7.14, I6
        done(messages=remind_parents(today=today, now=now))
    settled, left = 0, 0
    for month in months_to_settle(today=today):
        with step("settle", None, month=month) as done:  # settle_month reports its sheets
            sheets = settle_month(
                month=month, cities=pilot_cities(), today=today, now=now, confirm=False,
                on_progress=functools.partial(on_progress, f"settle {month}")
                if on_progress is not None else None)
            unpaid = sum(unsettled(city=city, month=month) for city in pilot_cities())
            done(sheets=sheets, left=unpaid)
        settled += sheets
        left += unpaid
    with step("sweep closed accounts", 1) as done, transaction.atomic():
        closed = sweep_closed_accounts(today=today, actor=OPERATOR, now=now)
        done(accounts=closed)
    swept = 0
    if today.month == 1:
        with step("sweep year end", 1, year=today.year - 1) as done, transaction.atomic():
            swept = sweep_year_end(year=today.year, today=today, actor=OPERATOR, now=now)
            done(transfers=swept)
    exporting = [c for c in pilot_cities() if in_pilot(c, last_month)]
    for city in exporting:
        with (step("export sheets to NOBD", len(exporting), city=city.code, month=last_month),
              transaction.atomic()):
            export_sheets(city=city, month=last_month, directory=settings.NOBD_EXPORT_DIR,
                          today=today, actor=OPERATOR, now=now)
    with step("deliver messages", 1) as done, transaction.atomic():
        delivered = deliver_pending(at=now)
        done(messages=delivered)
    keep_totals(today=today, now=now, step=step)
    owed = Settlement.objects.filter(paid__lt=F("due")).count()
    result = TickResult(last_month, settled, left, owed, closed, swept, delivered)
    logger.info("tick done", extra={"date": today.isoformat(), **asdict(result),
                                    "seconds": round(time.perf_counter() - started, 3)})
    return result


def keep_totals(*, today: dt.date, now: dt.datetime, step: _Steps | None = None) -> None:
    """A14, A15: the days that are over into the reports' stored totals, each in one
    transaction: the ledger's flows by posting day (up to the day before `now`) and the final
    sheets by day of finality (up to the day before `today`, after the silent ones are
    confirmed); a second run the same day stores nothing."""
    steps = step or _Steps(today, None)
    with steps("store flow totals", 1) as done, transaction.atomic():
        done(rows=flow_totals.refresh(now=now))
    with steps("store sheet totals", 1) as done, transaction.atomic():
        done(rows=sheet_totals.refresh(today=today))


class _Steps:
    """tick's steps: each logged when it ends, with its counts and seconds, and told to the
    progress callback (if any) as it starts and ends: one of `of_all` (None: the step tells
    its own progress)."""

    def __init__(self, today: dt.date, on_progress: Callable[[str, int, int], None] | None
                 ) -> None:
        self.today, self.on_progress = today, on_progress

    @contextmanager
    def __call__(self, name: str, of_all: int | None, **fields: object
                 ) -> Iterator[Callable[..., None]]:
        counts: dict[str, object] = {}
        if self.on_progress is not None and of_all is not None:
            self.on_progress(name, 0, of_all)
        started = time.perf_counter()
        yield counts.update
        logger.info("tick step", extra={"step": name, "date": self.today.isoformat(), **fields,
                                         **counts,
                                         "seconds": round(time.perf_counter() - started, 3)})
        if self.on_progress is not None and of_all is not None:
            self.on_progress(name, 1, of_all)
