"""In a real browser: the operator opens the deadlines' oversight page in Russian, reads the
chart and follows a late deadline's link."""

from __future__ import annotations

import datetime as dt

from goszakaz.deadlines.models import Deadline
from goszakaz.registry.models import Bank, Role
from tests.e2e.test_allocation_flow import sign_in
from tests.factories import make_user, pilot_city


def test_operator_sees_the_chart_and_a_late_deadline(page, live_server, clock_at) -> None:
    # covers: A14, A7.9
    clock_at(dt.date(2024, 6, 1))
    pilot_city("taraz")
    Bank.objects.create(code="halyk", name="Halyk Bank", bin="920140000084")
    Deadline.objects.create(clause="A7.9", city="taraz", subject="bank-list/halyk/2024-04",
                            title="t", opened_on=dt.date(2024, 4, 1),
                            due_on=dt.date(2024, 4, 5), state="met",
                            met_on=dt.date(2024, 4, 8))
    make_user("opr", Role.OPR)
    sign_in(page, live_server, "opr")
    page.goto(f"{live_server.url}/oversight/deadlines/")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator(".chart svg rect").count() >= 1 and page.locator(".chart svg").first.is_visible()
    link = page.locator("#late-deadlines a").first
    assert "Halyk Bank" in link.text_content() and "Апрель 2024" in link.text_content()
    link.click()
    page.wait_for_url("**/operator/banks/")
