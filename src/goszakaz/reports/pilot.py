"""The pilot's results report (A15, P5) as data: per city and month, the money, the figures, the
deadlines per clause, the plan-schedule and the findings; pure reads, no change anywhere."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from goszakaz.finance import flow_totals
from goszakaz.registry.models import City
from goszakaz.reports.figures import (
    ClauseDeadlines,
    MonthFigures,
    deadlines,
    deadlines_by_month,
    disputes_by_preschool,
    month_figures,
)
from goszakaz.reports.models import Milestone
from goszakaz.reports.money import Money, MonthMoney, city_money, monthly_flows


@dataclass
class CityReport:
    """One city's part of the report."""

    code: str
    city: City
    money: Money
    months: list[str]
    flows: dict[str, MonthMoney]
    figures: dict[str, MonthFigures]
    deadlines: dict[str, ClauseDeadlines]
    deadlines_by_month: dict[str, dict[str, ClauseDeadlines]]

    def flow(self, month: str) -> MonthMoney:
        """The month's money (zeros when nothing moved)."""
        return self.flows.get(month) or MonthMoney()

    def figure(self, month: str) -> MonthFigures:
        """The month's figures (zeros when nothing happened)."""
        return self.figures.get(month) or MonthFigures()


@dataclass
class PilotReport:
    """The whole report on `as_of`: every configured city (or the one asked for)."""

    as_of: dt.date
    money: Money
    cities: list[CityReport]
    milestones: list[Milestone]
    disputed_preschools: list[tuple[str, str, int, int]]  # city, name, disputes, sheets


def pilot_report(*, as_of: dt.date, city: str | None = None) -> PilotReport:
    """The report's figures as they stand at the end of `as_of`; `city` narrows it to one city.
    Raises City.DoesNotExist for an unknown city code."""
    cities = list(City.objects.order_by("code")) if city is None else [City.objects.get(code=city)]
    codes = [c.code for c in cities]
    sums = flow_totals.sums(as_of=as_of, cities=codes)  # the stored days and today's, once
    flows = monthly_flows(as_of=as_of, cities=codes, flow_sums=sums)
    money = city_money(as_of=as_of, cities=codes, flows=flows, flow_sums=sums)
    figures = month_figures(as_of=as_of, cities=codes)
    terms_by_month = deadlines_by_month(as_of=as_of, cities=codes)
    terms = deadlines(as_of=as_of, cities=codes, by_month=terms_by_month)
    parts = []
    for c in cities:
        months = sorted(set(flows[c.code]) | set(figures[c.code]) | set(terms_by_month[c.code]))
        parts.append(CityReport(code=c.code, city=c, money=money[c.code], months=months,
                                flows=flows[c.code], figures=figures[c.code],
                                deadlines=terms[c.code],
                                deadlines_by_month=terms_by_month[c.code]))
    total = Money()
    for part in parts:
        total.add(part.money)
    return PilotReport(as_of=as_of, money=total, cities=parts,
                       milestones=list(Milestone.objects.order_by("code")),
                       disputed_preschools=disputes_by_preschool(as_of=as_of, cities=codes))
