"""Properties of calculate() on generated sheets over the real 2024-2026 calendar (hypothesis)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from goszakaz.domain.months import last_of
from goszakaz.domain.payment import Mark, Period, Sheet, calculate
from goszakaz.rules.calendar import kz_calendar

KZ = kz_calendar([2024, 2025, 2026])
DAY = dt.timedelta(days=1)


def half_up(x: Fraction) -> int:
    """The exact oracle: the integer nearest to x, halves up."""
    return int(x + Fraction(1, 2)) if x >= 0 else -int(-x + Fraction(1, 2))


def month_days(first: dt.date) -> list[dt.date]:
    last = last_of(first)
    return [first + i * DAY for i in range((last - first).days + 1)]


@st.composite
def cases(draw):
    first = dt.date(draw(st.integers(2024, 2026)), draw(st.integers(1, 12)), 1)
    start = draw(st.none() | st.integers(-40, 40).map(lambda n: first + n * DAY))
    end = draw(st.none() | st.integers(-10, 70).map(lambda n: first + n * DAY))
    if start is not None and end is not None and end < start:
        start, end = end, start
    contract = Period(start, end)
    pilot = draw(st.none() | st.builds(
        Period, st.none() | st.integers(-20, 30).map(lambda n: first + n * DAY), st.none()))
    bound = pilot or Period()
    covered = [d for d in month_days(first)
               if KZ.is_working_day(d) and contract.contains(d) and bound.contains(d)]
    chosen = draw(st.lists(st.sampled_from(covered), unique=True) if covered else st.just([]))
    marks = {d: draw(st.sampled_from(list(Mark))) for d in chosen}
    sheet = Sheet.build(month=first, marks=marks, contract_from=start, contract_to=end,
                        vacation_days_used_this_year=draw(st.integers(0, 80)))
    norm = draw(st.integers(0, 10**10))
    fee = draw(st.integers(0, 10**9))
    return sheet, norm, fee, pilot, covered


@given(cases())
def test_amounts_are_bounded_and_rounded_once_from_the_exact_value(case) -> None:
    # covers: I4, I1, I3, A8.3, A8.4, A8.5
    sheet, norm, fee, pilot, covered = case
    p = calculate(sheet, norm, fee, KZ, pilot)
    working = KZ.working_days_in_month(sheet.month.year, sheet.month.month)
    assert p.working_days == working
    assert 0 <= p.state_order_tiyn <= norm
    assert 0 <= p.parent_fee_tiyn <= fee
    # an independent count of the rules
    marks = [m for _, m in sheet.marks]
    vacation_left = max(0, 60 - sheet.vacation_days_used_this_year)
    vacation = min(marks.count(Mark.VACATION), vacation_left)
    unexcused = marks.count(Mark.ABSENT) + marks.count(Mark.VACATION) - vacation
    payable = len(covered) - max(0, unexcused - 3)
    assert (p.contract_working_days, p.unexcused_days, p.vacation_days, p.payable_days) == (
        len(covered), unexcused, vacation, payable)
    assert p.present_days + p.sick_days + p.unexcused_days + p.vacation_days == len(covered)
    # one rounding, half up, of the exact amount (never of the daily rate)
    exact = Fraction(norm) / working * payable
    assert p.state_order_tiyn == half_up(exact)
    assert abs(p.state_order_tiyn - exact) <= Fraction(1, 2)
    assert p.parent_fee_tiyn == half_up(Fraction(fee) / working * (len(covered) - vacation))


@given(cases())
def test_one_more_unexcused_day_never_increases_the_amount(case) -> None:
    # covers: A8.3, A8.4, I1
    sheet, norm, fee, pilot, covered = case
    before = calculate(sheet, norm, fee, KZ, pilot)
    marked = dict(sheet.marks)
    free = [d for d in covered if marked.get(d, Mark.PRESENT) is Mark.PRESENT]
    if not free:
        return
    after_sheet = Sheet(sheet.month, tuple({**marked, free[0]: Mark.ABSENT}.items()),
                        sheet.contract, sheet.vacation_days_used_this_year)
    after = calculate(after_sheet, norm, fee, KZ, pilot)
    assert after.unexcused_days == before.unexcused_days + 1
    assert after.state_order_tiyn <= before.state_order_tiyn
    if before.unexcused_days < 3:
        assert after.state_order_tiyn == before.state_order_tiyn  # I1: up to 3 paid
    else:
        assert after.payable_days == before.payable_days - 1  # A8.4
    assert after.parent_fee_tiyn == before.parent_fee_tiyn  # A8.4: the parent pays them


@given(st.integers(2024, 2026), st.integers(1, 12), st.integers(0, 10**12),
       st.integers(0, 10**9), st.integers(0, 200))
def test_no_marks_and_a_full_month_contract_pay_exactly_the_norm(year, month, norm, fee, used) -> None:
    # covers: A8.1, I4
    first = dt.date(year, month, 1)
    for start, end in ((None, None), (first, last_of(first)),
                       (first - 400 * DAY, first + 400 * DAY)):
        sheet = Sheet.build(month=first, contract_from=start, contract_to=end,
                            vacation_days_used_this_year=used)
        p = calculate(sheet, norm, fee, KZ)
        assert (p.state_order_tiyn, p.parent_fee_tiyn) == (norm, fee)
        assert p.clauses == ("A8.1", "I4")


@given(cases())
def test_sick_days_and_vacation_within_the_limit_cost_the_state_order_nothing(case) -> None:
    # covers: A8.2, A8.5
    sheet, norm, fee, pilot, covered = case
    p = calculate(sheet, norm, fee, KZ, pilot)
    only_absences = Sheet(sheet.month, tuple((d, m) for d, m in sheet.marks if m is Mark.ABSENT),
                          sheet.contract, sheet.vacation_days_used_this_year)
    q = calculate(only_absences, norm, fee, KZ, pilot)
    if p.vacation_days_over_limit == 0:
        assert p.state_order_tiyn == q.state_order_tiyn
    assert p.parent_fee_tiyn <= q.parent_fee_tiyn
