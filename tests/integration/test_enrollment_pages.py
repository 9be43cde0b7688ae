"""Enrollment and bank pages: every role against every page (A3), and the steps through the web."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from goszakaz.access.actor import Actor
from goszakaz.banking.models import ChildAccount
from goszakaz.enrollment.models import Contract, VoucherStatus
from goszakaz.enrollment.services import set_status
from goszakaz.registry.models import Bank, Membership, Role
from tests.factories import NOW, make_preschool, make_user, make_voucher

OK, NO, LOGIN = 200, 403, 302
PAGES = ["/edu/perechen/", "/edu/vouchers/", "/parent/vouchers/", "/preschool/",
         "/operator/banks/", "/bank/", "/operator/cases/", "/edu/exclusions/",
         "/preschool/day/", "/parent/sheets/", "/tariffs/", "/tariffs/?city=shymkent", "/preschool/disputes/",
         "/operator/funding/", "/edu/funding/", "/operator/unconfirmed/"]
# role -> expected status per page, in the order of PAGES (an EDU user asking for another
# city's tariffs gets its own city's: the city comes from its membership, not the query)
MATRIX = {
    "anonymous": (LOGIN,) * 16,
    "edu-taraz": (OK, OK, NO, NO, NO, NO, NO, OK, NO, NO, OK, OK, NO, NO, OK, NO),
    "edu-shymkent": (OK, OK, NO, NO, NO, NO, NO, OK, NO, NO, OK, OK, NO, NO, OK, NO),
    "parent": (NO, NO, OK, NO, NO, NO, NO, NO, NO, OK, NO, NO, NO, NO, NO, NO),
    "other-parent": (NO, NO, OK, NO, NO, NO, NO, NO, NO, OK, NO, NO, NO, NO, NO, NO),
    "operator": (NO, NO, NO, NO, OK, NO, OK, NO, NO, NO, OK, OK, NO, OK, NO, OK),
    "halyk": (NO, NO, NO, NO, NO, OK, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO),
    "kaspi": (NO, NO, NO, NO, NO, OK, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO),
    "preschool": (NO, NO, NO, OK, NO, NO, NO, NO, OK, NO, NO, NO, OK, NO, NO, NO),
}


@pytest.fixture
def world(taraz, edu_taraz, edu_shymkent, parent, other_parent):
    halyk = Bank.objects.create(code="halyk", name="Halyk", bin="920140000084")
    kaspi = Bank.objects.create(code="kaspi", name="Kaspi", bin="971240001315")
    school = make_preschool(taraz, 1, capacity=1)
    users = {"edu-taraz": edu_taraz, "edu-shymkent": edu_shymkent, "parent": parent,
             "other-parent": other_parent, "operator": make_user("operator", Role.OPR)}
    for code, bank in (("halyk", halyk), ("kaspi", kaspi)):
        users[code] = make_user(code, Role.BANK)
        Membership.objects.filter(user=users[code]).update(bank=bank)
    users["preschool"] = make_user("preschool", Role.PRE)
    Membership.objects.filter(user=users["preschool"]).update(preschool=school)
    return users, school, halyk


def client_of(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.mark.parametrize("who", list(MATRIX))
def test_every_role_against_every_page(world, who) -> None:
    # covers: A3
    users, _, _ = world
    client = client_of(users.get(who))
    got = tuple(client.get(page).status_code for page in PAGES)
    assert got == MATRIX[who]


def test_from_the_list_to_an_open_account_through_the_web(world, taraz, clock_at) -> None:
    # covers: A4, A6, A7.5, A7.6, A7.10
    clock_at(dt.date(2024, 4, 10))
    users, school, halyk = world
    edu = client_of(users["edu-taraz"])
    bad = edu.post("/edu/perechen/", {"bin": "123456789012", "name": "X", "design_capacity": 5,
                                      "included_on": "2024-03-01"})
    assert "check digit" in bad.content.decode()
    second = make_preschool(taraz, 7, capacity=3, included_on=None)
    edu.post("/edu/perechen/", {"bin": second.bin, "name": second.name, "design_capacity": 3,
                                "included_on": "2024-04-01"})
    second.refresh_from_db()
    assert second.included_on == dt.date(2024, 4, 1)

    mine = make_voucher(taraz, 1)
    theirs = make_voucher(taraz, 2, parent_iin=users["other-parent"].membership.iin)
    parent = client_of(users["parent"])
    assert "Балабақша" in parent.get("/parent/vouchers/").content.decode()
    assert parent.post(f"/parent/vouchers/{theirs.pk}/sign/",
                       {"preschool": school.pk}).status_code == NO
    parent.post(f"/parent/vouchers/{mine.pk}/sign/", {"preschool": school.pk})
    contract = Contract.objects.get(voucher=mine)
    assert (contract.preschool_id, contract.starts_on) == (school.pk, dt.date(2024, 4, 10))
    other = client_of(users["other-parent"])
    full = other.post(f"/parent/vouchers/{theirs.pk}/sign/", {"preschool": school.pk},
                      follow=True)
    assert "проектной мощности" in full.content.decode()
    assert 'id="in-force">1<' in client_of(users["preschool"]).get("/preschool/").content.decode()

    set_status(voucher=mine, to=VoucherStatus.VERIFIED, why="НОБД", actor=Actor.system(Role.OPR), now=NOW)
    client_of(users["operator"]).post("/operator/banks/", {"city": taraz.pk, "bank": halyk.pk})
    account = ChildAccount.objects.get(voucher=mine)
    kaspi = client_of(users["kaspi"])
    assert kaspi.post("/bank/", {"action": "open", "account": account.pk,
                                 "number": "KZ86125KZT5004100100"}).status_code == 404
    bank = client_of(users["halyk"])
    bank.post("/bank/", {"action": "open", "account": account.pk,
                         "number": "KZ86125KZT5004100100", "parent_registered": "on"})
    account.refresh_from_db()
    mine.refresh_from_db()
    assert (account.status, mine.status) == ("opened", "active")
    bank.post("/bank/", {"action": "month", "month": "2024-04"})
    assert "Апрель 2024: 1 / 0" in bank.get("/bank/").content.decode()
    # closing an account asks first, saying what follows (issue 12: one click annulled)
    asked = bank.post("/bank/", {"action": "close", "account": account.pk})
    assert asked.status_code == 200 and "аннулирует госзаказ" in asked.content.decode()
    assert 'name="confirmed" value="1"' in asked.content.decode()
    account.refresh_from_db()
    assert account.status == "opened"
    bank.post("/bank/", {"action": "close", "account": account.pk, "confirmed": "1"})
    account.refresh_from_db()
    mine.refresh_from_db()
    assert (account.status, mine.status) == ("closed", "annulled")
    # covers: A10 (a closed account is not opened again; the page says so in words, issue 12)
    again = bank.post("/bank/", {"action": "open", "account": account.pk,
                                 "number": "KZ86125KZT5004100100"}, follow=True)
    message = again.content.decode().split('class="msg')[1].split("</")[0]
    assert "'closed'" not in message and "opened" not in message, message
    account.refresh_from_db()
    assert account.status == "closed"


def test_life_event_only_in_the_own_city(world, taraz) -> None:
    # covers: A12, A13
    users, _, _ = world
    voucher = make_voucher(taraz, 5)
    other_city = client_of(users["edu-shymkent"])
    page = f"/edu/vouchers/{voucher.pk}/"
    assert other_city.post(page, {"reason": "death", "on": "2024-05-01",
                                  "confirmed": "1"}).status_code == 403
    edu = client_of(users["edu-taraz"])
    # the first post only says what follows (issue 12: a confirmation step) and changes nothing
    asked = edu.post(page, {"reason": "moved_away", "on": "2024-05-01"})
    assert asked.status_code == 200 and b'name="confirmed"' in asked.content
    voucher.refresh_from_db()
    assert voucher.status == "granted"
    edu.post(page, {"reason": "moved_away", "on": "2024-05-01", "confirmed": "1"})
    voucher.refresh_from_db()
    assert (voucher.status, voucher.annulment_reason) == ("annulled", "moved_away")


def test_edu_uploads_the_children_list(world, taraz, tmp_path) -> None:
    # covers: A5, A7.3
    from django.core.files.uploadedfile import SimpleUploadedFile

    from goszakaz.domain.iin import make_iin
    from goszakaz.enrollment.models import Voucher
    from tests.factories import PARENT_IIN

    users, _, _ = world
    edu = client_of(users["edu-taraz"])
    good = make_iin(dt.date(2020, 5, 5), 11)
    header = "child_iin,birth_date,child_name,parent_iin,period_start\n"
    bad = header + f"{good},2020-05-05,Дана,{PARENT_IIN},2024-04-01\n123,2020-05-05,X,1,2024-04-01\n"
    page = edu.post("/edu/upload/children/", {"file": SimpleUploadedFile("l.csv", bad.encode())},
                    follow=True).content.decode()
    assert "line 3" in page and not Voucher.objects.filter(child_iin=good).exists()
    ok = header + f"{good},2020-05-05,Дана,{PARENT_IIN},2024-04-01\n"
    edu.post("/edu/upload/children/", {"file": SimpleUploadedFile("l.csv", ok.encode())})
    assert Voucher.objects.get(child_iin=good).city_id == taraz.pk
    assert client_of(users["parent"]).get("/edu/upload/children/").status_code == 403
    assert edu.get("/edu/upload/nothing/").status_code == 404


@pytest.mark.parametrize("who", list(MATRIX))
def test_no_signed_in_role_reaches_the_bank_api_without_a_token(world, who) -> None:
    # covers: A3
    users, _, _ = world
    client = client_of(users.get(who))
    assert client.get("/api/bank/v1/account-requests").status_code == 401
    assert client.post("/api/bank/v1/monthly-lists", {"month": "2024-04"},
                       content_type="application/json",
                       headers={"Idempotency-Key": "k"}).status_code == 401
