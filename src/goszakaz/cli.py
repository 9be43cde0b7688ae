"""The `goszakaz` command: the project's own subcommands, and Django's management commands."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from goszakaz.domain.payment import Sheet

OWN = ("allocate", "rules", "import-applications", "import-children", "import-contracts", "demo",
       "run", "calculate-payment", "ledger", "settle", "tick", "issue-token")
ENROLLMENT = ("import-children", "import-contracts")
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

    it = sub.add_parser("issue-token", help="a new API token for a bank or a preschool "
                                            "(printed once; only its hash is kept)")
    who = it.add_mutually_exclusive_group(required=True)
    who.add_argument("--bank", metavar="CODE", help="the bank's code")
    who.add_argument("--preschool", metavar="BIN", help="the preschool's BIN")

    sub.add_parser("demo", help="create the database and load demo data (idempotent)")
    sub.add_parser("run", help="migrate, load demo data and serve on http://127.0.0.1:8000")
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
    if args.command == "allocate":
        return allocate_command(args)
    if args.command == "rules":
        return rules_command(args)
    if args.command == "calculate-payment":
        return calculate_payment_command(args)
    return _django_own(args)


def allocate_command(args: argparse.Namespace) -> int:
    """`goszakaz allocate`: exit 0 with the output written, or 2 with every bad line on stderr."""
    from goszakaz import rules
    from goszakaz.domain.allocation import allocate, summary
    from goszakaz.queue.files import read_applications, write_outcomes

    # A batch of millions of small acyclic objects: the cyclic collector would only rescan them.
    gc.disable()

    try:
        rule_set = rules.load(args.rules)
    except KeyError as e:
        print(f"error: {e.args[0]}", file=sys.stderr)
        return 2
    try:
        parsed = read_applications(args.applications, as_of=args.as_of)
    except (OSError, ValueError) as e:
        print(f"error: {args.applications}: {e}", file=sys.stderr)
        return 2
    if parsed.errors:
        for err in parsed.errors:
            print(f"{args.applications}: {err}", file=sys.stderr)
        print(f"error: {len(parsed.errors)} problem(s); nothing written", file=sys.stderr)
        return 2
    result = allocate(parsed.applications, volume=args.volume, as_of=args.as_of, rules=rule_set)
    write_outcomes(args.output, parsed.applications, result)
    if args.summary:
        tmp = args.summary.with_name(args.summary.name + ".part")
        tmp.write_text(json.dumps(summary(result), ensure_ascii=False, indent=2) + "\n",
                       encoding="utf-8")
        tmp.replace(args.summary)
    return 0


def rules_command(args: argparse.Namespace) -> int:
    """`goszakaz rules check ID`: unreachable categories (I11) and unmatched ages (I12)."""
    from goszakaz import rules
    from goszakaz.domain.categories import STATUS_FLAGS, check_rules

    if args.action == "list":
        for rule_id in rules.available():
            print(rule_id)
        return 0
    try:
        rule_set = rules.load(args.rule_id)
    except KeyError as e:
        print(f"error: {e.args[0]}", file=sys.stderr)
        return 2
    report = check_rules(rule_set)
    print(f"rule set {rule_set.id}: {len(rule_set.categories)} categories, "
          f"Σk = {rule_set.total_coefficient}, source: {rule_set.source}")
    for n in report.unreachable:
        earlier = ", ".join(str(c) for c in report.shadowed_by[n]) or "none"
        print(f"unreachable: category {n} ({rule_set.category(n).rule_text()}): every "
              f"application it takes belongs to an earlier category ({earlier})")
    for age, flags in report.unmatched:
        statuses = [f for f, on in zip(STATUS_FLAGS, flags, strict=True) if on] or ["no status"]
        print(f"no matching category: queue age {age} with {', '.join(statuses)}")
    if report.clean:
        print("every category is reachable and every application has a category")
    return 0


SHEET_KEYS = ("month", "monthly_norm", "parent_fee", "contract_from", "contract_to",
              "vacation_days_used_this_year", "marks")
SHEET_OPTIONAL = ("contract_from", "contract_to")
PAYMENT_KEYS = ("working_days", "contract_working_days", "present_days", "sick_days",
                "unexcused_days", "vacation_days", "vacation_days_over_limit", "payable_days",
                "state_order_amount", "parent_fee_amount", "clauses")


def calculate_payment_command(args: argparse.Namespace) -> int:
    """`goszakaz calculate-payment --sheet FILE|-`: the payment as JSON on stdout and exit 0, or
    exit 2 with one line on stderr (A8.1-A8.5, I1-I4; the rules are in goszakaz.domain.payment)."""
    from goszakaz.domain.money import format_tiyn
    from goszakaz.domain.payment import calculate
    from goszakaz.rules.calendar import kz_calendar

    source = "stdin" if args.sheet == "-" else args.sheet
    try:
        raw = sys.stdin.buffer.read() if args.sheet == "-" else Path(args.sheet).read_bytes()
        sheet, norm, fee = _sheet_from_json(raw.decode("utf-8-sig"))
        # OutsideCalendar (a ValueError) for a year the calendar has no data for
        payment = calculate(sheet, norm, fee, kz_calendar((sheet.month.year,)))
    except (OSError, ValueError) as e:
        message = " ".join(str(e).split())
        print(f"error: {source}: {message}", file=sys.stderr)
        return 2
    out: dict[str, object] = {k: getattr(payment, k) for k in PAYMENT_KEYS[:8]}
    out["state_order_amount"] = format_tiyn(payment.state_order_tiyn)
    out["parent_fee_amount"] = format_tiyn(payment.parent_fee_tiyn)
    out["clauses"] = list(payment.clauses)
    print(json.dumps(out, ensure_ascii=False))
    return 0


def _no_repeated_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"key {key!r} appears twice")
        seen[key] = value
    return seen


def _strict_date(key: str, value: object) -> dt.date:
    # date.fromisoformat alone would also take "20240410" and "2024-W15-3"
    if not (isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-"
            and (value[:4] + value[5:7] + value[8:]).isdigit() and value.isascii()):
        raise ValueError(f"{key}: {value!r} is not a date YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{key}: {value!r} is not a date YYYY-MM-DD") from None


def _sheet_from_json(text: str) -> tuple[Sheet, int, int]:
    """The Sheet, norm and fee (tiyn) of the calculator's JSON input; ValueError naming the key."""
    from goszakaz.domain.money import parse_tiyn
    from goszakaz.domain.payment import Sheet, parse_month

    try:
        data = json.loads(text, object_pairs_hook=_no_repeated_keys)
    except json.JSONDecodeError as e:
        raise ValueError(f"not valid JSON: {e}") from None
    if not isinstance(data, dict):
        raise ValueError("the sheet must be a JSON object")
    unknown = [k for k in data if k not in SHEET_KEYS]
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(map(repr, unknown))}; "
                         f"expected {', '.join(SHEET_KEYS)}")
    missing = [k for k in SHEET_KEYS if k not in data and k not in SHEET_OPTIONAL]
    if missing:
        raise ValueError(f"missing key(s) {', '.join(missing)}")
    if not isinstance(data["month"], str):
        raise ValueError(f"month: {data['month']!r} is not a month YYYY-MM")
    month = parse_month(data["month"])
    amounts = []
    for key in ("monthly_norm", "parent_fee"):
        try:
            amounts.append(parse_tiyn(data[key]))
        except ValueError as e:
            raise ValueError(f"{key}: {e}") from None
    ends = [None if data.get(k) is None else _strict_date(k, data[k]) for k in SHEET_OPTIONAL]
    used = data["vacation_days_used_this_year"]
    if isinstance(used, bool) or not isinstance(used, int) or used < 0:
        raise ValueError(f"vacation_days_used_this_year: {used!r} is not a whole number >= 0")
    marks = data["marks"]
    if not isinstance(marks, dict):
        raise ValueError("marks: must be an object of dates and marks, "
                         "e.g. {\"2024-04-03\": \"A\"}")
    by_day = {_strict_date("marks", k): v for k, v in marks.items()}
    sheet = Sheet.build(month=month, marks=by_day, contract_from=ends[0], contract_to=ends[1],
                        vacation_days_used_this_year=used)
    return sheet, amounts[0], amounts[1]


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goszakaz.settings")
    import django

    django.setup()


def _django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goszakaz.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["goszakaz", *argv])
    return 0


def _django_own(args: argparse.Namespace) -> int:
    _setup_django()
    from django.utils import translation

    with translation.override("en"):  # the command speaks English, as Django's own commands do
        return _dispatch(args)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command in ("ledger", "settle", "tick"):
        from goszakaz.finance import commands as finance_commands

        return finance_commands.run(args)
    if args.command == "issue-token":
        return issue_token_command(args)
    if args.command in ENROLLMENT:
        from goszakaz.enrollment import commands as enrollment_commands

        return enrollment_commands.run(args)
    from goszakaz.queue import commands

    return commands.run(args)



def issue_token_command(args: argparse.Namespace) -> int:
    """`goszakaz issue-token --bank CODE | --preschool BIN`: print a new API token once."""
    from goszakaz.attendance.tokens import issue_token as preschool_token
    from goszakaz.banking.services import issue_token as bank_token
    from goszakaz.registry.models import Bank, Preschool

    if args.bank:
        bank = Bank.objects.filter(code=args.bank).first()
        if bank is None:
            print(f"error: no bank with code {args.bank!r}", file=sys.stderr)
            return 2
        print(bank_token(bank=bank))
        return 0
    preschool = Preschool.objects.filter(bin=args.preschool).first()
    if preschool is None:
        print(f"error: no preschool with BIN {args.preschool!r}", file=sys.stderr)
        return 2
    print(preschool_token(preschool=preschool))
    return 0


if __name__ == "__main__":
    sys.exit(main())
