"""In a real browser: a month of one child, from the preschool's marks through the parent's
dispute and the preschool's correction to the parent's statement (A7.13-A7.18, A8)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from goszakaz.access.actor import Actor
from goszakaz.attendance.services import auto_confirm
from goszakaz.registry.models import Membership, Role
from goszakaz.workflows.monthly_cycle import settle
from tests.e2e.test_allocation_flow import sign_in
from tests.factories import NOW, PARENT_IIN, fund, make_user


def test_a_month_from_the_mark_to_the_statement(page, live_server, money_city,
                                                clock_at) -> None:
    # covers: A7.13, A7.15, A7.16, A7.18, A8.1
    taraz, school, child, _ = money_city
    make_user("mama", Role.PAR, iin=PARENT_IIN)
    staff = make_user("teacher", Role.PRE)
    Membership.objects.filter(user=staff).update(preschool=school)
    with transaction.atomic():  # the browser tests run outside a test transaction
        fund(taraz, "2024-04", dt.date(2024, 4, 8))
    clock_at(dt.date(2024, 4, 30))  # the month's last working day: the window is open (I17)

    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}/preschool/day/?day=2024-04-02")
    page.locator(f"#child-{child.pk} label.mark-A").click()  # a tap, saved as it is made
    page.locator(f"#child-{child.pk} .ok").wait_for()
    page.get_by_role("button", name="Выйти").click()

    sign_in(page, live_server, "mama")
    page.goto(f"{live_server.url}/parent/sheets/")
    page.get_by_role("link", name="Апрель 2024").click()  # the month as a calendar
    assert page.locator("td.k-absent").count() == 1
    page.get_by_label("Что неверно (какие дни, почему)").fill("Болел, справка есть")
    page.get_by_role("button", name="Отправить спор").click()
    assert "Спор направлен в организацию" in page.text_content(".msg")
    page.get_by_role("button", name="Выйти").click()

    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}/preschool/disputes/")
    assert "Болел, справка есть" in page.text_content(".dispute")
    page.select_option("select[name=day-2]", "S")  # the 2nd on the month's grid: sick
    page.get_by_role("button", name="Согласиться и отправить исправленный табель").click()
    assert "Исправленный табель направлен родителю" in page.text_content(".msg")
    page.get_by_role("button", name="Выйти").click()

    sign_in(page, live_server, "mama")
    page.goto(f"{live_server.url}/parent/sheets/")
    page.get_by_role("link", name="Апрель 2024").click()
    assert page.locator("td.k-sick").count() == 1  # the corrected day
    page.get_by_role("button", name="Подтвердить").click()
    assert "Табель подтверждён" in page.text_content(".msg")
    with transaction.atomic():
        auto_confirm(today=dt.date(2024, 5, 1), now=NOW)
        assert settle(city=taraz, month="2024-04", on=dt.date(2024, 5, 2), actor=Actor.system(Role.OPR),
                      now=NOW) == 1  # the other child has no sheet: no payment
    page.reload()
    statement = page.text_content(".statement")
    assert "Госзаказ за месяц: 60\u00a0000,00 ₸" in statement
    assert "Родительская плата за месяц: 15\u00a0000,00 ₸" in statement
