"""A9: a paid month whose sheet was corrected afterwards, recalculated: the difference is owed
to the preschool (paid after the next funding, I5) or taken back from it."""

from __future__ import annotations

import datetime as dt

from goszakaz.access.actor import Actor
from goszakaz.attendance.models import Sheet
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record
from goszakaz.domain.payment import recalculation
from goszakaz.finance.funding import city_accounts
from goszakaz.finance.ledger import Spec, account, post
from goszakaz.finance.models import AccountKind, Recalculation, Settlement, TransferCode
from goszakaz.finance.month_context import MonthContext
from goszakaz.finance.payments import paying_account


def recalculate(*, sheet: Sheet, on: dt.date, actor: Actor, now: dt.datetime
                ) -> Recalculation | None:
    """A9: the sheet's days changed after its month was paid: pay or take back the difference.

    Under-paid: the settlement owes the rest, which the next funding brings to the child's
    account and the next settlement pays first (I5); a child paid directly is owed by the
    operator the same way. Over-paid: the preschool gives back at once what exceeds the new
    amount, to the child's account (or to the operator, for a child paid directly), so the next
    funding needs that much less. None when the month is not paid yet (the settlement will use
    the corrected days) or when this version was recalculated already.
    """
    settlement = Settlement.objects.select_for_update().filter(sheet=sheet).first()
    if settlement is None:
        return None
    prior = Recalculation.objects.filter(settlement=settlement,
                                         sheet_version=sheet.version).first()
    if prior is not None:
        return prior
    city = sheet.voucher.city
    context = MonthContext(city, sheet.month, only=[sheet.voucher_id])
    paid_days = sheet.versions.filter(version__lt=sheet.version).order_by("-version")[0].days
    before = context.payment(sheet.voucher_id, sheet.preschool_id, paid_days)
    after = context.payment(sheet.voucher_id, sheet.preschool_id, sheet.days)
    change = recalculation(before, after)
    recovered = max(0, settlement.paid - after.state_order_tiyn)
    if recovered:
        preschool = account(kind=AccountKind.PRESCHOOL, owner=sheet.preschool.bin, city=city.code)
        back_to = paying_account(sheet.voucher_id) if not settlement.direct else None
        back_to = back_to or city_accounts(city)[1]
        post(Spec(id=f"recovery/{sheet.voucher_id}/{sheet.month}/v{sheet.version}",
                  debit=preschool.pk, credit=back_to.pk, amount=recovered,
                  code=TransferCode.CORRECTION, period=sheet.month, city=city.code,
                  child=sheet.voucher_id), now=now)
    row = Recalculation.objects.create(
        settlement=settlement, sheet_version=sheet.version, due_before=settlement.due,
        due_after=after.state_order_tiyn, fee_before=settlement.parent_fee,
        fee_after=after.parent_fee_tiyn, recovered=recovered, made_on=on)
    Settlement.objects.filter(pk=settlement.pk).update(
        due=after.state_order_tiyn, paid=settlement.paid - recovered,
        parent_fee=after.parent_fee_tiyn, payable_days=after.payable_days,
        clauses=sorted({*settlement.clauses, *after.clauses, "A9"}))
    record(actor=actor, action=AuditAction.SETTLEMENT_RECALCULATED, at=now, obj_type="settlement",
           obj_id=settlement.pk, city=city.code,
           before={"due": settlement.due, "paid": settlement.paid},
           after={"due": after.state_order_tiyn, "recovered": recovered,
                  "difference": change.state_order_tiyn}, children=[sheet.voucher_id])
    return row
