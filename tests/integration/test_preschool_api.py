"""The sheet API for preschools' own systems over real HTTP: tokens, own children only, marks
all or nothing with every refused one named, idempotency keys (A7.13)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from goszakaz.access.actor import Actor
from goszakaz.attendance.models import Sheet, SheetState
from goszakaz.enrollment.services import sign_contract
from goszakaz.registry.models import Role
from goszakaz.workflows.onboarding import issue_api_token
from tests.factories import NOW, OPR, Api, make_preschool, make_voucher, pilot_city

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PREFIX = "/api/preschool/v1"


@pytest.fixture
def setup(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with transaction.atomic():
        taraz = pilot_city("taraz")
        school, other = make_preschool(taraz, 1, capacity=5), make_preschool(taraz, 2)
        ours = [make_voucher(taraz, s) for s in (1, 4)]
        theirs = make_voucher(taraz, 7)
        for v in ours:
            sign_contract(voucher=v, preschool=school, on=dt.date(2024, 4, 10), actor=Actor.system(Role.PAR),
                          now=NOW)
        sign_contract(voucher=theirs, preschool=other, on=dt.date(2024, 4, 1), actor=Actor.system(Role.PAR),
                      now=NOW)
    return (Api(live_server.url, issue_api_token(preschool=school, actor=OPR, now=NOW), PREFIX),
            Api(live_server.url, issue_api_token(preschool=other, actor=OPR, now=NOW), PREFIX), ours, theirs)


def test_a_preschool_reads_its_childrens_sheets_only(setup) -> None:
    # covers: A7.13, A3
    api, other, ours, theirs = setup
    status, rows = api.call("GET", "/sheets?month=2024-04")
    assert status == 200
    assert sorted(r["child_iin"] for r in rows) == sorted(v.child_iin for v in ours)
    assert rows[0] == {"child_iin": rows[0]["child_iin"], "month": "2024-04", "days": "." * 30,
                       "state": "open", "version": 0, "contract_from": "2024-04-10",
                       "contract_to": None}
    assert [r["child_iin"] for r in other.call("GET", "/sheets?month=2024-04")[1]] == [
        theirs.child_iin]
    assert api.call("GET", "/sheets?month=2024-13")[0] == 422
    assert Api(api.base[:-len(PREFIX)], "wrong", PREFIX).call(
        "GET", "/sheets?month=2024-04")[0] == 401


def test_marks_go_in_and_a_repeat_changes_nothing(setup) -> None:
    # covers: A7.13
    api, _, ours, _ = setup
    iin = ours[0].child_iin
    body = {"marks": [{"child_iin": iin, "day": "2024-04-10", "code": "P"},
                      {"child_iin": iin, "day": "2024-04-11", "code": "S"},
                      {"child_iin": ours[1].child_iin, "day": "2024-04-11", "code": "V"}]}
    assert api.call("POST", "/marks", body, key="day-1") == (200, {"marked": 3, "changed": 3})
    assert api.call("POST", "/marks", body, key="day-1") == (200, {"marked": 3, "changed": 3})
    sheet = Sheet.objects.get(voucher=ours[0], month="2024-04")
    assert sheet.days[9:11] == "PS" and sheet.version == 2  # one new version a batch
    assert api.call("POST", "/marks", dict(body, marks=body["marks"][:1]), key="day-1")[0] == 409
    # the same marks under a new key: accepted, nothing changes
    assert api.call("POST", "/marks", body, key="day-1b") == (200, {"marked": 3, "changed": 0})
    assert Sheet.objects.get(pk=sheet.pk).version == 2
    status, rows = api.call("GET", "/sheets?month=2024-04")
    assert {r["child_iin"]: r["days"][9:11] for r in rows} == {iin: "PS",
                                                              ours[1].child_iin: ".V"}


def test_a_batch_with_bad_marks_is_refused_whole_naming_each(setup) -> None:
    # covers: A7.13
    api, _, ours, theirs = setup
    iin = ours[0].child_iin
    body = {"marks": [{"child_iin": iin, "day": "2024-04-10", "code": "P"},
                      {"child_iin": iin, "day": "2024-04-13", "code": "P"},  # a Saturday
                      {"child_iin": iin, "day": "2024-04-12", "code": "X"},
                      {"child_iin": iin, "day": "2024-04-09", "code": "P"},  # before contract
                      {"child_iin": theirs.child_iin, "day": "2024-04-12", "code": "P"}]}
    status, answer = api.call("POST", "/marks", body, key="bad")
    assert status == 422
    assert answer["detail"] == "4 of 5 mark(s) refused; nothing was saved."
    assert [(e["index"], e["field"]) for e in answer["errors"]] == [
        (1, "day"), (2, "code"), (3, "day"), (4, "child_iin")]
    assert "2024-04-13 is not a working day" in answer["errors"][0]["detail"]
    assert not Sheet.objects.filter(voucher=ours[0]).exists()
    # an error is not stored: the same key may be used again once the batch is fixed
    assert api.call("POST", "/marks", dict(body, marks=body["marks"][:1]), key="bad")[0] == 200
    ru = Api(api.base[:-len(PREFIX)], api.token, PREFIX, language="ru")
    status, answer = ru.call("POST", "/marks", {"marks": body["marks"][2:3]}, key="bad-ru")
    assert status == 422 and "Неизвестная отметка" in answer["errors"][0]["detail"]


def test_a_sheet_no_longer_open_takes_no_marks(setup) -> None:
    # covers: A7.13, A7.14
    api, _, ours, _ = setup
    body = {"marks": [{"child_iin": ours[0].child_iin, "day": "2024-04-10", "code": "P"}]}
    assert api.call("POST", "/marks", body, key="k1")[0] == 200
    Sheet.objects.filter(voucher=ours[0]).update(state=SheetState.CONFIRMED)
    body["marks"][0]["code"] = "A"
    status, answer = api.call("POST", "/marks", body, key="k2")
    assert status == 422 and answer["errors"][0]["detail"] == "The sheet is no longer open."


def test_the_operator_issues_tokens_from_the_command_line(setup, capsys) -> None:
    # covers: A7.13
    from goszakaz.cli import main

    api, _, ours, _ = setup
    school = ours[0].contracts.get().preschool
    assert main(["issue-token", "--preschool", school.bin]) == 0
    token = capsys.readouterr().out.strip()
    fresh = Api(api.base[:-len(PREFIX)], token, PREFIX)
    assert fresh.call("GET", "/sheets?month=2024-04")[0] == 200
    assert main(["issue-token", "--preschool", "000000000000"]) == 2
    assert "no preschool with BIN" in capsys.readouterr().err
    assert main(["issue-token", "--bank", "nosuch"]) == 2
