"""The bank API over real HTTP: tokens, own accounts only, idempotency keys, the monthly list (A7.5-A7.10)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from goszakaz.access.actor import Actor
from goszakaz.audit.models import AuditEntry
from goszakaz.banking.models import AccountStatus, ChildAccount
from goszakaz.deadlines.models import Deadline
from goszakaz.enrollment.models import AnnulmentReason, VoucherStatus
from goszakaz.enrollment.services import annul, set_status
from goszakaz.notifications.models import Notification
from goszakaz.registry.models import Bank, Role
from goszakaz.verification.models import RiskCase
from goszakaz.workflows.onboarding import issue_api_token, send_to_bank
from tests.factories import NOW, OPR, PARENT_IIN, Api, make_voucher, pilot_city

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
IBAN = "KZ86125KZT5004100100"


@pytest.fixture
def setup(live_server):
    with transaction.atomic():
        taraz = pilot_city("taraz")
        bank = Bank.objects.create(code="halyk", name="Halyk", bin="920140000084")
        other = Bank.objects.create(code="kaspi", name="Kaspi", bin="971240001315")
        vouchers = [make_voucher(taraz, i) for i in (1, 2, 3)]
        for v in vouchers:
            set_status(voucher=v, to=VoucherStatus.VERIFIED, why="НОБД", actor=Actor.system("OPR"), now=NOW)
        assert send_to_bank(city=taraz, bank=bank, on=dt.date(2024, 3, 10), actor=Actor.system(Role.OPR),
                            now=NOW) == 3
        assert send_to_bank(city=taraz, bank=bank, on=dt.date(2024, 3, 11), actor=Actor.system(Role.OPR),
                            now=NOW) == 0
    return (Api(live_server.url, issue_api_token(bank=bank, actor=OPR, now=NOW)),
            Api(live_server.url, issue_api_token(bank=other, actor=OPR, now=NOW)), vouchers)


def test_bank_opens_accounts_from_its_list(setup) -> None:
    # covers: A7.5, A7.6, A7.7
    halyk, kaspi, vouchers = setup
    status, rows = halyk.call("GET", "/account-requests")
    assert status == 200 and len(rows) == 3
    assert set(rows[0]) == {"account_id", "child_iin", "child_name", "birth_date", "parent_iin",
                            "requested_on"}
    assert kaspi.call("GET", "/account-requests") == (200, [])
    # a page at a time: after the last account id of the page, until a short page
    ids = [r["account_id"] for r in rows]
    assert ids == sorted(ids)
    assert [r["account_id"] for r in halyk.call("GET", "/account-requests?limit=2")[1]] == ids[:2]
    assert [r["account_id"] for r in halyk.call(
        "GET", f"/account-requests?limit=2&after={ids[1]}")[1]] == ids[2:]
    assert halyk.call("GET", f"/account-requests?after={ids[2]}") == (200, [])
    assert halyk.call("GET", "/account-requests?limit=0")[0] == 422
    assert halyk.call("GET", "/account-requests?limit=10001")[0] == 422
    first = rows[0]["account_id"]
    body = {"account_id": first, "number": IBAN, "opened_on": "2024-03-12",
            "parent_registered": True}
    assert halyk.call("POST", "/accounts/opened", body, key="k-1") == (
        200, {"account_id": first, "status": "opened"})
    assert halyk.call("POST", "/accounts/opened", body, key="k-1")[0] == 200  # a repeat
    changed = dict(body, opened_on="2024-03-13")
    assert halyk.call("POST", "/accounts/opened", changed, key="k-1")[0] == 409
    vouchers[0].refresh_from_db()
    assert vouchers[0].status == VoucherStatus.ACTIVE
    assert Notification.objects.filter(kind="bank_instructions", recipient_key=PARENT_IIN
                                       ).count() == 3
    # One account per child: another number for the same child is refused.
    second = dict(body, number="KZ86125KZT5004100101")
    assert halyk.call("POST", "/accounts/opened", second, key="k-2")[0] == 409


def test_a_batch_opens_each_account_and_refuses_one_in_its_place(setup) -> None:
    # covers: A7.6, A7.7
    halyk, kaspi, vouchers = setup
    ids = list(ChildAccount.objects.order_by("pk").values_list("pk", flat=True))
    opened = [{"account_id": i, "number": f"KZ86125KZT50041001{n:02d}", "opened_on": "2024-03-12",
               "parent_registered": True} for n, i in enumerate(ids)]
    opened[1]["opened_on"] = "2024-03-09"  # before the request of 10.03.2024
    body = {"accounts": opened}
    # another bank's message with these accounts: not found, whole, nothing opened
    assert kaspi.call("POST", "/accounts/opened/batch", body, key="b")[0] == 404
    assert not ChildAccount.objects.filter(status=AccountStatus.OPENED).exists()
    status, answer = halyk.call("POST", "/accounts/opened/batch", body, key="b-1")
    assert status == 200
    assert [(r["account_id"], r["status"], r["error"]) for r in answer["results"]] == [
        (ids[0], "opened", None), (ids[1], "refused", 422), (ids[2], "opened", None)]
    assert "10.03.2024" in answer["results"][1]["detail"] or "2024-03-10" in answer[
        "results"][1]["detail"]
    assert halyk.call("POST", "/accounts/opened/batch", body, key="b-1") == (200, answer)
    assert dict(ChildAccount.objects.values_list("pk", "status")) == {
        ids[0]: "opened", ids[1]: "requested", ids[2]: "opened"}
    for v in vouchers:
        v.refresh_from_db()
    assert [v.status for v in vouchers] == [VoucherStatus.ACTIVE, VoucherStatus.ACCOUNT_REQUESTED,
                                            VoucherStatus.ACTIVE]
    # the refused one sent again with its right date: opened; the others' repeat is a no-op
    opened[1]["opened_on"] = "2024-03-11"
    status, answer = halyk.call("POST", "/accounts/opened/batch", body, key="b-2")
    assert [r["status"] for r in answer["results"]] == ["opened"] * 3
    assert halyk.call("POST", "/accounts/opened/batch", {"accounts": []}, key="b-3")[0] == 422
    too_many = {"accounts": [opened[0]] * 1001}
    assert halyk.call("POST", "/accounts/opened/batch", too_many, key="b-4")[0] == 422


def test_a_batch_refuses_a_number_twice_a_changed_number_and_an_annulled_child(setup) -> None:
    # covers: A7.6, A7.7, A13
    halyk, _, vouchers = setup
    ids = list(ChildAccount.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        annul(voucher=vouchers[2], reason=AnnulmentReason.DEATH, on=dt.date(2024, 3, 11),
              actor=OPR, now=NOW)
    # the annulled child is no longer among the accounts to open
    assert [r["account_id"] for r in halyk.call("GET", "/account-requests")[1]] == ids[:2]
    day = {"opened_on": "2024-03-12", "parent_registered": True}
    body = {"accounts": [{"account_id": ids[0], "number": IBAN, **day},
                         {"account_id": ids[1], "number": IBAN, **day},  # the same number
                         {"account_id": ids[2], "number": "KZ86125KZT5004100102", **day}]}
    status, answer = halyk.call("POST", "/accounts/opened/batch", body, key="t-1")
    assert status == 200
    assert [(r["status"], r["error"]) for r in answer["results"]] == [
        ("opened", None), ("refused", 409), ("refused", 409)]
    assert "already used" in answer["results"][1]["detail"]
    assert dict(ChildAccount.objects.values_list("pk", "status")) == {
        ids[0]: "opened", ids[1]: "requested", ids[2]: "requested"}
    # the first again under a new key: open already, the same number; another number: refused
    again = {"accounts": [{"account_id": ids[0], "number": IBAN, **day},
                          {"account_id": ids[1], "number": "KZ86125KZT5004100101", **day}]}
    assert [r["status"] for r in halyk.call("POST", "/accounts/opened/batch", again,
                                             key="t-2")[1]["results"]] == ["opened", "opened"]
    other = {"accounts": [{"account_id": ids[0], "number": "KZ86125KZT5004100109", **day}]}
    assert halyk.call("POST", "/accounts/opened/batch", other, key="t-3")[1]["results"][0][
        "error"] == 409
    assert ChildAccount.objects.get(pk=ids[0]).number == IBAN
    # one audit row per account opened, as the single message leaves
    assert AuditEntry.objects.filter(action="account.opened").count() == 2
    # an account twice in one message: the message is refused whole, nothing changes
    twice = {"accounts": [{"account_id": ids[1], "number": "KZ86125KZT5004100101", **day},
                          {"account_id": ids[1], "number": "KZ86125KZT5004100101",
                           "opened_on": "2099-01-01", "parent_registered": True}]}
    assert halyk.call("POST", "/accounts/opened/batch", twice, key="t-4")[0] == 422
    # the child of an open account annulled later: the opening sent again is open already,
    # as the single message answers, not refused for the voucher
    with transaction.atomic():
        annul(voucher=vouchers[0], reason=AnnulmentReason.MOVED, on=dt.date(2024, 4, 1),
              actor=OPR, now=NOW)
    single = {"account_id": ids[0], "number": IBAN, **day}
    assert halyk.call("POST", "/accounts/opened", single, key="t-5")[0] == 200
    assert halyk.call("POST", "/accounts/opened/batch", {"accounts": [single]}, key="t-6") == (
        200, {"results": [{"account_id": ids[0], "status": "opened", "error": None,
                           "detail": None}]})


def test_a_bank_reaches_only_its_own_accounts(setup) -> None:
    # covers: A3, A7.6
    halyk, kaspi, _ = setup
    account = ChildAccount.objects.first()
    body = {"account_id": account.pk, "number": IBAN, "opened_on": "2024-03-12",
            "parent_registered": True}
    assert kaspi.call("POST", "/accounts/opened", body, key="x")[0] == 404
    assert kaspi.call("POST", "/accounts/closed", {"account_id": account.pk,
                                                   "closed_on": "2024-04-01"}, key="y")[0] == 404
    bad = Api(halyk.base.removesuffix("/api/bank/v1"), "not-a-token")
    assert bad.call("GET", "/account-requests")[0] == 401
    account.refresh_from_db()
    assert account.status == AccountStatus.REQUESTED


def test_malformed_requests_get_4xx(setup) -> None:
    halyk, _, _ = setup
    assert halyk.call("POST", "/accounts/opened", {"account_id": 1}, key="a")[0] == 422
    assert halyk.call("POST", "/accounts/opened", raw=b"{not json", key="b")[0] in (400, 422)
    good = {"account_id": 1, "number": IBAN, "opened_on": "2024-03-12", "parent_registered": True}
    assert halyk.call("POST", "/accounts/opened", good)[0] == 422  # no Idempotency-Key
    assert halyk.call("POST", "/monthly-lists", {"month": "2024-13"}, key="c")[0] == 422


def test_closing_the_account_annuls_the_voucher(setup) -> None:
    # covers: A10
    halyk, _, vouchers = setup
    account = ChildAccount.objects.get(voucher=vouchers[1])
    halyk.call("POST", "/accounts/opened", {"account_id": account.pk, "number": IBAN,
                                            "opened_on": "2024-03-12",
                                            "parent_registered": True}, key="o")
    assert halyk.call("POST", "/accounts/closed", {"account_id": account.pk,
                                                   "closed_on": "2024-05-20"}, key="c") == (
        200, {"account_id": account.pk, "status": "closed"})
    vouchers[1].refresh_from_db()
    assert (vouchers[1].status, vouchers[1].annulment_reason) == ("annulled",
                                                                  "account_contract_ended")
    assert vouchers[1].annulled_on == dt.date(2024, 5, 21)


def test_monthly_list_marks_direct_payment_and_meets_the_deadline(setup, clock_at) -> None:
    # covers: A7.9
    clock_at(dt.date(2024, 4, 4))
    halyk, _, _ = setup
    ids = list(ChildAccount.objects.order_by("pk").values_list("pk", flat=True))
    body = {"month": "2024-04", "opened": ids[:2], "parents_not_registered": ids[2:]}
    assert halyk.call("POST", "/monthly-lists", body, key="m-4")[0] == 200
    assert halyk.call("POST", "/monthly-lists", body, key="m-4")[0] == 200
    assert list(ChildAccount.objects.filter(direct_payment=True).values_list("pk", flat=True)) == (
        ids[2:])
    cases = RiskCase.objects.filter(kind="parent_not_registered")
    assert cases.count() == 1 and cases.get().voucher_id == ChildAccount.objects.get(
        pk=ids[2]).voucher_id
    deadline = Deadline.objects.get(clause="A7.9")
    assert (deadline.due_on, deadline.state, deadline.met_on) == (
        dt.date(2024, 4, 5), "met", dt.date(2024, 4, 4))
    assert halyk.call("POST", "/monthly-lists", dict(body, opened=[999999]), key="m-5")[0] == 409


def test_preschools_are_invited_and_register_once(setup) -> None:
    # covers: A7.8
    halyk, _, _ = setup
    from goszakaz.banking.services import invite_preschools
    from goszakaz.registry.models import BankRegistration
    from tests.factories import make_preschool

    taraz = pilot_city("taraz")
    bank = Bank.objects.get(code="halyk")
    with transaction.atomic():
        school = make_preschool(taraz, 3)
        make_preschool(taraz, 4, included_on=None)  # not on the Перечень: not invited
        assert invite_preschools(bank=bank, city=taraz, on=dt.date(2024, 3, 5), now=NOW) == 1
        assert invite_preschools(bank=bank, city=taraz, on=dt.date(2024, 3, 6), now=NOW) == 0
    note = Notification.objects.get(kind="bank_registration_invite")
    assert (note.recipient_role, note.recipient_key) == ("PRE", school.bin)
    body = {"preschool_bin": school.bin, "registered_on": "2024-03-07"}
    assert halyk.call("POST", "/preschools/registered", body, key="r1") == (
        200, {"account_id": None, "status": "registered"})
    assert halyk.call("POST", "/preschools/registered", dict(body, registered_on="2024-03-09"),
                      key="r2")[1]["status"] == "already registered"
    reg = BankRegistration.objects.get()
    assert reg.registered_on == dt.date(2024, 3, 7)
    assert halyk.call("POST", "/preschools/registered", {"preschool_bin": "000000000000",
                                                          "registered_on": "2024-03-07"},
                      key="r3")[0] == 409
