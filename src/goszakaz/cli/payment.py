"""`goszakaz calculate-payment`: A8 for one attendance sheet given as JSON (no database)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from goszakaz.domain.money import format_tiyn, parse_tiyn
from goszakaz.domain.payment import Sheet, calculate, parse_month
from goszakaz.rules.calendar import kz_calendar

SHEET_KEYS = ("month", "monthly_norm", "parent_fee", "contract_from", "contract_to",
              "vacation_days_used_this_year", "marks")
SHEET_OPTIONAL = ("contract_from", "contract_to")
PAYMENT_KEYS = ("working_days", "contract_working_days", "present_days", "sick_days",
                "unexcused_days", "vacation_days", "vacation_days_over_limit", "payable_days",
                "state_order_amount", "parent_fee_amount", "clauses")


def calculate_payment_command(args: argparse.Namespace) -> int:
    """`goszakaz calculate-payment --sheet FILE|-`: the payment as JSON on stdout and exit 0, or
    exit 2 with one line on stderr (A8.1-A8.5, I1-I4; the rules are in goszakaz.domain.payment)."""
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
