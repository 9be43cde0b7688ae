"""The simulation's own books: what it did (contracts, marks, answers, life events) and, from
them alone, what each preschool is owed for each child and month by the pure A8 calculator."""

from __future__ import annotations

import datetime as dt
import sys
from collections import defaultdict
from dataclasses import dataclass

from goszakaz.domain import payment as pay
from goszakaz.domain.calendar import WorkCalendar
from goszakaz.domain.months import last_of, month_of, previous
from goszakaz.rules.calendar import kz_calendar

UNMARKED = "."


@dataclass
class Term:
    """A contract as the simulation signed it (A6, A11), ended by what it did or foresaw."""

    preschool_id: int
    starts_on: dt.date
    ends_on: dt.date | None = None


@dataclass(slots=True)
class SheetTally:
    """One child's month as the simulation entered it (compact: a year at 250,000 children
    keeps 2.75 million of them; about 250 bytes each)."""

    days: str  # a code a day, UNMARKED where nothing was entered
    preschool_id: int
    state: str = "open"  # open, confirmed, auto_confirmed, disputed, corrected, upheld
    responded: bool = False  # the parent confirmed or disputed (I6)
    final_on: dt.date | None = None
    wrong: tuple[int, ...] = ()  # days the preschool entered wrongly
    corrected_on: dt.date | None = None
    protocol_days: str | None = None  # the operator's protocol corrected the upheld sheet (A9)

    def put(self, day: int, code: str) -> None:
        """Enter `code` on the month's day `day` (1-based)."""
        self.days = self.days[:day - 1] + code + self.days[day:]


@dataclass
class Expected:
    """What a final sheet is owed: the Госзаказ in tiyn, or why no settlement is expected."""

    due: int | None
    why_none: str = ""


FINAL = ("confirmed", "auto_confirmed", "upheld")


class Tally:
    """Contracts, annulments, sheets, norms and the children sent to a bank, as the simulation
    made them; `expected` computes A8 (I1-I4, I21) from these alone."""

    def __init__(self) -> None:
        self.terms: dict[int, list[Term]] = defaultdict(list)
        self.annulled: dict[int, tuple[dt.date, str]] = {}
        self.sheets: dict[tuple[int, str], SheetTally] = {}
        self.norms: dict[tuple[str, str], list[tuple[dt.date, int]]] = defaultdict(list)
        self.pilot: dict[str, tuple[dt.date, dt.date | None]] = {}
        self.sent: set[int] = set()
        self.births: dict[int, dt.date] = {}
        self.city_of: dict[int, str] = {}
        self.events: dict[str, int] = defaultdict(int)  # life events and answers, counted
        # indexes, so that a day's work is proportional to what happens that day
        self.by_month: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.months_of: dict[int, list[str]] = defaultdict(list)
        self.open_months: set[str] = set()  # months that may still have open sheets
        self.corrected: set[tuple[int, str]] = set()  # sheets waiting for the parent (I7)
        self.late: set[tuple[int, str]] = set()  # silent parents who will answer too late
        self._calendars: dict[int, WorkCalendar] = {}

    # --- what the simulation did -------------------------------------------------------
    def count(self, what: str, n: int = 1) -> None:
        self.events[what] += n

    def sign(self, voucher_id: int, preschool_id: int, on: dt.date) -> None:
        self.terms[voucher_id].append(Term(preschool_id, on))

    def end_terms(self, voucher_id: int, on: dt.date) -> None:
        """Contracts in force on `on` or later end the day before (annulment, A11)."""
        for t in self.terms[voucher_id]:
            if t.ends_on is None or t.ends_on >= on:
                t.ends_on = max(on, t.starts_on) - dt.timedelta(days=1)

    def annul(self, voucher_id: int, on: dt.date, why: str) -> None:
        if voucher_id in self.annulled:
            return
        self.annulled[voucher_id] = (on, why)
        self.end_terms(voucher_id, on)
        self.count(f"annulled: {why}")

    def term_on(self, voucher_id: int, day: dt.date) -> Term | None:
        for t in self.terms.get(voucher_id, []):
            if t.starts_on <= day and (t.ends_on is None or day <= t.ends_on):
                return t
        return None

    def live(self, voucher_id: int) -> bool:
        return voucher_id in self.city_of and voucher_id not in self.annulled

    def sheet(self, voucher_id: int, month: str, preschool_id: int) -> SheetTally:
        month = sys.intern(month)  # one string a month, not one a sheet
        key = (voucher_id, month)
        if key not in self.sheets:
            self.sheets[key] = SheetTally(UNMARKED * last_of(pay.parse_month(month)).day,
                                          preschool_id)
            self.by_month[month].append(key)
            self.months_of[voucher_id].append(month)
            self.open_months.add(month)
        return self.sheets[key]

    def marked(self, voucher_id: int, day: dt.date, code: str, preschool_id: int) -> None:
        self.sheet(voucher_id, month_of(day), preschool_id).put(day.day, code)

    # --- what the rules then do (foreseen, never read from the system) ---------------------
    def silent_twice(self, month: str) -> list[int]:
        """A7.14, I6: children whose sheets of `month` and the month before were both final
        without the parent's answer, the month's sheet paid (settled): annulled after it."""
        out = []
        for voucher_id, m in sorted(self.by_month.get(month, [])):
            s = self.sheets[(voucher_id, m)]
            if s.state not in FINAL or s.responded:
                continue
            before = self.sheets.get((voucher_id, previous(month)))
            if (before is not None and before.state in FINAL and not before.responded
                    and self.expected(voucher_id, month).due is not None):
                out.append(voucher_id)
        return out

    # --- totals for the results report (A15), from the tally alone ----------------------
    def earned(self) -> dict[tuple[str, str], int]:
        """(city, month) -> the Госзаказ A8 gives for the month's final sheets, from what was
        entered: what the preschools must have been paid or still be owed for that month."""
        out: dict[tuple[str, str], int] = defaultdict(int)
        for (voucher_id, month), s in sorted(self.sheets.items()):
            if s.state in FINAL:
                due = self.expected(voucher_id, month).due
                if due is not None:
                    out[(self.city_of[voucher_id], month)] += due
        return dict(out)

    def final_sheets(self) -> dict[str, int]:
        """city -> how many sheets are final (confirmed, automatically or not, or upheld)."""
        out: dict[str, int] = defaultdict(int)
        for (voucher_id, _month), s in self.sheets.items():
            if s.state in FINAL:
                out[self.city_of[voucher_id]] += 1
        return dict(out)

    # --- A8 from the tally alone -----------------------------------------------------
    def calendar(self, year: int) -> WorkCalendar:
        if year not in self._calendars:
            self._calendars[year] = kz_calendar((year,))
        return self._calendars[year]

    def norm(self, voucher_id: int, month: str) -> int:
        first = pay.parse_month(month)
        birth = self.births[voucher_id]
        age = first.year - birth.year - ((first.month, first.day) < (birth.month, birth.day))
        group = "early" if age < 3 else "preschool"
        rows = [a for since, a in sorted(self.norms[(self.city_of[voucher_id], group)])
                if since <= first]
        return rows[-1]

    def expected(self, voucher_id: int, month: str) -> Expected:
        """The Госзаказ the final sheet of (child, month) is owed (A8, I1-I4, I21, I22), or why
        no settlement is expected (never sent to a bank, I19; no contract in the month)."""
        s = self.sheets[(voucher_id, month)]
        if voucher_id not in self.sent:
            return Expected(None, "never sent to a bank (I19)")
        first = pay.parse_month(month)
        last = last_of(first)
        terms = [t for t in self.terms.get(voucher_id, []) if t.preschool_id == s.preschool_id
                 and t.starts_on <= last and (t.ends_on is None or t.ends_on >= first)]
        if not terms:
            return Expected(None, "no contract with the preschool in the month")
        start = max(min(t.starts_on for t in terms), first)
        ends = [t.ends_on for t in terms if t.ends_on is not None]
        end = None if len(ends) < len(terms) else min(max(ends), last)
        pilot_first, pilot_last = self.pilot[self.city_of[voucher_id]]
        low, high = max(start, pilot_first), min(end or last, pilot_last or last)
        days = s.protocol_days or s.days
        marks = {first.replace(day=i + 1): c for i, c in enumerate(days)
                 if c != UNMARKED and low <= first.replace(day=i + 1) <= high}
        vacation = 0
        for m in self.months_of.get(voucher_id, []):
            if m[:4] == month[:4] and m < month:
                o = self.sheets[(voucher_id, m)]
                vacation += (o.protocol_days or o.days).count("V")
        sheet = pay.Sheet.build(month=first, marks=marks,
                                contract_from=start if start > first else None, contract_to=end,
                                vacation_days_used_this_year=vacation)
        result = pay.calculate(sheet, self.norm(voucher_id, month), 0, self.calendar(first.year),
                               pay.Period(pilot_first, pilot_last))
        return Expected(result.state_order_tiyn)
