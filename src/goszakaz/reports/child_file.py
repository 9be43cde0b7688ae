"""A child's file for the operator: the voucher's history, contracts, accounts, sheets, money and
risk cases, found by IIN or name (issue 12; each read is audited by the page, DESIGN rule 11)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from goszakaz.attendance.models import Sheet
from goszakaz.banking.models import ChildAccount
from goszakaz.domain.payment import Mark
from goszakaz.enrollment.models import AnnulmentReason, Contract, Voucher, VoucherStatus
from goszakaz.finance.models import Settlement, StayMode
from goszakaz.finance.statement import Statement, child_statement
from goszakaz.registry.models import Bank
from goszakaz.reports.listing import iin_or_name
from goszakaz.verification.models import RiskCase

FOUND_MAX = 100  # children a search lists; a longer answer asks for a narrower search
SEARCH = iin_or_name("child_iin", "child_name")

# The reasons a voucher's status changed, as the services write them, in the reader's words
REASONS: dict[str, Any] = {
    "allocation": _("granted by the city's allocation (A5)"),
    "city_list": _("granted from the city's list of children (A5)"),
    "A7.4: НОБД": _("verified against НОБД (A7.4)"),
    "НОБД": _("verified against НОБД (A7.4)"),
    "A7.4: risk cases closed by protocol": _("verified: its risk cases closed by protocol (A7.4)"),
    "account opened": _("the bank opened the child's account (A7.6)"),
}


def find_children(text: str) -> list[Voucher]:
    """The vouchers of the children whose IIN is `text` (12 digits; fewer: its beginning) or
    whose name holds every word of it, by name; at most FOUND_MAX + 1 (one more: "narrow it
    down"). The same search as the staff lists' (reports.listing.iin_or_name)."""
    text = " ".join(text.split())
    if not text:
        return []
    rows = SEARCH(Voucher.objects.select_related("city"), text)
    return list(rows.order_by("child_name", "-granted_at", "pk")[:FOUND_MAX + 1])


def reason_words(why: str, banks: dict[str, str]) -> str:
    """A status change's reason in the reader's words ("bank halyk" names the bank)."""
    if why in REASONS:
        return str(REASONS[why])
    if why.startswith("bank "):
        code = why.removeprefix("bank ")
        return str(_("sent to the bank %(bank)s to open the account (A7.5)")
                   % {"bank": banks.get(code, code)})
    for reason in AnnulmentReason:  # an annulment keeps its reason's label as then written
        if why == reason.value or why in _labels(reason):
            return str(reason.label)
    return why


def _labels(reason: AnnulmentReason) -> set[str]:
    """The reason's label in every language of the site."""
    labels = set()
    for language in ("ru", "kk", "en"):
        with translation.override(language):
            labels.add(str(reason.label))
    return labels


@dataclass(frozen=True)
class EventRow:
    """One status change of the voucher, in words."""

    at: dt.datetime
    before: str
    after: str
    why: str


@dataclass(frozen=True)
class ContractRow:
    """One contract, with its stay mode in words."""

    contract: Contract
    stay: str


@dataclass(frozen=True)
class SheetRow:
    """One month's sheet: its state, its days by kind, and what the month was settled at."""

    sheet: Sheet
    present: int
    sick: int
    absent: int
    vacation: int
    settlement: Settlement | None


@dataclass(frozen=True)
class ChildFile:
    """Everything the operator reads of one voucher."""

    voucher: Voucher
    events: list[EventRow]
    contracts: list[ContractRow]  # cancelled ones too (never in force)
    accounts: list[ChildAccount]
    sheets: list[SheetRow]
    statement: Statement
    cases: list[RiskCase]
    others: list[Voucher]  # the same child's other vouchers (another city, an earlier one)


def child_file(voucher: Voucher) -> ChildFile:
    """The file of one voucher, a fixed number of queries whatever its length."""
    banks = dict(Bank.objects.values_list("code", "name"))
    states, stays = dict(VoucherStatus.choices), dict(StayMode.choices)
    events = [EventRow(at=e.at, before=str(states.get(e.before, e.before)),
                       after=str(states.get(e.after, e.after)), why=reason_words(e.why, banks))
              for e in voucher.events.order_by("at", "pk")]
    settled = {s.sheet_id: s for s in Settlement.objects.filter(voucher=voucher)}
    sheets = []
    for s in Sheet.objects.filter(voucher=voucher).select_related("preschool").order_by("-month"):
        sheets.append(SheetRow(sheet=s, present=s.days.count(Mark.PRESENT.value),
                               sick=s.days.count(Mark.SICK.value),
                               absent=s.days.count(Mark.ABSENT.value),
                               vacation=s.days.count(Mark.VACATION.value),
                               settlement=settled.get(s.pk)))
    return ChildFile(
        voucher=voucher, events=events,
        contracts=[ContractRow(contract=c, stay=str(stays.get(c.stay_mode, c.stay_mode)))
                   for c in Contract.every.filter(voucher=voucher).select_related("preschool")
                   .order_by("starts_on", "pk")],
        accounts=list(ChildAccount.objects.filter(voucher=voucher).select_related("bank")
                      .order_by("requested_on", "pk")),
        sheets=sheets, statement=child_statement(voucher.pk),
        cases=list(RiskCase.objects.filter(voucher=voucher).order_by("-opened_on", "-pk")),
        others=list(Voucher.objects.filter(~Q(pk=voucher.pk), child_iin=voucher.child_iin)
                    .select_related("city").order_by("-granted_at")))
