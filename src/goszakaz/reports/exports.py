"""The report as JSON (integer tiyn, machine keys) and as an XLSX workbook (a sheet per table,
text cells safe from formulas), both from the same tables as the HTML."""

from __future__ import annotations

import io
from dataclasses import asdict, fields
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from goszakaz.files import safe_cell
from goszakaz.reports.findings import findings
from goszakaz.reports.pilot import PilotReport
from goszakaz.reports.tables import Table, tables


def to_json(report: PilotReport) -> dict[str, Any]:
    """The report as one JSON object: `as_of`, `money`, `cities` (each with its `money`, its
    months and its deadlines per clause), the plan-schedule and the findings."""
    cities: dict[str, Any] = {}
    for c in report.cities:
        months = {}
        for month in c.months:
            f = c.figure(month)
            figures: dict[str, Any] = {k.name: getattr(f, k.name) for k in fields(f)}
            figures["vouchers_annulled"] = dict(sorted(f.vouchers_annulled.items()))
            figures["days"] = {m: f.days.get(m, 0) for m in ("P", "S", "A", "V")}
            terms = c.deadlines_by_month.get(month, {})
            months[month] = {"money": asdict(c.flow(month)), **figures,
                             "deadlines": {k: {**asdict(d), "due": d.due}
                                           for k, d in terms.items()}}
        cities[c.code] = {
            "name": {"ru": c.city.name_ru, "kk": c.city.name_kk, "en": c.city.name_en},
            "money": c.money.as_dict(),
            "balanced": c.money.balanced,
            "months": months,
            "deadlines": {k: {**asdict(d), "due": d.due} for k, d in c.deadlines.items()},
        }
    return {
        "as_of": report.as_of.isoformat(),
        "money": report.money.as_dict(),
        "balanced": report.money.balanced,
        "cities": cities,
        "disputed_preschools": [{"city": city, "preschool": name, "disputes": n, "sheets": s}
                                for city, name, n, s in report.disputed_preschools],
        "plan_schedule": [{
            "code": m.code, "title": {"ru": m.title_ru, "kk": m.title_kk, "en": m.title_en},
            "due_on": m.due_on.isoformat(), "executor": m.executor, "status": m.status,
            "done_on": m.done_on.isoformat() if m.done_on else None, "note": m.note}
            for m in report.milestones],
        "findings": [{"finding": f.finding, "proposal": f.proposal} for f in findings(report)],
    }


def to_xlsx(report: PilotReport) -> bytes:
    """The workbook: a sheet per table of the report, headers bold, amounts in tenge as numbers
    with two decimals, every text cell through `files.safe_cell`."""
    book = Workbook()
    book.remove(book.active)
    for table in tables(report):
        _sheet(book, table)
    notes = book.create_sheet(_sheet_title(_("Findings")))
    notes.append([_("Finding"), _("Proposal")])
    for f in findings(report):
        notes.append([safe_cell(f.finding), safe_cell(f.proposal)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def tables_xlsx(tables: list[Table]) -> bytes:
    """A workbook of these tables (an oversight page's), a sheet each, written as `to_xlsx`
    writes the report's."""
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        _sheet(book, table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(book: Workbook, table: Table) -> None:
    ws = book.create_sheet(_sheet_title(table.title))
    ws.append([safe_cell(h) for h in table.header])
    for row in table.rows:
        ws.append([_cell(v, money) for v, money in zip(row, table.money, strict=True)])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, money in enumerate(table.money, start=1):
        if money:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = "#,##0.00"


def _cell(value: object, money: bool) -> object:
    if money and isinstance(value, int):
        return value / 100  # tenge for the reader; the JSON keeps the exact tiyn
    return safe_cell(value)


def _sheet_title(title: str) -> str:
    """A worksheet name: at most 31 characters, none of []:*?/\\."""
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:31]
