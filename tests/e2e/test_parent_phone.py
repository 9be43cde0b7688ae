"""In a real browser on a phone's screen (390 × 844): a parent confirms the month from the
cabinet without horizontal scrolling (A7.14, I17), and the early-confirmation bug stays fixed:
no confirmation on the month's 3rd, and a forged one is refused as an error (I17, A7.16)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from goszakaz.attendance.models import Sheet, SheetState
from goszakaz.attendance.services import mark
from goszakaz.registry.models import Membership, Role
from tests.e2e.test_allocation_flow import sign_in
from tests.factories import NOW, PARENT_IIN, PRE, WORKING, fund, make_user

PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (page.url, width)


def test_a_parent_confirms_the_month_on_a_phone(browser, live_server, money_city,
                                                clock_at) -> None:
    # covers: A7.14, I17, A7.18
    taraz, school, child, _direct = money_city
    make_user("mama", Role.PAR, iin=PARENT_IIN)
    with transaction.atomic():  # the browser tests run outside a test transaction
        fund(taraz, "2024-06", dt.date(2024, 6, 7))
        for day, code in ((3, "S"), (4, "S"), (28, "P")):
            mark(voucher=child, day=dt.date(2024, 6, day), code=code, preschool_id=school.pk,
                 is_working_day=WORKING, actor=PRE, now=NOW)
    sheet = Sheet.objects.get(voucher=child, month="2024-06")
    clock_at(dt.date(2024, 6, 28))  # the month's last working day, marked: the window (I17)
    context = browser.new_context(locale="ru-RU", viewport=PHONE, has_touch=True,
                                  is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server, "mama")
        page.goto(f"{live_server.url}/parent/")
        no_sideways_scroll(page)
        page.get_by_role("link", name="Подтвердить или оспорить").first.click()  # one tap
        assert page.url.endswith(f"/parent/sheets/{sheet.pk}/")
        no_sideways_scroll(page)
        assert page.locator("td.k-sick").count() == 2
        assert "30.06.2024" in page.text_content("#deadline")
        page.get_by_role("button", name="Подтвердить").click()
        assert "Табель подтверждён" in page.text_content(".msg.success")
        assert Sheet.objects.get(pk=sheet.pk).state == SheetState.CONFIRMED
        assert page.get_by_role("button", name="Подтвердить").count() == 0
        no_sideways_scroll(page)
        for url in ("/parent/sheets/", f"/parent/children/{child.pk}/months/",
                    f"/parent/children/{child.pk}/statement/", "/parent/vouchers/"):
            page.goto(live_server.url + url)
            no_sideways_scroll(page)
    finally:
        context.close()


def test_no_confirmation_on_the_months_third(browser, live_server, money_city,
                                            clock_at) -> None:
    # covers: I17, A7.13, A7.16
    _taraz, school, child, other = money_city
    make_user("mama", Role.PAR, iin=PARENT_IIN)
    staff = make_user("teacher", Role.PRE)
    Membership.objects.filter(user=staff).update(preschool=school)
    with transaction.atomic():
        for v in (child, other):
            mark(voucher=v, day=dt.date(2024, 6, 3), code="P", preschool_id=school.pk,
                 is_working_day=WORKING, actor=PRE, now=NOW)
    sheet = Sheet.objects.get(voucher=child, month="2024-06")
    clock_at(dt.date(2024, 6, 3))
    context = browser.new_context(locale="ru-RU", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server, "mama")
        page.goto(f"{live_server.url}/parent/sheets/{sheet.pk}/")
        assert page.get_by_role("button", name="Подтвердить").count() == 0
        assert "с 29.06.2024" in page.text_content("#sheet-state")
        token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
        forged = page.request.post(f"{live_server.url}/parent/sheets/{sheet.pk}/answer/",
                                   form={"answer": "confirm", "csrfmiddlewaretoken": token},
                                   headers={"Referer": page.url})
        assert 'class="msg error"' in forged.text() and "msg success" not in forged.text()
        assert Sheet.objects.get(pk=sheet.pk).state == SheetState.OPEN
        page.get_by_role("button", name="Выйти").click()
        sign_in(page, live_server, "teacher")  # the preschool still marks the whole group
        page.goto(f"{live_server.url}/preschool/day/?day=2024-06-03")
        with page.expect_response(lambda r: "/preschool/day/" in r.url
                                  and r.request.method == "POST"):
            page.locator(f"#child-{other.pk} label.mark-A").click()  # saved as it is tapped
        assert Sheet.objects.get(voucher=other, month="2024-06").days[2] == "A"
    finally:
        context.close()


def test_a_parent_cannot_open_another_childs_pages(browser, live_server, money_city,
                                                   clock_at, settings, tmp_path) -> None:
    # covers: A3
    from django.core.files.uploadedfile import SimpleUploadedFile

    from goszakaz.attendance.services import dispute
    from tests.factories import OTHER_PARENT_IIN, PAR

    settings.MEDIA_ROOT = tmp_path
    _taraz, school, child, _direct = money_city
    make_user("stranger", Role.PAR, iin=OTHER_PARENT_IIN)
    with transaction.atomic():
        sheet = mark(voucher=child, day=dt.date(2024, 6, 28), code="A", preschool_id=school.pk,
                     is_working_day=WORKING, actor=PRE, now=NOW)
        dispute(sheet=sheet, reason="болел", on=dt.date(2024, 6, 28), actor=PAR, now=NOW,
                document=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n"))
    clock_at(dt.date(2024, 6, 28))
    context = browser.new_context(locale="ru-RU", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server, "stranger")
        for url in (f"/parent/sheets/{sheet.pk}/", f"/parent/sheets/{sheet.pk}/document/",
                    f"/parent/children/{child.pk}/months/",
                    f"/parent/children/{child.pk}/statement/"):
            response = page.goto(live_server.url + url)
            assert response is not None and response.status == 404, url
            assert "болел" not in page.content()
    finally:
        context.close()
