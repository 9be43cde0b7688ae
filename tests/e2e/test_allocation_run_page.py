"""In a real browser: the department runs an allocation, reads it as numbers and as a chart,
confirms it behind the confirmation step and finds a child in the run's per-child list
(issue 12)."""

from __future__ import annotations

import datetime as dt

from goszakaz.access.actor import Actor
from goszakaz.domain.iin import short_iin
from goszakaz.queue.models import Application, RunOutcome
from goszakaz.queue.services import import_applications
from goszakaz.registry.models import Role
from tests.e2e.test_allocation_flow import sign_in
from tests.factories import NOW, app_row, make_user, pilot_city


def test_edu_confirms_an_allocation_after_the_confirmation_step(page, live_server,
                                                                 write_csv) -> None:
    # covers: A7.1, T1.3, T1.7, T1.2, I9
    taraz = pilot_city("taraz")
    make_user("edu", Role.EDU, taraz)
    rows = [app_row(str(i), dt.date(2019, 3, 1), f"2023-01-{i:02d}T10:00:00", i,
                    large_family="true" if i % 2 else "false",
                    child_name=["Айгерим Сапарова", "Нурлан Ахметов", "Дана Омарова",
                                "Ерлан Касымов", "Алия Нурланова", "Тимур Беков"][i - 1])
            for i in range(1, 7)]
    import_applications(city=taraz, path=write_csv(rows), skip_invalid=False,
                        actor=Actor.system(Role.EDU), now=NOW)

    sign_in(page, live_server, "edu")
    page.get_by_role("button", name="Актуализировать очередь").click()
    page.goto(f"{live_server.url}/edu/allocation/new/")
    page.fill("input[name=volume]", "4")
    page.fill("input[name=as_of]", "2024-08-01")
    page.get_by_role("button", name="Предварительный расчёт").click()
    assert page.text_content("#allocated") == "4"
    assert page.locator("#iteration-chart svg polyline").count() == 2  # categories 1 and 5
    assert page.locator("#inputs").is_visible()

    page.get_by_role("button", name="Утвердить распределение").click()
    follows = page.text_content("#what-follows")
    assert "4" in follows and "2" in follows  # 4 places; 2 applications stay queued
    page.get_by_role("link", name="Отмена").click()  # cancelled: nothing happened
    assert "Предварительный" in page.text_content("#run-state") or \
        "предварительный" in page.text_content("#run-state")
    page.get_by_role("button", name="Утвердить распределение").click()
    page.click("#confirm-form button[type=submit]")
    assert "Распределение утверждено" in page.text_content(".msg")

    # the child in the run's per-child list: found by IIN, with its seat, category and number
    child = Application.objects.get(child_name="Дана Омарова")
    outcome = RunOutcome.objects.get(application=child)
    assert outcome.seat_order is not None
    page.fill("input[name=q]", child.child_iin)
    page.locator("form.list-filters button[type=submit]").click()
    rows = page.locator("table.staff-list tbody tr")
    assert rows.count() == 1
    cells = rows.first.locator("td").all_inner_texts()
    assert cells[0] == str(outcome.seat_order) and cells[2] == "Дана Омарова"
    assert cells[1] == short_iin(child.child_iin)
    assert child.child_iin not in page.text_content("table.staff-list")
    assert cells[3].startswith(f"{outcome.category} — ") and cells[4] == str(outcome.queue_number)
    rows.first.get_by_role("link", name="Дана Омарова").click()  # its application's own page
    assert child.application_id in page.text_content("main")

    page.goto(f"{live_server.url}/edu/allocation/")
    assert page.locator("#runs tbody tr").count() == 1
    assert "edu" in page.text_content("#runs tbody tr")
