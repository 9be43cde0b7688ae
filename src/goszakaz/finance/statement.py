"""The parent's statement of a child's account from the ledger (A7.12, A7.18, A10, A9): every
movement with the balance after it, in date order, and the parent fee of each settled month
apart (the parent pays it to the preschool, never from the account)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from goszakaz.finance.models import AccountKind, LedgerAccount, Settlement, Transfer, TransferCode
from goszakaz.registry.models import Preschool


@dataclass(frozen=True)
class Line:
    """One movement: `amount` signed as the account sees it (0 for a payment the operator made
    directly, which never passes through the account), and the balance after it."""

    at: dt.datetime
    code: str  # TransferCode, or "recovered" (a preschool gave an over-payment back, A9)
    month: str
    amount: int
    moved: int  # the transfer's own amount (positive)
    balance: int
    preschool: str
    transfer: str = ""  # the transfer's id (its page for the staff)


@dataclass(frozen=True)
class Statement:
    """A child's statement: the lines, the balance now, and the settled months' fees."""

    lines: list[Line]
    balance: int
    fees: list[Settlement]


def child_statement(voucher_id: int) -> Statement:
    """The statement of one child: three queries whatever its length."""
    account = LedgerAccount.objects.filter(kind=AccountKind.CHILD, owner=str(voucher_id)).first()
    transfers = list(Transfer.objects.filter(child_id=voucher_id)
                     .select_related("debit", "credit").order_by("created_at", "id"))
    bins = {a.owner for t in transfers for a in (t.debit, t.credit)
            if a.kind == AccountKind.PRESCHOOL}
    names = dict(Preschool.objects.filter(bin__in=bins).values_list("bin", "name"))
    lines, balance = [], 0
    for t in transfers:
        sign = 0
        if account is not None and t.credit_id == account.pk:
            sign = 1
        elif account is not None and t.debit_id == account.pk:
            sign = -1
        if sign == 0 and t.code != TransferCode.DIRECT:
            continue  # not a movement of this child's money (none today; kept out if any)
        balance += sign * t.amount
        school = next((a.owner for a in (t.credit, t.debit) if a.kind == AccountKind.PRESCHOOL),
                      "")
        code = "recovered" if t.code == TransferCode.CORRECTION and sign > 0 else t.code
        lines.append(Line(at=t.created_at, code=code, month=t.period, amount=sign * t.amount,
                          moved=t.amount, balance=balance, preschool=names.get(school, school),
                          transfer=t.pk))
    fees = list(Settlement.objects.filter(voucher_id=voucher_id).select_related("preschool")
                .order_by("month"))
    return Statement(lines=lines, balance=account.balance if account else 0, fees=fees)
