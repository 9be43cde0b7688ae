"""The report's money (A15, P5): the ledger's flows per city and month as they stand on a day,
child balances from the account rows, and the owed items open on that day (I18)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, fields

from django.db.models import F, Q, Sum

from goszakaz.finance import flow_totals
from goszakaz.finance.models import (
    AccountKind,
    FundingRequest,
    Recalculation,
    Settlement,
    Transfer,
    TransferCode,
)

OPERATOR_SIDE = (AccountKind.OPERATOR, AccountKind.OPERATOR_RETURNS)
PAID_CODES = (TransferCode.PAYMENT, TransferCode.DIRECT)


@dataclass
class Money:
    """Integer tiyn totals of one city (or the whole pilot), as the JSON's `money` object.

    `operator_to_children = children_to_preschools + returned_to_operator + child_balances`
    holds by double entry: nothing else moves money in or out of a child's account."""

    budget_to_operator: int = 0
    operator_to_children: int = 0
    children_to_preschools: int = 0
    operator_to_preschools: int = 0
    returned_to_operator: int = 0
    child_balances: int = 0
    owed_to_preschools: int = 0

    def add(self, other: Money) -> None:
        """Add another city's figures to these."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, int]:
        """The JSON object, keys in the order of the fields."""
        return {f.name: int(getattr(self, f.name)) for f in fields(self)}

    @property
    def balanced(self) -> bool:
        """The identity of the issue: what went to the children is paid, returned or there."""
        return self.operator_to_children == (self.children_to_preschools
                                             + self.returned_to_operator + self.child_balances)


@dataclass
class MonthMoney:
    """One city's money for one month (the month a transfer is for, its `period`)."""

    requested: int = 0  # the funding request (A7.11): to the accounts and direct
    budget_to_operator: int = 0
    operator_to_children: int = 0
    children_to_preschools: int = 0
    operator_to_preschools: int = 0
    returned_to_operator: int = 0
    owed_to_preschools: int = 0  # settlements of the month still short on the day
    owed_items: int = 0


def cutoff(as_of: dt.date) -> dt.datetime:
    """The first moment after `as_of` (Kazakhstan time): transfers before it count."""
    return flow_totals.end_of(as_of)


# (debit kind, credit kind) -> (field, sign): every flow of the ledger, netted both ways
FLOWS: dict[tuple[str, str], tuple[str, int]] = {
    (AccountKind.BUDGET, AccountKind.OPERATOR): ("budget_to_operator", 1),
    (AccountKind.OPERATOR, AccountKind.BUDGET): ("budget_to_operator", -1),
    (AccountKind.OPERATOR, AccountKind.CHILD): ("operator_to_children", 1),
    (AccountKind.OPERATOR_RETURNS, AccountKind.CHILD): ("operator_to_children", 1),
    (AccountKind.CHILD, AccountKind.PRESCHOOL): ("children_to_preschools", 1),
    (AccountKind.PRESCHOOL, AccountKind.CHILD): ("children_to_preschools", -1),  # A9 given back
    (AccountKind.OPERATOR, AccountKind.PRESCHOOL): ("operator_to_preschools", 1),
    (AccountKind.OPERATOR_RETURNS, AccountKind.PRESCHOOL): ("operator_to_preschools", 1),
    (AccountKind.PRESCHOOL, AccountKind.OPERATOR): ("operator_to_preschools", -1),
    (AccountKind.PRESCHOOL, AccountKind.OPERATOR_RETURNS): ("operator_to_preschools", -1),
    (AccountKind.CHILD, AccountKind.OPERATOR): ("returned_to_operator", 1),
    (AccountKind.CHILD, AccountKind.OPERATOR_RETURNS): ("returned_to_operator", 1),
}


# the codes whose transfers always go between the same two kinds (finance: funding, payments,
# sweep): checked by tests/integration/test_pilot_report.py against the kinds themselves
BY_CODE: dict[str, tuple[str, str]] = flow_totals.CODE_KINDS


def _add(row: MonthMoney, flow: tuple[str, int], n: int) -> None:
    setattr(row, flow[0], getattr(row, flow[0]) + flow[1] * n)


def monthly_flows(*, as_of: dt.date, cities: list[str],
                  flow_sums: list[flow_totals.Flow] | None = None
                  ) -> dict[str, dict[str, MonthMoney]]:
    """city -> month -> its flows, requests and owed items, as they stand at the end of `as_of`
    (`flow_sums`: finance's sums for the day, when the caller has them already)."""
    out: dict[str, dict[str, MonthMoney]] = {c: defaultdict(MonthMoney) for c in cities}
    # the days over stored by finance (FlowTotal), today's transfers live: exact on any day
    for f in flow_sums if flow_sums is not None else flow_totals.sums(as_of=as_of,
                                                                      cities=cities):
        flow = FLOWS.get((f.debit_kind, f.credit_kind))
        if flow is not None:
            _add(out[f.city][f.period], flow, f.amount)
    for city, month, accounts, direct in (FundingRequest.objects.filter(
            sent_on__lte=as_of, city__code__in=cities)
            .values_list("city__code", "month", "to_accounts", "direct")):
        out[city][month].requested += accounts + direct
    for (city, month, _why), (items, tiyn) in owed(as_of=as_of, cities=cities).items():
        out[city][month].owed_to_preschools += tiyn
        out[city][month].owed_items += items
    return {c: dict(sorted(months.items())) for c, months in out.items()}


def city_money(*, as_of: dt.date, cities: list[str],
               flows: dict[str, dict[str, MonthMoney]] | None = None,
               flow_sums: list[flow_totals.Flow] | None = None) -> dict[str, Money]:
    """city -> its `money` on `as_of` (every city named, zeros where nothing moved)."""
    sums = flow_sums if flow_sums is not None else flow_totals.sums(as_of=as_of, cities=cities)
    flows = flows if flows is not None else monthly_flows(as_of=as_of, cities=cities,
                                                          flow_sums=sums)
    out = {c: Money() for c in cities}
    for city, months in flows.items():
        m = out[city]
        for row in months.values():
            m.budget_to_operator += row.budget_to_operator
            m.operator_to_children += row.operator_to_children
            m.children_to_preschools += row.children_to_preschools
            m.operator_to_preschools += row.operator_to_preschools
            m.returned_to_operator += row.returned_to_operator
            m.owed_to_preschools += row.owed_to_preschools
    for city, balance in child_balances(as_of=as_of, cities=cities, flow_sums=sums).items():
        out[city].child_balances = balance
    return out


def child_balances(*, as_of: dt.date, cities: list[str],
                   flow_sums: list[flow_totals.Flow] | None = None) -> dict[str, int]:
    """city -> the sum of its children's account balances at the end of `as_of`: what the
    transfers of the city put on children's accounts less what they took off, from finance's
    sums (a child's account is in its child's city, as its transfers are)."""
    out = dict.fromkeys(cities, 0)
    for f in flow_sums if flow_sums is not None else flow_totals.sums(as_of=as_of,
                                                                      cities=cities):
        if f.credit_kind == AccountKind.CHILD:
            out[f.city] += f.amount
        if f.debit_kind == AccountKind.CHILD:
            out[f.city] -= f.amount
    return out


def owed(*, as_of: dt.date, cities: list[str]) -> dict[tuple[str, str, str], tuple[int, int]]:
    """(city, month, why) -> (items, tiyn) of the owed items open at the end of `as_of`: a
    settled sheet paid less than due (I5, I18; why "A9" for a recalculation's under-payment).

    Today's items are the rows with paid < due; for a day in the past the rows are taken back:
    payments posted after it unpaid again, a due changed after it by its earlier value."""
    cut = cutoff(as_of)
    settled = Settlement.objects.filter(city__in=cities, settled_on__lte=as_of)
    later = (Transfer.objects.filter(created_at__gte=cut, city__in=cities,
                                     child__isnull=False)
             .filter(Q(code__in=PAID_CODES) | Q(code=TransferCode.CORRECTION,
                                                 debit__kind=AccountKind.PRESCHOOL))
             .values_list("child_id", "period", "code").annotate(n=Sum("amount")).order_by())
    paid_later: dict[tuple[int, str], int] = defaultdict(int)
    for child, period, code, n in later:
        paid_later[(child, period)] += -n if code == TransferCode.CORRECTION else n
    due_then: dict[int, int] = {}
    for settlement_id, due_before in (Recalculation.objects.filter(made_on__gt=as_of)
                                      .order_by("-made_on", "-sheet_version")
                                      .values_list("settlement_id", "due_before")):
        due_then[settlement_id] = due_before  # the earliest after the day wins (last written)
    candidates = settled.filter(Q(paid__lt=F("due")) | Q(pk__in=list(due_then)))
    rows = list(candidates.values_list("pk", "city", "month", "voucher_id", "due", "paid",
                                       "owed_because"))
    if paid_later:
        known = {r[0] for r in rows}
        children = sorted({k[0] for k in paid_later})
        for i in range(0, len(children), 500):
            rows += [r for r in settled.filter(voucher_id__in=children[i:i + 500])
                     .values_list("pk", "city", "month", "voucher_id", "due", "paid",
                                  "owed_because")
                     if r[0] not in known and (r[3], r[2]) in paid_later]
    out: dict[tuple[str, str, str], tuple[int, int]] = {}
    for pk, city, month, voucher_id, due, paid, why in rows:
        short = due_then.get(pk, due) - (paid - paid_later.get((voucher_id, month), 0))
        if short > 0:
            key = (city, month, why or "A9")
            items, tiyn = out.get(key, (0, 0))
            out[key] = (items + 1, tiyn + short)
    return out
