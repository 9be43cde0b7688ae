"""Every role against every page and API operation (A3, DESIGN rule 6): who is refused, who gets it
done, and that every view and operation declares its Action and leaves its audit row."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from goszakaz.access.actor import Actor
from goszakaz.api.auth import Allowed
from goszakaz.api.root import api
from goszakaz.api.tokens import issue_token
from goszakaz.attendance.services import dispute, mark
from goszakaz.audit.models import AuditEntry
from goszakaz.banking.models import ChildAccount
from goszakaz.enrollment.models import VoucherStatus
from goszakaz.enrollment.services import set_status, sign_contract
from goszakaz.finance.funding import build_request
from goszakaz.finance.tariffs import set_norm
from goszakaz.queue.services import import_applications, preview_allocation
from goszakaz.registry.models import Bank, Membership, Role
from goszakaz.verification.checks import Mismatch
from goszakaz.verification.models import RiskCaseKind
from goszakaz.verification.services import open_case, request_exclusion
from tests.factories import (
    EDU,
    NOW,
    OPR,
    PAR,
    PRE,
    WORKING,
    app_row,
    make_preschool,
    make_user,
    make_voucher,
    pilot_city,
    write_applications,
)

SIGNED_IN = ["edu", "edu_other", "opr", "bank", "bank_other", "pre", "pre_other", "par",
             "par_other"]
EVERYONE = ["anonymous", *SIGNED_IN]
EDUS = {"edu", "edu_other"}
PARENTS = {"par", "par_other"}
PRESCHOOLS = {"pre", "pre_other"}
BANKS = {"bank", "bank_other"}

# Every page: route name -> (its URL arguments, {method: (who gets it done, POST data)}).
# Everyone else is refused: 403 (404 for another's object), the anonymous sent to sign in.
PAGES: dict[str, tuple[dict[str, str], dict[str, tuple[set[str], dict[str, str]]]]] = {
    "home": ({}, {"GET": (set(SIGNED_IN), {})}),
    "edu-queue": ({}, {"GET": (EDUS, {})}),
    "edu-actualize": ({}, {"POST": (EDUS, {})}),
    "edu-allocation-new": ({}, {"GET": (EDUS, {}),
                                "POST": (EDUS, {"volume": "1", "as_of": "2024-08-01"})}),
    "edu-allocation": ({"run_id": "run"}, {"GET": ({"edu"}, {})}),
    "edu-allocation-decide": ({"run_id": "run"}, {"POST": ({"edu"}, {"decision": "discard"})}),
    "parent-cabinet": ({}, {"GET": (PARENTS, {})}),
    "parent-vouchers": ({}, {"GET": (PARENTS, {})}),
    "parent-sign": ({"voucher_id": "voucher"}, {"POST": ({"par"}, {"preschool": "school"})}),
    "edu-perechen": ({}, {"GET": (EDUS, {}), "POST": (EDUS, {})}),
    "edu-vouchers": ({}, {"GET": (EDUS, {}), "POST": ({"edu"}, {"run": "run"})}),
    "edu-upload": ({"kind": "children"}, {"GET": (EDUS, {}), "POST": (EDUS, {})}),
    "preschool-pupils": ({}, {"GET": (PRESCHOOLS, {})}),
    "preschool-day": ({}, {"GET": (PRESCHOOLS, {}), "POST": (PRESCHOOLS, {"day": "2024-04-02"})}),
    "preschool-disputes": ({}, {"GET": (PRESCHOOLS, {})}),
    "preschool-dispute-answer": ({"sheet_id": "sheet"},
                                 {"POST": ({"pre"}, {"answer": "disagree"})}),
    "preschool-upload": ({}, {"POST": (PRESCHOOLS, {})}),
    "parent-sheets": ({}, {"GET": (PARENTS, {})}),
    "parent-sheet-answer": ({"sheet_id": "sheet"}, {"POST": ({"par"}, {"answer": "confirm"})}),
    "operator-banks": ({}, {"GET": ({"opr"}, {}), "POST": ({"opr"}, {})}),
    "bank-cabinet": ({}, {"GET": (BANKS, {}), "POST": (BANKS, {"action": "none"})}),
    "operator-cases": ({}, {"GET": ({"opr"}, {}), "POST": ({"opr"}, {})}),
    "operator-case": ({"case_id": "case"}, {"GET": ({"opr"}, {}), "POST": ({"opr"}, {})}),
    "operator-unconfirmed": ({}, {"GET": ({"opr"}, {})}),
    "operator-funding": ({}, {"GET": ({"opr"}, {}), "POST": ({"opr"}, {})}),
    "edu-funding": ({}, {"GET": (EDUS, {})}),
    "funding-request": ({"request_id": "request"}, {"GET": ({"opr", "edu"}, {})}),
    "funding-step": ({"request_id": "request"}, {"POST": ({"edu"}, {})}),  # sent: EDU transfers
    "tariffs": ({}, {"GET": (EDUS | {"opr"}, {}), "POST": (EDUS | {"opr"}, {})}),
    "edu-exclusions": ({}, {"GET": (EDUS, {})}),
    "edu-exclude": ({"case_id": "case"}, {"POST": ({"edu"}, {})}),
}
# The pages that show children's personal data to staff: each read leaves an audit row naming
# who read which children (DESIGN rule 11). A page whose list is empty reads no one.
READS = {"edu-vouchers", "preschool-pupils", "preschool-day", "preschool-disputes",
         "bank-cabinet", "operator-cases", "operator-case", "edu-exclusions", "funding-request",
         "parent-cabinet", "parent-vouchers"}
CHILD = "200101******"  # how the pages show the world's children (born 2020-01-01)
# Outside the matrix, by design: sign-in and sign-out, the language switch, the admin of
# reference data (Django's own staff checks), the API (its operations are checked below).
PUBLIC = {"login", "logout", "set_language"}

# Every API operation: (method, path, body, the tokens that get it done); other tokens and
# requests without one are refused (401, or 404 for another bank's account).
API = [
    ("GET", "/api/bank/v1/account-requests", None, {"bank", "bank_other"}),
    ("POST", "/api/bank/v1/accounts/opened",
     {"account_id": "account", "number": "KZ86125KZT5004100100", "opened_on": "2024-03-25",
      "parent_registered": True}, {"bank"}),
    ("POST", "/api/bank/v1/accounts/closed",
     {"account_id": "account", "closed_on": "2024-12-31"}, {"bank"}),
    ("POST", "/api/bank/v1/monthly-lists",
     {"month": "2024-05", "opened": [], "parents_not_registered": []}, {"bank", "bank_other"}),
    ("POST", "/api/bank/v1/preschools/registered",
     {"preschool_bin": "school_bin", "registered_on": "2024-03-05"}, {"bank", "bank_other"}),
    ("GET", "/api/preschool/v1/sheets?month=2024-04", None, {"pre", "pre_other"}),
    ("POST", "/api/preschool/v1/marks",
     {"marks": [{"child_iin": "pupil_iin", "day": "2024-04-02", "code": "P"}]}, {"pre"}),
]


def routes(patterns: list[URLPattern | URLResolver], prefix: str = "",
           namespace: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    """(route, namespace, pattern) of every URL pattern, resolvers walked."""
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from routes(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        else:
            yield prefix + str(p.pattern), namespace, p


def test_every_page_declares_its_action_and_is_in_the_matrix() -> None:
    # covers: A3
    undeclared, unlisted = [], []
    for route, namespace, p in routes(get_resolver().url_patterns):
        if namespace in ("admin", "api") or p.name in PUBLIC:
            continue
        if not getattr(p.callback, "actions", None):
            undeclared.append(route)
        if p.name not in PAGES:
            unlisted.append(p.name or route)
        else:
            declared = {m for m, a in p.callback.actions.items() if a}
            assert declared == set(PAGES[p.name][1]), (p.name, declared)
    assert undeclared == [] and unlisted == []


def test_every_api_operation_declares_its_action_and_is_in_the_matrix() -> None:
    # covers: A3
    found = set()
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for op in view.operations:
                assert any(isinstance(a, Allowed) for a in op.auth_callbacks), (path, op.methods)
                found |= {(m, f"/api{prefix}{path}") for m in op.methods}
    assert found == {(m, p.split("?")[0]) for m, p, _, _ in API}


@pytest.fixture
def world(db, settings, tmp_path) -> dict[str, object]:
    """Taraz with a run, a child (parent `par`, preschool `pre`, bank `bank`) whose April sheet
    is disputed, a case waiting for EDU's exclusion, a funding request sent; a user per role."""
    settings.MEDIA_ROOT = tmp_path
    with transaction.atomic():  # the API's tests run outside a test transaction
        return _world(tmp_path)


def _world(tmp_path) -> dict[str, object]:
    taraz, shymkent = pilot_city("taraz"), pilot_city("shymkent")
    school, other_school = make_preschool(taraz, 1, capacity=10), make_preschool(taraz, 2)
    halyk = Bank.objects.create(code="halyk", name="Halyk", bin="920140000084")
    kaspi = Bank.objects.create(code="kaspi", name="Kaspi", bin="971240001315")
    users = {"edu": make_user("edu", Role.EDU, taraz),
             "edu_other": make_user("edu-other", Role.EDU, shymkent),
             "opr": make_user("opr", Role.OPR)}
    for who, bank in (("bank", halyk), ("bank_other", kaspi)):
        users[who] = make_user(who, Role.BANK)
        Membership.objects.filter(user=users[who]).update(bank=bank)
    for who, preschool in (("pre", school), ("pre_other", other_school)):
        users[who] = make_user(who, Role.PRE)
        Membership.objects.filter(user=users[who]).update(preschool=preschool)
    child, pupil, flagged = (make_voucher(taraz, i) for i in (1, 5, 9))
    users["par"] = make_user("par", Role.PAR, iin=child.parent_iin)
    users["par_other"] = make_user("par-other", Role.PAR, iin="880203300456")
    for v in (child, pupil):
        sign_contract(voucher=v, preschool=school, on=dt.date(2024, 4, 1), actor=PAR, now=NOW)
    for status in (VoucherStatus.VERIFIED, VoucherStatus.ACCOUNT_REQUESTED):
        set_status(voucher=child, to=status, why="test", actor=OPR, now=NOW)
    account = ChildAccount.objects.create(voucher=child, bank=halyk, city="taraz",
                                          requested_on=dt.date(2024, 3, 20))
    sheet = mark(voucher=child, day=dt.date(2024, 4, 2), code="A", preschool_id=school.pk,
                 is_working_day=WORKING, actor=PRE, now=NOW)
    dispute(sheet=sheet, reason="болел", on=dt.date(2024, 4, 30), actor=PAR, now=NOW)
    case, _ = open_case(city=taraz, mismatch=Mismatch(RiskCaseKind.NOT_RESIDENT, ours="taraz"),
                        voucher=flagged, on=dt.date(2024, 5, 6), actor=OPR, now=NOW)
    request_exclusion(case=case, on=dt.date(2024, 5, 7), actor=OPR, now=NOW)
    import_applications(city=taraz, skip_invalid=False, actor=EDU, now=NOW, path=write_applications(
        tmp_path / "apps.csv", [app_row("1", dt.date(2020, 1, 1), "2021-01-01T10:00:00", 1)]))
    run = preview_allocation(city=taraz, volume=1, as_of=dt.date(2024, 8, 1), actor=EDU, now=NOW)
    for group in ("early", "preschool"):
        set_norm(city=taraz, age_group=group, stay_mode="full_day",
                 effective_from=dt.date(2024, 3, 1), amount=6_000_000, actor=EDU, now=NOW)
    request = build_request(city=taraz, month="2024-04", on=dt.date(2024, 4, 8), actor=OPR,
                            now=NOW)
    tokens = {"bank": issue_token(bank=halyk, actor=OPR, now=NOW),
              "bank_other": issue_token(bank=kaspi, actor=OPR, now=NOW),
              "pre": issue_token(preschool=school, actor=OPR, now=NOW),
              "pre_other": issue_token(preschool=other_school, actor=OPR, now=NOW)}
    return {"users": users, "tokens": tokens, "run": run.pk, "voucher": child.pk,
            "school": school.pk, "school_bin": school.bin, "sheet": sheet.pk, "case": case.pk,
            "request": request.pk, "account": account.pk, "pupil_iin": pupil.child_iin}


def fingerprint() -> list[object]:
    """What the domain's tables hold, roughly: each model's rows and, where it has one, how many
    of them are in each state; a change of state or a new row changes it."""
    out: list[object] = []
    for model in apps.get_models():
        if not model.__module__.startswith("goszakaz.") or model is AuditEntry:
            continue
        rows = model.objects.all()
        out.append((model.__name__, rows.count()))
        for name in ("state", "status"):
            if any(f.name == name for f in model._meta.fields):
                out.append(sorted(Counter(rows.values_list(name, flat=True)).items()))
    return out


def refused(response, who: str) -> bool:
    if who == "anonymous":
        return response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    return response.status_code in (403, 404)


@pytest.mark.parametrize("name", list(PAGES))
def test_every_role_against_every_page(world, name) -> None:
    # covers: A3
    kwargs, methods = PAGES[name]
    url = reverse(name, kwargs={k: world.get(v, v) for k, v in kwargs.items()})
    for method, (allowed, data) in methods.items():
        body = {k: world.get(v, v) for k, v in data.items()}
        # the refused first: a request that gets done may change what the next one sees
        for who in sorted(EVERYONE, key=lambda w: w in allowed):
            client = Client()
            if who != "anonymous":
                client.force_login(world["users"][who])
            before, state = AuditEntry.objects.count(), fingerprint()
            response = client.get(url) if method == "GET" else client.post(url, body)
            if who in allowed:
                assert response.status_code < 400 and not refused(response, who), (
                    method, url, who, response.status_code)
                if method == "GET" and name in READS and CHILD in response.content.decode():
                    rows = AuditEntry.objects.order_by("pk")[before:]
                    assert rows, f"{who} read children on {url} without an audit row"
                    assert {r.user_id for r in rows} == {world["users"][who].pk}
                if fingerprint() != state:  # it changed something: the trail says who
                    rows = AuditEntry.objects.order_by("pk")[before:]
                    assert rows, f"{who}: {method} {url} changed data without an audit row"
                    assert {r.user_id for r in rows} == {world["users"][who].pk}
            else:
                assert fingerprint() == state, (method, url, who)
                assert refused(response, who), (method, url, who, response.status_code)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as the other API tests
@pytest.mark.parametrize("operation", API, ids=[f"{m} {p}" for m, p, _, _ in API])
def test_every_token_against_every_api_operation(world, live_server, operation) -> None:
    # covers: A3, A7.13
    method, path, body, allowed = operation
    sent = None if body is None else json.dumps(
        {k: world.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
        if "marks" not in body else
        {"marks": [{**m, "child_iin": world["pupil_iin"]} for m in body["marks"]]}).encode()
    for who in sorted(EVERYONE, key=lambda w: w in allowed):
        headers = {"Content-Type": "application/json", "Idempotency-Key": f"k-{who}"}
        if who in world["tokens"]:
            headers["Authorization"] = f"Bearer {world['tokens'][who]}"
        before = AuditEntry.objects.count()
        request = urllib.request.Request(live_server.url + path, data=sent, method=method,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=20) as r:
                status, answer = r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            status, answer = e.code, None
        if who in allowed:
            assert status < 400, (method, path, who, status)
            rows = AuditEntry.objects.order_by("pk")[before:]
            if method == "POST" or answer:  # a write, or a read that returned children
                assert rows, f"{who}: {method} {path} left no audit row"
            assert all(r.token is not None and r.client for r in rows), (path, who)
        else:
            assert status in (401, 404, 422), (method, path, who, status)


def test_a_failed_sign_in_is_recorded_without_the_password(world) -> None:
    Client().post(reverse("login"), {"username": "edu", "password": "wrong-password"})
    row = AuditEntry.objects.get(action="login.failed")
    assert row.object_id == "edu" and "wrong-password" not in json.dumps([row.before, row.after])
    assert row.user_id is None
    assert Actor(role="").client == ""
