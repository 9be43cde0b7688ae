"""The report as one self-contained HTML file (inline CSS, inline SVG charts, no script, no
external reference) and as PDF, by WeasyPrint from that HTML."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from goszakaz.reports.charts import Series, stacked_columns, stacked_rows
from goszakaz.reports.findings import findings
from goszakaz.reports.formatting import city_name, clause_label, tenge
from goszakaz.reports.pilot import CityReport, PilotReport
from goszakaz.reports.tables import Table, money_header, tables


@dataclass
class Shown:
    """A table ready for the template: cells as text, numbers right-aligned."""

    key: str
    title: str
    header: list[str]
    rows: list[list[tuple[str, bool]]]  # (text, numeric)
    charts: list[SafeString]


def to_html(report: PilotReport) -> str:
    """The whole document in the active language."""
    charts = _charts(report)
    shown = [_shown(t, charts.get(t.key, [])) for t in tables(report)]
    m = report.money
    return render_to_string("reports/pilot.html", {
        "inline_style": _trusted(f"<style>{_css()}</style>"),
        "lang": (get_language() or "ru")[:2],
        "as_of": report.as_of.strftime("%d.%m.%Y"),
        "cities": ", ".join(city_name(c.city) for c in report.cities),
        "summary": list(zip(money_header(), [tenge(v) for v in m.as_dict().values()],
                            strict=True)),
        "balanced": m.balanced,
        "findings": findings(report),
        "money_chart": _trusted(stacked_columns(
            [city_name(c.city) for c in report.cities],
            [Series(_("Children's accounts to preschools"),
                    [c.money.children_to_preschools for c in report.cities]),
             Series(_("Operator to preschools directly"),
                    [c.money.operator_to_preschools for c in report.cities]),
             Series(_("Returned to the operator"),
                    [c.money.returned_to_operator for c in report.cities]),
             Series(_("Balances of children's accounts"),
                    [c.money.child_balances for c in report.cities])],
            title=_("Where the money for the children went"), fmt=tenge)),
        "tables": shown,
    })


def to_pdf(report: PilotReport) -> bytes:
    """The HTML document printed by WeasyPrint (its Debian libraries: Pango, HarfBuzz)."""
    from weasyprint import HTML  # a heavy library, loaded only for a PDF

    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # not its every step
    return bytes(HTML(string=to_html(report)).write_pdf())


def _shown(table: Table, charts: list[SafeString]) -> Shown:
    rows = []
    for row in table.rows:
        cells = []
        for value, money in zip(row, table.money, strict=True):
            if money and isinstance(value, int):
                cells.append((tenge(value), True))
            else:
                cells.append((str(value), isinstance(value, int)))
        rows.append(cells)
    return Shown(table.key, table.title, table.header, rows, charts)


def _charts(report: PilotReport) -> dict[str, list[SafeString]]:
    out: dict[str, list[SafeString]] = {}
    for c in report.cities:
        if c.months:
            out[f"money-{c.code}"] = [_trusted(_money_chart(c))]
            out[f"sheets-{c.code}"] = [_trusted(_sheets_chart(c)), _trusted(_days_chart(c))]
    clauses: dict[str, list[int]] = {}
    for c in report.cities:
        for clause, d in c.deadlines.items():
            row = clauses.setdefault(clause, [0, 0, 0])
            row[0], row[1], row[2] = row[0] + d.met, row[1] + d.late, row[2] + d.missed
    if clauses:
        labels = list(clauses)
        out["deadlines"] = [_trusted(stacked_rows(
            [clause_label(k) for k in labels],
            [Series(_("Met in time"), [clauses[k][0] for k in labels], "#7fb069"),
             Series(_("Met late"), [clauses[k][1] for k in labels], "#e0a100"),
             Series(_("Missed"), [clauses[k][2] for k in labels], "#c8553d")],
            title=_("Deadlines per clause, the whole pilot")))]
    return out


def _css() -> str:
    """The report's CSS, to be inlined: the HTML is one file that works offline."""
    return (Path(__file__).parent / "templates" / "reports" / "pilot.css").read_text("utf-8")


def _trusted(markup: str) -> SafeString:
    return mark_safe(markup)  # drawn by charts.py (every text escaped there) or our own CSS


def _months(c: CityReport) -> list[str]:
    """Short labels under the bars ("04.2024"); the tables name the months in full."""
    return [f"{m[5:7]}.{m[:4]}" for m in c.months]


def _money_chart(c: CityReport) -> str:
    f = [c.flow(m) for m in c.months]
    return stacked_columns(_months(c), [
        Series(_("Children's accounts to preschools"), [x.children_to_preschools for x in f]),
        Series(_("Operator to preschools directly"), [x.operator_to_preschools for x in f]),
        Series(_("Returned to the operator"), [x.returned_to_operator for x in f]),
        Series(_("Owed to preschools"), [x.owed_to_preschools for x in f], "#c8553d")],
        title=_("%(city)s: money by month") % {"city": city_name(c.city)}, fmt=tenge)


def _sheets_chart(c: CityReport) -> str:
    f = [c.figure(m) for m in c.months]
    return stacked_columns(_months(c), [
        Series(_("Confirmed by the parent"), [x.confirmed_by_parent for x in f], "#7fb069"),
        Series(_("Confirmed automatically"), [x.confirmed_automatically for x in f], "#e0a100"),
        Series(_("Disputed"), [x.disputed for x in f], "#c8553d")],
        title=_("%(city)s: how the sheets were confirmed") % {"city": city_name(c.city)})


def _days_chart(c: CityReport) -> str:
    f = [c.figure(m) for m in c.months]
    return stacked_columns(_months(c), [
        Series(_("Present days"), [x.days["P"] for x in f], "#2f6db5"),
        Series(_("Sick days"), [x.days["S"] for x in f], "#8e6c8a"),
        Series(_("Unexcused days"), [x.days["A"] for x in f], "#c8553d"),
        Series(_("Vacation days"), [x.days["V"] for x in f], "#6b8f9e")],
        title=_("%(city)s: attendance days") % {"city": city_name(c.city)})
