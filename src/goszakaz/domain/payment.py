"""A month's payment for one child from the attendance sheet: Госзаказ and parent fee (A8.1-A8.5, I1-I4).

How the project reads the law here (the regulation text is Order No. 53 as amended, clause 8):

- Marks, one per working day at most: P present, S sick with a certificate (A8.2), A absent
  without a valid reason, V a parent's vacation with the written application on file (A8.5).
  A working day of the contract left unmarked counts as present. Sick without a certificate is
  simply marked A (I2): the calculator never asks why a child was absent.
- Unexcused days (A8.3, A8.4, I1): up to and including 3 a month are paid in full; each day
  beyond 3 is not paid by the Госзаказ.
- Vacation (A8.5, I3): at most 60 days a calendar year across all of the child's sheets. The
  limit counts vacation-marked days, and marks exist only on working days, so it counts
  vacation-marked working days; `vacation_days_used_this_year` is what earlier months used.
  Vacation days within the limit (`vacation_days`) are paid by the Госзаказ in full and by the
  parent not at all; days beyond it (`vacation_days_over_limit`) count as unexcused and are
  included in `unexcused_days`. Hence, always:
  present + sick + unexcused + vacation = contract working days.
- Госзаказ (I4): payable days = working days of the month inside the contract and the city's
  pilot period (O1) - max(0, unexcused - 3); amount = norm x payable / working days of the
  month (the Kazakhstan calendar), in tiyn, rounded half up once.
- Parent fee: fee x (contract working days - vacation days within the limit) / working days of
  the month, rounded half up once. It is NOT reduced for unexcused days: A8.3 pays it in full
  for up to 3, and A8.4 ("оплачивается родительская плата за дни отсутствия, превышающие 3
  дней") has the parent pay for the days beyond 3 too, the days the Госзаказ no longer pays.
  It is reduced for sick days neither (A8.2: both paid in full). A part-month contract pays the
  same share of the fee as of the norm.
- A contract (both ends inclusive; no end = open-ended) that covers no working day of the month
  is not an error: every count and amount is zero. A mark outside the month, on a day off,
  outside the contract or outside the pilot period is an error (SheetError).
- A9: the calculation depends on the sheet alone, so an over- or under-payment found later is
  the difference between the payment of the corrected sheet and the one paid (`recalculation`),
  settled in the next month.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from goszakaz.domain.calendar import WorkCalendar
from goszakaz.domain.money import mul_div_round_half_up
from goszakaz.domain.months import last_of

VACATION_DAYS_A_YEAR = 60  # A8.5
PAID_UNEXCUSED_DAYS = 3  # A8.3, A8.4, I1
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class SheetError(ValueError):
    """A sheet, a mark or a step on it the rules do not allow (or amounts that cannot be paid as
    given); the message says why, `field` names the input when there is one."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class Mark(StrEnum):
    """A day's mark on the attendance sheet (A7.13)."""

    PRESENT = "P"
    SICK = "S"  # with a certificate (A8.2); without one it is ABSENT (I2)
    ABSENT = "A"  # without a valid reason (A8.3, A8.4)
    VACATION = "V"  # a parent's vacation, written application on file (A8.5)


def _mark(day: dt.date, value: object) -> Mark:
    if isinstance(value, Mark):
        return value
    if isinstance(value, str):
        known = _MARKS.get(value)
        if known is not None:
            return known
        try:
            return Mark(value)
        except ValueError:
            pass
    raise SheetError(f"bad mark {value!r} on {day}: expected one of "
                     f"{', '.join(m.value for m in Mark)}")


_MARKS = {m.value: m for m in Mark}  # a letter's Mark without the enum's slower lookup


def parse_month(text: str) -> dt.date:
    """"2024-04" -> date(2024, 4, 1); SheetError for anything else."""
    parts = text.split("-") if isinstance(text, str) else []
    if (len(parts) != 2 or len(parts[0]) != 4 or len(parts[1]) != 2
            or not all(p.isascii() and p.isdigit() for p in parts)):
        raise SheetError(f"month {text!r} is not a month YYYY-MM")
    try:
        return dt.date(int(parts[0]), int(parts[1]), 1)
    except ValueError:
        raise SheetError(f"month {text!r} is not a month YYYY-MM") from None


@dataclass(frozen=True, slots=True)
class Period:
    """Days from `first` to `last`, both inclusive; None leaves that side open."""

    first: dt.date | None = None
    last: dt.date | None = None

    def __post_init__(self) -> None:
        if self.first is not None and self.last is not None and self.last < self.first:
            raise SheetError(f"a period cannot end ({self.last.isoformat()}) before it starts "
                             f"({self.first.isoformat()})")

    def contains(self, day: dt.date) -> bool:
        """Whether `day` lies inside the period."""
        return (self.first is None or self.first <= day) and (self.last is None or day <= self.last)

    def describe(self) -> str:
        """"from 2024-04-10 to 2024-05-31", "from 2024-04-10", "until 2024-05-31" or "open"."""
        first = self.first.isoformat() if self.first else None
        last = self.last.isoformat() if self.last else None
        if first and last:
            return f"from {first} to {last}"
        if first:
            return f"from {first}"
        return f"until {last}" if last else "open"


@dataclass(frozen=True, slots=True)
class Sheet:
    """One child's attendance sheet for one month (A7.13), as the payment sees it.

    `month` is the first day of the month; `marks` holds (day, mark) pairs, sorted by day, at
    most one per day (a mapping or any iterable of pairs is accepted and normalized; a mark may
    be given as its letter). Unmarked working days of the contract count as present.
    `vacation_days_used_this_year`: vacation-marked days of earlier sheets of the same calendar
    year (A8.5, I3). The constructor raises SheetError for a bad mark, a day outside the month
    or the contract, a repeated day, a month not given by its first day, or a negative count;
    the calendar's checks (a mark on a day off) come in `calculate`.
    """

    month: dt.date
    marks: tuple[tuple[dt.date, Mark], ...] = ()
    contract: Period = field(default_factory=Period)
    vacation_days_used_this_year: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.month, dt.date) or isinstance(self.month, dt.datetime):
            raise SheetError(f"month must be a date, not {self.month!r}")
        if self.month.day != 1:
            raise SheetError(f"a sheet's month is given by its first day, not {self.month}")
        used = self.vacation_days_used_this_year
        if isinstance(used, bool) or not isinstance(used, int) or used < 0:
            raise SheetError(f"vacation days used this year must be a whole number >= 0, "
                             f"not {used!r}")
        raw: Iterable[tuple[dt.date, object]] = (
            self.marks.items() if isinstance(self.marks, Mapping) else self.marks)
        last = last_of(self.month)
        seen: dict[dt.date, Mark] = {}
        for day, value in raw:
            if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
                raise SheetError(f"a mark's day must be a date, not {day!r}")
            mark = _mark(day, value)
            if day in seen:
                raise SheetError(f"{day.isoformat()} is marked twice")
            if not self.month <= day <= last:
                raise SheetError(f"mark {mark.value} on {day.isoformat()}: the date is outside "
                                 f"the month {self.month:%Y-%m}")
            if not self.contract.contains(day):
                raise SheetError(f"mark {mark.value} on {day.isoformat()}: the date is outside "
                                 f"the contract ({self.contract.describe()})")
            seen[day] = mark
        object.__setattr__(self, "marks", tuple(sorted(seen.items())))

    @classmethod
    def build(
        cls,
        *,
        month: dt.date,
        marks: Mapping[dt.date, Mark | str] | None = None,
        contract_from: dt.date | None = None,
        contract_to: dt.date | None = None,
        vacation_days_used_this_year: int = 0,
    ) -> Sheet:
        """The sheet of these marks (letters or Marks) and contract ends; validates like the
        constructor."""
        pairs = tuple((day, _mark(day, value)) for day, value in (marks or {}).items())
        return cls(month, pairs, Period(contract_from, contract_to), vacation_days_used_this_year)


@dataclass(frozen=True, slots=True)
class Payment:
    """The month's payment for one child: day counts, amounts in tiyn, and the clauses applied.

    present + sick + unexcused + vacation = contract_working_days; `vacation_days` are those
    within the yearly limit, `vacation_days_over_limit` are counted in `unexcused_days` (I3).
    """

    working_days: int  # of the month: the divisor of both daily rates (I4)
    contract_working_days: int  # inside the contract and the pilot period
    present_days: int
    sick_days: int
    unexcused_days: int
    vacation_days: int
    vacation_days_over_limit: int
    payable_days: int  # of the Госзаказ
    state_order_tiyn: int
    parent_fee_tiyn: int
    clauses: tuple[str, ...]


def _check_amount(name: str, tiyn: int) -> None:
    if isinstance(tiyn, bool) or not isinstance(tiyn, int) or tiyn < 0:
        raise SheetError(f"the {name} must be a whole number of tiyn >= 0, not {tiyn!r}")


def _days_within(days: list[dt.date], *periods: Period) -> int:
    """How many of the sorted `days` lie inside every one of the periods."""
    firsts = [p.first for p in periods if p.first is not None]
    lasts = [p.last for p in periods if p.last is not None]
    low = bisect.bisect_left(days, max(firsts)) if firsts else 0
    high = bisect.bisect_right(days, min(lasts)) if lasts else len(days)
    return max(0, high - low)


def calculate(
    sheet: Sheet,
    norm_tiyn: int,
    fee_tiyn: int,
    calendar: WorkCalendar,
    pilot_period: Period | None = None,
) -> Payment:
    """The month's Госзаказ and parent fee for `sheet` (A8.1-A8.5, I1-I4; readings above).

    `norm_tiyn`: the monthly Госзаказ norm; `fee_tiyn`: the monthly parent fee; `calendar`: the
    Kazakhstan calendar of the sheet's year (OutsideCalendar, a ValueError, when it lacks the
    year); `pilot_period`: the city's pilot period (O1), None for no bound beyond the contract.
    Raises SheetError for a negative or non-integer amount, a mark on a day off or outside the
    pilot period, or a month without working days.
    """
    _check_amount("monthly norm", norm_tiyn)
    _check_amount("parent fee", fee_tiyn)
    pilot = pilot_period if pilot_period is not None else Period()
    month_days = calendar.working_days(sheet.month, last_of(sheet.month))
    working = len(month_days)
    if working == 0:
        raise SheetError(f"{sheet.month:%Y-%m} has no working days in the calendar")
    for day, mark in sheet.marks:
        if not calendar.is_working_day(day):
            raise SheetError(f"mark {mark.value} on {day.isoformat()}: {_WEEKDAYS[day.weekday()]} "
                             f"{day.isoformat()} is not a working day")
        if not pilot.contains(day):
            raise SheetError(f"mark {mark.value} on {day.isoformat()}: the date is outside the "
                             f"pilot period ({pilot.describe()})")
    covered = _days_within(month_days, sheet.contract, pilot)

    sick = absent = marked_vacation = 0
    for _, mark in sheet.marks:
        if mark is Mark.SICK:
            sick += 1
        elif mark is Mark.ABSENT:
            absent += 1
        elif mark is Mark.VACATION:
            marked_vacation += 1
    vacation_left = max(0, VACATION_DAYS_A_YEAR - sheet.vacation_days_used_this_year)
    vacation = min(marked_vacation, vacation_left)  # A8.5: paid by the Госзаказ, not the parent
    over_limit = marked_vacation - vacation  # I3: unexcused
    unexcused = absent + over_limit
    payable = covered - max(0, unexcused - PAID_UNEXCUSED_DAYS)  # I4, I1, A8.4

    clauses: list[str] = []
    if covered and not (sick or unexcused or marked_vacation):
        clauses.append("A8.1")
    if sick:
        clauses.append("A8.2")
    if 0 < unexcused <= PAID_UNEXCUSED_DAYS:
        clauses.append("A8.3")
    if unexcused > PAID_UNEXCUSED_DAYS:
        clauses.append("A8.4")
    if marked_vacation:
        clauses.append("A8.5")
    if unexcused:
        clauses.append("I1")
    if absent:
        clauses.append("I2")
    if marked_vacation:
        clauses.append("I3")
    clauses.append("I4")

    return Payment(
        working_days=working,
        contract_working_days=covered,
        present_days=covered - sick - unexcused - vacation,
        sick_days=sick,
        unexcused_days=unexcused,
        vacation_days=vacation,
        vacation_days_over_limit=over_limit,
        payable_days=payable,
        state_order_tiyn=mul_div_round_half_up(norm_tiyn, payable, working),
        parent_fee_tiyn=mul_div_round_half_up(fee_tiyn, covered - vacation, working),
        clauses=tuple(clauses),
    )


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A9: what the next month adds (> 0, under-paid) or takes back (< 0, over-paid), in tiyn."""

    state_order_tiyn: int
    parent_fee_tiyn: int


def recalculation(paid: Payment, corrected: Payment) -> Adjustment:
    """A9: the correction of a month paid as `paid` whose sheet now calculates as `corrected`."""
    return Adjustment(corrected.state_order_tiyn - paid.state_order_tiyn,
                      corrected.parent_fee_tiyn - paid.parent_fee_tiyn)
