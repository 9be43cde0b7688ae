"""The oversight pages' data (A14): deadlines, money, sheets and the queue of the chosen cities,
each as charts (reports.charts), the figures beside them and the tables the page and its XLSX
share (reports.tables.Table); every figure counted by the database per city and month."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncYear
from django.utils import translation
from django.utils.translation import gettext as _

from goszakaz import rules as rule_data
from goszakaz.clock import KZ
from goszakaz.deadlines.models import Deadline, DeadlineState
from goszakaz.enrollment.models import AnnulmentReason, Contract
from goszakaz.finance import flow_totals
from goszakaz.queue.models import AllocationRun, Application, ApplicationState, RunState
from goszakaz.registry.models import Bank, City, Preschool
from goszakaz.reports.charts import Series, stacked_columns, stacked_rows
from goszakaz.reports.figures import (
    MonthFigures,
    deadlines_by_month,
    sheet_figures,
    sheets_by_preschool,
    voucher_figures,
)
from goszakaz.reports.formatting import (
    ACTORS,
    DEADLINES,
    city_name,
    clause_label,
    month_label,
    number,
    percent,
    tenge,
)
from goszakaz.reports.money import MonthMoney, child_balances, monthly_flows
from goszakaz.reports.tables import Table

LATE_SHOWN = 200  # the late deadlines listed on the page (the newest due first)
GREEN, AMBER, RED, GREY, BLUE, PURPLE = ("#2e7d32", "#e0a100", "#c8553d", "#9aa5b1", "#2f6db5",
                                         "#8e6c8a")


@dataclass
class Chart:
    """A chart, its title, and the figures a reader sees beside it: (label, value as text);
    `empty` when it would draw nothing (the page says so instead)."""

    svg: str
    figures: list[tuple[str, str]] = field(default_factory=list)
    title: str = ""
    empty: bool = False


@dataclass
class Oversight:
    """One oversight page: its charts, its tables (the XLSX's sheets) and, for the deadlines,
    the late ones (each row's Deadline beside the table's row, for its link)."""

    charts: list[Chart]
    tables: list[Table]
    late: list[Deadline] = field(default_factory=list)
    late_total: int = 0
    month: str = ""  # the month the per-preschool table is for (attendance)
    months: list[str] = field(default_factory=list)


def _columns(categories: Sequence[str], series: Sequence[Series], *, title: str,
             **kwargs: Any) -> Chart:
    """A page's column chart: its font comes from the site's stylesheet (CSP: no inline
    style)."""
    return Chart(stacked_columns(categories, series, title=title, font="", width=400,
                                 height=200, **kwargs), title=title, empty=_nothing(series))


def _rows(labels: Sequence[str], series: Sequence[Series], *, title: str,
          **kwargs: Any) -> Chart:
    """A page's row chart, its font from the stylesheet."""
    return Chart(stacked_rows(labels, series, title=title, font="", width=400, max_label=24,
                              **kwargs), title=title, empty=_nothing(series))


def _nothing(series: Sequence[Series]) -> bool:
    return not any(v > 0 for s in series for v in s.values)


def _with(chart: Chart, figures: list[tuple[str, str]]) -> Chart:
    """The chart with its figures beside it."""
    chart.figures = figures
    return chart


def axis_month(month: str) -> str:
    """"2024-04" -> "Апр\n2024": the month's name cut to three letters (unique in ru, kk and
    en) over its year, short enough under a column of a chart."""
    name, _sep, year = month_label(month).rpartition(" ")
    return f"{name[:3]}\n{year}"


def _day(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def _names(cities: Sequence[City]) -> dict[str, str]:
    return {c.code: city_name(c) for c in cities}


# ---------------------------------------------------------------- deadlines


def deadlines_page(*, as_of: dt.date, cities: Sequence[City]) -> Oversight:
    """A14 over the terms of the law (A7.4, A7.9, A7.11, A7.12, A7.14, A7.16/I7, A7.17, A7.18,
    A10): met in time, met late, missed and not due yet per clause, city and month; the late
    and missed ones listed, the newest due first."""
    codes, names = [c.code for c in cities], _names(cities)
    by_month = deadlines_by_month(as_of=as_of, cities=codes)
    clauses: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    per_city_clause: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    month_rows = Table("deadlines-months", _("Deadlines by city and month"),
                       [_("City"), _("Month"), _("Met in time"), _("Met late"), _("Missed"),
                        _("Not due yet"), _("Late or missed, by clause")], [False] * 7)
    for code in codes:
        for month, terms in by_month[code].items():
            total, late_by = [0, 0, 0, 0], []
            for clause, d in terms.items():
                counts = (d.met, d.late, d.missed, d.open)
                for target in (clauses[clause], months[month], per_city_clause[(code, clause)],
                               total):
                    for i, n in enumerate(counts):
                        target[i] += n
                if d.late or d.missed:
                    late_by.append(f"{clause}: {d.late + d.missed}")
            month_rows.rows.append([names[code], month_label(month), *total, "; ".join(late_by)])
    order = sorted(set(clauses) | set(DEADLINES), key=_clause_order)  # every term, 0 too
    labels = [_("Met in time"), _("Met late"), _("Missed"), _("Not due yet")]
    colors = (GREEN, AMBER, RED, GREY)
    by_clause = _rows(
        [clause_label(c) for c in order],
        [Series(label, [clauses[c][i] for c in order], color)
         for i, (label, color) in enumerate(zip(labels, colors, strict=True))],
        title=_("Deadlines per clause"), label_width=165)
    month_keys = sorted(months)
    by_months = _columns(
        [axis_month(m) for m in month_keys],
        [Series(label, [months[m][i] for m in month_keys], color)
         for i, (label, color) in enumerate(zip(labels, colors, strict=True))],
        title=_("Deadlines by the month they were due"))
    totals = [sum(v[i] for v in clauses.values()) for i in range(4)]
    clause_table = Table("deadlines", _("Deadlines per clause"),
                         [_("City"), _("Clause"), _("Met in time"), _("Met late"), _("Missed"),
                          _("Not due yet")], [False] * 6)
    for code in codes:
        for clause in sorted({c for (k, c) in per_city_clause if k == code}, key=_clause_order):
            clause_table.rows.append([names[code], clause_label(clause),
                                      *per_city_clause[(code, clause)]])
    late_q = _late(as_of, codes)
    late = list(late_q.order_by("-due_on", "clause", "pk")[:LATE_SHOWN])
    late_table = Table("late", _("Deadlines met late or missed"),
                       [_("City"), _("Clause"), _("What it concerns"), _("Due"), _("Met on"),
                        _("Days late"), _("Who must act")], [False] * 7)
    banks = dict(Bank.objects.values_list("code", "name"))
    for row in late:
        done = row.met_on if row.state == DeadlineState.MET else None
        late_table.rows.append([names.get(row.city, row.city), row.clause, describe(row, banks),
                                _day(row.due_on), _day(done) or _("not met"),
                                ((done or as_of) - row.due_on).days,
                                str(ACTORS.get(row.clause, ""))])
    figures = [(label, number(n)) for label, n in zip(labels, totals, strict=True)]
    due = sum(totals[:3])
    if due:
        figures.append((_("Met in time, of those due"), percent(totals[0] / due)))
    return Oversight(charts=[_with(by_clause, figures), by_months],
                     tables=[clause_table, month_rows, late_table], late=late,
                     late_total=late_q.count())


def _late(as_of: dt.date, codes: list[str]) -> QuerySet[Deadline]:
    """The deadlines met after their day by `as_of`, or still open past it."""
    return (Deadline.objects.filter(city__in=codes, opened_on__lte=as_of)
            .exclude(state=DeadlineState.CANCELLED)
            .filter(Q(state=DeadlineState.MET, met_on__lte=as_of, met_on__gt=F("due_on"))
                    | Q(due_on__lt=as_of) & ~Q(state=DeadlineState.MET, met_on__lte=as_of)))


def _clause_order(clause: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in clause.lstrip("AI").split("."))


def describe(d: Deadline, banks: dict[str, str] | None = None) -> str:
    """What a deadline concerns, in the reader's language: the clause's words and the month,
    bank (by its name in `banks`) or year of its subject (never the stored code)."""
    label = clause_label(d.clause)
    kind, _sep, rest = d.subject.partition("/")
    parts = rest.split("/")
    month = next((p for p in parts if len(p) == 7 and p[4] == "-"), "")
    detail = ""
    if month:
        detail = month_label(month)
    if kind == "bank-list" and parts:
        bank = (banks or {}).get(parts[0], parts[0])
        detail = f"{bank}, {detail}" if detail else bank
    elif kind == "lists" and rest:
        detail = _("lists received on %(day)s") % {"day": _iso_day(rest)}
    elif kind == "year-end" or d.clause == "A7.18":
        years = [p for p in parts if p.isdigit() and len(p) == 4]
        detail = years[0] if years else ""
    return f"{label} ({detail})" if detail else label


def _iso_day(text: str) -> str:
    try:
        return _day(dt.date.fromisoformat(text))
    except ValueError:
        return text


# ---------------------------------------------------------------- money


MONEY_FIELDS = ("requested", "budget_to_operator", "operator_to_children",
                "children_to_preschools", "operator_to_preschools", "returned_to_operator")


def money_page(*, as_of: dt.date, cities: Sequence[City]) -> Oversight:
    """A2, A14: the money of each city and month, budget -> operator -> children's accounts ->
    preschools, paid directly, returned, left on the accounts and owed (I18)."""
    codes, names = [c.code for c in cities], _names(cities)
    sums = flow_totals.sums(as_of=as_of, cities=codes)  # stored days and today's, once
    flows = monthly_flows(as_of=as_of, cities=codes, flow_sums=sums)
    balances = child_balances(as_of=as_of, cities=codes, flow_sums=sums)
    table = Table("money", _("Money by city and month"),
                  [_("City"), _("Month"), _("Requested"), _("Budget to the operator"),
                   _("Operator to children's accounts"), _("Children's accounts to preschools"),
                   _("Operator to preschools directly"), _("Returned to the operator"),
                   _("Left on children's accounts"), _("Owed to preschools"), _("Owed items")],
                  [False, False, *[True] * 8, False])
    by_month: dict[str, MonthMoney] = defaultdict(MonthMoney)
    total = MonthMoney()
    for code in codes:
        city_total = MonthMoney()
        for month, f in flows[code].items():
            left = f.operator_to_children - f.children_to_preschools - f.returned_to_operator
            table.rows.append([names[code], month_label(month),
                               *[getattr(f, k) for k in MONEY_FIELDS], left,
                               f.owed_to_preschools, f.owed_items])
            for target in (by_month[month], city_total, total):
                for k in (*MONEY_FIELDS, "owed_to_preschools", "owed_items"):
                    setattr(target, k, getattr(target, k) + getattr(f, k))
        table.rows.append([names[code], _("Total"), *[getattr(city_total, k) for k in
                                                      MONEY_FIELDS],
                           balances[code], city_total.owed_to_preschools, city_total.owed_items])
    keys = sorted(by_month)
    left_of = {m: max(0, by_month[m].operator_to_children - by_month[m].children_to_preschools
                      - by_month[m].returned_to_operator) for m in keys}
    chart = _columns(
        [axis_month(m) for m in keys],
        [Series(_("Children's accounts to preschools"),
                [by_month[m].children_to_preschools for m in keys], BLUE),
         Series(_("Operator to preschools directly"),
                [by_month[m].operator_to_preschools for m in keys], PURPLE),
         Series(_("Returned to the operator"), [by_month[m].returned_to_operator for m in keys],
                AMBER),
         Series(_("Left on children's accounts"), [left_of[m] for m in keys], GREY),
         Series(_("Owed to preschools"), [by_month[m].owed_to_preschools for m in keys], RED)],
        title=_("Where each month's money went"), fmt=_short_tenge)
    figures = [(_("Budget to the operator"), tenge(total.budget_to_operator)),
               (_("Operator to children's accounts"), tenge(total.operator_to_children)),
               (_("Children's accounts to preschools"), tenge(total.children_to_preschools)),
               (_("Operator to preschools directly"), tenge(total.operator_to_preschools)),
               (_("Returned to the operator"), tenge(total.returned_to_operator)),
               (_("Balances of children's accounts"), tenge(sum(balances.values()))),
               (_("Owed to preschools"), tenge(total.owed_to_preschools))]
    return Oversight(charts=[_with(chart, figures)], tables=[table])


def _short_tenge(tiyn: int) -> str:
    """An amount over a column: whole millions or thousands of tenge ("1,2 млн ₸")."""
    t = tiyn / 100
    if t >= 1_000_000:
        text, unit = f"{t / 1_000_000:.1f}", _("mln ₸")
    elif t >= 1_000:
        text, unit = f"{t / 1_000:.0f}", _("thous. ₸")
    else:
        return tenge(tiyn)
    return f"{text.replace('.', ',')}\u00a0{unit}"


# ---------------------------------------------------------------- attendance


def attendance_page(*, as_of: dt.date, cities: Sequence[City], month: str = "") -> Oversight:
    """A7.13-A7.16, A8, A14: sheets confirmed by the parent, automatically or disputed, the
    disputes' outcomes and the days by mark per city and month; the month's preschools, the
    furthest from their city's norm first (docs/readings.md, "Oversight: a city's norm")."""
    codes, names = [c.code for c in cities], _names(cities)
    out: dict[str, dict[str, MonthFigures]] = {c: defaultdict(MonthFigures) for c in codes}
    sheet_figures(out, as_of, codes)
    table = Table("sheets", _("Confirmation, disputes and attendance by city and month"),
                  [_("City"), _("Month"), _("Final sheets"), _("Confirmed by the parent"),
                   _("Confirmed automatically"), _("Disputed"), _("Disputes: preschool agreed"),
                   _("Disputes: preschool upheld its sheet"), _("Disputes: not answered"),
                   _("Present days"), _("Sick days"), _("Unexcused days"), _("Vacation days")],
                  [False] * 13)
    by_month: dict[str, MonthFigures] = defaultdict(MonthFigures)
    for code in codes:
        for m, f in sorted(out[code].items()):
            table.rows.append([names[code], month_label(m), f.sheets_final,
                               _share(f.confirmed_by_parent, f.sheets_final),
                               _share(f.confirmed_automatically, f.sheets_final),
                               _share(f.disputed, f.sheets_final), f.disputes_agreed,
                               f.disputes_upheld, f.disputes_unanswered, *_days(f.days)])
            _add_figures(by_month[m], f)
    months = sorted(m for m, f in by_month.items() if f.sheets_final or f.disputed)
    settled = [m for m in months if by_month[m].sheets_final]  # the latest with final sheets
    chosen = month if month in months else (settled or months or [""])[-1]
    keys = sorted(by_month)
    sheets_chart = _columns(
        [axis_month(m) for m in keys],
        [Series(_("Confirmed by the parent"), [by_month[m].confirmed_by_parent for m in keys],
                GREEN),
         Series(_("Confirmed automatically"),
                [by_month[m].confirmed_automatically for m in keys], GREY),
         Series(_("Disputed"), [by_month[m].disputed for m in keys], RED)],
        title=_("Sheets by how they were confirmed"))
    days_chart = _columns(
        [axis_month(m) for m in keys],
        [Series(label, [by_month[m].days[mark] for m in keys], color)
         for mark, label, color in ((("P", _("Present days"), GREEN),
                                     ("S", _("Sick days"), BLUE),
                                     ("A", _("Unexcused days"), RED),
                                     ("V", _("Vacation days"), AMBER)))],
        title=_("Days by mark"))
    figures: list[tuple[str, str]] = []
    if chosen:
        f = by_month[chosen]
        figures = [(_("Month"), month_label(chosen)), (_("Final sheets"), number(f.sheets_final)),
                   (_("Confirmed by the parent"), _share(f.confirmed_by_parent, f.sheets_final)),
                   (_("Confirmed automatically"),
                    _share(f.confirmed_automatically, f.sheets_final)),
                   (_("Disputed"), _share(f.disputed, f.sheets_final)),
                   (_("Disputes: preschool agreed"), number(f.disputes_agreed)),
                   (_("Disputes: preschool upheld its sheet"), number(f.disputes_upheld))]
    day_figures = []
    if chosen:
        days = by_month[chosen].days
        whole = sum(days.values())
        day_figures = [(label, _share(days[mark], whole)) for mark, label in (
            ("P", _("Present days")), ("S", _("Sick days")), ("A", _("Unexcused days")),
            ("V", _("Vacation days")))]
    tables = [table]
    if chosen:
        tables.append(_preschools_table(as_of, codes, names, chosen, out))
    return Oversight(charts=[_with(sheets_chart, figures), _with(days_chart, day_figures)],
                     tables=tables, month=chosen, months=months)


def _add_figures(target: MonthFigures, f: MonthFigures) -> None:
    for k in ("sheets_final", "confirmed_by_parent", "confirmed_automatically", "disputed",
              "disputes_agreed", "disputes_upheld", "disputes_unanswered"):
        setattr(target, k, getattr(target, k) + getattr(f, k))
    target.days.update(f.days)


def _days(days: Counter[str]) -> list[int]:
    return [days["P"], days["S"], days["A"], days["V"]]


def _share(part: int, whole: int) -> str:
    return f"{number(part)} ({percent(part / whole)})" if whole else number(part)


def _rates(final: int, parent: int, disputed: int, days: Counter[str]) -> tuple[float, ...]:
    """The three shares a preschool is compared with its city by: sheets confirmed by the
    parent, sheets disputed, days unexcused."""
    marked = sum(days.values())
    return (parent / final if final else 0.0, disputed / final if final else 0.0,
            days["A"] / marked if marked else 0.0)


def norm_distance(mine: tuple[float, ...], norm: tuple[float, ...]) -> float:
    """How far a preschool is from its city's norm: the sum of the three shares' differences,
    in percentage points."""
    return sum(abs(a - b) for a, b in zip(mine, norm, strict=True)) * 100


def _preschools_table(as_of: dt.date, codes: list[str], names: dict[str, str], month: str,
                      out: dict[str, dict[str, MonthFigures]]) -> Table:
    rows = sheets_by_preschool(as_of=as_of, cities=codes, month=month)
    school_names = dict(Preschool.objects.filter(pk__in=[r.preschool_id for r in rows])
                        .values_list("pk", "name"))
    norms = {}
    for code in codes:
        f = out[code].get(month) or MonthFigures()
        norms[code] = _rates(f.sheets_final, f.confirmed_by_parent, f.disputed, f.days)
    t = Table("preschools", _("Preschools in %(month)s, the furthest from the city's norm first")
              % {"month": month_label(month)},
              [_("City"), _("Preschool"), _("Final sheets"), _("Confirmed by the parent"),
               _("Disputed"), _("Disputes: preschool agreed"),
               _("Disputes: preschool upheld its sheet"), _("Unexcused days"),
               _("Distance from the city's norm, points")], [False] * 9)
    scored = []
    for r in rows:
        mine = _rates(r.sheets_final, r.confirmed_by_parent, r.disputed, r.days)
        scored.append((norm_distance(mine, norms[r.city]), r))
    scored.sort(key=lambda x: (-x[0], names.get(x[1].city, ""),
                               school_names.get(x[1].preschool_id, "")))
    for distance, r in scored:
        t.rows.append([names.get(r.city, r.city), school_names.get(r.preschool_id, ""),
                       r.sheets_final, _share(r.confirmed_by_parent, r.sheets_final),
                       _share(r.disputed, r.sheets_final), r.disputes_agreed, r.disputes_upheld,
                       _share(r.days["A"], sum(r.days.values())),
                       f"{distance:.1f}".replace(".", ",")])
    return t


# ---------------------------------------------------------------- queue and places


def queue_page(*, as_of: dt.date, cities: Sequence[City]) -> Oversight:
    """A5, A6, T, A14: applications by category and the year (or month) they were submitted,
    the places allocated, vouchers granted and annulled by reason, and each preschool's
    children under contract against its design capacity."""
    codes, names = [c.code for c in cities], _names(cities)
    titles = _category_titles(cities)
    apps = Application.objects.filter(city__code__in=codes,
                                      submitted_at__lt=_moment(as_of))
    by_state = list(apps.values_list("category", "state").annotate(n=Count("pk")).order_by())
    categories = sorted({c for c, _s, _n in by_state}, key=lambda c: (c is None, c or 0))
    states = [(ApplicationState.QUEUED, _("In the queue"), BLUE),
              (ApplicationState.ALLOCATED, _("Place allocated"), GREEN),
              (ApplicationState.WITHDRAWN, _("Withdrawn"), GREY)]
    count = {(c, s): n for c, s, n in by_state}
    apps_chart = _rows(
        [_category(c, titles) for c in categories],
        [Series(label, [count.get((c, state), 0) for c in categories], color)
         for state, label, color in states],
        title=_("Applications by category"), label_width=165)
    yearly = list(apps.annotate(y=TruncYear("submitted_at", tzinfo=KZ))
                  .values_list("city__code", "y", "category").annotate(n=Count("pk"))
                  .order_by())
    monthly = len({y.year for _c, y, _k, _n in yearly}) <= 1  # one year: by month
    if monthly:
        rows = [(c, f"{m.year:04d}-{m.month:02d}", k, n) for c, m, k, n in
                apps.annotate(m=TruncMonth("submitted_at", tzinfo=KZ))
                .values_list("city__code", "m", "category").annotate(n=Count("pk")).order_by()]
    else:
        rows = [(c, str(y.year), k, n) for c, y, k, n in yearly]
    periods = sorted({p for _c, p, _k, _n in rows})
    per_period: Counter[str] = Counter()
    cells: dict[tuple[str, int | None], Counter[str]] = defaultdict(Counter)
    for c, p, k, n in rows:
        per_period[p] += n
        cells[(c, k)][p] += n
    apps_table = Table("applications", _("Applications by category and the period submitted"),
                       [_("City"), _("Category"),
                        *[month_label(p) if monthly else p for p in periods], _("Total")],
                       [False] * (3 + len(periods)))
    for c, k in sorted(cells, key=lambda ck: (names.get(ck[0], ""), ck[1] is None, ck[1] or 0)):
        counts = cells[(c, k)]
        apps_table.rows.append([names.get(c, c), _category(k, titles),
                                *[counts.get(p, 0) for p in periods], sum(counts.values())])
    over_time = _columns([axis_month(p) if monthly else p for p in periods],
                         [Series(_("Applications"), [per_period[p] for p in periods], BLUE)],
                         title=_("Applications by the period submitted"))
    runs = Table("allocations", _("Places allocated"),
                 [_("City"), _("Queue as of"), _("Places (volume)"), _("Places allocated"),
                  _("Confirmed on")], [False] * 5)
    for code, day, volume, allocated, confirmed in (
            AllocationRun.objects.filter(city__code__in=codes, state=RunState.CONFIRMED,
                                         confirmed_at__lt=_moment(as_of))
            .order_by("city__code", "as_of", "pk")
            .values_list("city__code", "as_of", "volume", "allocated", "confirmed_at")):
        runs.rows.append([names.get(code, code), _day(day), volume, allocated,
                          _day(confirmed.astimezone(KZ).date() if confirmed else None)])
    vouchers_chart, vouchers_table, voucher_totals = _vouchers(as_of, codes, names)
    occupancy_chart, occupancy_table, occupancy_totals = _occupancy(as_of, cities, names)
    app_figures = [(label, number(sum(count.get((c, state), 0) for c in categories)))
                   for state, label, _color in states]
    return Oversight(charts=[_with(apps_chart, app_figures), over_time,
                             _with(vouchers_chart, voucher_totals),
                             _with(occupancy_chart, occupancy_totals)],
                     tables=[apps_table, runs, vouchers_table, occupancy_table])


def _moment(as_of: dt.date) -> dt.datetime:
    return dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=KZ)


def _category_titles(cities: Sequence[City]) -> dict[int, str]:
    """Category number -> its title in the reader's language, from the cities' rule sets."""
    lang = (translation.get_language() or "ru")[:2]
    out: dict[int, str] = {}
    for city in cities:
        if not city.allocation_rules:
            continue
        try:
            rule_set = rule_data.load(city.allocation_rules)
        except KeyError:
            continue
        for c in rule_set.categories:
            out.setdefault(c.number, c.title.get(lang) or c.title.get("ru", ""))
    return out


def _category(n: int | None, titles: dict[int, str]) -> str:
    if n is None:
        return _("No category")
    title = titles.get(n)
    return f"{n}. {title}" if title else str(n)


def _vouchers(as_of: dt.date, codes: list[str], names: dict[str, str]
              ) -> tuple[Chart, Table, list[tuple[str, str]]]:
    out: dict[str, dict[str, MonthFigures]] = {c: defaultdict(MonthFigures) for c in codes}
    voucher_figures(out, as_of, codes)
    reasons = list(AnnulmentReason)
    labels = {r.value: str(r.label) for r in reasons}
    t = Table("vouchers", _("Vouchers granted and annulled by reason"),
              [_("City"), _("Month"), _("Vouchers granted"), _("Vouchers annulled"),
               *[labels[r.value] for r in reasons]], [False] * (4 + len(reasons)))
    granted: Counter[str] = Counter()
    annulled: dict[str, Counter[str]] = defaultdict(Counter)
    for code in codes:
        for m, f in sorted(out[code].items()):
            t.rows.append([names[code], month_label(m), f.vouchers_granted,
                           sum(f.vouchers_annulled.values()),
                           *[f.vouchers_annulled.get(r.value, 0) for r in reasons]])
            granted[m] += f.vouchers_granted
            annulled[m].update(f.vouchers_annulled)
    keys = sorted(set(granted) | set(annulled))
    colors = (RED, AMBER, "#5d4037", PURPLE, BLUE)
    chart = _columns([axis_month(m) for m in keys],
                     [Series(_("Vouchers granted"), [granted[m] for m in keys], GREEN),
                      *[Series(_("Annulled: %(reason)s") % {"reason": labels[r.value]},
                               [annulled[m].get(r.value, 0) for m in keys],
                               colors[i % len(colors)]) for i, r in enumerate(reasons)]],
                     title=_("Vouchers granted and annulled by reason, by month"))
    figures = [(_("Vouchers granted"), number(sum(granted.values())))]
    figures += [(labels[r.value], number(sum(a.get(r.value, 0) for a in annulled.values())))
                for r in reasons]
    return chart, t, figures


def _occupancy(as_of: dt.date, cities: Sequence[City], names: dict[str, str]
               ) -> tuple[Chart, Table, list[tuple[str, str]]]:
    """A6: children under a contract in force on `as_of` against each preschool's design
    capacity, for the preschools of the Перечень on that day."""
    schools = list(Preschool.objects.filter(city__in=list(cities), included_on__lte=as_of)
                   .filter(Q(excluded_on__isnull=True) | Q(excluded_on__gt=as_of))
                   .values_list("pk", "city__code", "name", "design_capacity"))
    pupils = dict(Contract.objects.filter(preschool_id__in=[s[0] for s in schools],
                                          starts_on__lte=as_of)
                  .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=as_of))
                  .values_list("preschool_id").annotate(n=Count("pk")).order_by())
    rows = sorted(((pupils.get(pk, 0) / cap if cap else 0.0, pk, code, name, cap)
                   for pk, code, name, cap in schools), key=lambda r: (-r[0], r[3]))
    t = Table("occupancy", _("Occupancy against design capacity"),
              [_("City"), _("Preschool"), _("Design capacity"), _("Children under contract"),
               _("Free places"), _("Occupancy")], [False] * 6)
    for share, pk, code, name, cap in rows:
        n = pupils.get(pk, 0)
        t.rows.append([names.get(code, code), name, cap, n, max(0, cap - n), percent(share)])
    shown = rows[:12]
    chart = _rows([r[3] for r in shown],
                         [Series(_("Children under contract"),
                                 [pupils.get(r[1], 0) for r in shown], BLUE),
                          Series(_("Free places"),
                                 [max(0, r[4] - pupils.get(r[1], 0)) for r in shown], GREY)],
                         title=_("Occupancy against design capacity"), label_width=165)
    capacity, taken = sum(r[4] for r in rows), sum(pupils.get(r[1], 0) for r in rows)
    figures = [(_("Preschools"), number(len(rows))), (_("Design capacity"), number(capacity)),
               (_("Children under contract"), number(taken))]
    if capacity:
        figures.append((_("Occupancy"), percent(taken / capacity)))
    return chart, t, figures


PAGES: dict[str, Callable[..., Oversight]] = {
    "deadlines": deadlines_page, "money": money_page, "attendance": attendance_page,
    "queue": queue_page}
