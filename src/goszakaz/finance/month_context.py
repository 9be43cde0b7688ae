"""Everything a month's settlement of a city reads, loaded once: contracts, ages, tariffs, vacation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection
from django.db.models import Q

from goszakaz.attendance.models import UNMARKED
from goszakaz.domain import payment as pay
from goszakaz.domain.months import last_of
from goszakaz.enrollment.models import Contract, Voucher
from goszakaz.finance.funding import age_group
from goszakaz.finance.models import ParentFee
from goszakaz.finance.tariffs import monthly_norm
from goszakaz.registry.models import City
from goszakaz.rules.calendar import kz_calendar

_VACATION = """
SELECT voucher_id, SUM(LENGTH(days) - LENGTH(REPLACE(days, 'V', '')))
FROM attendance_sheet WHERE city = %s AND month >= %s AND month < %s GROUP BY voucher_id
"""


class MonthContext:
    """The data of one city and month that A8 needs, read in a handful of queries (not per sheet).

    A8 is a pure function of the sheet's marks, the contract's ends, the vacation used, the norm
    and the fee, so `payment` remembers each result by exactly those inputs: children with the
    same marks and terms are calculated once.
    """

    def __init__(self, city: City, month: str, only: Iterable[int] | None = None) -> None:
        """`only`: read just these children's data (one sheet's recalculation, A9), not the city's."""
        self.city, self.month = city, month
        self.first = pay.parse_month(month)
        self.last = last_of(self.first)
        self.calendar = kz_calendar((self.first.year,))
        self.pilot = pay.Period(city.pilot_start, city.pilot_end)
        self.contracts: dict[tuple[int, int], list[tuple[dt.date, dt.date | None, str]]] = (
            defaultdict(list))
        children = Voucher.objects.filter(city=city)
        contracts = Contract.objects.filter(voucher__city=city)
        vacation_sql = _VACATION
        params: list[str | int] = [city.code, f"{self.first.year:04d}-01", month]
        if only is not None:
            ids = [int(v) for v in only]
            children, contracts = children.filter(pk__in=ids), contracts.filter(voucher__in=ids)
            vacation_sql = _VACATION.replace("GROUP BY", f"AND voucher_id IN "
                                             f"({', '.join(['%s'] * len(ids)) or 'NULL'}) GROUP BY")
            params += ids
        rows = (contracts.filter(starts_on__lte=self.last)
                .filter(Q(ends_on=None) | Q(ends_on__gte=self.first))
                .values_list("voucher_id", "preschool_id", "starts_on", "ends_on", "stay_mode"))
        for voucher_id, preschool_id, start, end, stay in rows:
            self.contracts[(voucher_id, preschool_id)].append((start, end, stay))
        self.births = dict(children.values_list("id", "birth_date"))
        with connection.cursor() as cur:
            cur.execute(vacation_sql, params)
            self.vacation = {v: int(n or 0) for v, n in cur.fetchall()}
        self._fees = self._parent_fees()
        self._norms: dict[tuple[str, str], int] = {}
        self._groups: dict[dt.date, str] = {}
        self._results: dict[tuple[object, ...], pay.Payment] = {}

    def _parent_fees(self) -> dict[int, int]:
        """Each preschool's parent fee in force on the 1st of the month, as tariffs.parent_fee
        reads it (the latest row from on or before that day), in one query."""
        rows = (ParentFee.objects.filter(effective_from__lte=self.first)
                .order_by("preschool_id", "effective_from")
                .values_list("preschool_id", "amount"))
        return dict(rows)  # the last (latest) row of each preschool wins

    def norm(self, voucher_id: int, stay_mode: str) -> int:
        """The month's norm for the child's age group and stay mode (cached)."""
        birth = self.births[voucher_id]
        group = self._groups.get(birth)
        if group is None:
            group = self._groups[birth] = age_group(birth, self.month)
        key = (group, stay_mode)
        if key not in self._norms:
            self._norms[key] = monthly_norm(city=self.city, age_group=key[0], stay_mode=key[1],
                                            month=self.month)
        return self._norms[key]

    def fee(self, preschool_id: int) -> int:
        """The preschool's parent fee for the month (0 if none is set)."""
        return self._fees.get(preschool_id, 0)

    def payment(self, voucher_id: int, preschool_id: int, days: str) -> pay.Payment:
        """A8, I1-I4 for one final sheet of the month (its child, preschool and day marks)."""
        periods = self.contracts[(voucher_id, preschool_id)]
        if not periods:
            raise pay.SheetError(f"child {voucher_id}: no contract with this preschool in the month")
        # A start before the month counts as the 1st: no mark can fall before it either way.
        start = max(min(p[0] for p in periods), self.first)
        ends = [p[1] for p in periods if p[1] is not None]
        end = None if len(ends) < len(periods) else min(max(ends), self.last)
        stay = max(periods)[2]
        vacation = self.vacation.get(voucher_id, 0)
        norm, fee = self.norm(voucher_id, stay), self.fee(preschool_id)
        key = (days, start, end, vacation, norm, fee)
        result = self._results.get(key)
        if result is None:
            result = self._results[key] = self._calculate(days, start, end, vacation, norm, fee)
        return result

    def _calculate(self, days: str, start: dt.date, end: dt.date | None, vacation: int,
                   norm: int, fee: int) -> pay.Payment:
        # A mark after the contract ended (an annulment effective mid-month, entered before it
        # was known) is not payable: only the days of the contract count.
        # The same for days outside the city's pilot period (O1).
        low = max(start, self.pilot.first or start)
        high = min(end or self.last, self.pilot.last or self.last)
        marks = {day: code for i, code in enumerate(days) if code != UNMARKED
                 and low <= (day := self.first.replace(day=i + 1)) <= high}
        return pay.calculate(
            pay.Sheet.build(month=self.first, marks=marks,
                            contract_from=start if start > self.first else None,
                            contract_to=end, vacation_days_used_this_year=vacation),
            norm, fee, self.calendar, self.pilot)
