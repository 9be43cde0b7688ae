"""The preschool's payments received (A7.18, A7.9, I18, I19): per month and child, from the
child's account or directly from the operator, what is still owed, and each ledger transfer."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, F, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.audit.services import record_read
from goszakaz.enrollment.models import Voucher
from goszakaz.finance.models import AccountKind, LedgerAccount, Settlement, Transfer, TransferCode
from goszakaz.registry.models import City, Preschool
from goszakaz.web.bounds import bounded_month
from goszakaz.web.permissions import actor_of, own_preschool, permits
from goszakaz.web.views import mask_iin

MONTHS_A_PAGE = 12


def _account(preschool: Preschool) -> LedgerAccount | None:
    """The preschool's ledger account (by BIN), if money ever moved to it."""
    return LedgerAccount.objects.filter(kind=AccountKind.PRESCHOOL, owner=preschool.bin).first()


def _months(preschool: Preschool, account: LedgerAccount | None) -> list[dict[str, Any]]:
    """Every month with a settlement or a transfer of this preschool, newest first, with its
    totals: what the sheets cost (A8), received from accounts and directly, returned, owed."""
    months: dict[str, dict[str, Any]] = defaultdict(lambda: {
        "due": 0, "children": 0, "owed": 0, "from_accounts": 0, "direct": 0, "returned": 0})
    for row in (Settlement.objects.filter(preschool=preschool).values("month")
                .annotate(cost=Sum("due"), n=Count("pk"),
                          short=Sum(F("due") - F("paid"), filter=Q(due__gt=F("paid"))))):
        months[row["month"]].update(due=row["cost"], children=row["n"], owed=row["short"] or 0)
    if account is not None:
        for period, code, amount in (Transfer.objects.filter(credit=account)
                                     .values_list("period", "code").annotate(a=Sum("amount"))):
            key = "direct" if code == TransferCode.DIRECT else "from_accounts"
            months[period][key] += amount
        for period, amount in (Transfer.objects.filter(debit=account).values_list("period")
                               .annotate(a=Sum("amount"))):
            months[period]["returned"] += amount
    return [{"month": m, **v, "received": v["from_accounts"] + v["direct"]}
            for m, v in sorted(months.items(), reverse=True)]


def _children(preschool: Preschool, account: LedgerAccount | None,
              month: str) -> list[dict[str, Any]]:
    """The month's rows, one per child: the settlement (cost, payable days, owed and why) and
    the transfers that paid it, each by its source."""
    settlements = {s.voucher_id: s for s in Settlement.objects.filter(preschool=preschool,
                                                                      month=month)}
    transfers: dict[int | None, list[Transfer]] = defaultdict(list)
    returned: dict[int | None, int] = defaultdict(int)
    if account is not None:
        for t in Transfer.objects.filter(credit=account, period=month).order_by("created_at", "id"):
            transfers[t.child_id].append(t)
        for child_id, amount in (Transfer.objects.filter(debit=account, period=month)
                                 .values_list("child_id").annotate(a=Sum("amount"))):
            returned[child_id] = amount
    ids = set(settlements) | {k for k in transfers if k is not None}
    vouchers = Voucher.objects.in_bulk(list(ids))
    rows = []
    for voucher_id in sorted(ids, key=lambda v: (vouchers[v].child_name, v)):
        s, paid = settlements.get(voucher_id), transfers.get(voucher_id, [])
        rows.append({
            "voucher": vouchers[voucher_id], "masked_iin": mask_iin(vouchers[voucher_id].child_iin),
            "settlement": s, "transfers": paid, "returned": returned.get(voucher_id, 0),
            "from_accounts": sum(t.amount for t in paid if t.code != TransferCode.DIRECT),
            "direct": sum(t.amount for t in paid if t.code == TransferCode.DIRECT),
            "owed": max(s.due - s.paid, 0) if s else 0,
            "owed_because": s.get_owed_because_display() if s and s.due > s.paid else ""})
    return rows


@permits(Action.PAYMENTS_VIEW)
def preschool_payments(request: HttpRequest) -> HttpResponse:
    """A7.18, I18, I19: the months' totals (a page of them), and one month child by child."""
    preschool = Preschool.objects.get(pk=own_preschool(request))
    account = _account(preschool)
    months = _months(preschool, account)
    asked, _problem = bounded_month(request.GET.get("month", ""))
    known = [m["month"] for m in months]
    month = asked if asked in known else (known[0] if known else None)
    page = Paginator(months, MONTHS_A_PAGE).get_page(request.GET.get("page"))
    rows = _children(preschool, account, month) if month else []
    record_read(actor=actor_of(request), at=clock.now(), what="page:preschool-payments",
                children=[r["voucher"].pk for r in rows], detail={"month": month})
    return render(request, "web/preschool_payments.html", {
        "page": page, "month": month, "known": known, "rows": rows,
        "total": next((m for m in months if m["month"] == month), None)})


def in_words(account: LedgerAccount, child: Voucher | None) -> dict[str, Any]:
    """Whose account it is, for the preschool's reading of a transfer."""
    if account.kind == AccountKind.CHILD and child is not None:
        return {"kind": "child", "name": child.child_name, "iin": mask_iin(child.child_iin),
                "bank": account.bank.name if account.bank else ""}
    if account.kind == AccountKind.OPERATOR:
        city = City.objects.filter(code=account.owner).first()
        return {"kind": "operator", "city": city}
    if account.kind == AccountKind.PRESCHOOL:
        school = Preschool.objects.filter(bin=account.owner).first()
        return {"kind": "preschool", "name": school.name if school else account.owner,
                "bin": account.owner}
    return {"kind": account.kind, "label": account.get_kind_display()}


@permits(Action.PAYMENTS_VIEW)
def preschool_transfer(request: HttpRequest, transfer_id: str) -> HttpResponse:
    """One ledger transfer to this preschool: its id, date, from whom, to whom, amount and
    period; another preschool's transfer is not found."""
    preschool = Preschool.objects.get(pk=own_preschool(request))
    transfer = get_object_or_404(
        Transfer.objects.select_related("debit__bank", "credit", "child"), pk=transfer_id,
        credit__kind=AccountKind.PRESCHOOL, credit__owner=preschool.bin)
    record_read(actor=actor_of(request), at=clock.now(), what="page:preschool-transfer",
                children=[transfer.child_id] if transfer.child_id else [],
                detail={"transfer": transfer.pk})
    return render(request, "web/preschool_transfer.html", {
        "t": transfer, "debit": in_words(transfer.debit, transfer.child),
        "credit": in_words(transfer.credit, None),
        "masked_iin": mask_iin(transfer.child.child_iin) if transfer.child else ""})
