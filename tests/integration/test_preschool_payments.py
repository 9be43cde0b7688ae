"""The preschool's payments received (A7.18, A7.9, I18, I19): the page's figures are the
settlements' and the ledger's, by source; what is owed shows; another preschool sees nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Sum
from django.test import Client

from goszakaz.attendance.services import confirm, mark_many, sheet_for
from goszakaz.domain.months import last_of
from goszakaz.finance.models import Settlement, Shortfall, Transfer, TransferCode
from goszakaz.registry.models import Membership, Role
from goszakaz.rules.calendar import kz_calendar
from goszakaz.workflows.monthly_cycle import settle
from tests.factories import NORM, NOW, OPR, PAR, PRE, fund, make_preschool, make_user

D = dt.date
CAL = kz_calendar((2024,))


def _month(school, children, month: str, *, funded: bool, taraz) -> None:
    """Every working day present, each parent confirming on the last day, the month settled."""
    first = dt.date.fromisoformat(month + "-01")
    last = last_of(first)
    if funded:
        fund(taraz, month, first)
    mark_many(preschool_id=school.pk, is_working_day=CAL.is_working_day, actor=PRE, now=NOW,
              marks=[(c, day, "P") for c in children for day in CAL.working_days(first, last)])
    for c in children:
        confirm(sheet=sheet_for(voucher=c, month=month, now=NOW), on=last, actor=PAR, now=NOW)
    settle(city=taraz, month=month, on=last + dt.timedelta(days=2), actor=OPR, now=NOW)


@pytest.fixture
def paid(money_city, clock_at):
    """April funded and paid (one child from its account, one directly, I19); May settled
    without money: both owed (I5, I18)."""
    clock_at(D(2024, 6, 10))
    taraz, school, with_account, direct = money_city
    with_account.child_name, direct.child_name = "Айгерім", "Болат"
    for v in (with_account, direct):
        v.save(update_fields=["child_name"])
    _month(school, [with_account, direct], "2024-04", funded=True, taraz=taraz)
    _month(school, [with_account, direct], "2024-05", funded=False, taraz=taraz)
    staff = make_user("director", Role.PRE)
    Membership.objects.filter(user=staff).update(preschool=school)
    stranger = make_user("stranger", Role.PRE)
    Membership.objects.filter(user=stranger).update(preschool=make_preschool(taraz, 2))
    c = Client()
    c.force_login(staff)
    other = Client()
    other.force_login(stranger)
    return {"school": school, "with_account": with_account, "direct": direct, "page": c,
            "other": other}


def test_the_months_figures_are_the_settlements_by_source(paid) -> None:
    # covers: A7.18, A7.9, I19
    page = paid["page"].get("/preschool/payments/?month=2024-04")
    rows = {r["voucher"].pk: r for r in page.context["rows"]}
    settled = {s.voucher_id: s for s in Settlement.objects.filter(month="2024-04")}
    assert set(rows) == set(settled) == {paid["with_account"].pk, paid["direct"].pk}
    for voucher_id, s in settled.items():
        row = rows[voucher_id]
        assert row["settlement"].due == s.due == NORM
        assert row["from_accounts"] + row["direct"] == s.paid == NORM
        assert row["owed"] == 0
    assert rows[paid["with_account"].pk]["from_accounts"] == NORM  # from the child's account
    assert rows[paid["direct"].pk]["direct"] == NORM  # directly from the operator (I19)
    assert [t.code for t in rows[paid["direct"].pk]["transfers"]] == [TransferCode.DIRECT]
    total = page.context["total"]
    assert (total["from_accounts"], total["direct"], total["received"], total["owed"]) == (
        NORM, NORM, 2 * NORM, 0)
    html = page.content.decode()
    assert "Айгерім" in html and "Болат" in html and "Апрель 2024" in html
    assert "60\u00a0000,00 ₸" in html and "120\u00a0000,00 ₸" in html
    assert "со счёта ребёнка" in html and "напрямую от оператора" in html
    for t in Transfer.objects.filter(period="2024-04", code__in=["payment", "direct"]):
        assert f'href="/preschool/payments/transfers/{t.pk}/"' in html


def test_what_is_owed_shows_with_why(paid) -> None:
    # covers: I18, I5
    page = paid["page"].get("/preschool/payments/?month=2024-05")
    rows = {r["voucher"].pk: r for r in page.context["rows"]}
    owed = {s.voucher_id: (s.due - s.paid, s.owed_because)
            for s in Settlement.objects.filter(month="2024-05")}
    assert owed == {paid["with_account"].pk: (NORM, Shortfall.ACCOUNT_SHORT),
                    paid["direct"].pk: (NORM, Shortfall.OPERATOR_SHORT)}
    for voucher_id, (amount, _why) in owed.items():
        assert rows[voucher_id]["owed"] == amount and rows[voucher_id]["transfers"] == []
    assert page.context["total"]["owed"] == 2 * NORM
    html = page.content.decode()
    assert "оператор ещё не получил средства для прямой оплаты" in html  # why, in words
    assert "the operator had not received" not in html
    # the months' list: May owed, April received
    months = {m["month"]: m for m in page.context["page"]}
    assert months["2024-05"]["owed"] == 2 * NORM and months["2024-04"]["received"] == 2 * NORM
    assert months["2024-04"]["received"] == Settlement.objects.filter(
        month="2024-04").aggregate(s=Sum("paid"))["s"]


def test_a_transfer_page_shows_the_transfer_in_words(paid) -> None:
    # covers: A7.18, A7.9
    for voucher, source in ((paid["with_account"], "счёт ребёнка"),
                            (paid["direct"], "оператор, напрямую")):
        t = Transfer.objects.get(child=voucher.pk, period="2024-04",
                                 code__in=[TransferCode.PAYMENT, TransferCode.DIRECT])
        html = paid["page"].get(f"/preschool/payments/transfers/{t.pk}/").content.decode()
        assert t.pk in html and "60\u00a0000,00 ₸" in html and "Апрель 2024" in html
        assert source in html and paid["school"].name in html
        assert t.created_at.astimezone(dt.timezone(dt.timedelta(hours=5))).strftime(
            "%d.%m.%Y") in html


def test_another_preschool_sees_none_of_it(paid) -> None:
    # covers: A3
    t = Transfer.objects.filter(code=TransferCode.PAYMENT).first()
    assert paid["other"].get(f"/preschool/payments/transfers/{t.pk}/").status_code == 404
    assert paid["page"].get("/preschool/payments/transfers/no/such/").status_code == 404
    page = paid["other"].get("/preschool/payments/?month=2024-04")
    assert page.status_code == 200 and page.context["rows"] == []
    assert "Айгерім" not in page.content.decode()
    # a transfer out of the operator's account is no preschool's to read
    budget = Transfer.objects.filter(code=TransferCode.FUNDING).first()
    assert paid["page"].get(f"/preschool/payments/transfers/{budget.pk}/").status_code == 404
