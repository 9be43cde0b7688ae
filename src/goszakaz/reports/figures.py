"""The report's figures per city and month, other than money: vouchers, accounts, confirmation,
disputes, attendance, deadlines per clause and risk cases, each counted by the day it happened."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from goszakaz.attendance import sheet_totals
from goszakaz.attendance.models import Dispute, Sheet
from goszakaz.banking.models import ChildAccount, MonthlyBankList
from goszakaz.clock import KZ
from goszakaz.deadlines.models import Deadline, DeadlineState
from goszakaz.domain.months import month_of
from goszakaz.enrollment.models import Voucher
from goszakaz.registry.models import Preschool
from goszakaz.reports.money import cutoff
from goszakaz.verification.models import RiskCase

MARKS = sheet_totals.MARKS  # present, sick, unexcused, vacation (domain.payment.Mark)


@dataclass
class MonthFigures:
    """One city's month: what happened in it, as counts."""

    vouchers_granted: int = 0
    vouchers_annulled: Counter[str] = field(default_factory=Counter)  # reason -> count
    accounts_opened: int = 0
    parents_not_registered: int = 0  # on the banks' lists for the month (A7.9)
    sheets_final: int = 0
    confirmed_by_parent: int = 0
    confirmed_automatically: int = 0
    disputed: int = 0
    disputes_agreed: int = 0  # the preschool corrected the sheet (A7.16)
    disputes_upheld: int = 0  # the preschool disagreed: risk verification
    disputes_unanswered: int = 0
    days: Counter[str] = field(default_factory=Counter)  # mark -> days
    risk_cases_opened: int = 0
    risk_cases_closed: int = 0

    def share(self, part: int) -> float:
        """`part` of the month's final sheets, 0..1."""
        return part / self.sheets_final if self.sheets_final else 0.0


@dataclass
class ClauseDeadlines:
    """One clause's deadlines in one city: met in time, met late, missed (open past due), open."""

    met: int = 0
    late: int = 0
    missed: int = 0
    open: int = 0

    @property
    def due(self) -> int:
        """Deadlines whose day has come: met, late or missed."""
        return self.met + self.late + self.missed


def month_figures(*, as_of: dt.date, cities: list[str]) -> dict[str, dict[str, MonthFigures]]:
    """city -> month -> its figures, counting only what happened by the end of `as_of`."""
    out: dict[str, dict[str, MonthFigures]] = {c: defaultdict(MonthFigures) for c in cities}
    voucher_figures(out, as_of, cities)
    for city, month, n in _by_month(ChildAccount.objects.filter(city__in=cities,
                                                                opened_on__lte=as_of),
                                    "city", "opened_on"):
        out[city][month].accounts_opened += n
    _not_registered(out, as_of, cities)
    sheet_figures(out, as_of, cities)
    risk = RiskCase.objects.filter(city__code__in=cities)
    for city, month, n in _by_month(risk.filter(opened_on__lte=as_of), "city__code",
                                    "opened_on"):
        out[city][month].risk_cases_opened += n
    for city, month, n in _by_month(risk.filter(closed_on__lte=as_of), "city__code",
                                    "closed_on"):
        out[city][month].risk_cases_closed += n
    return {c: dict(sorted(months.items())) for c, months in out.items()}


def _by_month(rows: QuerySet[Any], city: str, day: str, *more: str,
              tz: dt.tzinfo | None = None) -> list[tuple[Any, ...]]:
    """(city, "YYYY-MM", *more, count) of the rows, grouped in the database by the month of
    their `day` field (a date, or a moment read in `tz`); rows without the day left out."""
    month = TruncMonth(day, tzinfo=tz) if tz is not None else TruncMonth(day)
    grouped = (rows.exclude(**{f"{day}__isnull": True}).annotate(_m=month)
               .values_list(city, "_m", *more).annotate(_n=Count("pk")).order_by())
    return [(c, f"{m.year:04d}-{m.month:02d}", *rest) for c, m, *rest in grouped]


def voucher_figures(out: dict[str, dict[str, MonthFigures]], as_of: dt.date,
                    cities: list[str]) -> None:
    """Vouchers granted (by the Kazakhstan month of the moment) and annulled by reason, per
    city and month, counted by the database."""
    vouchers = Voucher.objects.filter(city__code__in=cities)
    for city, month, n in _by_month(vouchers.filter(granted_at__lt=cutoff(as_of)),
                                    "city__code", "granted_at", tz=KZ):
        out[city][month].vouchers_granted += n
    for city, month, why, n in _by_month(vouchers.filter(annulled_on__lte=as_of), "city__code",
                                         "annulled_on", "annulment_reason"):
        out[city][month].vouchers_annulled[why or "unknown"] += n


def _not_registered(out: dict[str, dict[str, MonthFigures]], as_of: dt.date,
                    cities: list[str]) -> None:
    """A7.9: the children whose parents the banks' monthly lists name as not registered."""
    lists = list(MonthlyBankList.objects.filter(received_on__lte=as_of)
                 .values_list("month", "not_registered"))
    ids = sorted({int(i) for _m, named in lists for i in named})
    city_of: dict[int, str] = {}
    for i in range(0, len(ids), 900):
        city_of.update(ChildAccount.objects.filter(pk__in=ids[i:i + 900], city__in=cities)
                       .values_list("pk", "city"))
    for month, named in lists:
        for account in named:
            city = city_of.get(int(account))
            if city is not None:
                out[city][month].parents_not_registered += 1


def sheet_figures(out: dict[str, dict[str, MonthFigures]], as_of: dt.date, cities: list[str]) -> None:
    """Final sheets by how they became final, their disputes, and the days by mark, per city
    and month: the sheets from attendance's totals (the days stored, the later ones counted
    live), the disputes counted by the database."""
    for c in sheet_totals.sums(as_of=as_of, cities=cities):
        f = out[c.city][c.month]
        f.sheets_final += c.sheets
        f.confirmed_by_parent += c.by_parent
        f.confirmed_automatically += c.automatically
        for mark, n in zip(MARKS, c.days, strict=True):
            f.days[mark] += n
    disputes = (Dispute.objects.filter(sheet__city__in=cities, opened_on__lte=as_of)
                .values_list("sheet__city", "sheet__month").annotate(
                    n=Count("pk"),
                    n_agreed=Count("pk", filter=Q(agreed=True, answered_on__lte=as_of)),
                    n_upheld=Count("pk", filter=Q(agreed=False, answered_on__lte=as_of)))
                .order_by())
    for city, month, n, agreed, upheld in disputes:
        f = out[city][month]
        f.disputed, f.disputes_agreed, f.disputes_upheld = n, agreed, upheld
        f.disputes_unanswered = n - agreed - upheld


def deadlines_by_month(*, as_of: dt.date, cities: list[str]
                       ) -> dict[str, dict[str, dict[str, ClauseDeadlines]]]:
    """city -> month of the due day -> clause -> its deadlines on `as_of`: met by the due day,
    met late, missed (still open past it), open (not due yet); cancelled ones and those opened
    later are left out."""
    out: dict[str, dict[str, dict[str, ClauseDeadlines]]] = {
        c: defaultdict(lambda: defaultdict(ClauseDeadlines)) for c in cities}
    rows = (Deadline.objects.filter(city__in=cities, opened_on__lte=as_of)
            .exclude(state=DeadlineState.CANCELLED)
            .values_list("city", "clause", "due_on", "state", "met_on")
            .annotate(n=Count("pk")).order_by())  # one row per day pair, not per deadline
    for city, clause, due_on, state, met_on, n in rows:
        c = out[city][month_of(due_on)][clause]
        if state == DeadlineState.MET and met_on is not None and met_on <= as_of:
            if met_on <= due_on:
                c.met += n
            else:
                c.late += n
        elif due_on < as_of:
            c.missed += n
        else:
            c.open += n
    return {c: {m: _by_clause(clauses) for m, clauses in sorted(months.items())}
            for c, months in out.items()}


def deadlines(*, as_of: dt.date, cities: list[str],
              by_month: dict[str, dict[str, dict[str, ClauseDeadlines]]] | None = None
              ) -> dict[str, dict[str, ClauseDeadlines]]:
    """city -> clause -> its deadlines on `as_of`, all months together."""
    by_month = by_month if by_month is not None else deadlines_by_month(as_of=as_of,
                                                                        cities=cities)
    out: dict[str, dict[str, ClauseDeadlines]] = {}
    for city, months in by_month.items():
        total: dict[str, ClauseDeadlines] = defaultdict(ClauseDeadlines)
        for clauses in months.values():
            for clause, d in clauses.items():
                t = total[clause]
                t.met, t.late, t.missed, t.open = (t.met + d.met, t.late + d.late,
                                                   t.missed + d.missed, t.open + d.open)
        out[city] = _by_clause(total)
    return out


def _by_clause(clauses: dict[str, ClauseDeadlines]) -> dict[str, ClauseDeadlines]:
    return dict(sorted(clauses.items(), key=lambda kv: _clause_key(kv[0])))


def _clause_key(clause: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in clause.lstrip("AI").split("."))


def disputes_by_preschool(*, as_of: dt.date, cities: list[str]) -> list[tuple[str, str, int, int]]:
    """(city, preschool name, disputes, final sheets) for every preschool with a dispute by
    `as_of`, the most disputed first."""
    disputes = Counter(dict(
        Dispute.objects.filter(sheet__city__in=cities, opened_on__lte=as_of)
        .values_list("sheet__preschool_id").annotate(n=Count("pk")).order_by()))
    if not disputes:
        return []
    sheets = dict(Sheet.objects.filter(preschool_id__in=list(disputes), final_on__lte=as_of)
                  .values_list("preschool_id").annotate(n=Count("pk")).order_by())
    from_sheets = dict(Sheet.objects.filter(preschool_id__in=list(disputes))
                       .values_list("preschool_id", "city").distinct())
    names = _preschool_names(list(disputes))
    rows = [(from_sheets.get(pk, ""), names.get(pk, str(pk)), n, sheets.get(pk, 0))
            for pk, n in disputes.items()]
    return sorted(rows, key=lambda r: (-r[2], r[0], r[1]))


def _preschool_names(ids: list[int]) -> dict[int, str]:
    return dict(Preschool.objects.filter(pk__in=ids).values_list("pk", "name"))


@dataclass
class PreschoolSheets:
    """One preschool's final sheets of a month: how they became final and the days by mark."""

    preschool_id: int
    city: str
    sheets_final: int = 0
    confirmed_by_parent: int = 0
    confirmed_automatically: int = 0
    disputed: int = 0
    disputes_agreed: int = 0
    disputes_upheld: int = 0
    days: Counter[str] = field(default_factory=Counter)


def sheets_by_preschool(*, as_of: dt.date, cities: list[str], month: str
                        ) -> list[PreschoolSheets]:
    """The month's final sheets by preschool (A14), from attendance's totals as
    `sheet_figures` has them by city; disputes opened by `as_of` counted per preschool."""
    out: dict[int, PreschoolSheets] = {}
    for c in sheet_totals.sums(as_of=as_of, cities=cities, month=month, by_preschool=True):
        assert c.preschool_id is not None
        row = out.setdefault(c.preschool_id, PreschoolSheets(c.preschool_id, c.city))
        row.sheets_final += c.sheets
        row.confirmed_by_parent += c.by_parent
        row.confirmed_automatically += c.automatically
        for mark, n in zip(MARKS, c.days, strict=True):
            row.days[mark] += n
    for pk, city, n, agreed, upheld in (
            Dispute.objects.filter(sheet__city__in=cities, sheet__month=month,
                                   opened_on__lte=as_of)
            .values_list("sheet__preschool_id", "sheet__city").annotate(
                n=Count("pk"),
                n_agreed=Count("pk", filter=Q(agreed=True, answered_on__lte=as_of)),
                n_upheld=Count("pk", filter=Q(agreed=False, answered_on__lte=as_of)))
            .order_by()):
        row = out.setdefault(pk, PreschoolSheets(pk, city))
        row.disputed, row.disputes_agreed, row.disputes_upheld = n, agreed, upheld
    return list(out.values())
