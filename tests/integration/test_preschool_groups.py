"""The preschool's groups (a teacher's scope within PRE), the day by name with "all present" and
HTMX, the month grid's A8 figures, and the group's month template roundtrip."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from goszakaz.access.actor import Actor
from goszakaz.access.permissions import Action, can
from goszakaz.attendance.models import Sheet, SheetState
from goszakaz.attendance.services import confirm, dispute, mark
from goszakaz.audit.models import AuditEntry
from goszakaz.domain import payment as pay
from goszakaz.enrollment.models import Contract
from goszakaz.finance.tariffs import set_norm
from goszakaz.registry.models import Group, Membership, Role
from goszakaz.rules.calendar import kz_calendar
from goszakaz.web.templatetags.goszakaz import tenge
from goszakaz.workflows.dispute import answer_dispute
from tests.factories import (
    EDU,
    NORM,
    NOW,
    PAR,
    PRE,
    WORKING,
    make_group,
    make_preschool,
    make_teacher,
    make_user,
)


def client_of(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def signs_in(username: str, password: str) -> bool:
    answer = Client().post("/accounts/login/", {"username": username, "password": password})
    return answer.status_code == 302


@pytest.fixture
def school(taraz, clock_at):
    clock_at(dt.date(2024, 4, 30))  # April's last working day
    school = make_preschool(taraz, 1, capacity=40)
    admin = make_user("head", Role.PRE)
    Membership.objects.filter(user=admin).update(preschool=school)
    sun, _ = make_group(school, "Күншуақ", ["Бекзат", "Айару", "Зере"], serial=100)
    lamb, _ = make_group(school, "Балапан", ["Дана"], serial=300)
    return school, admin, sun, lamb


def kids(group: Group) -> dict[str, int]:
    return {c.voucher.child_name: c.voucher_id
            for c in Contract.objects.filter(group=group).select_related("voucher")}


def test_a_teacher_sees_and_marks_only_its_own_group(school) -> None:
    # covers: A3, A7.13
    preschool, admin, sun, lamb = school
    teacher = client_of(make_teacher("sun-teacher", sun))
    dana = kids(lamb)["Дана"]
    for url in ("/preschool/", "/preschool/day/?day=2024-04-29", "/preschool/month/?month=2024-04"):
        page = teacher.get(url).content.decode()
        assert "Айару" in page and "Дана" not in page, url
    for url in (f"/preschool/day/?group={lamb.pk}", f"/preschool/month/?group={lamb.pk}",
                f"/preschool/month/template.xlsx?group={lamb.pk}", "/preschool/groups/",
                "/preschool/staff/", "/preschool/disputes/"):
        assert teacher.get(url).status_code == 403, url
    assert teacher.post("/preschool/day/", {"day": "2024-04-29", "group": lamb.pk,
                                            f"mark-{dana}": "A"}).status_code == 403
    teacher.post("/preschool/day/", {"day": "2024-04-29", f"mark-{dana}": "A"})  # by id
    assert not Sheet.objects.filter(voucher_id=dana).exists()
    assert teacher.post("/preschool/", {"do": "move", "to": "none",
                                        "pick": Contract.objects.get(voucher_id=dana).pk}
                        ).status_code == 403
    assert "Дана" in client_of(admin).get(f"/preschool/day/?group={lamb.pk}").content.decode()
    actor = Actor.of_user(Membership.objects.get(user__username="sun-teacher").user)
    assert actor.group == sun.pk
    assert can(actor, Action.SHEETS_MARK, preschool=preschool.pk, group=sun.pk)
    assert not can(actor, Action.SHEETS_MARK, preschool=preschool.pk, group=lamb.pk)
    assert not can(actor, Action.SHEETS_MARK, preschool=preschool.pk, group=None)
    assert not can(actor, Action.GROUPS_MANAGE) and not can(actor, Action.STAFF_MANAGE)
    assert can(Actor.of_user(admin), Action.STAFF_MANAGE, preschool=preschool.pk)


def test_the_administrator_manages_groups_pupils_and_staff(school) -> None:
    # covers: A3
    preschool, admin, sun, lamb = school
    head = client_of(admin)
    head.post("/preschool/groups/", {"do": "create", "name": "Жұлдыз", "age_group": "5-6"})
    star = Group.objects.get(preschool=preschool, name="Жұлдыз")
    head.post("/preschool/groups/", {"do": "save", "group": star.pk, "name": "Жұлдыздар",
                                     "age_group": "4-5"})
    star.refresh_from_db()
    assert (star.name, star.age_group, star.active) == ("Жұлдыздар", "4-5", True)
    picked = [c.pk for c in Contract.objects.filter(group=sun)][:2]
    head.post("/preschool/", {"do": "move", "to": star.pk, "pick": picked})
    assert Contract.objects.filter(group=star).count() == 2
    dana = Contract.objects.get(group=lamb)
    head.post("/preschool/", {"do": "save", f"group-{dana.pk}": str(star.pk)})
    assert Contract.objects.filter(group=star).count() == 3
    head.post("/preschool/staff/", {"do": "create", "group": star.pk, "username": "Zhuldyz",
                                    "password": "Kunshuaq-2024-x"})
    assert signs_in("zhuldyz", "Kunshuaq-2024-x")
    membership = Membership.objects.get(user__username="zhuldyz")
    assert membership.group == star and membership.preschool == preschool
    head.post("/preschool/staff/", {"do": "deactivate", "membership": membership.pk})
    assert not signs_in("zhuldyz", "Kunshuaq-2024-x")
    head.post("/preschool/groups/", {"do": "archive", "group": star.pk})
    assert not Group.objects.get(pk=star.pk).active
    actions = set(AuditEntry.objects.filter(user=admin).values_list("action", flat=True))
    assert {"group.created", "group.changed", "pupils.grouped", "staff.created",
            "staff.deactivated"} <= actions
    assert "Kunshuaq" not in str(list(AuditEntry.objects.values_list("after", flat=True)))


def test_all_present_is_an_explicit_act_and_exceptions_save_by_htmx(school) -> None:
    # covers: I22, A7.13
    preschool, admin, sun, _ = school
    head, ids = client_of(admin), kids(sun)
    page = head.get(f"/preschool/day/?day=2024-04-29&group={sun.pk}").content.decode()
    assert page.index("Айару") < page.index("Бекзат") < page.index("Зере")  # by name
    assert "autofocus" in page and not Sheet.objects.exists()  # nothing written by itself
    row = head.post("/preschool/day/", {"day": "2024-04-29", "group": sun.pk,
                                        f"mark-{ids['Бекзат']}": "A"}, HTTP_HX_REQUEST="true")
    html = row.content.decode()
    assert f'id="child-{ids["Бекзат"]}"' in html and "<html" not in html
    assert html.count("<tr") == 1
    rows = head.post("/preschool/day/", {"day": "2024-04-29", "group": sun.pk, "all": "1"},
                     HTTP_HX_REQUEST="true").content.decode()
    assert rows.count("<tr") == 3
    days = {s.voucher.child_name: s.days[28] for s in Sheet.objects.select_related("voucher")}
    assert days == {"Айару": "P", "Бекзат": "A", "Зере": "P"}


def test_one_childs_closed_sheet_is_named_and_the_others_are_saved(school) -> None:
    # covers: A7.13, A7.16, I17
    # the case: the parent disputes the month, the preschool agrees, the parent
    # confirms; then the preschool changes the day of the group
    preschool, admin, sun, _ = school
    head, ids = client_of(admin), kids(sun)
    head.post("/preschool/day/", {"day": "2024-04-30", "group": sun.pk, "all": "1"})
    closed = Sheet.objects.get(voucher_id=ids["Айару"])
    on = dt.date(2024, 4, 30)
    dispute(sheet=closed, reason="болела", on=on, actor=PAR, now=NOW)
    answer_dispute(sheet=closed, agree=True, on=on, actor=PRE, now=NOW,
                   corrected_days=closed.days[:29] + "S")
    confirm(sheet=Sheet.objects.get(pk=closed.pk), on=on, actor=PAR, now=NOW)
    assert Sheet.objects.get(pk=closed.pk).state == SheetState.CONFIRMED
    form = {"day": "2024-04-29", "group": sun.pk, f"mark-{ids['Айару']}": "A",
            f"mark-{ids['Бекзат']}": "S", f"mark-{ids['Зере']}": "V"}
    answer = head.post("/preschool/day/", form, follow=True).content.decode()
    assert "Айару" in answer and "Табель закрыт" in answer  # named, with why
    days = {s.voucher.child_name: s.days[28] for s in Sheet.objects.select_related("voucher")}
    assert days == {"Айару": ".", "Бекзат": "S", "Зере": "V"}
    page = head.get(f"/preschool/day/?day=2024-04-29&group={sun.pk}").content.decode()
    assert page.count("<fieldset class=\"marks\" disabled") == 1  # its row read-only


def test_the_months_a8_figures_are_the_calculators(school, taraz) -> None:
    # covers: A8.3, A8.4, I4, I22
    preschool, admin, sun, _ = school
    for group in ("early", "preschool"):
        set_norm(city=taraz, age_group=group, stay_mode="full_day",
                 effective_from=dt.date(2024, 3, 1), amount=NORM, actor=EDU, now=NOW)
    ids = kids(sun)
    absent = [dt.date(2024, 4, d) for d in (2, 3, 4, 5, 8)]
    for day in absent:
        mark(voucher=Sheet.voucher.field.related_model.objects.get(pk=ids["Бекзат"]), day=day,
             code="A", preschool_id=preschool.pk, is_working_day=WORKING, actor=PRE, now=NOW)
    page = client_of(admin).get(f"/preschool/month/?month=2024-04&group={sun.pk}"
                                ).content.decode()
    calendar = kz_calendar((2024,))
    first = dt.date(2024, 4, 1)
    for name, marks in (("Бекзат", dict.fromkeys(absent, "A")), ("Айару", {})):
        want = pay.calculate(pay.Sheet.build(month=first, marks=marks), NORM, 0, calendar,
                             pay.Period(taraz.pilot_start, taraz.pilot_end))
        assert f"{want.payable_days} / {want.contract_working_days}" in page, name
        assert tenge(want.state_order_tiyn) in page, name
    assert tenge(NORM) in page  # the unmarked child: paid in full so far (I22)


def test_the_downloaded_template_imports_back(school) -> None:
    # covers: A7.13
    preschool, admin, sun, _ = school
    head, ids = client_of(admin), kids(sun)
    response = head.get(f"/preschool/month/template.xlsx?month=2024-04&group={sun.pk}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    working = kz_calendar((2024,)).working_days(dt.date(2024, 4, 1), dt.date(2024, 4, 30))
    assert header == ["child_iin", "child_name", *[str(d.day) for d in working]]
    assert sorted(r[1] for r in sheet.iter_rows(min_row=2, values_only=True)) == [
        "Айару", "Бекзат", "Зере"]
    column = header.index("2") + 1
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=column, value="Н" if sheet.cell(row, 2).value == "Зере"
                   else "П")
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("group.xlsx", out.getvalue())
    answer = head.post("/preschool/upload/", {"month": "2024-04", "group": sun.pk,
                                              "file": upload}, follow=True).content.decode()
    assert "Сохранено отметок: 3" in answer
    days = {s.voucher.child_name: s.days[1] for s in Sheet.objects.select_related("voucher")}
    assert days == {"Айару": "P", "Бекзат": "P", "Зере": "A"}
    assert set(ids.values()) == set(Sheet.objects.values_list("voucher_id", flat=True))
