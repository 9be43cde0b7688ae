"""In a real browser: the department finds a child by IIN in the queue and follows its application
to the allocation it was in; each EDU list exports an XLSX whose rows equal the filtered list."""

from __future__ import annotations

import datetime as dt
import io

from django.db import transaction
from openpyxl import load_workbook

from goszakaz.access.actor import Actor
from goszakaz.queue.models import Application
from goszakaz.queue.services import (
    actualize_queue,
    confirm_allocation,
    import_applications,
    preview_allocation,
)
from goszakaz.registry.models import Role
from tests.factories import NOW, app_row, make_preschool, make_user, make_voucher, pilot_city

EDU = Actor.system(Role.EDU)


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw")
    page.click("form.card button[type=submit]")


def table_rows(page) -> list[list[str]]:
    return [[c.strip() for c in row.locator("td").all_text_contents()]
            for row in page.locator("table.staff-list tbody tr").all()]


def test_edu_finds_a_child_by_iin_and_follows_it_to_the_allocation(page, live_server,
                                                                   write_csv) -> None:
    # covers: T2, T3
    taraz = pilot_city("taraz")
    make_user("edu", Role.EDU, taraz)
    rows = [app_row(str(i), dt.date(2019, 3, 1), f"2023-01-{i:02d}T10:00:00", i,
                    child_name=f"Ребёнок Номер{'абвгде'[i]}") for i in range(1, 6)]
    import_applications(city=taraz, path=write_csv(rows), skip_invalid=False, actor=EDU, now=NOW)
    actualize_queue(city=taraz, on=dt.date(2024, 8, 1), actor=EDU, now=NOW)
    with transaction.atomic():  # the services lock rows: PostgreSQL wants a transaction
        run = preview_allocation(city=taraz, volume=2, as_of=dt.date(2024, 8, 1), actor=EDU,
                                 now=NOW)
        confirm_allocation(run=run, actor=EDU, now=NOW)
    child = Application.objects.get(application_id="3")

    sign_in(page, live_server, "edu")
    page.fill("input[name=q]", child.child_iin)
    page.get_by_role("button", name="Показать").click()
    assert len(table_rows(page)) == 1
    page.locator("table.staff-list tbody a").first.click()
    assert "Ребёнок Номерг" in page.text_content("h1")
    page.locator("main a[href*='/edu/allocation/']").first.click()
    page.wait_for_url(f"**/edu/allocation/{run.pk}/")


def test_each_edu_list_exports_exactly_its_filtered_rows(page, live_server, write_csv) -> None:
    # covers: A4, A5, T3
    taraz = pilot_city("taraz")
    make_user("edu", Role.EDU, taraz)
    rows = [app_row(str(i), dt.date(2019, 3, 1), f"2023-01-{i:02d}T10:00:00", i,
                    child_name=f"{'Айша' if i % 2 else 'Ерлан'} Тестова") for i in range(1, 9)]
    import_applications(city=taraz, path=write_csv(rows), skip_invalid=False, actor=EDU, now=NOW)
    for i in range(4):
        make_voucher(taraz, 10 + 4 * i)
    for i in range(3):
        make_preschool(taraz, 20 + i)

    sign_in(page, live_server, "edu")
    for path, query in (("/edu/queue/", "Айша"), ("/edu/vouchers/", ""),
                        ("/edu/perechen/", "")):
        page.goto(f"{live_server.url}{path}")
        if query:
            page.fill("input[name=q]", query)
            page.get_by_role("button", name="Показать").click()
        page.locator("table.staff-list th a").nth(1 if path == "/edu/vouchers/" else 0).click()
        shown = table_rows(page)
        assert shown, (path, page.text_content("main"))
        with page.expect_download() as download:
            page.locator("a[href*='export=xlsx']").click()
        sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
        exported = [["" if v is None else str(v) for v in row]
                    for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert len(exported) == len(shown), path
        # the same rows in the same order: the name column of both (the first text column)
        name_col = 2 if path == "/edu/queue/" else 0
        assert [r[name_col] for r in exported] == [r[name_col] for r in shown], path
