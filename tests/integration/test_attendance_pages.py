"""The sheet through the web: the preschool marks the day; the parent confirms or disputes."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from goszakaz.access.actor import Actor
from goszakaz.attendance.models import Dispute, Sheet, SheetState
from goszakaz.attendance.services import confirm
from goszakaz.domain.iin import short_iin
from goszakaz.enrollment.services import sign_contract
from goszakaz.registry.models import Membership, Role
from tests.factories import NOW, make_preschool, make_user, make_voucher


def client_of(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_preschool_marks_the_day_and_the_parent_answers(taraz, parent, other_parent,
                                                           settings, tmp_path, clock_at) -> None:
    # covers: A7.13, A7.14, A7.15, I17
    settings.MEDIA_ROOT = tmp_path
    clock_at(dt.date(2024, 4, 30))  # the month's last working day and its last day: the window
    school, other_school = make_preschool(taraz, 1), make_preschool(taraz, 2)
    mine = make_voucher(taraz, 1)
    sign_contract(voucher=mine, preschool=school, on=dt.date(2024, 4, 1), actor=Actor.system(Role.PAR),
                  now=NOW)
    staff = make_user("teacher", Role.PRE)
    Membership.objects.filter(user=staff).update(preschool=school)
    stranger = make_user("stranger", Role.PRE)
    Membership.objects.filter(user=stranger).update(preschool=other_school)

    page = client_of(staff)
    assert short_iin(mine.child_iin) in page.get("/preschool/day/?day=2024-04-02").content.decode()
    page.post("/preschool/day/", {"day": "2024-04-02", f"mark-{mine.pk}": "A"})
    page.post("/preschool/day/", {"day": "2024-04-03", f"mark-{mine.pk}": "S"})
    sheet = Sheet.objects.get(voucher=mine, month="2024-04")
    assert sheet.days[1:3] == "AS"
    saturday = page.post("/preschool/day/", {"day": "2024-04-06", f"mark-{mine.pk}": "P"},
                         follow=True).content.decode()
    assert "Нерабочий день: отмечать нечего." in saturday  # refused, in Russian
    client_of(stranger).post("/preschool/day/", {"day": "2024-04-04", f"mark-{mine.pk}": "P"})
    assert Sheet.objects.get(pk=sheet.pk).days[3] == "."  # not its pupil: nothing marked

    assert client_of(other_parent).post(f"/parent/sheets/{sheet.pk}/answer/",
                                        {"answer": "confirm"}).status_code == 404
    family = client_of(parent)
    assert f"/parent/sheets/{sheet.pk}/" in family.get("/parent/sheets/").content.decode()
    month = family.get(f"/parent/sheets/{sheet.pk}/").content.decode()
    assert month.count('class="k-absent"') == 1 and month.count('class="k-sick"') == 1
    doc = SimpleUploadedFile("spravka.pdf", b"%PDF-1.4", "application/pdf")
    family.post(f"/parent/sheets/{sheet.pk}/answer/", {"answer": "dispute",
                                                       "reason": "Болел, справка",
                                                       "document": doc})
    sheet.refresh_from_db()
    assert sheet.state == SheetState.DISPUTED and sheet.parent_responded
    assert Dispute.objects.get(sheet=sheet).document.name.endswith(".pdf")


def test_a_group_month_from_an_xlsx_file(taraz, tmp_path) -> None:
    # covers: A7.13
    import openpyxl

    school = make_preschool(taraz, 1)
    kids = [make_voucher(taraz, s) for s in (1, 4)]
    for v in kids:
        sign_contract(voucher=v, preschool=school, on=dt.date(2024, 4, 1), actor=Actor.system(Role.PAR),
                      now=NOW)
    staff = make_user("teacher", Role.PRE)
    Membership.objects.filter(user=staff).update(preschool=school)
    page = client_of(staff)

    def upload(rows, name="group.xlsx"):
        book = openpyxl.Workbook()
        book.active.append(["child_iin", *[str(d) for d in range(1, 31)]])
        for row in rows:
            book.active.append(row)
        path = tmp_path / name
        book.save(path)
        with path.open("rb") as f:
            return page.post("/preschool/upload/", {"month": "2024-04", "file": f}, follow=True)

    a, b = kids[0].child_iin, kids[1].child_iin
    bad = upload([[a, None, "P", "A"], [b, None, "X"], [b, None, None, None, None, None, "P"]])
    text = bad.content.decode()
    assert "line 3: 2:" in text and "line 4: 6:" in text  # a bad code; a Saturday
    assert "Неизвестная отметка &#x27;X&#x27;" in text and "2024-04-06 — нерабочий день." in text
    assert not Sheet.objects.exists()  # whole file or nothing
    upload([[a, None, "P", "A"], [b, "S", "S"]], name="good.xlsx")
    days = dict(Sheet.objects.values_list("voucher_id", "days"))
    assert days[kids[0].pk][:3] == ".PA" and days[kids[1].pk][:2] == "SS"


def test_one_childs_closed_sheet_never_blocks_the_groups_day(taraz, clock_at) -> None:
    # covers: A7.13, I17
    clock_at(dt.date(2024, 4, 30))
    school = make_preschool(taraz, 1)
    closed, other = make_voucher(taraz, 1), make_voucher(taraz, 4)
    for v in (closed, other):
        sign_contract(voucher=v, preschool=school, on=dt.date(2024, 4, 1),
                      actor=Actor.system(Role.PAR), now=NOW)
    staff = make_user("teacher", Role.PRE)
    Membership.objects.filter(user=staff).update(preschool=school)
    page = client_of(staff)
    page.post("/preschool/day/", {"day": "2024-04-30", f"mark-{closed.pk}": "P",
                                  f"mark-{other.pk}": "P"})
    confirm(sheet=Sheet.objects.get(voucher=closed), on=dt.date(2024, 4, 30),
            actor=Actor.system(Role.PAR), now=NOW)
    answer = page.post("/preschool/day/", {"day": "2024-04-29", f"mark-{closed.pk}": "A",
                                           f"mark-{other.pk}": "S"}, follow=True)
    assert Sheet.objects.get(voucher=other).days[28] == "S"  # saved
    assert Sheet.objects.get(voucher=closed).days[28] == "."  # its sheet is closed
    assert short_iin(closed.child_iin) in answer.content.decode()  # the refused child is named
