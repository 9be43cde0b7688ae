"""No 500 from input (issue 10): each probe that once ended in a server error, answered now with a
clear message on the page or a 4xx whose body the API declares, nothing changed by it."""

from __future__ import annotations

import json

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from goszakaz.attendance.models import Sheet, SheetState
from goszakaz.banking.models import AccountStatus, ChildAccount
from goszakaz.finance.models import Norm
from tests.integration.test_access_matrix import fingerprint, world  # noqa: F401 - the fixture

BANK_API = "/api/bank/v1"
PRESCHOOL_API = "/api/preschool/v1"


def signed_in(world: dict, who: str, language: str = "ru") -> Client:  # noqa: F811
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(world["users"][who])
    return client


def shown(response) -> list[str]:
    """The messages the next page shows (the response of a POST that redirects)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def api(world: dict, who: str, path: str, body: object, key: str = "k1",  # noqa: F811
        language: str = "ru"):
    return Client().post(path, data=json.dumps(body), content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {world['tokens'][who]}",
                         HTTP_IDEMPOTENCY_KEY=key, HTTP_ACCEPT_LANGUAGE=language)


def test_a_dispute_of_a_confirmed_sheet_is_refused_with_a_message(world) -> None:  # noqa: F811
    # covers: A7.14, A7.15
    client = signed_in(world, "par")
    url = reverse("parent-sheet-answer", kwargs={"sheet_id": world["open_sheet"]})
    assert client.post(url, {"answer": "confirm"}).status_code == 302
    state = fingerprint()
    response = client.post(url, {"answer": "dispute", "reason": "не был"})
    assert response.status_code == 302
    assert any("подтвержд" in m for m in shown(response)), shown(response)
    assert Sheet.objects.get(pk=world["open_sheet"]).state == SheetState.CONFIRMED
    assert fingerprint() == state
    # and the other way: a disputed sheet is not confirmed
    disputed = reverse("parent-sheet-answer", kwargs={"sheet_id": world["disputed"]})
    response = client.post(disputed, {"answer": "confirm"})
    assert response.status_code == 302 and shown(response)
    assert Sheet.objects.get(pk=world["disputed"]).state == SheetState.DISPUTED


def test_the_bank_api_refuses_to_open_a_closed_account(world) -> None:  # noqa: F811
    # covers: A7.6, A10
    account = ChildAccount.objects.get(pk=world["account"])
    opened = {"account_id": account.pk, "number": "KZ86125KZT5004100100",
              "opened_on": "2024-03-25", "parent_registered": True}
    assert api(world, "bank", f"{BANK_API}/accounts/opened", opened, "a").status_code == 200
    closed = {"account_id": account.pk, "closed_on": "2024-05-10"}
    assert api(world, "bank", f"{BANK_API}/accounts/closed", closed, "b").status_code == 200
    state = fingerprint()
    again = {**opened, "number": "KZ86125KZT5004100199"}
    response = api(world, "bank", f"{BANK_API}/accounts/opened", again, "c")
    assert response.status_code == 409, response.content
    assert set(response.json()) >= {"detail"} and response.json()["detail"]
    response = api(world, "bank", f"{BANK_API}/accounts/opened", opened, "d")  # the old number
    assert response.status_code in (200, 409), response.content
    assert ChildAccount.objects.get(pk=account.pk).status == AccountStatus.CLOSED
    assert fingerprint() == state


@pytest.mark.parametrize("amount", ["99999999999999999", "12345678901234567.89", "1e400",
                                    "-5", "0", "NaN", "Infinity", "٣٠٠٠"])
def test_a_tariff_out_of_range_is_refused_on_the_form(world, amount) -> None:  # noqa: F811
    # covers: A8.1
    client = signed_in(world, "edu")
    before = Norm.objects.count()
    response = client.post(reverse("tariffs"), {
        "kind": "norm", "norm-age_group": "early", "norm-stay_mode": "full_day",
        "norm-effective_from": "2025-01-01", "norm-amount": amount})
    assert response.status_code == 200
    assert response.context["norm_form"].errors.get("amount") or shown(response)
    assert Norm.objects.count() == before


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2024-02-30", "abc", "1900-01-01"])
def test_the_day_page_answers_any_day(world, day) -> None:  # noqa: F811
    # covers: A7.13
    client = signed_in(world, "pre")
    response = client.get(reverse("preschool-day"), {"day": day})
    assert response.status_code == 200
    state = fingerprint()
    response = client.post(reverse("preschool-day"), {"day": day, world["mark-pupil"]: "P"})
    assert response.status_code == 302 and shown(response)
    assert fingerprint() == state


@pytest.mark.parametrize("preschool", ["abc", "", "-1", "99999999999999999999", "1.5"])
def test_the_contract_form_answers_a_bad_preschool(world, preschool) -> None:  # noqa: F811
    # covers: A7.10
    client = signed_in(world, "par")
    state = fingerprint()
    response = client.post(reverse("parent-sign", kwargs={"voucher_id": world["voucher"]}),
                           {"preschool": preschool})
    assert response.status_code in (302, 404), response.status_code
    assert fingerprint() == state


@pytest.mark.parametrize("action", ["open", "close"])
@pytest.mark.parametrize("account", ["abc", "", "99999999999999999999", "-3"])
def test_the_bank_cabinet_answers_a_bad_account(world, action, account) -> None:  # noqa: F811
    # covers: A7.6, A10
    client = signed_in(world, "bank")
    state = fingerprint()
    response = client.post(reverse("bank-cabinet"), {"action": action, "account": account,
                                                     "number": "KZ86125KZT5004100100"})
    assert response.status_code in (302, 404), response.status_code
    if response.status_code == 302:
        assert shown(response)
    assert fingerprint() == state


def test_the_preschool_apis_422_matches_its_declared_schema(world) -> None:  # noqa: F811
    # covers: A7.13
    for body in ({"marks": [{"child_iin": "abc", "day": "2024-13-01", "code": "P"}]},
                 {"marks": []}, {}, ["not", "an", "object"]):
        response = api(world, "pre", f"{PRESCHOOL_API}/marks", body)
        assert response.status_code == 422, response.content
        answer = response.json()
        assert isinstance(answer["detail"], str) and answer["detail"]
        for problem in answer.get("errors", []):
            assert isinstance(problem["field"], str) and isinstance(problem["detail"], str)
    first = api(world, "pre", f"{PRESCHOOL_API}/marks",
                {"marks": [{"child_iin": "abc", "day": "2024-13-01", "code": "P"}]}).json()
    assert {(e["index"], e["field"]) for e in first["errors"]} == {(0, "child_iin"), (0, "day")}
    assert "Проверьте" in first["detail"] or "не" in first["detail"], first


def test_the_api_documents_400_401_and_422_on_every_operation() -> None:
    # covers: A7.13, A7.6
    schema = Client().get("/api/openapi.json").json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert {"400", "401", "422"} <= set(operation["responses"]), (method, path)


def test_a_decided_allocation_is_not_decided_again(world) -> None:  # noqa: F811
    # covers: A5
    client = signed_in(world, "edu")
    url = reverse("edu-allocation-decide", kwargs={"run_id": world["run_preview"]})
    assert client.post(url, {"decision": "discard"}).status_code == 302
    state = fingerprint()
    response = client.post(url, {"decision": "confirm"})
    assert response.status_code == 302
    assert any("отмен" in m.lower() for m in shown(response)), shown(response)
    assert fingerprint() == state


def test_a_case_the_operator_did_not_flag_is_not_excluded(world) -> None:  # noqa: F811
    # covers: A7.4
    client = signed_in(world, "edu")
    state = fingerprint()
    response = client.post(reverse("edu-exclude", kwargs={"case_id": world["open_case"]}))
    assert response.status_code == 302 and shown(response)
    assert fingerprint() == state


def test_null_characters_are_refused_before_any_view_reads_them(world) -> None:  # noqa: F811
    # covers: A7.15, A7.4
    state = fingerprint()
    url = reverse("parent-sheet-answer", kwargs={"sheet_id": world["open_sheet"]})
    response = signed_in(world, "par").post(url, {"answer": "dispute", "reason": "a\x00b"})
    assert response.status_code == 400 and "нулевой символ" in response.content.decode()
    url = reverse("operator-case", kwargs={"case_id": world["open_case"]})
    response = signed_in(world, "opr").post(url, {"decision": "confirmed", "note\x00": "a"})
    assert response.status_code == 400
    response = signed_in(world, "opr").get(reverse("tariffs"), {"city": "taraz\x00"})
    assert response.status_code == 400
    response = Client().post(reverse("login"), {"username": "edu\x00", "password": "x"})
    assert response.status_code == 400
    assert fingerprint() == state


def test_an_api_body_over_the_limit_gets_413_in_the_declared_shape(world, settings) -> None:  # noqa: F811
    # covers: A7.13
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2**20
    marks = [{"child_iin": "123456789012", "day": "2024-05-03", "code": "P"}] * 20_000
    response = api(world, "pre", f"{PRESCHOOL_API}/marks", {"marks": marks})
    assert response.status_code == 413
    assert response.json() == {"detail": "Запрос больше 1 МБ: отправьте его частями поменьше.",
                               "errors": []}


# Every date field of every form, with the far dates of the probes: refused or accepted, the page
# answers (the bounds themselves are the Limits of issue 10).
FAR_DATES = {
    "edu-allocation-new": ("edu", {}, {"volume": "1", "as_of": "{d}"}),
    "edu-perechen": ("edu", {}, {"bin": "bin_edu", "name": "Балабақша",
                                 "design_capacity": "10", "included_on": "{d}"}),
    "edu-voucher": ("edu", {"voucher_id": "voucher"},
                    {"reason": "moved_away", "on": "{d}", "confirmed": "1"}),
    "tariffs": ("edu", {}, {"kind": "fee", "fee-preschool": "school",
                            "fee-effective_from": "{d}", "fee-amount": "100"}),
    "operator-case": ("opr", {"case_id": "open_case"},
                      {"decision": "corrected", "birth_date": "{d}", "number": "1"}),
}


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1900-02-28", "2100-01-01"])
@pytest.mark.parametrize("name", list(FAR_DATES))
def test_far_dates_in_every_date_field_get_an_answer(world, name, day) -> None:  # noqa: F811
    # covers: A5, A4, A12, A8.1, A7.4
    who, kwargs, data = FAR_DATES[name]
    url = reverse(name, kwargs={k: world[v] for k, v in kwargs.items()})
    body = {k: str(world.get(v, v)).replace("{d}", day) for k, v in data.items()}
    response = signed_in(world, who).post(url, body)
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert response.content.rstrip().endswith(b"</html>")
