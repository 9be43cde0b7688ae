"""The probes of issue 10 on the pages: files that are no text or no zip, bombs, formulas as
names, executables as documents, endless reasons, dates and amounts out of range: each refused
with a message in the reader's language, never a 500."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from goszakaz import clock, files
from goszakaz.access.actor import Actor
from goszakaz.attendance.models import Dispute, Sheet, SheetState
from goszakaz.enrollment.models import Voucher
from goszakaz.enrollment.services import sign_contract
from goszakaz.files import Limits
from goszakaz.finance.models import Norm
from goszakaz.queue.models import AllocationRun
from goszakaz.registry.models import Membership, Role
from goszakaz.verification.models import RiskCase
from goszakaz.workflows.jobs import run_next
from tests.factories import NOW, PARENT_IIN, make_iin, make_preschool, make_user, make_voucher


def client_of(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def staff_of(school) -> Client:
    user = make_user(f"teacher{school.pk}", Role.PRE)
    Membership.objects.filter(user=user).update(preschool=school)
    return client_of(user)


NOT_TEXT = b"child_iin,1\n200101500013,P\x98\n"
NOT_ZIP = b"this is no zip archive"


@pytest.mark.parametrize(("name", "data", "says"), [
    ("group.csv", NOT_TEXT, "байт 0x98 не является текстом"),
    ("group.xlsx", NOT_ZIP, "Это не файл XLSX"),
])
def test_the_group_upload_refuses_a_file_that_is_no_text_or_no_zip(taraz, name, data,
                                                                    says) -> None:
    # covers: A7.13, DESIGN (issue 10: a byte 0x98 in a CSV or a .xlsx that is not a zip: 500)
    page = staff_of(make_preschool(taraz, 1))
    answer = page.post("/preschool/upload/", {"month": "2024-04",
                                              "file": SimpleUploadedFile(name, data)},
                       follow=True)
    assert answer.status_code == 200 and says in answer.content.decode()
    assert not Sheet.objects.exists()


@pytest.mark.parametrize(("name", "data", "says"), [
    ("nobd.csv", NOT_TEXT, "байт 0x98 не является текстом"),
    ("nobd.xlsx", NOT_ZIP, "Это не файл XLSX"),
])
def test_the_nobd_check_refuses_a_file_that_is_no_text_or_no_zip(taraz, name, data,
                                                                   says) -> None:
    # covers: A7.4, DESIGN (issue 10: /operator/cases/ gave a 500)
    operator = client_of(make_user("opr", Role.OPR))
    answer = operator.post("/operator/cases/", {"city": taraz.pk,
                                                "export": SimpleUploadedFile(name, data)},
                           follow=True)
    assert answer.status_code == 200
    assert run_next(now=clock.now).state == "failed"  # the check is a background job
    page = operator.get("/operator/cases/")
    assert page.status_code == 200 and says in page.content.decode()
    assert not RiskCase.objects.exists()


def test_the_childrens_list_refuses_a_bomb_before_it_unpacks(taraz, edu_taraz, tmp_path,
                                                             monkeypatch) -> None:
    # covers: A5, DESIGN (issue 10: 765 KB that unpacks to 300 MB kept a worker 522 s)
    monkeypatch.setattr(files, "LIMITS", Limits(unpacked_bytes=2**20))
    path = tmp_path / "children.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b"<sst>" + b"A" * 3 * 2**20 + b"</sst>")
    with path.open("rb") as f:
        answer = client_of(edu_taraz).post("/edu/upload/children/", {"file": f}, follow=True)
    assert "распаковывается в 3 МБ; читается не больше 1 МБ" in answer.content.decode()
    assert not Voucher.objects.exists()


def test_the_childrens_list_refuses_formulas_as_names(taraz, edu_taraz) -> None:
    # covers: A5, DESIGN (issue 10: names like =cmd|…, +HYPERLINK, @SUM were sent to banks)
    birth = dt.date(2020, 1, 1)
    rows = ["child_iin,birth_date,child_name,parent_iin,period_start"] + [
        f"{make_iin(birth, serial)},2020-01-01,{name},{PARENT_IIN},2024-03-01"
        for serial, name in ((1, "=cmd|' /C calc'!A0"), (4, "+HYPERLINK(1)"), (7, "@SUM(1)"))]
    answer = client_of(edu_taraz).post("/edu/upload/children/", {
        "file": SimpleUploadedFile("c.csv", "\n".join(rows).encode())}, follow=True)
    text = answer.content.decode()
    assert all(f"line {n}: child_name" in text for n in (2, 3, 4))
    assert not Voucher.objects.exists()


def test_a_protocol_corrects_a_name_only_to_a_name(taraz) -> None:
    # covers: A7.4, DESIGN (issue 10, Formulas)
    from goszakaz.verification.models import RiskCaseKind

    voucher = make_voucher(taraz, 1)
    case = RiskCase.objects.create(city=taraz, voucher=voucher, kind=RiskCaseKind.NAME_DIFFERS,
                                   opened_on=dt.date(2024, 5, 3))
    operator = client_of(make_user("opr", Role.OPR))
    answer = operator.post(f"/operator/cases/{case.pk}/", {
        "decision": "corrected", "child_name": "=HYPERLINK(\"http://evil.example\")"})
    assert answer.status_code == 200 and "должно начинаться с буквы" in answer.content.decode()
    voucher.refresh_from_db()
    assert not voucher.child_name.startswith("=")


def disputed_sheet(taraz, clock_at):
    clock_at(dt.date(2024, 4, 30))  # the window (I17)
    school = make_preschool(taraz, 1)
    voucher = make_voucher(taraz, 1)
    sign_contract(voucher=voucher, preschool=school, on=dt.date(2024, 4, 1),
                  actor=Actor.system(Role.PAR), now=NOW)
    return Sheet.objects.create(voucher=voucher, preschool=school, city="taraz",
                                month="2024-04", days="P" * 30)


@pytest.mark.parametrize(("name", "data", "reason", "says"), [
    ("spravka.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "Болел",
     "Документ должен быть файлом PDF, JPEG, PNG или HEIC"),
    ("spravka.pdf", b"%PDF-1.7\n", "x" * 1_000_000, "Причина длиннее 2000 символов"),
    ("spravka.pdf", b"%PDF-1.7\n" + b"0" * (5 * 2**20), "Болел", "не больше 5 МБ"),
])
def test_a_dispute_refuses_an_executable_and_an_endless_reason(taraz, parent, clock_at,
                                                              settings, tmp_path, name, data,
                                                              reason, says) -> None:
    # covers: A7.15, DESIGN (issue 10: a Windows executable renamed .pdf; 1,000,000 characters)
    settings.MEDIA_ROOT = tmp_path
    sheet = disputed_sheet(taraz, clock_at)
    answer = client_of(parent).post(f"/parent/sheets/{sheet.pk}/answer/", {
        "answer": "dispute", "reason": reason, "document": SimpleUploadedFile(name, data)},
        follow=True)
    assert answer.status_code == 200 and says in answer.content.decode()
    sheet.refresh_from_db()
    assert sheet.state == SheetState.OPEN and not Dispute.objects.exists()


def test_a_dispute_takes_a_heic_photo_named_anyhow(taraz, parent, clock_at, settings,
                                                    tmp_path) -> None:
    # covers: A7.15
    settings.MEDIA_ROOT = tmp_path
    sheet = disputed_sheet(taraz, clock_at)
    photo = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100
    client_of(parent).post(f"/parent/sheets/{sheet.pk}/answer/", {
        "answer": "dispute", "reason": "Болел", "document": SimpleUploadedFile("IMG.jpg", photo)})
    assert Dispute.objects.get(sheet=sheet).document.name.endswith(".heic")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2023-12-31"])
def test_the_day_page_outside_the_calendar_says_so(taraz, day) -> None:
    # covers: A7.13, DESIGN (issue 10: /preschool/day/?day=0001-01-01 gave a 500)
    answer = staff_of(make_preschool(taraz, 1)).get(f"/preschool/day/?day={day}")
    assert answer.status_code == 200
    assert "Только даты с 01.01.2024 по 31.12.2027" in answer.content.decode()


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31"])
def test_the_allocation_form_refuses_dates_outside_the_calendar(taraz, edu_taraz, as_of) -> None:
    # covers: T1.4, DESIGN (issue 10: the allocation form accepted 0001-01-01 and 9999-12-31)
    answer = client_of(edu_taraz).post("/edu/allocation/new/", {"volume": 5, "as_of": as_of})
    assert answer.status_code == 200 and "Только даты с 01.01.2024" in answer.content.decode()
    assert not AllocationRun.objects.exists()


@pytest.mark.parametrize("amount", ["12345678901234567", "10000000.01", "9" * 20, "1" * 31])
def test_a_tariff_fits_its_column(taraz, edu_taraz, amount) -> None:
    # covers: A8.1, DESIGN (issue 10: a tariff of 17 digits: bigint out of range)
    answer = client_of(edu_taraz).post("/tariffs/", {
        "kind": "norm", "norm-age_group": "preschool", "norm-stay_mode": "full_day",
        "norm-effective_from": "2024-03-01", "norm-amount": amount})
    text = answer.content.decode()
    assert answer.status_code == 200
    assert "Не больше 10\u00a0000\u00a0000 тенге" in text or "Укажите сумму в тенге" in text
    assert not Norm.objects.exists()
    far = client_of(edu_taraz).post("/tariffs/", {
        "kind": "norm", "norm-age_group": "preschool", "norm-stay_mode": "full_day",
        "norm-effective_from": "0001-01-01", "norm-amount": "60000"})
    assert far.status_code == 200 and "Только даты с" in far.content.decode()


def test_the_queue_import_checks_names_and_lengths(taraz, write_csv) -> None:
    # covers: T1.1, DESIGN (issue 10: names as names; every text fits its column)
    from goszakaz.files import ImportRejected
    from goszakaz.queue.services import import_applications
    from tests.factories import app_row

    birth = dt.date(2021, 3, 4)
    data = [app_row(str(i), birth, f"2023-01-0{i}T10:00:00", i, child_name="Әлия Сәтбаева",
                    parent_iin=PARENT_IIN, parent_phone="+77010000000") for i in range(1, 4)]
    data[0]["child_name"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    data[1]["parent_phone"] = "7" * 33
    data[2]["child_name"] = "  Oʻgʻiloy   Toʻxtayeva "
    with pytest.raises(ImportRejected) as refused:
        import_applications(city=taraz, path=write_csv(data), skip_invalid=False,
                            actor=Actor.system(Role.EDU), now=NOW)
    assert [(e.line, e.field) for e in refused.value.errors] == [(2, "child_name"),
                                                                  (3, "parent_phone")]
    import_applications(city=taraz, path=write_csv(data[2:]), skip_invalid=False,
                        actor=Actor.system(Role.EDU), now=NOW)
    from goszakaz.queue.models import Application

    assert Application.objects.get().child_name == "Oʻgʻiloy Toʻxtayeva"


def test_the_services_take_only_names_as_names(taraz) -> None:
    # covers: A5, A7.4, DESIGN (issue 10: a grant and a protocol's correction, whoever calls them)
    from goszakaz.enrollment.services import EnrollmentError, correct_voucher, grant

    with pytest.raises(EnrollmentError, match="должно начинаться с буквы"):
        grant(city=taraz, child_iin=make_iin(dt.date(2020, 1, 1), 1),
              birth_date=dt.date(2020, 1, 1), parent_iin=PARENT_IIN, source="city_list",
              period_start=dt.date(2024, 3, 1), period_end=None, actor=Actor.system(Role.EDU),
              now=NOW, child_name="=cmd|' /C calc'!A0")
    assert not Voucher.objects.exists()
    voucher = make_voucher(taraz, 1)
    with pytest.raises(EnrollmentError):
        correct_voucher(voucher=voucher, corrections={"child_name": "@SUM(1)"}, protocol="P-1",
                        actor=Actor.system(Role.OPR), now=NOW)
    assert correct_voucher(voucher=voucher, corrections={"child_name": " Әлия  Сәтбаева"},
                           protocol="P-1", actor=Actor.system(Role.OPR), now=NOW)
    voucher.refresh_from_db()
    assert voucher.child_name == "Әлия Сәтбаева"
