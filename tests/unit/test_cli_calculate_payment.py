"""The `goszakaz calculate-payment` contract, run as a real subprocess (other tools rely on it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

KEYS = ["working_days", "contract_working_days", "present_days", "sick_days", "unexcused_days",
        "vacation_days", "vacation_days_over_limit", "payable_days", "state_order_amount",
        "parent_fee_amount", "clauses"]


def sheet(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "month": "2024-04", "monthly_norm": "60000.00", "parent_fee": "15000.00",
        "contract_from": None, "contract_to": None, "vacation_days_used_this_year": 0,
        "marks": {}}
    base.update(changes)
    return base


def run(tmp: Path, data: object | str, *, stdin: bool = False) -> subprocess.CompletedProcess[str]:
    text = data if isinstance(data, str) else json.dumps(data)
    if stdin:
        source, given = "-", text
    else:
        path = tmp / "sheet.json"
        path.write_text(text, encoding="utf-8")
        source, given = str(path), None
    return subprocess.run(
        [sys.executable, "-m", "goszakaz.cli", "calculate-payment", "--sheet", source],
        input=given, capture_output=True, text=True, check=False)


def ok(tmp: Path, data: object, *, stdin: bool = False) -> dict[str, object]:
    result = run(tmp, data, stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = json.loads(result.stdout)
    assert list(out) == KEYS
    return out


def test_four_unexcused_days_in_april(tmp_path: Path) -> None:
    # covers: A8.4, I1, I2, I4
    marks = {"2024-04-01": "A", "2024-04-02": "A", "2024-04-03": "A", "2024-04-04": "A",
             "2024-04-05": "P"}
    assert ok(tmp_path, sheet(marks=marks)) == {
        "working_days": 22, "contract_working_days": 22, "present_days": 18, "sick_days": 0,
        "unexcused_days": 4, "vacation_days": 0, "vacation_days_over_limit": 0,
        "payable_days": 21, "state_order_amount": "57272.73", "parent_fee_amount": "15000.00",
        "clauses": ["A8.4", "I1", "I2", "I4"]}


def test_the_issue_example_with_marks_inside_the_contract_read_from_stdin(tmp_path: Path) -> None:
    # covers: A8.2, A8.3, I1, I2, I4
    # contract from Wednesday 10 April: 15 working days -> 60000 x 15 / 22 = 40909.09,
    # 15000 x 15 / 22 = 10227.27
    data = sheet(contract_from="2024-04-10", marks={"2024-04-15": "A", "2024-04-16": "S"})
    out = ok(tmp_path, data, stdin=True)
    assert out == ok(tmp_path, data)
    assert (out["contract_working_days"], out["present_days"], out["payable_days"]) == (15, 13, 15)
    assert (out["state_order_amount"], out["parent_fee_amount"]) == ("40909.09", "10227.27")
    assert out["clauses"] == ["A8.2", "A8.3", "I1", "I2", "I4"]


def test_full_month_everything_present(tmp_path: Path) -> None:
    # covers: A8.1, I4
    out = ok(tmp_path, {k: v for k, v in sheet(month="2024-05").items()
                        if k not in ("contract_from", "contract_to")})  # both optional
    assert (out["working_days"], out["present_days"], out["state_order_amount"],
            out["parent_fee_amount"], out["clauses"]) == (20, 20, "60000.00", "15000.00",
                                                          ["A8.1", "I4"])


def test_vacation_over_the_yearly_limit(tmp_path: Path) -> None:
    # covers: A8.5, I3, A8.3, I1
    # Saturday 4 May 2024 is a working day; 58 used: 2 paid vacation days, 1 over the limit;
    # fee = 15000 x (20 - 2) / 20 = 13500.00
    marks = {"2024-05-02": "V", "2024-05-03": "V", "2024-05-04": "V"}
    out = ok(tmp_path, sheet(month="2024-05", monthly_norm="60000", parent_fee="15000.0",
                             vacation_days_used_this_year=58, marks=marks))
    assert (out["vacation_days"], out["vacation_days_over_limit"], out["unexcused_days"]) == (
        2, 1, 1)
    assert (out["state_order_amount"], out["parent_fee_amount"]) == ("60000.00", "13500.00")
    assert out["clauses"] == ["A8.3", "A8.5", "I1", "I3", "I4"]


def test_half_a_tiyn_rounds_up(tmp_path: Path) -> None:
    # covers: I4
    # from Tuesday 16 April: 11 of 22 working days; 0.01 x 11 / 22 = 0.005 -> 0.01
    out = ok(tmp_path, sheet(monthly_norm="0.01", parent_fee="0.03", contract_from="2024-04-16"))
    assert (out["state_order_amount"], out["parent_fee_amount"]) == ("0.01", "0.02")


def test_a_citys_pilot_period_or_its_end_bounds_the_month(tmp_path: Path) -> None:
    # covers: I21, O1, I4
    # Taraz's pilot ended on 25 December 2024: 17 of December's 21 working days are paid,
    # 60000 x 17 / 21 = 48571.43, 15000 x 17 / 21 = 12142.86 (half up)
    december = sheet(month="2024-12", marks={"2024-12-25": "P"})
    by_city = ok(tmp_path, {**december, "city": "taraz"})
    assert (by_city["working_days"], by_city["contract_working_days"], by_city["present_days"],
            by_city["payable_days"], by_city["state_order_amount"],
            by_city["parent_fee_amount"]) == (21, 17, 17, 17, "48571.43", "12142.86")
    assert ok(tmp_path, {**december, "pilot_to": "2024-12-25"}) == by_city
    assert ok(tmp_path, {**december, "city": None, "pilot_to": None})["payable_days"] == 21
    # the contract's end and the pilot's: the earlier one counts (to Friday 20 December: 14)
    both = ok(tmp_path, {**sheet(month="2024-12", contract_to="2024-12-20"), "city": "shymkent"})
    assert (both["contract_working_days"], both["state_order_amount"]) == (14, "40000.00")
    # a month wholly after the pilot: nothing, and no error
    january = ok(tmp_path, {**sheet(month="2025-01"), "city": "taraz"})
    assert (january["contract_working_days"], january["payable_days"],
            january["state_order_amount"], january["parent_fee_amount"]) == (0, 0, "0.00", "0.00")
    # Uralsk from 1 November 2024 (open-ended, I16): October nothing, November and 2025 in full
    assert ok(tmp_path, {**sheet(month="2024-10"), "city": "uralsk"})["payable_days"] == 0
    assert ok(tmp_path, {**sheet(month="2024-11"), "city": "uralsk"})["state_order_amount"] == (
        "60000.00")
    assert ok(tmp_path, {**sheet(month="2025-01"), "city": "uralsk"})["state_order_amount"] == (
        "60000.00")
    assert ok(tmp_path, {**sheet(month="2024-10"), "pilot_from": "2024-10-15"})[
        "contract_working_days"] == 12  # 15-31 October 2024, less the 25th (Republic Day)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({**sheet(month="2024-12", marks={"2024-12-26": "A"}), "city": "taraz"},
         "outside the pilot period (from 2024-03-01 to 2024-12-25)"),
        ({**sheet(month="2024-12", marks={"2024-12-27": "P"}), "pilot_to": "2024-12-25"},
         "outside the pilot period (until 2024-12-25)"),
        ({**sheet(), "city": "almaty"}, "city: 'almaty' is not a pilot city (shymkent, taraz"),
        ({**sheet(), "city": 7}, "city: 7 is not a pilot city"),
        ({**sheet(), "city": "taraz", "pilot_to": "2024-12-25"},
         "city and pilot_to: give the city or the pilot's dates, not both"),
        ({**sheet(), "pilot_to": "25.12.2024"}, "pilot_to: '25.12.2024' is not a date"),
        ({**sheet(), "pilot_from": "2024-12-01", "pilot_to": "2024-11-30"},
         "pilot_from, pilot_to: a period cannot end (2024-11-30) before it starts"),
    ],
)
def test_a_bad_pilot_period_or_a_mark_outside_it_exits_2(tmp_path: Path, data: object,
                                                         needle: str) -> None:
    # covers: I21, O1
    result = run(tmp_path, data)
    assert (result.returncode, result.stdout) == (2, ""), result.stdout
    assert result.stderr.count("\n") == 1 and needle in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (sheet(marks={"2024-04-03": "X"}), "bad mark 'X' on 2024-04-03"),
        (sheet(marks={"2024-04-03": 1}), "bad mark 1"),
        (sheet(marks={"2024-05-02": "A"}), "outside the month 2024-04"),
        (sheet(marks={"2024-04-07": "A"}), "Sunday 2024-04-07 is not a working day"),
        (sheet(month="2024-05", marks={"2024-05-09": "S"}), "2024-05-09 is not a working day"),
        (sheet(contract_from="2024-04-10", marks={"2024-04-03": "A", "2024-04-04": "S"}),
         "outside the contract"),
        (sheet(contract_to="2024-04-19", marks={"2024-04-22": "A"}), "outside the contract"),
        (sheet(contract_from="2024-04-10", contract_to="2024-04-09"), "cannot end"),
        ("{not json", "not valid JSON"),
        ("", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        (sheet(child="x"), "unknown key(s) 'child'"),
        ({k: v for k, v in sheet().items() if k != "marks"}, "missing key(s) marks"),
        (sheet(month="2024-4"), "month '2024-4' is not a month YYYY-MM"),
        (sheet(month=202404), "month: 202404"),
        (sheet(month="2023-04"), "no Kazakhstan calendar data for 2023"),
        (sheet(monthly_norm="60000.001"), "monthly_norm: amount '60000.001' has more than 2"),
        (sheet(parent_fee="-1.00"), "parent_fee: amount '-1.00' is negative"),
        (sheet(parent_fee=15000.0), "parent_fee: an amount must be a string"),
        (sheet(monthly_norm="sixty"), "monthly_norm: amount 'sixty' is not a number"),
        (sheet(contract_from="2024-04-31"), "contract_from: '2024-04-31' is not a date"),
        (sheet(contract_to="20240430"), "contract_to: '20240430' is not a date"),
        (sheet(marks={"2024-4-3": "A"}), "marks: '2024-4-3' is not a date"),
        (sheet(marks=["2024-04-03"]), "marks: must be an object"),
        (sheet(vacation_days_used_this_year=-1), "vacation_days_used_this_year: -1"),
        (sheet(vacation_days_used_this_year="3"), "vacation_days_used_this_year: '3'"),
        (sheet(vacation_days_used_this_year=True), "vacation_days_used_this_year: True"),
        ('{"month": "2024-04", "month": "2024-05"}', "key 'month' appears twice"),
        ('{"month": "2024-04", "monthly_norm": "1", "parent_fee": "1", '
         '"vacation_days_used_this_year": 0, '
         '"marks": {"2024-04-03": "A", "2024-04-03": "S"}}', "key '2024-04-03' appears twice"),
    ],
)
def test_bad_input_exits_2_with_one_line_on_stderr(tmp_path: Path, data: object,
                                                   needle: str) -> None:
    result = run(tmp_path, data)
    assert result.returncode == 2, result.stdout
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert needle in result.stderr, result.stderr


def test_bad_input_on_stdin_and_a_missing_file_exit_2(tmp_path: Path) -> None:
    result = run(tmp_path, "{", stdin=True)
    assert result.returncode == 2 and result.stderr.startswith("error: stdin: not valid JSON")
    missing = subprocess.run(
        [sys.executable, "-m", "goszakaz.cli", "calculate-payment", "--sheet",
         str(tmp_path / "nowhere.json")], capture_output=True, text=True, check=False)
    assert missing.returncode == 2 and "nowhere.json" in missing.stderr
    no_sheet = subprocess.run([sys.executable, "-m", "goszakaz.cli", "calculate-payment"],
                              capture_output=True, text=True, check=False)
    assert no_sheet.returncode == 2 and "--sheet" in no_sheet.stderr


@pytest.mark.parametrize("city", [None, "taraz"])
def test_the_command_needs_no_django(tmp_path: Path, city: str | None) -> None:
    path = tmp_path / "sheet.json"
    path.write_text(json.dumps({**sheet(), "city": city}), encoding="utf-8")
    code = ("import sys; from goszakaz.cli import main; rc = main(['calculate-payment', "
            f"'--sheet', {str(path)!r}]); assert 'django' not in sys.modules; sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False, env={"PATH": "/usr/bin:/bin", **{
                                k: v for k, v in os.environ.items() if k == "PYTHONPATH"}})
    assert result.returncode == 0, result.stderr
