"""Moves between preschools only on a 1st (A11, I8), and annulments that never rewrite a paid month
or end a contract before it starts (A9, A10, A12, R8 and R10 of issue 9)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from goszakaz.attendance.models import Sheet, SheetState
from goszakaz.attendance.services import mark
from goszakaz.audit.models import AuditEntry
from goszakaz.banking.models import ChildAccount
from goszakaz.enrollment.models import AnnulmentReason, Contract, Voucher
from goszakaz.enrollment.services import (
    EnrollmentError,
    MoveNotOnFirst,
    annul_many,
    change_preschool,
    sign_contract,
)
from goszakaz.finance.models import Settlement
from goszakaz.finance.verify import verify
from goszakaz.workflows import annulment, bank_accounts, preschool_change
from goszakaz.workflows.monthly_cycle import settle, tick
from tests.factories import (
    BANK,
    EDU,
    NOW,
    OPR,
    PAR,
    PRE,
    WORKING,
    fund,
    make_preschool,
    make_voucher,
)

D = dt.date


@pytest.fixture
def two_schools(taraz):
    return make_preschool(taraz, 1, capacity=5), make_preschool(taraz, 5, capacity=5)


def test_a_first_contract_may_start_on_any_day(taraz, two_schools) -> None:
    # covers: A11, A6
    school, _ = two_schools
    contract = sign_contract(voucher=make_voucher(taraz, 1), preschool=school, on=D(2024, 4, 15),
                             actor=PAR, now=NOW)
    assert contract.starts_on == D(2024, 4, 15)


def test_a_contract_with_another_preschool_after_one_ended_mid_month_starts_on_a_1st(
        taraz, two_schools) -> None:
    # covers: A11, I8
    school, other = two_schools
    voucher = make_voucher(taraz, 1)
    sign_contract(voucher=voucher, preschool=school, on=D(2024, 3, 1), ends_on=D(2024, 4, 14),
                  actor=PAR, now=NOW)
    # the R8: ending 14 April, another preschool from 15 April
    with pytest.raises(MoveNotOnFirst) as refused:
        sign_contract(voucher=voucher, preschool=other, on=D(2024, 4, 15), actor=PAR, now=NOW)
    assert refused.value.first == D(2024, 5, 1)
    assert "01.05.2024" in str(refused.value) and "A11" in str(refused.value)
    assert list(voucher.contracts.values_list("preschool_id", flat=True)) == [school.pk]
    # from the 1st it names, it is accepted
    moved = sign_contract(voucher=voucher, preschool=other, on=D(2024, 5, 1), actor=PAR, now=NOW)
    assert (moved.preschool_id, moved.starts_on) == (other.pk, D(2024, 5, 1))


def test_a_new_contract_with_the_same_preschool_is_not_a_move(taraz, two_schools) -> None:
    # covers: A11
    school, _ = two_schools
    voucher = make_voucher(taraz, 1)
    sign_contract(voucher=voucher, preschool=school, on=D(2024, 3, 1), ends_on=D(2024, 4, 14),
                  actor=PAR, now=NOW)
    again = sign_contract(voucher=voucher, preschool=school, on=D(2024, 4, 15), actor=PAR,
                          now=NOW)
    assert again.starts_on == D(2024, 4, 15)


def test_a_change_asked_mid_month_takes_effect_on_the_next_1st(taraz, two_schools) -> None:
    # covers: A11, I8
    school, other = two_schools
    voucher = make_voucher(taraz, 1)
    old = sign_contract(voucher=voucher, preschool=school, on=D(2024, 3, 1), actor=PAR, now=NOW)
    new = change_preschool(voucher=voucher, preschool=other, requested_on=D(2024, 4, 15),
                           actor=PAR, now=NOW)
    old.refresh_from_db()
    assert (old.ends_on, new.starts_on, new.preschool_id) == (D(2024, 4, 30), D(2024, 5, 1),
                                                              other.pk)
    ended = AuditEntry.objects.get(action="contract.ended", object_id=str(old.pk))
    assert (ended.before, ended.after) == ({"ends_on": None}, {"ends_on": "2024-04-30",
                                                               "why": "A11"})


def test_a_change_asked_on_a_1st_the_old_preschool_marked_waits_for_the_next_1st(
        taraz, two_schools) -> None:
    # covers: A11, I8
    school, other = two_schools
    marked, fresh = make_voucher(taraz, 1), make_voucher(taraz, 7)
    for voucher in (marked, fresh):
        sign_contract(voucher=voucher, preschool=school, on=D(2024, 3, 1), actor=PAR, now=NOW)
    # the morning of 1 April: the old preschool marks one child, then both parents ask
    mark(voucher=marked, day=D(2024, 4, 1), code="P", preschool_id=school.pk,
         is_working_day=WORKING, actor=PRE, now=NOW)
    later = preschool_change.change_preschool(voucher=marked, preschool=other,
                                              requested_on=D(2024, 4, 1), actor=PAR, now=NOW)
    today = preschool_change.change_preschool(voucher=fresh, preschool=other,
                                              requested_on=D(2024, 4, 1), actor=PAR, now=NOW)
    assert (later.starts_on, today.starts_on) == (D(2024, 5, 1), D(2024, 4, 1))
    # April stays the old preschool's: it marks the rest of the month, the new one from May
    mark(voucher=marked, day=D(2024, 4, 2), code="P", preschool_id=school.pk,
         is_working_day=WORKING, actor=PRE, now=NOW)
    mark(voucher=marked, day=D(2024, 5, 2), code="P", preschool_id=other.pk,
         is_working_day=WORKING, actor=PRE, now=NOW)
    assert dict(Sheet.objects.filter(voucher=marked).values_list("month", "preschool_id")) == {
        "2024-04": school.pk, "2024-05": other.pk}


def test_the_parents_sign_page_moves_from_the_next_1st_and_says_so(
        taraz, two_schools, parent, clock_at) -> None:
    # covers: A11, I8, A7.10
    school, other = two_schools
    voucher = make_voucher(taraz, 1)
    sign_contract(voucher=voucher, preschool=school, on=D(2024, 3, 1), ends_on=D(2024, 4, 14),
                  actor=PAR, now=NOW)
    clock_at(D(2024, 4, 15))
    page = Client()
    page.force_login(parent)
    answer = page.post(f"/parent/vouchers/{voucher.pk}/sign/", {"preschool": other.pk},
                       follow=True, HTTP_ACCEPT_LANGUAGE="ru")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "действует с 01.05.2024" in html and "только с 1 числа месяца (A11)" in html
    moved = voucher.contracts.get(preschool=other)
    assert moved.starts_on == D(2024, 5, 1)
    # the same preschool again after it ended: from today, not a move
    again = make_voucher(taraz, 4)
    sign_contract(voucher=again, preschool=school, on=D(2024, 3, 1), ends_on=D(2024, 4, 14),
                  actor=PAR, now=NOW)
    page.post(f"/parent/vouchers/{again.pk}/sign/", {"preschool": school.pk})
    assert again.contracts.order_by("-starts_on")[0].starts_on == D(2024, 4, 15)


def test_the_sign_page_on_a_marked_1st_says_the_month_has_begun(
        taraz, two_schools, parent, clock_at) -> None:
    # covers: A11, I8
    school, other = two_schools
    clock_at(D(2024, 4, 1))
    page = Client()
    page.force_login(parent)
    for serial, language, said in ((1, "ru", "этот месяц уже начат в нынешней организации"),
                                   (7, "kk", "бұл ай қазіргі ұйымда басталып қойған")):
        voucher = make_voucher(taraz, serial)
        sign_contract(voucher=voucher, preschool=school, on=D(2024, 3, 1), actor=PAR, now=NOW)
        mark(voucher=voucher, day=D(2024, 4, 1), code="P", preschool_id=school.pk,
             is_working_day=WORKING, actor=PRE, now=NOW)
        answer = page.post(f"/parent/vouchers/{voucher.pk}/sign/", {"preschool": other.pk},
                           follow=True, HTTP_ACCEPT_LANGUAGE=language)
        html = answer.content.decode()
        assert "01.05.2024" in html and said in html, language
        assert voucher.contracts.get(preschool=other).starts_on == D(2024, 5, 1)


def test_annulled_before_a_contract_begins_it_is_cancelled_never_ended_before_its_start(
        taraz, two_schools) -> None:
    # covers: A12, A11, A9
    school, other = two_schools
    voucher = make_voucher(taraz, 1)
    first = sign_contract(voucher=voucher, preschool=school, on=D(2024, 3, 1),
                          ends_on=D(2024, 5, 31), actor=PAR, now=NOW)
    later = sign_contract(voucher=voucher, preschool=other, on=D(2024, 6, 1), actor=PAR, now=NOW)
    assert annul_many(voucher_ids=[voucher.pk], reason=AnnulmentReason.MOVED,
                      on=D(2024, 5, 10), actor=EDU, now=NOW) == 1
    first, later = Contract.every.get(pk=first.pk), Contract.every.get(pk=later.pk)
    assert (first.ends_on, first.cancelled_on) == (D(2024, 5, 9), None)
    assert (later.starts_on, later.ends_on, later.cancelled_on) == (D(2024, 6, 1), None,
                                                                    D(2024, 5, 10))
    assert not Contract.every.filter(ends_on__lt=D(2024, 6, 1), starts_on=D(2024, 6, 1)).exists()
    assert list(voucher.contracts.values_list("pk", flat=True)) == [first.pk]  # never in force
    assert AuditEntry.objects.filter(action="contract.cancelled", object_id=str(later.pk)).count() == 1
    assert AuditEntry.objects.filter(action="contract.ended", object_id=str(first.pk)).count() == 1
    # and the database itself refuses a contract ending before it starts
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.every.filter(pk=first.pk).update(ends_on=D(2024, 2, 28))


def test_a_life_event_in_the_future_is_refused(taraz) -> None:
    # covers: A12, A13
    voucher = make_voucher(taraz, 1)
    with pytest.raises(EnrollmentError, match="02.12.2026"):
        annulment.life_event(voucher=voucher, reason=AnnulmentReason.DEATH, on=D(2026, 12, 2),
                             actor=EDU, now=NOW)
    voucher.refresh_from_db()
    assert voucher.status != "annulled"


def _final_sheet(voucher: Voucher, school_id: int, month: str, days: int) -> Sheet:
    return Sheet.objects.create(voucher=voucher, preschool_id=school_id, city="taraz", month=month,
                                days="." * days, state=SheetState.AUTO_CONFIRMED,
                                parent_responded=False, final_on=D(2024, 5, 1))


def test_a_closure_dated_in_a_paid_month_takes_effect_from_the_first_unpaid_day(
        money_city, settings, tmp_path) -> None:
    # covers: A10, A9, A2
    settings.NOBD_EXPORT_DIR = tmp_path
    taraz, school, child, _ = money_city
    fund(taraz, "2024-04", D(2024, 4, 3))
    _final_sheet(child, school.pk, "2024-04", 30)
    assert settle(city=taraz, month="2024-04", on=D(2024, 5, 2), actor=OPR, now=NOW) == 1
    assert Settlement.objects.get(voucher=child, month="2024-04").paid > 0
    _final_sheet(child, school.pk, "2024-05", 31)  # the preschool went on marking May

    account = ChildAccount.objects.get(voucher=child)
    assert bank_accounts.account_closed(account=account, closed_on=D(2024, 4, 10), actor=BANK,
                                        now=NOW)

    child.refresh_from_db()
    assert (child.status, child.annulled_on) == ("annulled", D(2024, 5, 1))  # not 11 April
    contract = Contract.objects.get(voucher=child)
    assert contract.ends_on == D(2024, 4, 30)  # April stays paid and in force
    row = AuditEntry.objects.get(action="voucher.status", object_id=str(child.pk),
                                 after__status="annulled")
    assert (row.after["reported_on"], row.after["on"]) == ("2024-04-11", "2024-05-01")
    assert verify() == []
    # May's sheet has no contract now: that child's open item, and the month goes on
    result = tick(today=D(2024, 6, 1), now=NOW)
    assert result.month == "2024-05"
    assert not Settlement.objects.filter(voucher=child, month="2024-05").exists()
    assert verify() == []


def test_an_annulment_after_the_paid_months_keeps_its_own_date(money_city) -> None:
    # covers: A12, A9
    taraz, school, child, _ = money_city
    fund(taraz, "2024-04", D(2024, 4, 3))
    _final_sheet(child, school.pk, "2024-04", 30)
    settle(city=taraz, month="2024-04", on=D(2024, 5, 2), actor=OPR, now=NOW)
    assert annulment.life_event(voucher=child, reason=AnnulmentReason.MOVED, on=D(2024, 5, 20),
                                actor=EDU, now=NOW)
    child.refresh_from_db()
    assert child.annulled_on == D(2024, 5, 20)
    assert Contract.objects.get(voucher=child).ends_on == D(2024, 5, 19)
    assert verify() == []
