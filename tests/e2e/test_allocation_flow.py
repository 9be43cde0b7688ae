"""In a real browser: the department previews and confirms an allocation; the parent reads why."""

from __future__ import annotations

import datetime as dt

from goszakaz.access.actor import Actor
from goszakaz.queue.services import import_applications
from goszakaz.registry.models import Role
from tests.factories import NOW, PARENT_IIN, app_row, make_user, pilot_city


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw")
    page.click("form.card button[type=submit]")


def test_edu_allocates_and_parent_sees_the_explanation(page, live_server, write_csv) -> None:
    # covers: T1.3, A7.1
    taraz = pilot_city("taraz")
    make_user("edu", Role.EDU, taraz)
    make_user("mama", Role.PAR, iin=PARENT_IIN)
    rows = [app_row(str(i), dt.date(2019, 3, 1), f"2023-01-{i:02d}T10:00:00", i,
                    parent_iin=PARENT_IIN if i == 2 else "") for i in range(1, 6)]
    import_applications(city=taraz, path=write_csv(rows), skip_invalid=False, actor=Actor.system(Role.EDU),
                        now=NOW)

    sign_in(page, live_server, "edu")
    page.get_by_role("button", name="Актуализировать очередь").click()
    assert "изменено заявлений — 5" in page.text_content(".msg")
    page.get_by_role("link", name="Новое распределение").click()
    page.fill("input[name=volume]", "3")
    page.fill("input[name=as_of]", "2024-08-01")
    page.get_by_role("button", name="Предварительный расчёт").click()
    assert page.text_content("#allocated") == "3"
    assert page.locator("#iterations tbody tr").count() >= 1
    page.get_by_role("button", name="Утвердить распределение").click()
    assert page.locator("#what-follows").is_visible()  # asked first (issue 12)
    page.click("#confirm-form button[type=submit]")
    assert "Распределение утверждено" in page.text_content(".msg")
    page.get_by_role("button", name="Выйти").click()

    sign_in(page, live_server, "mama")
    text = page.text_content(".explain")
    assert "Категория 5" in text and "Номер в очереди категории: 2." in text
    assert "Заявлению выделено место" in text
    assert "выделено место по госзаказу" in page.text_content(".notes")
    page.wait_for_load_state("load")  # the page's script (the switch's submit) has run
    with page.expect_navigation():
        page.select_option("select[name=language]", "kk")
    assert "Кезектегі балаларым" in page.text_content("#queue")
