"""The report's page of findings and proposals (A15: "with proposals for improvement"), written
from the figures in the reader's language: what stands out, and what to do about it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext as _

from goszakaz.enrollment.models import AnnulmentReason
from goszakaz.reports.figures import ClauseDeadlines
from goszakaz.reports.formatting import city_name, clause_label, percent, tenge
from goszakaz.reports.pilot import PilotReport

TOP = 3


@dataclass(frozen=True)
class Finding:
    """One finding drawn from the figures, and the proposal it leads to."""

    finding: str
    proposal: str


def findings(report: PilotReport) -> list[Finding]:
    """Every finding the figures support, most pressing first; one line when there is no data."""
    out = [*_deadlines(report), *_disputes(report), *_silence(report), *_unregistered(report),
           *_owed(report), *_annulments(report), *_money(report)]
    return out or [Finding(_("There are no figures yet on this date."),
                           _("Produce the report again once the first month is settled."))]


def _deadlines(report: PilotReport) -> list[Finding]:
    total: dict[str, ClauseDeadlines] = {}
    for c in report.cities:
        for clause, d in c.deadlines.items():
            t = total.setdefault(clause, ClauseDeadlines())
            t.met, t.late, t.missed = t.met + d.met, t.late + d.late, t.missed + d.missed
    slipped = sorted(((d.late + d.missed, d.due, clause) for clause, d in total.items()
                      if d.late + d.missed), key=lambda r: (-r[0] / r[1], -r[0], r[2]))[:TOP]
    if not slipped:
        return []
    lines = "; ".join(_("%(clause)s: %(slipped)d of %(due)d (%(share)s)") % {
        "clause": clause_label(clause), "slipped": n, "due": due, "share": percent(n / due)}
        for n, due, clause in slipped)
    return [Finding(_("The deadlines most often late or missed: %(lines)s.") % {"lines": lines},
                    _("Give each executor a reminder a few business days before these terms, "
                      "and review whether the terms fit the work they need."))]


def _disputes(report: PilotReport) -> list[Finding]:
    top = report.disputed_preschools[:TOP]
    if not top:
        return []
    names = {c.code: city_name(c.city) for c in report.cities}
    lines = "; ".join(_("%(name)s (%(city)s): disputed %(disputes)d of %(sheets)d sheets") % {
        "name": name, "city": names.get(city, city), "disputes": n, "sheets": sheets}
        for city, name, n, sheets in top)
    return [Finding(_("The preschools with the most disputed sheets: %(lines)s.") % {
        "lines": lines},
        _("Check the daily marking of these preschools with the city's education "
          "department, and explain to them and to the parents how a sheet is marked."))]


def _silence(report: PilotReport) -> list[Finding]:
    rows = []
    for c in report.cities:
        final = sum(f.sheets_final for f in c.figures.values())
        auto = sum(f.confirmed_automatically for f in c.figures.values())
        if final:
            rows.append((auto / final, auto, final, city_name(c.city)))
    rows = sorted((r for r in rows if r[1]), key=lambda r: (-r[0], r[3]))
    if not rows:
        return []
    lines = "; ".join(_("%(city)s: %(auto)d of %(final)d sheets (%(share)s)") % {
        "city": city, "auto": auto, "final": final, "share": percent(share)}
        for share, auto, final, city in rows)
    return [Finding(_("Sheets confirmed automatically, the parent silent (A7.14): %(lines)s.")
                    % {"lines": lines},
                    _("Remind parents in the bank's app before the month's last day; two silent "
                      "months in a row end the Госзаказ (A7.14)."))]


def _unregistered(report: PilotReport) -> list[Finding]:
    named = sum(f.parents_not_registered for c in report.cities for f in c.figures.values())
    if not named:
        return []
    direct = report.money.operator_to_preschools
    paid = direct + report.money.children_to_preschools
    return [Finding(
        _("Children whose parents had not registered at the bank, by the banks' monthly lists "
          "(A7.9), counted once a month: %(n)d; the operator paid %(direct)s directly to "
          "preschools, %(share)s of all paid to them.") % {
            "n": named, "direct": tenge(direct), "share": percent(direct / paid if paid else 0)},
        _("Ask the banks to help these parents register in the app when the account is "
          "opened, so that the money goes through the child's account."))]


def _owed(report: PilotReport) -> list[Finding]:
    owed = report.money.owed_to_preschools
    if not owed:
        return []
    return [Finding(_("Preschools are still owed %(owed)s on this date (I18).") % {
        "owed": tenge(owed)},
        _("Include the owed items in the next funding request (A9) and pay them first."))]


def _annulments(report: PilotReport) -> list[Finding]:
    reasons: Counter[str] = Counter()
    for c in report.cities:
        for f in c.figures.values():
            reasons.update(f.vouchers_annulled)
    if not reasons:
        return []
    labels = dict(AnnulmentReason.choices)
    lines = "; ".join(f"{labels.get(why, why)}: {n}" for why, n in reasons.most_common())
    return [Finding(_("Vouchers annulled, by reason: %(lines)s.") % {"lines": lines},
                    _("Where two silent months are the main reason, the reminders above come "
                      "first; where moves and closed accounts are, the city's list needs "
                      "updating more often."))]


def _money(report: PilotReport) -> list[Finding]:
    m = report.money
    if not m.budget_to_operator:
        return []
    reached = m.children_to_preschools + m.operator_to_preschools
    return [Finding(
        _("Of %(budget)s the budgets transferred, %(reached)s reached the preschools "
          "(%(share)s); %(returned)s came back to the operator, and %(balances)s is on the "
          "children's accounts.") % {
            "budget": tenge(m.budget_to_operator), "reached": tenge(reached),
            "share": percent(reached / m.budget_to_operator),
            "returned": tenge(m.returned_to_operator), "balances": tenge(m.child_balances)},
        _("Fund each month by the month's norm less the balance already on the account (I5), "
          "so that less is returned at the year's end."))]
