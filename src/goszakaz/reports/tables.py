"""The report's tables in the reader's language, shared by the HTML, the PDF and the XLSX: a
title, a header, rows of values (amounts as integer tiyn, marked as money), and a total row."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from goszakaz.enrollment.models import AnnulmentReason
from goszakaz.reports.formatting import city_name, clause_label, month_label, percent
from goszakaz.reports.models import MilestoneStatus
from goszakaz.reports.pilot import CityReport, PilotReport


@dataclass
class Table:
    """One table: `money[i]` says column i holds tiyn."""

    key: str
    title: str
    header: list[str]
    money: list[bool]
    rows: list[list[object]] = field(default_factory=list)


def money_header() -> list[str]:
    """The names of the `money` keys, in their order."""
    return [_("Budget to the operator"), _("Operator to children's accounts"),
            _("Children's accounts to preschools (net of A9)"),
            _("Operator to preschools directly (net)"), _("Returned to the operator"),
            _("Balances of children's accounts"), _("Owed to preschools")]


def tables(report: PilotReport) -> list[Table]:
    """Every table of the report, in the order of the document."""
    out = [_money(report)]
    for c in report.cities:
        out += [_city_money(c), _city_vouchers(c), _city_sheets(c)]
    out += [_deadlines(report), _deadlines_by_month(report), _preschools(report), _plan(report)]
    return out


def _money(report: PilotReport) -> Table:
    t = Table("money", _("Money of the pilot"), [_("City"), *money_header()],
              [False] + [True] * 7)
    for c in report.cities:
        t.rows.append([city_name(c.city), *c.money.as_dict().values()])
    t.rows.append([_("Whole pilot"), *report.money.as_dict().values()])
    return t


def _city_money(c: CityReport) -> Table:
    t = Table(f"money-{c.code}", _("%(city)s: money by month") % {"city": city_name(c.city)},
              [_("Month"), _("Requested"), _("Budget to the operator"),
               _("Operator to children's accounts"), _("Children's accounts to preschools"),
               _("Operator to preschools directly"), _("Returned to the operator"),
               _("Owed to preschools")], [False] + [True] * 7)
    for month in c.months:
        f = c.flow(month)
        t.rows.append([month_label(month), f.requested, f.budget_to_operator,
                       f.operator_to_children, f.children_to_preschools, f.operator_to_preschools,
                       f.returned_to_operator, f.owed_to_preschools])
    return t


def _city_vouchers(c: CityReport) -> Table:
    labels = dict(AnnulmentReason.choices)
    t = Table(f"vouchers-{c.code}",
              _("%(city)s: vouchers, accounts and risk cases by month") % {
                  "city": city_name(c.city)},
              [_("Month"), _("Vouchers granted"), _("Vouchers annulled"), _("Annulled, by reason"),
               _("Accounts opened"), _("Parents not registered (A7.9)"),
               _("Risk cases opened"), _("Risk cases closed")], [False] * 8)
    for month in c.months:
        f = c.figure(month)
        reasons = "; ".join(f"{labels.get(k, k)}: {n}" for k, n in sorted(
            f.vouchers_annulled.items()))
        t.rows.append([month_label(month), f.vouchers_granted, sum(f.vouchers_annulled.values()),
                       reasons, f.accounts_opened, f.parents_not_registered,
                       f.risk_cases_opened, f.risk_cases_closed])
    return t


def _city_sheets(c: CityReport) -> Table:
    t = Table(f"sheets-{c.code}",
              _("%(city)s: confirmation, disputes and attendance by month") % {
                  "city": city_name(c.city)},
              [_("Month"), _("Final sheets"), _("Confirmed by the parent"),
               _("Confirmed automatically"), _("Disputed"), _("Disputes: preschool agreed"),
               _("Disputes: preschool upheld its sheet"), _("Disputes: not answered"),
               _("Present days"), _("Sick days"), _("Unexcused days"), _("Vacation days")],
              [False] * 12)
    for month in c.months:
        f = c.figure(month)
        t.rows.append([month_label(month), f.sheets_final,
                       _share(f.confirmed_by_parent, f.sheets_final),
                       _share(f.confirmed_automatically, f.sheets_final),
                       _share(f.disputed, f.sheets_final), f.disputes_agreed, f.disputes_upheld,
                       f.disputes_unanswered, f.days["P"], f.days["S"], f.days["A"], f.days["V"]])
    return t


def _share(part: int, whole: int) -> str:
    return f"{part} ({percent(part / whole)})" if whole else str(part)


def _deadlines(report: PilotReport) -> Table:
    t = Table("deadlines", _("Deadlines per clause"),
              [_("City"), _("Clause"), _("Met in time"), _("Met late"), _("Missed"),
               _("Not due yet")], [False] * 6)
    for c in report.cities:
        for clause, d in c.deadlines.items():
            t.rows.append([city_name(c.city), clause_label(clause), d.met, d.late, d.missed,
                           d.open])
    return t


def _deadlines_by_month(report: PilotReport) -> Table:
    t = Table("deadlines-months", _("Deadlines per clause and month, late or missed"),
              [_("City"), _("Month"), _("Clause"), _("Met in time"), _("Met late"), _("Missed"),
               _("Not due yet")], [False] * 7)
    for c in report.cities:
        for month, clauses in c.deadlines_by_month.items():
            for clause, d in clauses.items():
                if d.late or d.missed:
                    t.rows.append([city_name(c.city), month_label(month), clause_label(clause),
                                   d.met, d.late, d.missed, d.open])
    return t


def _preschools(report: PilotReport) -> Table:
    names = {c.code: city_name(c.city) for c in report.cities}
    t = Table("disputes", _("Preschools by disputed sheets"),
              [_("City"), _("Preschool"), _("Disputes"), _("Final sheets")], [False] * 4)
    for city, name, n, sheets in report.disputed_preschools:
        t.rows.append([names.get(city, city), name, n, sheets])
    return t


def _plan(report: PilotReport) -> Table:
    labels = dict(MilestoneStatus.choices)
    t = Table("plan", _("Plan-schedule of the pilot (Appendix 2)"),
              [_("No."), _("Milestone"), _("Form of completion"), _("Due"), _("Executors"),
               _("Status"), _("Done on"), _("Note")], [False] * 8)
    for m in report.milestones:
        t.rows.append([m.code, m.title(), m.form(), m.due_on.strftime("%d.%m.%Y"), m.executor,
                       str(labels.get(m.status, m.status)),
                       m.done_on.strftime("%d.%m.%Y") if m.done_on else "", m.note])
    return t
