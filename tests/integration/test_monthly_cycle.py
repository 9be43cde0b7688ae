"""The month's money per child: funding (A7.11, A7.12, I5), payment after the sheet (A7.18, A7.9)."""

from __future__ import annotations

import datetime as dt

from goszakaz.access.actor import Actor
from goszakaz.attendance.models import Sheet, SheetState
from goszakaz.attendance.services import auto_confirm, confirm, mark, sheet_for
from goszakaz.deadlines.models import Deadline
from goszakaz.finance.funding import build_request
from goszakaz.finance.ledger import account
from goszakaz.finance.models import AccountKind, LedgerAccount, Settlement, Transfer
from goszakaz.finance.verify import verify
from goszakaz.notifications.models import Notification
from goszakaz.registry.models import Role
from goszakaz.workflows.monthly_cycle import settle
from tests.factories import NORM, NOW, PARENT_IIN, WORKING, fund

D = dt.date


def balance(kind, owner) -> int:
    return LedgerAccount.objects.get(kind=kind, owner=owner).balance


def test_a_month_from_the_budget_to_the_preschool(money_city) -> None:
    # covers: A7.11, A7.12, A7.18, A7.9, A2
    taraz, school, child, direct = money_city
    request = fund(taraz, "2024-04", D(2024, 4, 8))
    assert (request.to_accounts, request.direct) == (NORM, NORM)
    assert fund(taraz, "2024-04", D(2024, 4, 9)).pk == request.pk  # once
    assert balance(AccountKind.CHILD, str(child.pk)) == NORM
    deadlines = dict(Deadline.objects.values_list("clause", "state"))
    assert deadlines == {"A7.11": "met", "A7.12": "met"}

    for v in (child, direct):
        for day in (D(2024, 4, 2), D(2024, 4, 3), D(2024, 4, 4), D(2024, 4, 5)):
            mark(voucher=v, day=day, code="A", preschool_id=school.pk, is_working_day=WORKING,
                 actor=Actor.system(Role.PRE), now=NOW)
    confirm(sheet=sheet_for(voucher=child, month="2024-04", now=NOW), on=D(2024, 4, 30),
            actor=Actor.system(Role.PAR), now=NOW)
    auto_confirm(today=D(2024, 5, 1), now=NOW)
    assert settle(city=taraz, month="2024-04", on=D(2024, 5, 2), actor=Actor.system(Role.OPR), now=NOW) == 2
    assert settle(city=taraz, month="2024-04", on=D(2024, 5, 3), actor=Actor.system(Role.OPR), now=NOW) == 0
    # 4 unexcused days: 21 of 22 working days paid (A8.4, I1): 60000 * 21 / 22 = 57272.73
    paid = dict(Settlement.objects.values_list("voucher_id", "paid"))
    assert paid == {child.pk: 5_727_273, direct.pk: 5_727_273}
    assert balance(AccountKind.CHILD, str(child.pk)) == NORM - 5_727_273
    assert balance(AccountKind.PRESCHOOL, school.bin) == 2 * 5_727_273
    codes = sorted(Transfer.objects.values_list("code", flat=True))
    assert codes == ["budget", "direct", "funding", "payment"]
    assert Notification.objects.filter(kind="payment", recipient_key=PARENT_IIN).count() == 2
    assert verify() == []


def test_next_month_tops_up_only_what_is_missing(money_city) -> None:
    # covers: A9, I5
    taraz, school, child, _ = money_city
    fund(taraz, "2024-04", D(2024, 4, 8))
    for day in (D(2024, 4, 2), D(2024, 4, 3), D(2024, 4, 4), D(2024, 4, 5)):
        mark(voucher=child, day=day, code="A", preschool_id=school.pk, is_working_day=WORKING,
             actor=Actor.system(Role.PRE), now=NOW)
    auto_confirm(today=D(2024, 5, 1), now=NOW)
    settle(city=taraz, month="2024-04", on=D(2024, 5, 2), actor=Actor.system(Role.OPR), now=NOW)
    may = build_request(city=taraz, month="2024-05", on=D(2024, 5, 7), actor=Actor.system(Role.OPR), now=NOW)
    line = may.lines.get(voucher=child)
    assert (line.norm, line.balance, line.owed, line.amount) == (
        NORM, NORM - 5_727_273, 0, 5_727_273)
    assert Sheet.objects.get(voucher=child, month="2024-04").state == SheetState.AUTO_CONFIRMED


def test_a_short_balance_pays_what_is_there_and_the_rest_later(money_city) -> None:
    # covers: I5, A9
    taraz, school, child, _ = money_city
    operator = account(kind=AccountKind.OPERATOR, owner="taraz", city="taraz")
    budget = account(kind=AccountKind.BUDGET, owner="taraz", city="taraz", no_overdraft=False)
    from goszakaz.finance.ledger import Spec, post

    child_acc = account(kind=AccountKind.CHILD, owner=str(child.pk), city="taraz")
    post(Spec(id="budget/t", debit=budget.pk, credit=operator.pk, amount=1_000_000,
              code="budget", period="2024-04", city="taraz"), now=NOW)
    post(Spec(id="funding/t", debit=operator.pk, credit=child_acc.pk, amount=1_000_000,
              code="funding", period="2024-04", city="taraz", child=child.pk), now=NOW)
    mark(voucher=child, day=D(2024, 4, 2), code="P", preschool_id=school.pk,
         is_working_day=WORKING, actor=Actor.system(Role.PRE), now=NOW)
    auto_confirm(today=D(2024, 5, 1), now=NOW)
    settle(city=taraz, month="2024-04", on=D(2024, 5, 2), actor=Actor.system(Role.OPR), now=NOW)
    s = Settlement.objects.get(voucher=child)
    assert (s.due, s.paid) == (NORM, 1_000_000)
    may = fund(taraz, "2024-05", D(2024, 5, 7))
    line = may.lines.get(voucher=child)
    assert (line.owed, line.balance, line.amount) == (NORM - 1_000_000, 0, 2 * NORM - 1_000_000)
    from goszakaz.finance.payments import pay_owed

    assert pay_owed(voucher_id=child.pk, upto="2024-05", city="taraz", now=NOW) == NORM - 1_000_000
    s.refresh_from_db()
    assert s.paid == s.due and verify() == []


def test_two_silent_months_annul_after_the_second_payment(money_city) -> None:
    # covers: A7.14, I6
    taraz, school, child, direct = money_city
    for day in (D(2024, 4, 2), D(2024, 5, 2)):
        for v in (child, direct):
            mark(voucher=v, day=day, code="P", preschool_id=school.pk, is_working_day=WORKING,
                 actor=Actor.system(Role.PRE), now=NOW)
    # the parent of `direct` disputes nothing but confirms May: a response breaks the run
    confirm(sheet=sheet_for(voucher=direct, month="2024-05", now=NOW), on=D(2024, 5, 31),
            actor=Actor.system(Role.PAR), now=NOW)
    fund(taraz, "2024-04", D(2024, 4, 8))
    fund(taraz, "2024-05", D(2024, 5, 7))
    auto_confirm(today=D(2024, 6, 1), now=NOW)
    settle(city=taraz, month="2024-04", on=D(2024, 6, 2), actor=Actor.system(Role.OPR), now=NOW)
    child.refresh_from_db()
    assert child.status != "annulled"  # one silent month is not enough
    settle(city=taraz, month="2024-05", on=D(2024, 6, 2), actor=Actor.system(Role.OPR), now=NOW)
    child.refresh_from_db()
    direct.refresh_from_db()
    assert (child.status, child.annulment_reason, child.annulled_on) == (
        "annulled", "two_months_unconfirmed", D(2024, 6, 1))
    assert direct.status != "annulled"
    assert Settlement.objects.filter(voucher=child).count() == 2  # both months were paid


def test_tick_does_what_is_due_and_twice_changes_nothing(money_city, settings, tmp_path) -> None:
    # covers: A7.14, A7.17, A7.18
    from goszakaz.cli import main

    settings.NOBD_EXPORT_DIR = tmp_path
    taraz, school, child, _ = money_city
    fund(taraz, "2024-04", D(2024, 4, 8))
    mark(voucher=child, day=D(2024, 4, 2), code="P", preschool_id=school.pk,
         is_working_day=WORKING, actor=Actor.system(Role.PRE), now=NOW)
    assert main(["tick", "--date", "2024-05-02"]) == 0
    assert main(["tick", "--date", "2024-05-02"]) == 0
    assert Settlement.objects.count() == 1 and Transfer.objects.filter(code="payment").count() == 1
    assert (tmp_path / "nobd-sheets-taraz-2024-04.csv").exists()
    assert verify() == []


def test_the_parent_sees_the_months_statement(money_city, parent) -> None:
    # covers: A8.1, A7.18, A7.9
    from django.test import Client

    taraz, school, child, direct = money_city
    fund(taraz, "2024-04", D(2024, 4, 8))
    for v in (child, direct):
        mark(voucher=v, day=D(2024, 4, 2), code="A", preschool_id=school.pk,
             is_working_day=WORKING, actor=Actor.system(Role.PRE), now=NOW)
    auto_confirm(today=D(2024, 5, 1), now=NOW)
    settle(city=taraz, month="2024-04", on=D(2024, 5, 2), actor=Actor.system(Role.OPR), now=NOW)
    page = Client()
    page.force_login(parent)
    for v in (child, direct):
        sheet = Sheet.objects.get(voucher=v, month="2024-04")
        html = page.get(f"/parent/sheets/{sheet.pk}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
        # 1 unexcused day is within the limit: all 22 days paid; the fee for 22 of 22 days
        assert html.count("60\u00a0000,00 ₸") == 2  # the amount due and paid
        assert html.count("15\u00a0000,00 ₸") == 1
    paid = page.get(f"/parent/children/{direct.pk}/statement/").content.decode()
    assert paid.count('class="c-direct"') == 1  # the child without an account (A7.9)
    funded = page.get(f"/parent/children/{child.pk}/statement/").content.decode()
    assert funded.count('class="c-funding"') == funded.count('class="c-payment"') == 1
    assert "<strong>0,00 ₸</strong>" in funded  # the funded account paid its month in full


def test_the_month_is_funded_through_the_pages(money_city, edu_taraz, edu_shymkent,
                                               clock_at) -> None:
    # covers: A7.11, A7.12, A7.9, A3
    from django.test import Client

    from goszakaz.finance.models import FundingRequest
    from tests.factories import make_user

    taraz, _, child, direct = money_city
    clock_at(dt.date(2024, 4, 8))
    operator, edu, stranger = Client(), Client(), Client()
    operator.force_login(make_user("operator", Role.OPR))
    edu.force_login(edu_taraz)
    stranger.force_login(edu_shymkent)
    answer = operator.post("/operator/funding/", {"city": taraz.pk, "month": "2024-04"},
                           follow=True)
    request = FundingRequest.objects.get()
    html = answer.content.decode()
    assert "120\u00a0000,00 ₸" in html and "200101" in html  # the total; the direct child
    assert str(direct.child_iin) not in html  # masked
    url = f"/funding/{request.pk}/next/"
    assert operator.post(url).status_code == 403  # the city transfers, not the operator
    assert stranger.post(url).status_code == 403 and stranger.get(
        f"/funding/{request.pk}/").status_code == 403
    assert "Апрель 2024" in edu.get("/edu/funding/").content.decode()
    assert "Утвердить и перечислить оператору" in edu.get(f"/funding/{request.pk}/").content.decode()
    # covers: A7.12 (the transfer asks first: one POST without the confirmation moves nothing)
    asked = edu.post(url)
    request.refresh_from_db()
    assert request.state == "sent" and asked.status_code == 200
    asked_html = asked.content.decode()
    assert 'id="what-follows"' in asked_html and "120\u00a0000,00 ₸" in asked_html
    assert 'name="confirmed" value="1"' in asked_html
    edu.post(url, {"confirmed": "1"})
    request.refresh_from_db()
    assert request.state == "transferred"
    assert edu.post(url).status_code == 403  # distribution is the operator's
    again = operator.post("/operator/funding/", {"city": taraz.pk, "month": "2024-04"},
                          follow=True).content.decode()
    assert "Заявка за Апрель 2024 направлена 08.04.2024" in again
    assert operator.post(url).status_code == 200  # the confirmation step
    request.refresh_from_db()
    assert request.state == "transferred" and balance(AccountKind.CHILD, str(child.pk)) == 0
    operator.post(url, {"confirmed": "1"})
    request.refresh_from_db()
    assert request.state == "distributed"
    assert balance(AccountKind.CHILD, str(child.pk)) == NORM
    assert dict(Deadline.objects.values_list("clause", "state")) == {"A7.11": "met",
                                                                     "A7.12": "met"}
    assert "Этот шаг уже выполнен" in operator.post(url, {"confirmed": "1"},
                                                   follow=True).content.decode()
    assert balance(AccountKind.CHILD, str(child.pk)) == NORM and verify() == []


def test_the_operator_sees_who_did_not_confirm(money_city) -> None:
    # covers: A7.14, I6
    from django.test import Client

    from tests.factories import make_user

    taraz, school, child, direct = money_city
    for day in (D(2024, 4, 2), D(2024, 5, 2)):
        for v in (child, direct):
            mark(voucher=v, day=day, code="P", preschool_id=school.pk, is_working_day=WORKING,
                 actor=Actor.system(Role.PRE), now=NOW)
    confirm(sheet=sheet_for(voucher=direct, month="2024-05", now=NOW), on=D(2024, 5, 31),
            actor=Actor.system(Role.PAR), now=NOW)
    auto_confirm(today=D(2024, 6, 1), now=NOW)
    page = Client()
    page.force_login(make_user("operator", Role.OPR))
    april = page.get("/operator/unconfirmed/?month=2024-04").content.decode()
    assert april.count("<tr>") + april.count('<tr class="overdue">') == 3  # header + both
    may = page.get("/operator/unconfirmed/?month=2024-05").content.decode()
    assert may.count('<tr class="overdue">') == 1  # `child`: April and May silent
    assert "второй месяц подряд: 1" in may
