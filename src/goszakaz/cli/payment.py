"""`goszakaz calculate-payment`: A8 for one attendance sheet given as JSON (no database).

The input: `month`, `monthly_norm`, `parent_fee`, `vacation_days_used_this_year`, `marks`;
optional `contract_from`, `contract_to`; and, optional too, the pilot period (O1, I21): either
`city` (a pilot city's code: its period from the order applies, e.g. Taraz to 2024-12-25) or
`pilot_from` and/or `pilot_to` (dates, both inclusive). Without them no period bounds the
contract. Days of the month outside the pilot period are not paid; a mark on one is an error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from goszakaz.domain.money import format_tiyn, parse_tiyn
from goszakaz.domain.payment import Period, Sheet, calculate, parse_month
from goszakaz.registry.pilot_cities import CITIES
from goszakaz.rules.calendar import kz_calendar

SHEET_KEYS = ("month", "monthly_norm", "parent_fee", "contract_from", "contract_to",
              "vacation_days_used_this_year", "marks", "city", "pilot_from", "pilot_to")
SHEET_OPTIONAL = ("contract_from", "contract_to", "city", "pilot_from", "pilot_to")
PILOTS = {code: Period(start, end) for code, _ru, _kk, _en, start, end, _rules in CITIES}  # O1
PAYMENT_KEYS = ("working_days", "contract_working_days", "present_days", "sick_days",
                "unexcused_days", "vacation_days", "vacation_days_over_limit", "payable_days",
                "state_order_amount", "parent_fee_amount", "clauses")


def calculate_payment_command(args: argparse.Namespace) -> int:
    """`goszakaz calculate-payment --sheet FILE|-`: the payment as JSON on stdout and exit 0, or
    exit 2 with one line on stderr (A8.1-A8.5, I1-I4; the rules are in goszakaz.domain.payment)."""
    source = "stdin" if args.sheet == "-" else args.sheet
    try:
        raw = sys.stdin.buffer.read() if args.sheet == "-" else Path(args.sheet).read_bytes()
        sheet, norm, fee, pilot = _sheet_from_json(raw.decode("utf-8-sig"))
        # OutsideCalendar (a ValueError) for a year the calendar has no data for
        payment = calculate(sheet, norm, fee, kz_calendar((sheet.month.year,)), pilot)
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


def _pilot(data: dict[str, object]) -> Period | None:
    """O1, I21: the pilot period the input names (`city`, or `pilot_from`/`pilot_to`), or None."""
    bounds = [k for k in ("pilot_from", "pilot_to") if data.get(k) is not None]
    city = data.get("city")
    if city is None:
        if not bounds:
            return None
        ends = [None if data.get(k) is None else _strict_date(k, data[k])
                for k in ("pilot_from", "pilot_to")]
        try:
            return Period(ends[0], ends[1])
        except ValueError as e:
            raise ValueError(f"pilot_from, pilot_to: {e}") from None
    if bounds:
        raise ValueError(f"city and {' and '.join(bounds)}: give the city or the pilot's dates, "
                         f"not both")
    if not isinstance(city, str) or city not in PILOTS:
        raise ValueError(f"city: {city!r} is not a pilot city ({', '.join(PILOTS)})")
    return PILOTS[city]


def _sheet_from_json(text: str) -> tuple[Sheet, int, int, Period | None]:
    """The Sheet, norm and fee (tiyn) and the pilot period (None: unbounded) of the calculator's
    JSON input; ValueError naming the key."""
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
    ends = [None if data.get(k) is None else _strict_date(k, data[k])
            for k in ("contract_from", "contract_to")]
    used = data["vacation_days_used_this_year"]
    if isinstance(used, bool) or not isinstance(used, int) or used < 0:
        raise ValueError(f"vacation_days_used_this_year: {used!r} is not a whole number >= 0")
    marks = data["marks"]
    if not isinstance(marks, dict):
        raise ValueError("marks: must be an object of dates and marks, "
                         "e.g. {\"2024-04-03\": \"A\"}")
    by_day = {_strict_date("marks", k): v for k, v in marks.items()}
    pilot = _pilot(data)
    sheet = Sheet.build(month=month, marks=by_day, contract_from=ends[0], contract_to=ends[1],
                        vacation_days_used_this_year=used)
    return sheet, amounts[0], amounts[1], pilot
