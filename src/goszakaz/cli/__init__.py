"""The `goszakaz` command: the project's own subcommands, and Django's management commands."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

OWN = ("allocate", "rules", "import-applications", "import-children", "import-contracts", "demo",
       "run", "serve", "calculate-payment", "ledger", "settle", "tick", "issue-token",
       "simulate", "worker", "report", "totals")
IMPORTS = ("import-applications", "import-children", "import-contracts")
EPILOG = (
    "Django's management commands run too, against DATABASE_URL: goszakaz migrate, "
    "goszakaz createsuperuser, goszakaz runserver, ...; `goszakaz help` lists them all."
)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date YYYY-MM-DD") from None


def _month(value: str) -> str:
    try:
        dt.date.fromisoformat(value + "-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a month YYYY-MM") from None
    if len(value) != 7:
        raise argparse.ArgumentTypeError(f"{value!r} is not a month YYYY-MM")
    return value


def _volume(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number >= 0")
    return int(value)


def parser() -> argparse.ArgumentParser:
    """The argument parser of the project's own subcommands."""
    p = argparse.ArgumentParser(prog="goszakaz", description=__doc__, epilog=EPILOG)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    a = sub.add_parser("allocate", help="run the Taraz allocation on a CSV of applications")
    a.add_argument("--applications", type=Path, required=True, help="input CSV (or XLSX)")
    a.add_argument("--volume", type=_volume, required=True, help="places to allocate (Vt)")
    a.add_argument("--as-of", type=_date, required=True, help="allocation date YYYY-MM-DD")
    a.add_argument("--output", type=Path, required=True, help="output CSV, one row per input")
    a.add_argument("--summary", type=Path, help="summary JSON")
    a.add_argument("--rules", default="taraz-2024", help="rule set id (default taraz-2024)")

    r = sub.add_parser("rules", help="inspect rule sets: `rules check taraz-2024`, `rules list`")
    r.add_argument("action", choices=("check", "list"))
    r.add_argument("rule_id", nargs="?", default="taraz-2024")

    i = sub.add_parser("import-applications", help="import queue applications into a city")
    i.add_argument("--city", required=True, help="city code, e.g. taraz")
    i.add_argument("--file", type=Path, required=True, help="CSV (UTF-8 or Windows-1251) or XLSX")
    i.add_argument("--skip-invalid", action="store_true",
                   help="import the good rows and write the bad ones to --rejects")
    i.add_argument("--rejects", type=Path, help="rejects CSV (default FILE.rejects.csv)")

    for name, what in (("import-children", "import the city's list of children: one voucher each"),
                       ("import-contracts", "import existing contracts from the city's system")):
        c = sub.add_parser(name, help=what)
        c.add_argument("--city", required=True, help="city code, e.g. shymkent")
        c.add_argument("--file", type=Path, required=True,
                       help="CSV (UTF-8 or Windows-1251) or XLSX")
        c.add_argument("--skip-invalid", action="store_true",
                       help="import the good rows and write the bad ones to --rejects")
        c.add_argument("--rejects", type=Path, help="rejects CSV (default FILE.rejects.csv)")

    cp = sub.add_parser("calculate-payment",
                        help="a month's Госзаказ and parent fee for one attendance sheet (JSON)")
    cp.add_argument("--sheet", required=True, metavar="FILE",
                    help="the sheet as JSON, or - for stdin; the payment is printed as JSON")

    led = sub.add_parser("ledger", help="`ledger verify`: check every invariant of the ledger")
    led.add_argument("action", choices=("verify",))

    st = sub.add_parser("settle", help="pay the month's final sheets once (idempotent)")
    st.add_argument("--month", required=True, type=_month, help="YYYY-MM")
    st.add_argument("--city", help="one city code (default: every city)")
    st.add_argument("--date", type=_date, help="today (default: the clock)")

    tk = sub.add_parser("tick", help="do everything due on a day (idempotent; run daily)")
    tk.add_argument("--date", type=_date, help="today (default: the clock)")

    tt = sub.add_parser("totals", help="the reports' stored totals (A14, A15): `totals "
                                       "refresh` stores the days that are over, as tick does; "
                                       "`totals rebuild` stores them all again")
    tt.add_argument("action", choices=("refresh", "rebuild"))
    tt.add_argument("--date", type=_date, help="today (default: the clock)")

    wk = sub.add_parser("worker", help="run the background jobs asked for on the pages (a "
                                       "НОБД check…), one at a time; beside `serve`")
    wk.add_argument("--once", action="store_true", help="run the waiting jobs, then stop")
    wk.add_argument("--sleep", type=float, default=2.0,
                    help="seconds between looks at an empty queue (default 2)")
    wk.add_argument("--parent", type=int, help="stop when this process is gone (`run` starts "
                                               "its worker so)")

    it = sub.add_parser("issue-token", help="a new API token for a bank or a preschool "
                                            "(printed once; only its hash is kept)")
    who = it.add_mutually_exclusive_group(required=True)
    who.add_argument("--bank", metavar="CODE", help="the bank's code")
    who.add_argument("--preschool", metavar="BIN", help="the preschool's BIN")

    sm = sub.add_parser("simulate", help="a simulated pilot year on the configured database, "
                                         "its invariants checked day by day")
    sm.add_argument("--cities", default="taraz,shymkent,turkestan,uralsk",
                    help="city codes, comma-separated")
    sm.add_argument("--children", type=_volume, default=200, help="children per city")
    sm.add_argument("--from", dest="date_from", type=_date, default=dt.date(2024, 3, 1),
                    help="first day YYYY-MM-DD")
    sm.add_argument("--to", dest="date_to", type=_date, default=dt.date(2025, 1, 20),
                    help="last day YYYY-MM-DD")
    sm.add_argument("--seed", type=int, default=1, help="the seed (the same: the same year)")
    sm.add_argument("--faults", action="store_true",
                    help="kill ticks, run two at once, repeat and reorder bank messages")
    sm.add_argument("--workers", type=int, default=1,
                    help="processes making the people's calls at once (PostgreSQL; the same "
                         "seed gives the same year with any number)")
    sm.add_argument("--summary", type=Path, help="write the summary as JSON too")

    rp = sub.add_parser("report", help="`report pilot`: the pilot's results report (A15, P5)")
    rp.add_argument("kind", choices=("pilot",))
    rp.add_argument("--format", choices=("json", "html", "pdf", "xlsx"), required=True)
    rp.add_argument("--output", type=Path, required=True, help="the file to write")
    rp.add_argument("--city", help="one city code (default: every configured city)")
    rp.add_argument("--as-of", type=_date, help="the day the figures stand at (default: today)")
    rp.add_argument("--lang", choices=("ru", "kk", "en"), default="ru",
                    help="the report's language (default ru: it is for the Ministry)")

    dm = sub.add_parser("demo", help="create the database and load the demo, a simulated pilot "
                                     "year (idempotent; DEBUG=1 only: its logins share a "
                                     "published password)")
    dm.add_argument("--children", type=_volume, default=40,
                    help="children of each city's simulated year (default 40; Uralsk 1.5 times)")
    rn = sub.add_parser("run", help="migrate and serve on http://127.0.0.1:8000 with Django's "
                                    "development server (DEBUG=1 only)")
    rn.add_argument("--demo", action="store_true",
                    help="load the demo data first, its logins and the admin with them")
    rn.add_argument("--date", type=_date,
                    help="serve with the clock stopped on this day, e.g. the month's last "
                         "working day: the parent's month in its window (default: the real "
                         "clock)")
    rn.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    sv = sub.add_parser("serve", help="the production server: gunicorn with the static files "
                                      "(whitenoise); settings from the environment (README)")
    sv.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT (default 127.0.0.1:8000)")
    sv.add_argument("--workers", type=_volume,
                    help="worker processes (default: gunicorn's, or WEB_CONCURRENCY)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] not in OWN and argv[0] not in ("-h", "--help"):
        return _django(argv)
    args = parser().parse_args(argv)
    if args.command is None:
        parser().print_help()
        return 0
    # Each subcommand's module is imported when it runs: `allocate` starts without Django.
    if args.command in ("allocate", "rules"):
        from goszakaz.cli import allocate

        return allocate.run(args)
    if args.command == "calculate-payment":
        from goszakaz.cli import payment

        return payment.calculate_payment_command(args)
    return _django_own(args)


def _django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goszakaz.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["goszakaz", *argv])
    return 0


def _django_own(args: argparse.Namespace) -> int:
    """A subcommand that needs the database: Django is set up first, then its module loads."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goszakaz.settings")
    import django
    from django.apps import apps
    from django.utils import translation

    # once: set up again (a test calling main), Django would configure logging anew and drop
    # the handlers added since, pytest's caplog among them
    if not apps.ready:
        django.setup()
    with translation.override("en"):  # the command speaks English, as Django's own commands do
        if args.command in IMPORTS:
            from goszakaz.cli import imports

            return imports.run(args)
        if args.command in ("demo", "run"):
            from goszakaz.cli import demo

            return demo.run(args)
        if args.command == "serve":
            from goszakaz.cli import serve

            return serve.run(args)
        if args.command == "worker":
            from goszakaz.cli import worker

            return worker.run(args)
        if args.command == "report":
            from goszakaz.cli import report

            return report.run(args)
        if args.command == "simulate":
            from goszakaz.cli import simulate

            return simulate.run(args)
        from goszakaz.cli import money  # ledger, settle, tick, issue-token

        return money.run(args)
