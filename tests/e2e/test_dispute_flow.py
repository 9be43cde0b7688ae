"""In a real browser: a parent disputes the month with a photo of a certificate taken on the
phone, the preschool opens the photo from its inbox and corrects a day on the month's grid, the
parent confirms the corrected sheet (A7.15, A7.16, I7)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from goszakaz.attendance.models import Sheet, SheetState
from goszakaz.attendance.services import mark
from goszakaz.audit.models import AuditEntry
from goszakaz.registry.models import Membership, Role
from tests.e2e.test_allocation_flow import sign_in
from tests.factories import NOW, PARENT_IIN, PNG, PRE, WORKING, make_user


def test_a_dispute_with_a_photo_corrected_on_the_grid_and_confirmed(
        page, live_server, money_city, clock_at, settings, tmp_path) -> None:
    # covers: A7.15, A7.16, I7, I17
    settings.MEDIA_ROOT = tmp_path
    taraz, school, child, _ = money_city
    make_user("mama", Role.PAR, iin=PARENT_IIN)
    staff = make_user("teacher", Role.PRE)
    Membership.objects.filter(user=staff).update(preschool=school)
    with transaction.atomic():  # the browser tests run outside a test transaction
        child.child_name = "Айгерім"
        child.save(update_fields=["child_name"])
        for day in (2, 30):  # the 30th is April's last working day: marked, the window opens
            mark(voucher=child, day=dt.date(2024, 4, day), code="A" if day == 2 else "P",
                 preschool_id=school.pk, is_working_day=WORKING, actor=PRE, now=NOW)
    clock_at(dt.date(2024, 4, 30))  # the month's last working day: the window is open (I17)
    sheet = Sheet.objects.get(voucher=child, month="2024-04")

    sign_in(page, live_server, "mama")
    page.goto(f"{live_server.url}/parent/sheets/{sheet.pk}/")  # the month as a calendar
    page.locator("textarea[name=reason]").fill("Болела 2 апреля, фото справки")
    page.locator("input[name=document]").set_input_files(files=[
        {"name": "IMG_0412.png", "mimeType": "image/png", "buffer": PNG}])
    page.get_by_role("button", name="Отправить спор").click()
    assert "Спор направлен в организацию" in page.text_content(".msg")
    page.get_by_role("button", name="Выйти").click()

    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}/preschool/disputes/")
    dispute = page.locator("section.dispute", has_text="Айгерім")
    assert "Болела 2 апреля, фото справки" in dispute.text_content()
    assert "Апрель 2024" in dispute.text_content()
    before = AuditEntry.objects.filter(object_id="dispute-document").count()
    with page.context.expect_page() as opened:
        dispute.get_by_role("link", name="Открыть фото родителя").click()
    photo = opened.value
    photo.wait_for_load_state()
    assert photo.evaluate("document.contentType") == "image/png"
    assert photo.evaluate("document.images.length === 1 && document.images[0].naturalWidth") == 120
    assert AuditEntry.objects.filter(object_id="dispute-document").count() == before + 1
    photo.close()
    day = dispute.locator("select[name=day-2]")
    assert day.locator("option:checked").text_content() == "отсутствовал"
    day.select_option(label="болел")
    dispute.get_by_role("button", name="Согласиться и отправить исправленный табель").click()
    assert "Исправленный табель направлен родителю" in page.text_content(".msg")
    assert "02.05.2024" in page.text_content(".msg")  # the parent's 2 calendar days (I7)
    sheet.refresh_from_db()
    assert sheet.state == SheetState.CORRECTED and sheet.days[1] == "S"
    page.get_by_role("button", name="Выйти").click()

    sign_in(page, live_server, "mama")
    page.goto(f"{live_server.url}/parent/sheets/{sheet.pk}/")
    page.get_by_role("button", name="Подтвердить").click()
    assert "Табель подтверждён" in page.text_content(".msg")
    assert Sheet.objects.get(pk=sheet.pk).state == SheetState.CONFIRMED
