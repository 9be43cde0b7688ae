"""Attendance sheets: daily marks, versions, confirmation, silence, disputes (A7.13-A7.16, I6, I7)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from goszakaz.access.actor import Actor
from goszakaz.attendance.models import Sheet, SheetState
from goszakaz.attendance.services import SheetError, auto_confirm, confirm, dispute, mark
from goszakaz.enrollment.services import sign_contract
from goszakaz.notifications.models import Notification
from goszakaz.registry.models import Role
from goszakaz.rules.calendar import kz_calendar
from goszakaz.verification.models import RiskCase
from goszakaz.workflows.dispute import answer_dispute
from tests.factories import NOW, make_preschool, make_voucher

D = dt.date
WORKING = kz_calendar((2024,)).is_working_day


@pytest.fixture(autouse=True)
def english():
    """The services' messages in English (the default language is Russian)."""
    with translation.override("en"):
        yield


@pytest.fixture
def child(taraz, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    school = make_preschool(taraz, 1)
    voucher = make_voucher(taraz, 1)
    sign_contract(voucher=voucher, preschool=school, on=D(2024, 4, 10), actor=Actor.system(Role.PAR), now=NOW)
    return voucher, school


def put(voucher, school, day, code):
    return mark(voucher=voucher, day=day, code=code, preschool_id=school.pk,
                is_working_day=WORKING, actor=Actor.system(Role.PRE), now=NOW)


def test_daily_marks_keep_every_version(child) -> None:
    # covers: A7.13
    voucher, school = child
    put(voucher, school, D(2024, 4, 10), "P")
    sheet = put(voucher, school, D(2024, 4, 11), "S")
    put(voucher, school, D(2024, 4, 11), "S")  # the same mark again: no new version
    sheet = put(voucher, school, D(2024, 4, 11), "A")
    assert sheet.days[9:11] == "PA" and len(sheet.days) == 30
    assert [v.days[9:11] for v in sheet.versions.all()] == ["..", "P.", "PS", "PA"]


@pytest.mark.parametrize(("day", "code", "why"), [
    (D(2024, 4, 9), "P", "outside the child's contract"),
    (D(2024, 4, 13), "P", "not a working day"),  # a Saturday
    (D(2024, 4, 12), "X", "Unknown mark"),
])
def test_bad_marks_are_refused(child, day, code, why) -> None:
    # covers: A7.13
    voucher, school = child
    with pytest.raises(SheetError, match=why):
        put(voucher, school, day, code)


def test_another_preschool_cannot_mark(child, taraz) -> None:
    # covers: A7.13, A3
    voucher, _ = child
    other = make_preschool(taraz, 2)
    with pytest.raises(SheetError, match="outside"):
        put(voucher, other, D(2024, 4, 12), "P")


def test_parent_confirms_or_silence_confirms_at_month_end(child, taraz) -> None:
    # covers: A7.14, I6
    voucher, school = child
    sheet = put(voucher, school, D(2024, 4, 10), "P")
    assert confirm(sheet=sheet, on=D(2024, 4, 30), actor=Actor.system(Role.PAR), now=NOW)
    assert not confirm(sheet=sheet, on=D(2024, 4, 30), actor=Actor.system(Role.PAR), now=NOW)
    sheet.refresh_from_db()
    assert (sheet.state, sheet.parent_responded) == (SheetState.CONFIRMED, True)

    other = make_voucher(taraz, 2)
    sign_contract(voucher=other, preschool=school, on=D(2024, 4, 1), actor=Actor.system(Role.PAR), now=NOW)
    silent = put(other, school, D(2024, 4, 2), "P")
    assert auto_confirm(today=D(2024, 4, 30), now=NOW) == 0  # the month is not over
    assert auto_confirm(today=D(2024, 5, 1), now=NOW) == 1
    assert auto_confirm(today=D(2024, 5, 2), now=NOW) == 0
    silent.refresh_from_db()
    assert (silent.state, silent.parent_responded, silent.final_on) == (
        SheetState.AUTO_CONFIRMED, False, D(2024, 4, 30))
    with pytest.raises(SheetError):
        confirm(sheet=silent, on=D(2024, 5, 3), actor=Actor.system(Role.PAR), now=NOW)


def test_dispute_agreed_and_corrected_then_confirmed_or_silent(child) -> None:
    # covers: A7.15, A7.16, I7
    voucher, school = child
    sheet = put(voucher, school, D(2024, 4, 10), "A")
    doc = SimpleUploadedFile("spravka.pdf", b"%PDF-1.4 certificate", "application/pdf")
    d = dispute(sheet=sheet, reason="Был болен, справка", on=D(2024, 4, 30), actor=Actor.system(Role.PAR),
                document=doc, now=NOW)
    assert d.document.name.endswith(".pdf")
    assert Notification.objects.filter(kind="sheet_disputed", recipient_role="PRE").exists()
    corrected = sheet.days[:9] + "S" + sheet.days[10:]
    assert answer_dispute(sheet=sheet, agree=True, corrected_days=corrected, on=D(2024, 4, 30),
                  actor=Actor.system(Role.PRE), now=NOW)
    sheet.refresh_from_db()
    assert (sheet.state, sheet.days[9]) == (SheetState.CORRECTED, "S")
    assert auto_confirm(today=D(2024, 5, 2), now=NOW) == 0  # within 2 calendar days
    assert auto_confirm(today=D(2024, 5, 3), now=NOW) == 1
    sheet.refresh_from_db()
    assert sheet.state == SheetState.AUTO_CONFIRMED and sheet.parent_responded


def test_dispute_rejected_goes_to_the_operator(child) -> None:
    # covers: A7.16
    voucher, school = child
    sheet = put(voucher, school, D(2024, 4, 10), "A")
    dispute(sheet=sheet, reason="Неверно", on=D(2024, 4, 30), actor=Actor.system(Role.PAR), now=NOW)
    assert answer_dispute(sheet=sheet, agree=False, on=D(2024, 4, 30),
                          reason="был", actor=Actor.system(Role.PRE), now=NOW)
    sheet.refresh_from_db()
    assert sheet.state == SheetState.UPHELD and sheet.days[9] == "A"
    case = RiskCase.objects.get(voucher=voucher)
    assert case.kind == "sheet_dispute"


def test_a_document_of_the_wrong_type_is_refused(child) -> None:
    # covers: A7.15
    voucher, school = child
    sheet = put(voucher, school, D(2024, 4, 10), "A")
    exe = SimpleUploadedFile("virus.exe", b"MZ", "application/octet-stream")
    with pytest.raises(SheetError, match="PDF"):
        dispute(sheet=sheet, reason="x", on=D(2024, 4, 30), actor=Actor.system(Role.PAR), document=exe,
                now=NOW)
    assert Sheet.objects.get(pk=sheet.pk).state == SheetState.OPEN


def test_a_group_of_marks_is_a_few_queries_and_all_or_none(taraz, django_assert_max_num_queries,
                                                           settings, tmp_path) -> None:
    # covers: A7.13
    from goszakaz.attendance.services import mark_many

    school = make_preschool(taraz, 1, capacity=30)
    children = [make_voucher(taraz, 3 * i + 1) for i in range(20)]
    for v in children:
        sign_contract(voucher=v, preschool=school, on=D(2024, 4, 1), actor=Actor.system(Role.PAR), now=NOW)
    days = [d for d in (D(2024, 4, n) for n in range(1, 31)) if WORKING(d)]
    marks = [(v, d, "P") for v in children for d in days]  # 20 children x 22 days
    with django_assert_max_num_queries(12):
        done = mark_many(preschool_id=school.pk, marks=marks, is_working_day=WORKING,
                         actor=Actor.system(Role.PRE), now=NOW)
    assert not done.refused and done.changed == 440
    sheet = Sheet.objects.get(voucher=children[0], month="2024-04")
    assert sheet.version == 2 and sheet.days.count("P") == 22  # one version for the batch
    bad = [(children[0], D(2024, 4, 1), "A"), (children[1], D(2024, 4, 6), "P"),
           (children[2], NOW.date() + dt.timedelta(days=1), "P")]
    done = mark_many(preschool_id=school.pk, marks=bad, is_working_day=WORKING, actor=Actor.system(Role.PRE),
                     now=NOW)
    assert [(i, e.field) for i, e in done.refused] == [(1, "day"), (2, "day")]
    assert "has not come yet" in str(done.refused[1][1])
    assert Sheet.objects.get(pk=sheet.pk).days[0] == "P"  # the good mark was not saved either


def test_only_a_disputed_sheet_is_answered_and_a_repeat_changes_nothing(child) -> None:
    # covers: A7.16
    voucher, school = child
    sheet = put(voucher, school, D(2024, 4, 10), "A")
    with pytest.raises(SheetError, match="Only a disputed sheet"):
        answer_dispute(sheet=sheet, agree=False, on=D(2024, 4, 30),
                       reason="был", actor=Actor.system(Role.PRE), now=NOW)
    dispute(sheet=sheet, reason="болел", on=D(2024, 4, 30), actor=Actor.system(Role.PAR), now=NOW)
    saturday = sheet.days[:12] + "S" + sheet.days[13:]  # 13 April 2024
    before_contract = "S" + sheet.days[1:]
    for bad, needle in ((saturday, "not a working day"), (before_contract, "outside")):
        with pytest.raises(SheetError, match=needle):
            answer_dispute(sheet=sheet, agree=True, on=D(2024, 5, 1), actor=Actor.system(Role.PRE),
                           corrected_days=bad, now=NOW)
    fixed = sheet.days[:9] + "S" + sheet.days[10:]
    assert answer_dispute(sheet=sheet, agree=True, on=D(2024, 5, 1), actor=Actor.system(Role.PRE),
                          corrected_days=fixed, now=NOW)
    version = Sheet.objects.get(pk=sheet.pk).version
    assert not answer_dispute(sheet=sheet, agree=True, on=D(2024, 5, 2), actor=Actor.system(Role.PRE),
                      corrected_days=fixed, now=NOW)  # a double click
    with pytest.raises(SheetError, match="Only a disputed sheet"):
        answer_dispute(sheet=sheet, agree=True, on=D(2024, 5, 2), actor=Actor.system(Role.PRE),
               corrected_days=fixed.replace("S", "P"), now=NOW)
    with pytest.raises(SheetError, match="Only a disputed sheet"):
        answer_dispute(sheet=sheet, agree=False, on=D(2024, 5, 2),
                       reason="был", actor=Actor.system(Role.PRE), now=NOW)
    assert Sheet.objects.get(pk=sheet.pk).version == version
