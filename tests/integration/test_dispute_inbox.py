"""The preschool's disputes inbox through the web (A7.15, A7.16): the parent's document opened
in the browser by those who may see it, logged; the answer by the month's grid or a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, resolve

from goszakaz.attendance.models import Dispute, Sheet, SheetState
from goszakaz.attendance.services import dispute, mark
from goszakaz.audit.models import AuditEntry
from goszakaz.enrollment.services import sign_contract
from goszakaz.notifications.models import Notification
from goszakaz.registry.models import Membership, Role
from goszakaz.verification.models import RiskCase, RiskCaseKind, RiskCaseState
from tests.factories import (
    NOW,
    OTHER_PARENT_IIN,
    PAR,
    PARENT_IIN,
    PNG,
    PRE,
    WORKING,
    make_preschool,
    make_user,
    make_voucher,
)

D = dt.date


def client_of(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def disputed(taraz, settings, tmp_path, clock_at):
    """April 2024 at preschool 1: the child (named) marked absent on the 2nd and the 3rd, the
    parent disputing it on the 30th (the window, I17) with a photo; users of every side."""
    settings.MEDIA_ROOT = tmp_path
    clock_at(D(2024, 4, 30))
    school, other_school = make_preschool(taraz, 1), make_preschool(taraz, 2)
    child = make_voucher(taraz, 1)
    child.child_name = "Әлихан Серіков"
    child.save(update_fields=["child_name"])
    sign_contract(voucher=child, preschool=school, on=D(2024, 4, 1), actor=PAR, now=NOW)
    for day in (2, 3):
        sheet = mark(voucher=child, day=D(2024, 4, day), code="A", preschool_id=school.pk,
                     is_working_day=WORKING, actor=PRE, now=NOW)
    dispute(sheet=sheet, reason="Болел, справка из поликлиники", on=D(2024, 4, 30), actor=PAR,
            now=NOW, document=SimpleUploadedFile("IMG_0001.jpg", PNG, "image/jpeg"))
    users = {"pre": make_user("teacher", Role.PRE), "pre_other": make_user("stranger", Role.PRE),
             "par": make_user("mama", Role.PAR, iin=PARENT_IIN),
             "par_other": make_user("other", Role.PAR, iin=OTHER_PARENT_IIN),
             "opr": make_user("operator", Role.OPR)}
    Membership.objects.filter(user=users["pre"]).update(preschool=school)
    Membership.objects.filter(user=users["pre_other"]).update(preschool=other_school)
    return {"sheet": Sheet.objects.get(pk=sheet.pk), "child": child, "users": users,
            "school": school}


def test_the_document_opens_inline_for_its_preschool_parent_and_operator(disputed) -> None:
    # covers: A7.15
    sheet, users = disputed["sheet"], disputed["users"]
    url = f"/disputes/{sheet.pk}/document/"
    for who in ("pre", "par", "opr"):
        before = AuditEntry.objects.count()
        answer = client_of(users[who]).get(url)
        assert answer.status_code == 200, who
        # stored under what it is (a PNG sent as .jpg), sent as that, shown in the browser
        assert answer["Content-Type"] == "image/png"
        assert answer["Content-Disposition"].startswith("inline")
        assert answer["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in answer["Cache-Control"]
        assert answer.content == PNG
        read = AuditEntry.objects.order_by("pk")[before:].get()
        assert (read.action, read.object_id, read.children) == (
            "children.read", "dispute-document", [disputed["child"].pk])
        assert read.user_id == users[who].pk
    for who in ("pre_other", "par_other"):
        before = AuditEntry.objects.count()
        assert client_of(users[who]).get(url).status_code in (403, 404), who
        assert AuditEntry.objects.count() == before  # nothing shown, nothing logged
    assert Client().get(url).status_code == 302  # to sign in


def test_a_pdf_opens_inline_a_heic_downloads_and_none_is_not_found(disputed, taraz) -> None:
    # covers: A7.15
    sheet, users = disputed["sheet"], disputed["users"]
    pre = client_of(users["pre"])
    stored = Dispute.objects.get(sheet=sheet)
    for ext, content_type, disposition in (("pdf", "application/pdf", "inline"),
                                           ("heic", "image/heic", "attachment")):
        stored.document.save(f"sheet-{sheet.pk}.{ext}", SimpleUploadedFile("x", b"%PDF-1.4"))
        answer = pre.get(f"/disputes/{sheet.pk}/document/")
        assert answer["Content-Type"] == content_type
        assert answer["Content-Disposition"].startswith(disposition)
    Dispute.objects.filter(pk=stored.pk).update(document="")
    assert pre.get(f"/disputes/{sheet.pk}/document/").status_code == 404
    assert pre.get("/disputes/999999/document/").status_code == 404


def test_dispute_documents_are_never_served_by_a_public_url(disputed) -> None:
    # covers: A7.15
    name = Dispute.objects.get(sheet=disputed["sheet"]).document.name
    assert name.startswith("disputes/")
    for prefix in ("/media/", "/static/", "/", django_settings.MEDIA_URL or "/media/"):
        with pytest.raises(Resolver404):
            resolve(prefix + name)
        assert client_of(disputed["users"]["par"]).get(prefix + name).status_code == 404
    media = django_settings.MEDIA_ROOT
    assert not str(media).startswith(str(django_settings.STATIC_ROOT))
    assert all(not str(media).startswith(str(d)) for d in django_settings.STATICFILES_DIRS)


def test_the_inbox_shows_the_child_by_name_the_month_and_a_grid_of_marks(disputed) -> None:
    # covers: A7.15, A7.16
    sheet = disputed["sheet"]
    page = client_of(disputed["users"]["pre"]).get("/preschool/disputes/").content.decode()
    assert "Әлихан Серіков" in page and "200101******" in page and "Апрель 2024" in page
    assert "Болел, справка из поликлиники" in page and "30.04.2024" in page
    assert f'href="/disputes/{sheet.pk}/document/"' in page
    assert "02.05.2024" in page  # the parent's 2 calendar days if answered today (I7)
    # a control per working day, prefilled with its mark in words; none for the weekend
    assert 'name="day-2"' in page and 'name="day-6"' not in page and 'name="day-7"' not in page
    cell = page[page.index('name="day-2"'):page.index('name="day-3"')]
    assert '<option value="A" selected>' in cell and "отсутствовал" in cell
    assert 'name="days"' not in page  # no code string to type


def test_agreeing_with_a_corrected_grid_sends_the_sheet_to_the_parent(disputed) -> None:
    # covers: A7.16, I7
    sheet, users = disputed["sheet"], disputed["users"]
    pre = client_of(users["pre"])
    url = f"/preschool/disputes/{sheet.pk}/answer/"
    unchanged = pre.post(url, {"answer": "agree", "day-2": "A"}, follow=True).content.decode()
    assert "Измените хотя бы один день" in unchanged
    assert Sheet.objects.get(pk=sheet.pk).state == SheetState.DISPUTED
    assert client_of(users["pre_other"]).post(url, {"answer": "agree", "day-2": "S"}
                                              ).status_code == 403
    # the 2nd and 3rd were sick days; the 6th is a Saturday: no control, not changed
    done = pre.post(url, {"answer": "agree", "day-2": "S", "day-3": "S", "day-6": "P"},
                    follow=True).content.decode()
    assert "Исправленный табель направлен родителю" in done and "02.05.2024" in done
    sheet.refresh_from_db()
    assert sheet.state == SheetState.CORRECTED and sheet.days[1:3] == "SS"
    assert sheet.days[5] == "."
    told = Notification.objects.get(kind="dispute_agreed")
    assert told.recipient_key == PARENT_IIN and told.payload["until"] == "02.05.2024"
    assert "ждёт подтверждения родителя до 02.05.2024" in pre.get(
        "/preschool/disputes/").content.decode()
    family = client_of(users["par"])
    assert family.post(f"/parent/sheets/{sheet.pk}/answer/",
                       {"answer": "confirm"}).status_code == 302
    assert Sheet.objects.get(pk=sheet.pk).state == SheetState.CONFIRMED


def test_disagreeing_needs_a_reason_that_goes_to_the_operators_case(disputed) -> None:
    # covers: A7.16
    sheet, users = disputed["sheet"], disputed["users"]
    pre = client_of(users["pre"])
    url = f"/preschool/disputes/{sheet.pk}/answer/"
    silent = pre.post(url, {"answer": "disagree", "reason": "  "}, follow=True).content.decode()
    assert "Укажите, почему вы не согласны" in silent
    assert Sheet.objects.get(pk=sheet.pk).state == SheetState.DISPUTED
    pre.post(url, {"answer": "disagree", "reason": "Ребёнка не было, справки нам не давали"})
    assert Sheet.objects.get(pk=sheet.pk).state == SheetState.UPHELD
    stored = Dispute.objects.get(sheet=sheet)
    assert stored.agreed is False and stored.answer_reason.startswith("Ребёнка не было")
    case = RiskCase.objects.get(voucher=disputed["child"], kind=RiskCaseKind.SHEET_DISPUTE)
    assert case.state == RiskCaseState.OPEN
    page = client_of(users["opr"]).get(f"/operator/cases/{case.pk}/").content.decode()
    assert "Ребёнка не было, справки нам не давали" in page
    assert f"/disputes/{sheet.pk}/document/" in page
    assert Notification.objects.get(kind="dispute_upheld").recipient_key == PARENT_IIN
