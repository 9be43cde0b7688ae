"""The bank's lists (issue 12, reference mode): its children's accounts to open, opened and
closed (A7.6, A7.9, A10), and the payments and sweeps made from them by month (A7.18, A10)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from goszakaz import clock
from goszakaz.banking.models import AccountStatus, ChildAccount
from goszakaz.domain.iin import short_iin
from goszakaz.finance.models import AccountKind, LedgerAccount, Transfer, TransferCode
from goszakaz.registry.models import Bank, Preschool
from goszakaz.reports.formatting import month_label
from goszakaz.reports.listing import Column, Filter, Scope, StaffList, iin_or_name, register, yes_no


def _bank_id(scope: Scope) -> int:
    """The bank's id, read first: a filter by a known id lets PostgreSQL read the list's index
    (a join to the banks' table hides it from the plan)."""
    return Bank.objects.filter(code=scope.bank).values_list("pk", flat=True).first() or 0


def _accounts(scope: Scope) -> QuerySet[Any]:
    return ChildAccount.objects.filter(bank_id=_bank_id(scope)).select_related("voucher")


def _account_search(rows: QuerySet[Any], text: str) -> QuerySet[Any]:
    if text.upper().startswith("KZ"):
        return rows.filter(number__startswith=text.upper().replace(" ", ""))
    return iin_or_name("voucher__child_iin", "voucher__child_name")(rows, text)


ACCOUNTS = register(StaffList(
    key="bank-accounts",
    title=_("Children's accounts"),
    rows=_accounts,
    search=_account_search,
    search_hint=_("IIN, name or IBAN"),
    filters=(
        Filter("status", _("Status"), lambda scope: AccountStatus.choices,
               lambda rows, v: rows.filter(status=v)),
        Filter("registered", _("Parent registered"),
               lambda scope: [("1", _("yes")), ("0", _("no"))],
               lambda rows, v: rows.filter(parent_registered=v == "1")),
        Filter("direct", _("Paid directly"), lambda scope: [("1", _("yes")), ("0", _("no"))],
               lambda rows, v: rows.filter(direct_payment=v == "1")),
    ),
    columns=(
        Column("name", _("Child"), lambda a: a.voucher.child_name or "—",
               sort=("voucher__child_name", "voucher_id")),
        Column("iin", _("Child IIN"), lambda a: short_iin(a.voucher.child_iin)),
        Column("status", _("Status"), lambda a: a.get_status_display(), sort="status"),
        Column("requested", _("Requested"), lambda a: a.requested_on, "date",
               sort="requested_on"),
        Column("opened", _("Opened"), lambda a: a.opened_on, "date", sort="opened_on"),
        Column("closed", _("Closed"), lambda a: a.closed_on, "date", sort="closed_on"),
        Column("iban", "IBAN", lambda a: a.number, sort="number"),
        Column("registered", _("Parent registered"), lambda a: yes_no(a.parent_registered)),
        Column("direct", _("Paid directly"), lambda a: yes_no(a.direct_payment)),
    ),
    default_sort="status",
    child=lambda a: a.voucher_id,
))


def _months(scope: Scope) -> list[tuple[str, str]]:
    today = clock.today()
    out, year, month = [], today.year, today.month
    for _i in range(36):
        key = f"{year:04d}-{month:02d}"
        out.append((key, month_label(key)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


def _last_paid_month(scope: Scope) -> str:
    """The list opens on the last month paid (the latest payment's month)."""
    return Transfer.objects.filter(code=TransferCode.PAYMENT).order_by("-period").values_list(
        "period", flat=True).first() or ""


def _payments(scope: Scope) -> QuerySet[Any]:
    accounts = LedgerAccount.objects.filter(kind=AccountKind.CHILD, bank_id=_bank_id(scope))
    return (Transfer.objects
            .filter(debit_id__in=accounts.values("pk"),
                    code__in=(TransferCode.PAYMENT, TransferCode.SWEEP))
            .select_related("child", "credit"))


def _preschool_names(rows: list[Transfer]) -> None:
    """Each payment's preschool by name: one read for the page's (or the chunk's) BINs."""
    bins = {t.credit.owner for t in rows if t.credit.kind == AccountKind.PRESCHOOL}
    names = dict(Preschool.objects.filter(bin__in=bins).values_list("bin", "name"))
    for t in rows:
        t.preschool_name = names.get(t.credit.owner, "")  # type: ignore[attr-defined]


def _to(t: Transfer) -> str:
    if t.credit.kind == AccountKind.PRESCHOOL:
        return str(getattr(t, "preschool_name", "") or t.credit.owner)
    return str(t.credit.get_kind_display())


PAYMENTS = register(StaffList(
    key="bank-payments",
    title=_("Payments and returns from children's accounts"),
    rows=_payments,
    search=lambda rows, text: rows.filter(credit__owner=text) if len(text) == 12 and (
        Preschool.objects.filter(bin=text).exists()) else
    iin_or_name("child__child_iin", "child__child_name")(rows, text),
    search_hint=_("IIN, child's name or the preschool's BIN"),
    filters=(
        Filter("month", _("Month"), _months, lambda rows, v: rows.filter(period=v),
               default=_last_paid_month),
        Filter("code", _("What"), lambda scope: [
            (TransferCode.PAYMENT.value, _("payments to preschools (A7.18)")),
            (TransferCode.SWEEP.value, _("returns to the operator (A10, A7.18)"))],
            lambda rows, v: rows.filter(code=v)),
    ),
    columns=(
        Column("at", _("Date"), lambda t: t.created_at, "datetime", sort="created_at"),
        Column("month", _("Month"), lambda t: month_label(t.period), sort="period"),
        Column("name", _("Child"), lambda t: t.child.child_name if t.child else "—",
               sort="child__child_name"),
        Column("iin", _("Child IIN"), lambda t: short_iin(t.child.child_iin) if t.child else ""),
        Column("what", _("What"), lambda t: t.get_code_display(), sort="code"),
        Column("to", _("Recipient"), _to),
        Column("amount", _("Amount"), lambda t: t.amount, "money", sort="amount",
               link=lambda t: reverse("staff-transfer", args=[t.pk])),
    ),
    default_sort="-at",
    child=lambda t: t.child_id,
    prepare=_preschool_names,
))
