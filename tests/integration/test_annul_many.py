"""Annulling many vouchers at once (A7.14, I6): the same effects as one annulment, per voucher."""

from __future__ import annotations

import datetime as dt

from goszakaz.access.actor import Actor
from goszakaz.attendance.models import Sheet, SheetState
from goszakaz.audit.models import AuditEntry
from goszakaz.banking.models import ChildAccount
from goszakaz.enrollment.models import AnnulmentReason, Contract, Voucher, VoucherEvent
from goszakaz.enrollment.services import annul_many, sign_contract
from goszakaz.finance.ledger import Spec, account, post
from goszakaz.finance.models import AccountKind, Settlement
from goszakaz.finance.tariffs import set_norm
from goszakaz.finance.verify import verify
from goszakaz.notifications.models import Notification
from goszakaz.registry.models import Bank, Role
from goszakaz.workflows.monthly_cycle import settle
from tests.factories import NOW, PARENT_IIN, make_preschool, make_voucher

D = dt.date
NORM = 6_000_000
REASON = AnnulmentReason.UNCONFIRMED


def test_many_vouchers_annulled_at_once_each_with_every_effect(taraz) -> None:
    # covers: I6, A7.14
    school = make_preschool(taraz, 1, capacity=30)
    later = make_preschool(taraz, 5, capacity=30)
    vouchers = [make_voucher(taraz, 3 * i) for i in range(1, 13)]
    contracts = {v.pk: sign_contract(voucher=v, preschool=school, on=D(2024, 4, 1),
                                     actor=Actor.system(Role.PAR), now=NOW)
                 for v in vouchers}
    # one child also has a contract signed for after the annulment: it never comes into force
    Contract.objects.filter(pk=contracts[vouchers[1].pk].pk).update(ends_on=D(2024, 5, 31))
    future = sign_contract(voucher=vouchers[1], preschool=later, on=D(2024, 6, 1),
                           actor=Actor.system(Role.PAR),
                           ends_on=D(2024, 8, 31), now=NOW)
    annul_many(voucher_ids=[vouchers[0].pk], reason=AnnulmentReason.MOVED, on=D(2024, 5, 1),
               actor=Actor.system(Role.EDU), now=NOW)  # annulled already, for another reason
    events_before = VoucherEvent.objects.count()

    n = annul_many(voucher_ids=[v.pk for v in vouchers], reason=REASON, on=D(2024, 5, 1),
                   actor=Actor.system(Role.OPR), now=NOW)

    assert n == len(vouchers) - 1
    for v in vouchers[1:]:
        v.refresh_from_db()
        assert (v.status, v.annulment_reason, v.annulled_on) == (
            "annulled", REASON.value, D(2024, 5, 1))
        event = VoucherEvent.objects.filter(voucher=v).order_by("-id")[0]
        assert (event.before, event.after, event.why) == ("granted", "annulled", REASON.label)
        audit = AuditEntry.objects.filter(action="voucher.status", object_id=str(v.pk)).get()
        assert (audit.role, audit.city, audit.before, audit.after) == (
            Role.OPR, "taraz", {"status": "granted"},
            {"status": "annulled", "why": REASON.label, "reported_on": "2024-05-01",
             "on": "2024-05-01"})
        note = Notification.objects.get(dedup_key=f"annulled/{v.pk}")
        assert (note.kind, note.recipient_role, note.recipient_key, note.city) == (
            "voucher_annulled", "PAR", PARENT_IIN, "taraz")
        assert note.payload == {"voucher": v.pk, "reason": REASON.value, "on": "2024-05-01"}
        assert note.delivered_at is not None  # the cabinet delivers at once
        contract = Contract.objects.get(pk=contracts[v.pk].pk)
        assert contract.ends_on == D(2024, 4, 30)
    # not begun on the annulment's day: cancelled (never in force), not ended before its start
    future = Contract.every.get(pk=future.pk)
    assert (future.starts_on, future.ends_on, future.cancelled_on) == (
        D(2024, 6, 1), D(2024, 8, 31), D(2024, 5, 1))
    assert not Contract.objects.filter(pk=future.pk).exists()
    assert not vouchers[1].contracts.filter(pk=future.pk).exists()
    cancelled = AuditEntry.objects.get(action="contract.cancelled", object_id=str(future.pk))
    assert (cancelled.before, cancelled.after) == (
        {"starts_on": "2024-06-01", "ends_on": "2024-08-31"},
        {"cancelled_on": "2024-05-01", "why": REASON.value})
    first = Voucher.objects.get(pk=vouchers[0].pk)  # untouched by the second annulment
    assert (first.annulment_reason, first.annulled_on) == (AnnulmentReason.MOVED.value,
                                                           D(2024, 5, 1))
    assert VoucherEvent.objects.count() == events_before + n

    # again: nothing changes
    assert annul_many(voucher_ids=[v.pk for v in vouchers], reason=REASON, on=D(2024, 6, 1),
                      actor=Actor.system(Role.OPR), now=NOW) == 0
    assert VoucherEvent.objects.count() == events_before + n
    assert Notification.objects.filter(kind="voucher_annulled").count() == len(vouchers)


def test_settle_annuls_every_child_silent_two_months_in_one_go(taraz) -> None:
    # covers: I6, A7.14, A7.9
    school = make_preschool(taraz, 1, capacity=30)
    set_norm(city=taraz, age_group="preschool", stay_mode="full_day",
             effective_from=D(2024, 3, 1), amount=NORM, actor=Actor.system(Role.EDU), now=NOW)
    vouchers = [make_voucher(taraz, 3 * i) for i in range(1, 11)]
    bank = Bank.objects.create(code="halyk", name="Halyk", bin="920140000084")
    for v in vouchers:
        sign_contract(voucher=v, preschool=school, on=D(2024, 3, 1), actor=Actor.system(Role.PAR), now=NOW)
        # sent to the bank, the parents never registered: paid directly (A7.9, I19)
        ChildAccount.objects.create(voucher=v, bank=bank, city="taraz", requested_on=D(2024, 3, 1),
                                    direct_payment=True)
    budget = account(kind=AccountKind.BUDGET, owner="taraz", city="taraz", no_overdraft=False)
    operator = account(kind=AccountKind.OPERATOR, owner="taraz", city="taraz")
    post(Spec(id="budget/taraz/2024-04", debit=budget.pk, credit=operator.pk,
              amount=len(vouchers) * NORM, code="budget", period="2024-04", city="taraz"), now=NOW)
    responded = {vouchers[0].pk, vouchers[5].pk}  # these parents answered in March
    for i, v in enumerate(vouchers):
        for month, answered in (("2024-03", v.pk in responded), ("2024-04", i == 9)):
            Sheet.objects.create(voucher=v, preschool=school, city="taraz", month=month,
                                 days="." * 30 if month == "2024-04" else "." * 31,
                                 state=SheetState.CONFIRMED if answered
                                 else SheetState.AUTO_CONFIRMED,
                                 parent_responded=answered, final_on=D(2024, 4, 30))

    assert settle(city=taraz, month="2024-04", on=D(2024, 5, 2), actor=Actor.system(Role.OPR),
                  now=NOW) == len(vouchers)

    silent_twice = {v.pk for v in vouchers[:9]} - responded  # the 10th confirmed April
    annulled = set(Voucher.objects.filter(status="annulled").values_list("pk", flat=True))
    assert annulled == silent_twice
    assert set(Voucher.objects.filter(pk__in=annulled).values_list(
        "annulment_reason", "annulled_on").distinct()) == {(REASON.value, D(2024, 5, 1))}
    assert set(Contract.objects.filter(voucher__in=annulled).values_list("ends_on", flat=True)
               ) == {D(2024, 4, 30)}
    assert VoucherEvent.objects.filter(after="annulled").count() == len(annulled)
    assert AuditEntry.objects.filter(action="voucher.status").count() == len(annulled)
    assert set(Notification.objects.filter(kind="voucher_annulled").values_list(
        "dedup_key", flat=True)) == {f"annulled/{pk}" for pk in annulled}
    assert Settlement.objects.filter(month="2024-04").count() == len(vouchers)  # all paid
    assert verify() == []
