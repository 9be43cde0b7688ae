"""A month's payment from the attendance sheet, hand-computed on the real April and May 2024.

April 2024: 22 working days (no holidays; Sundays 7, 14, 21, 28). May 2024: 20 working days
(1, 7, 8, 9 May off; Saturday 4 May worked). Norm 60000.00 and fee 15000.00 unless said.
"""

from __future__ import annotations

import datetime as dt

import pytest

from goszakaz.domain.payment import (
    Mark,
    Payment,
    Period,
    Sheet,
    SheetError,
    calculate,
    parse_month,
    recalculation,
)
from goszakaz.rules.calendar import kz_calendar

D = dt.date
KZ = kz_calendar(2024)
APRIL, MAY = D(2024, 4, 1), D(2024, 5, 1)
NORM, FEE = 6_000_000, 1_500_000  # tiyn


def pay(month: dt.date = APRIL, marks: dict[dt.date, str] | None = None, *,
        contract_from: dt.date | None = None, contract_to: dt.date | None = None,
        used: int = 0, norm: int = NORM, fee: int = FEE, pilot: Period | None = None) -> Payment:
    sheet = Sheet.build(month=month, marks=marks, contract_from=contract_from,
                        contract_to=contract_to, vacation_days_used_this_year=used)
    return calculate(sheet, norm, fee, KZ, pilot)


def days(month: dt.date, *numbers: int) -> list[dt.date]:
    return [month.replace(day=n) for n in numbers]


def marked(mark: str, dates: list[dt.date]) -> dict[dt.date, str]:
    return dict.fromkeys(dates, mark)


def test_the_month_lengths_the_examples_rely_on() -> None:
    assert KZ.working_days_in_month(2024, 4) == 22
    assert KZ.working_days_in_month(2024, 5) == 20


def test_present_all_month_pays_norm_and_fee_in_full() -> None:
    # covers: A8.1, I4
    p = pay()
    assert p == Payment(working_days=22, contract_working_days=22, present_days=22, sick_days=0,
                        unexcused_days=0, vacation_days=0, vacation_days_over_limit=0,
                        payable_days=22, state_order_tiyn=6_000_000, parent_fee_tiyn=1_500_000,
                        clauses=("A8.1", "I4"))
    # explicit P marks are the same as no marks
    assert pay(marks=marked("P", days(APRIL, 1, 2, 3, 30))) == p
    assert pay(MAY).state_order_tiyn == 6_000_000 and pay(MAY).working_days == 20


def test_sick_with_a_certificate_pays_both_in_full() -> None:
    # covers: A8.2, I4
    p = pay(marks=marked("S", days(APRIL, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12)))
    assert (p.sick_days, p.present_days, p.payable_days) == (10, 12, 22)
    assert (p.state_order_tiyn, p.parent_fee_tiyn) == (6_000_000, 1_500_000)
    assert p.clauses == ("A8.2", "I4")


def test_up_to_and_including_3_unexcused_days_pay_both_in_full() -> None:
    # covers: A8.3, I1, I2
    for n in (1, 2, 3):
        p = pay(marks=marked("A", days(APRIL, 1, 2, 3)[:n]))
        assert (p.unexcused_days, p.payable_days) == (n, 22)
        assert (p.state_order_tiyn, p.parent_fee_tiyn) == (6_000_000, 1_500_000)
        assert p.clauses == ("A8.3", "I1", "I2", "I4")


def test_4_unexcused_days_pay_21_days_of_the_state_order_and_the_whole_fee() -> None:
    # covers: A8.4, I1, I2, I4
    # 60000 x 21 / 22 = 57272.7272... -> 57272.73; the parent fee is not reduced (A8.4)
    p = pay(marks=marked("A", days(APRIL, 1, 2, 3, 4)))
    assert (p.unexcused_days, p.present_days, p.payable_days) == (4, 18, 21)
    assert (p.state_order_tiyn, p.parent_fee_tiyn) == (5_727_273, 1_500_000)
    assert p.clauses == ("A8.4", "I1", "I2", "I4")


def test_10_unexcused_days_pay_15_days() -> None:
    # covers: A8.4, I1, I4
    # payable = 22 - (10 - 3) = 15; 60000 x 15 / 22 = 40909.0909... -> 40909.09
    p = pay(marks=marked("A", days(APRIL, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12)))
    assert (p.payable_days, p.state_order_tiyn, p.parent_fee_tiyn) == (15, 4_090_909, 1_500_000)


def test_vacation_pays_the_state_order_in_full_and_no_parent_fee_for_those_days() -> None:
    # covers: A8.5, I3, I4
    # fee = 15000 x (22 - 5) / 22 = 11590.909... -> 11590.91
    p = pay(marks=marked("V", days(APRIL, 22, 23, 24, 25, 26)))
    assert (p.vacation_days, p.vacation_days_over_limit, p.unexcused_days) == (5, 0, 0)
    assert (p.present_days, p.payable_days) == (17, 22)
    assert (p.state_order_tiyn, p.parent_fee_tiyn) == (6_000_000, 1_159_091)
    assert p.clauses == ("A8.5", "I3", "I4")


def test_vacation_beyond_60_days_a_year_counts_as_unexcused() -> None:
    # covers: A8.5, I3, I1, A8.3, A8.4
    five = marked("V", days(APRIL, 22, 23, 24, 25, 26))
    # 58 used earlier: 2 vacation days left, 3 over the limit -> 3 unexcused, still paid
    p = pay(marks=five, used=58)
    assert (p.vacation_days, p.vacation_days_over_limit, p.unexcused_days) == (2, 3, 3)
    assert (p.present_days, p.payable_days) == (17, 22)
    # fee = 15000 x (22 - 2) / 22 = 13636.3636... -> 13636.36: paid for the over-limit days
    assert (p.state_order_tiyn, p.parent_fee_tiyn) == (6_000_000, 1_363_636)
    assert p.clauses == ("A8.3", "A8.5", "I1", "I3", "I4")
    # one more unexcused day (an A): 4 unexcused -> 21 payable days -> 57272.73
    q = pay(marks=five | marked("A", [D(2024, 4, 1)]), used=58)
    assert (q.unexcused_days, q.payable_days, q.state_order_tiyn) == (4, 21, 5_727_273)
    assert q.parent_fee_tiyn == 1_363_636
    assert q.clauses == ("A8.4", "A8.5", "I1", "I2", "I3", "I4")
    # the limit already used up: all 5 unexcused -> 20 payable -> 60000 x 20 / 22 = 54545.45
    r = pay(marks=five, used=60)
    assert (r.vacation_days, r.vacation_days_over_limit, r.unexcused_days) == (0, 5, 5)
    assert (r.payable_days, r.state_order_tiyn, r.parent_fee_tiyn) == (20, 5_454_545, 1_500_000)
    assert pay(marks=five, used=75) == r


def test_may_with_its_moved_working_saturday() -> None:
    # covers: I4, A8.4
    # Saturday 4 May is a working day and may be marked; contract from 15 May: 13 working days
    p = pay(MAY, marked("A", days(MAY, 4)), contract_from=D(2024, 5, 1))
    assert (p.working_days, p.unexcused_days, p.state_order_tiyn) == (20, 1, 6_000_000)
    part = pay(MAY, contract_from=D(2024, 5, 15))
    # 60000 x 13 / 20 = 39000.00; 15000 x 13 / 20 = 9750.00
    assert (part.contract_working_days, part.state_order_tiyn, part.parent_fee_tiyn) == (
        13, 3_900_000, 975_000)
    # 4 unexcused inside it: 12 payable -> 36000.00, fee unchanged
    absent = pay(MAY, marked("A", days(MAY, 15, 16, 17, 20)), contract_from=D(2024, 5, 15))
    assert (absent.payable_days, absent.state_order_tiyn, absent.parent_fee_tiyn) == (
        12, 3_600_000, 975_000)
    # contract to 6 May: 2, 3, 4, 6 May -> 60000 x 4 / 20 = 12000.00
    assert pay(MAY, contract_to=D(2024, 5, 6)).state_order_tiyn == 1_200_000


def test_part_month_rounds_half_up_once() -> None:
    # covers: I4
    # contract from Tuesday 16 April: 11 working days; norm 0.01: 1 x 11 / 22 = 0.5 -> 0.01
    p = pay(contract_from=D(2024, 4, 16), norm=1, fee=3)
    assert (p.contract_working_days, p.state_order_tiyn) == (11, 1)
    assert p.parent_fee_tiyn == 2  # 3 x 11 / 22 = 1.5 -> 2
    # rounding the daily rate first would give 11 x round(6000000 / 22) = 11 x 272727 = 2999997
    assert pay(contract_from=D(2024, 4, 16)).state_order_tiyn == 3_000_000


def test_the_pilot_period_bounds_the_payable_days() -> None:
    # covers: I4, O1
    # pilot from 16 April: 11 days -> 30000.00; until 12 April: 10 days -> 27272.727... -> 27272.73
    assert pay(pilot=Period(D(2024, 4, 16), None)).state_order_tiyn == 3_000_000
    early = pay(pilot=Period(None, D(2024, 4, 12)))
    assert (early.contract_working_days, early.state_order_tiyn, early.parent_fee_tiyn) == (
        10, 2_727_273, 681_818)  # 15000 x 10 / 22 = 6818.18
    # both bounds together: contract from 10 April, pilot until 12 April: 10, 11, 12 -> 3 days
    both = pay(contract_from=D(2024, 4, 10), pilot=Period(None, D(2024, 4, 12)))
    assert both.contract_working_days == 3
    with pytest.raises(SheetError, match="outside the pilot period"):
        pay(marks=marked("A", [D(2024, 4, 15)]), pilot=Period(None, D(2024, 4, 12)))


def test_a_contract_outside_the_month_pays_nothing() -> None:
    # covers: I4
    p = pay(contract_to=D(2024, 3, 31))
    assert (p.contract_working_days, p.payable_days, p.state_order_tiyn, p.parent_fee_tiyn) == (
        0, 0, 0, 0)
    assert p.clauses == ("I4",)


def test_counts_add_up_to_the_contract_working_days() -> None:
    # covers: I3
    marks = (marked("S", days(APRIL, 1, 2)) | marked("A", days(APRIL, 3, 4, 5, 8))
             | marked("V", days(APRIL, 9, 10, 11)))
    p = pay(marks=marks, used=59)
    assert (p.sick_days, p.unexcused_days, p.vacation_days, p.vacation_days_over_limit) == (
        2, 6, 1, 2)
    assert p.present_days + p.sick_days + p.unexcused_days + p.vacation_days == 22
    # payable = 22 - (6 - 3) = 19 -> 51818.18; fee = 15000 x 21 / 22 = 14318.18
    assert (p.payable_days, p.state_order_tiyn, p.parent_fee_tiyn) == (19, 5_181_818, 1_431_818)
    assert p.clauses == ("A8.2", "A8.4", "A8.5", "I1", "I2", "I3", "I4")


def test_a_corrected_sheet_is_recalculated_in_the_next_month() -> None:
    # covers: A9
    paid = pay()
    corrected = pay(marks=marked("A", days(APRIL, 1, 2, 3, 4, 5)))  # 20 payable -> 54545.45
    adjustment = recalculation(paid, corrected)
    assert (adjustment.state_order_tiyn, adjustment.parent_fee_tiyn) == (-545_455, 0)
    assert recalculation(corrected, paid).state_order_tiyn == 545_455


@pytest.mark.parametrize(
    ("build", "needle"),
    [
        (lambda: Sheet.build(month=APRIL, marks={D(2024, 4, 3): "X"}), "bad mark 'X'"),
        (lambda: Sheet.build(month=APRIL, marks={D(2024, 4, 3): "a"}), "bad mark 'a'"),
        (lambda: Sheet.build(month=APRIL, marks={D(2024, 5, 2): "A"}), "outside the month 2024-04"),
        (lambda: Sheet.build(month=APRIL, marks={D(2024, 4, 3): "A"},
                             contract_from=D(2024, 4, 10)), r"outside the contract \(from 2024-04-10\)"),
        (lambda: Sheet.build(month=APRIL, marks={D(2024, 4, 29): "A"},
                             contract_to=D(2024, 4, 26)), "outside the contract"),
        (lambda: Sheet.build(month=APRIL, contract_from=D(2024, 4, 10),
                             contract_to=D(2024, 4, 9)), "cannot end"),
        (lambda: Sheet.build(month=APRIL, vacation_days_used_this_year=-1), "vacation days"),
        (lambda: Sheet.build(month=D(2024, 4, 2)), "first day"),
        (lambda: Sheet(APRIL, ((D(2024, 4, 3), Mark.ABSENT), (D(2024, 4, 3), Mark.SICK))),
         "marked twice"),
    ],
)
def test_invalid_sheets_are_refused(build, needle: str) -> None:
    with pytest.raises(SheetError, match=needle):
        build()


def test_marks_on_days_off_and_bad_amounts_are_refused() -> None:
    with pytest.raises(SheetError, match="Sunday 2024-04-07 is not a working day"):
        pay(marks=marked("A", [D(2024, 4, 7)]))
    with pytest.raises(SheetError, match="Wednesday 2024-05-08 is not a working day"):
        pay(MAY, marked("S", [D(2024, 5, 8)]))  # the day off moved from Saturday 4 May
    with pytest.raises(SheetError, match="monthly norm"):
        pay(norm=-1)
    with pytest.raises(SheetError, match="parent fee"):
        pay(fee=15000.0)  # type: ignore[arg-type]


def test_sheet_is_frozen_and_normalized() -> None:
    sheet = Sheet(APRIL, {D(2024, 4, 5): "S", D(2024, 4, 3): Mark.ABSENT})  # type: ignore[arg-type]
    assert sheet.marks == ((D(2024, 4, 3), Mark.ABSENT), (D(2024, 4, 5), Mark.SICK))
    with pytest.raises(AttributeError):
        sheet.month = MAY  # type: ignore[misc]
    assert hash(sheet) == hash(Sheet.build(month=APRIL, marks={D(2024, 4, 3): "A",
                                                               D(2024, 4, 5): "S"}))


def test_parse_month() -> None:
    assert parse_month("2024-04") == APRIL
    for bad in ("2024-4", "2024-13", "2024/04", "24-04", "2024-04-01", "", "２０２４-04"):
        with pytest.raises(SheetError, match="not a month"):
            parse_month(bad)
