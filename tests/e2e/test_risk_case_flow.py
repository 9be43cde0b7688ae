"""In a real browser: the operator finds an open risk case, reads its evidence and closes it by a
protocol with its number, date and text; the protocol number is shown after (issue 12, A7.4)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from goszakaz.registry.models import Role
from goszakaz.verification.checks import Mismatch
from goszakaz.verification.models import Protocol, RiskCase, RiskCaseKind
from goszakaz.verification.services import open_case
from tests.e2e.test_allocation_flow import sign_in
from tests.factories import NOW, OPR, make_user, make_voucher


def test_the_operator_closes_a_risk_case_by_protocol(page, live_server, taraz,
                                                     clock_at) -> None:
    # covers: A7.4
    make_user("opr", Role.OPR)
    with transaction.atomic():  # the browser tests run outside a test transaction
        voucher = make_voucher(taraz, 1)
        voucher.child_name = "Сидорова Аружан"
        voucher.save(update_fields=["child_name"])
        case, _ = open_case(city=taraz, voucher=voucher, on=dt.date(2024, 5, 6), actor=OPR,
                            now=NOW, mismatch=Mismatch(RiskCaseKind.BIRTH_DATE_DIFFERS,
                                                       ours="2020-01-01", nobd="2020-01-02"))
    clock_at(dt.date(2024, 5, 20))

    sign_in(page, live_server, "opr")
    page.goto(f"{live_server.url}/operator/cases/")
    page.locator(f"a[href='/operator/cases/{case.pk}/']").first.click()
    page.wait_for_url(f"**/operator/cases/{case.pk}/")
    assert "02.01.2020" in page.text_content("#evidence")  # НОБД's value beside ours
    form = page.locator("form#decide")
    form.locator("select[name=decision]").select_option("confirmed")
    form.locator("input[name=number]").fill("ПР-77/2024")
    form.locator("input[name=dated]").fill("2024-05-17")
    form.locator("textarea[name=note]").fill("Дата рождения подтверждена свидетельством")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#protocol-number")

    assert page.text_content("#protocol-number") == "ПР-77/2024"
    assert "17.05.2024" in page.text_content("#protocol")
    assert "свидетельством" in page.text_content("#protocol")
    assert page.locator("form#decide").count() == 0  # closed: nothing left to decide
    assert RiskCase.objects.get(pk=case.pk).state == "confirmed"
    assert Protocol.objects.get(case=case).number == "ПР-77/2024"
