"""`goszakaz demo` and `goszakaz run [--demo]`: the demo of a fresh machine, built by the simulation
(issue 13): Taraz, Shymkent and Turkestan through their pilot year (March 2024 to the January
2025 sweep), Uralsk's last four months through yesterday, so today's month is open; then a login
of each role on that history. Under DEBUG=1 only: the logins share a published password, so
production settings never get them (docs/security.md, Sign-in)."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from goszakaz import clock
from goszakaz.access.actor import Actor
from goszakaz.attendance.models import Dispute, Sheet
from goszakaz.banking.models import ChildAccount
from goszakaz.domain.months import first_day, month_of, previous
from goszakaz.enrollment.models import Contract, Voucher, VoucherStatus
from goszakaz.enrollment.services import set_group
from goszakaz.registry.models import AgeGroup, Bank, City, Group, Membership, Preschool, Role
from goszakaz.simulation.run import NotFresh, Options, simulate
from goszakaz.simulation.setup import BANK_CODE

logger = logging.getLogger(__name__)
PASSWORD = "demo12345"
SEED = 1
PAST = ("shymkent", "taraz", "turkestan")  # their pilot ended on 25.12.2024
PAST_FROM, PAST_TO = dt.date(2024, 3, 1), dt.date(2025, 1, 20)  # through the January sweep
CHILDREN = 40  # a city's children in the past year; Uralsk has half as many again
URALSK_MONTHS = 4  # Uralsk's months simulated before today's
# login, role, what it is (the demo's people are found in the simulated data)
LOGINS = [
    ("edu-taraz", Role.EDU, "Taraz's department of education"),
    ("edu-uralsk", Role.EDU, "Uralsk's department of education"),
    ("operator", Role.OPR, "the operator, every city"),
    ("bank", Role.BANK, "the pilot's bank"),
    ("preschool", Role.PRE, "the administrator of Uralsk's largest preschool"),
    ("teacher", Role.PRE, "the teacher of its first group"),
    ("parent", Role.PAR, "a Uralsk parent: a child with an account and a history"),
]


class HalfLoaded(RuntimeError):
    """An earlier `goszakaz demo` stopped halfway: the database must be made again."""


def load(*, children: int = CHILDREN, today: dt.date | None = None,
         past_from: dt.date = PAST_FROM) -> bool:
    """Simulate the demo's history and make its logins; False (nothing done) when the demo is
    there already. A run stopped halfway is refused with what to do (HalfLoaded). A later
    `past_from` shortens the past cities' year (the tests' quick demo)."""
    users = get_user_model()
    if users.objects.filter(username="operator").exists():
        return False
    today = today or clock.today()
    month = month_of(today)
    for _ in range(URALSK_MONTHS):
        month = previous(month)
    uralsk_from = first_day(month)
    try:
        with _quiet():
            simulate(Options(cities=list(PAST), children=children, first=past_from,
                             last=PAST_TO, seed=SEED))
            simulate(Options(cities=["uralsk"], children=children * 3 // 2, first=uralsk_from,
                             last=today - dt.timedelta(days=1), seed=SEED))
    except NotFresh as e:
        raise HalfLoaded("an earlier `goszakaz demo` stopped halfway: remove the database "
                         "(GOSZAKAZ_DATA_DIR's goszakaz.sqlite3) and run it again") from e
    logins(today)
    return True


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The simulated year's thousands of log lines (each tick's steps, a child's open item
    repeated each night) kept off the console; errors still show."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)


@transaction.atomic
def logins(today: dt.date) -> None:
    """A login of each role on the simulated people, the admin, and the first Uralsk
    preschool's pupils in two groups (the teacher's is the first)."""
    users = get_user_model()
    school = (Preschool.objects.filter(city__code="uralsk")
              .annotate(n=Count("contracts")).order_by("-n", "pk").first())
    bank = Bank.objects.get(code=BANK_CODE)
    group = _groups(school, today) if school else None
    scope: dict[str, dict[str, object]] = {
        "edu-taraz": {"city": City.objects.get(code="taraz")},
        "edu-uralsk": {"city": City.objects.get(code="uralsk")},
        "bank": {"bank": bank},
        "preschool": {"preschool": school},
        "teacher": {"preschool": school, "group": group},
        "parent": {"iin": _parent(school, today)},
    }
    for username, role, _ in LOGINS:
        user = users.objects.create_user(username, password=PASSWORD)
        Membership.objects.create(user=user, role=role, **scope.get(username, {}))
    if not users.objects.filter(username="admin").exists():
        users.objects.create_superuser("admin", "", PASSWORD)


def _groups(school: Preschool, today: dt.date) -> Group:
    """The preschool's pupils of today in two groups by age: «Ботақан» the younger, «Балапан»
    the older."""
    younger = Group.objects.create(preschool=school, name="Ботақан", age_group=AgeGroup.MIDDLE)
    older = Group.objects.create(preschool=school, name="Балапан", age_group=AgeGroup.SENIOR)
    contracts = list(Contract.objects.filter(preschool=school, starts_on__lte=today)
                     .exclude(ends_on__lt=today).order_by("voucher__birth_date", "pk")
                     .values_list("pk", flat=True))
    half = len(contracts) // 2
    staff, now = Actor.system(Role.PRE), clock.moment_of(today)
    for group, ids in ((older, contracts[:half]), (younger, contracts[half:])):
        if ids:
            set_group(preschool=school, contract_ids=ids, group=group, actor=staff, now=now)
    return younger


def _parent(school: Preschool | None, today: dt.date) -> str:
    """The IIN of a parent whose child is at the preschool today, with an account opened, and
    with the most months behind it (disputed ones first)."""
    live = (Voucher.objects.filter(city__code="uralsk", status=VoucherStatus.ACTIVE,
                                   contracts__preschool=school, contracts__starts_on__lte=today)
            .exclude(contracts__ends_on__lt=today)
            .filter(pk__in=ChildAccount.objects.filter(opened_on__isnull=False)
                    .values("voucher_id")))
    disputed = set(Dispute.objects.filter(sheet__voucher__in=live)
                   .values_list("sheet__voucher_id", flat=True))
    months = dict(Sheet.objects.filter(voucher__in=live, month__lt=month_of(today))
                  .values_list("voucher_id").annotate(n=Count("pk")).values_list("voucher_id",
                                                                                  "n"))
    best = max(sorted(live.values_list("pk", flat=True)),
               key=lambda v: (v in disputed, months.get(v, 0)), default=None)
    if best is None:
        return ""
    return Voucher.objects.get(pk=best).parent_iin


def run(args: argparse.Namespace) -> int:
    """`goszakaz demo` (the database and demo data) or `goszakaz run` (the development server,
    after the demo data with `--demo`); both refused without DEBUG=1."""
    if not settings.DEBUG:
        print(f"goszakaz {args.command}: refused under production settings (DEBUG is off): the "
              "demo's logins share a published password, and the development server is not "
              "for production; use `goszakaz serve`", file=sys.stderr)
        return 2
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if args.command == "demo" or args.demo:
        print("the demo: a simulated pilot year (about a minute the first time)...", flush=True)
        try:
            load(children=getattr(args, "children", None) or CHILDREN)
        except HalfLoaded as e:
            print(f"goszakaz {args.command}: {e}", file=sys.stderr)
            return 2
        logger.info("demo data ready", extra={"command": args.command,
                                              "seconds": round(time.perf_counter() - started, 3)})
        print_logins()
    if args.command == "run":
        # the background jobs (a НОБД check started on a page) need their worker beside the
        # server; it stops with it
        worker = subprocess.Popen([sys.executable, "-m", "goszakaz.cli", "worker", "--parent",
                                   str(os.getpid())])
        # a SIGTERM (the usual stop) ends the server as Ctrl-C does, so the worker stops too
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        day = getattr(args, "date", None)
        try:
            with clock.frozen(day) if day else contextlib.nullcontext():  # the pages' "today"
                call_command("runserver", f"127.0.0.1:{getattr(args, 'port', 8000)}",
                             use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=10)
    return 0


def print_logins() -> None:
    """The demo logins, for the README's first command."""
    print(f"Demo logins (password for all: {PASSWORD}):")
    for username, role, what in LOGINS:
        print(f"  {username:12} {role:5} {what}")
    print(f"  {'admin':12} admin (reference data only)")
    print("Open http://127.0.0.1:8000/")
