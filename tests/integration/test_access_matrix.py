"""Every role against every page and API operation (A3, DESIGN rule 6): who is refused, who gets it
done, and that every view and operation declares its Action and leaves its audit row."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from goszakaz.api.auth import Allowed
from goszakaz.api.root import api
from goszakaz.attendance.models import Sheet
from goszakaz.attendance.services import auto_confirm, dispute, mark
from goszakaz.audit.models import AuditEntry
from goszakaz.banking.models import ChildAccount
from goszakaz.enrollment.models import Contract, VoucherStatus
from goszakaz.enrollment.services import set_group, set_status, sign_contract
from goszakaz.finance.funding import build_request, city_accounts
from goszakaz.finance.ledger import Spec, post
from goszakaz.finance.ledger import account as ledger_account
from goszakaz.finance.models import AccountKind, TransferCode
from goszakaz.finance.tariffs import set_norm
from goszakaz.jobs.models import Job, JobState
from goszakaz.jobs.services import job_dir
from goszakaz.queue.models import Application
from goszakaz.queue.services import confirm_allocation, import_applications, preview_allocation
from goszakaz.registry.models import Bank, Group, Membership, Role
from goszakaz.verification.checks import Mismatch
from goszakaz.verification.models import RiskCaseKind
from goszakaz.verification.services import open_case, request_exclusion
from goszakaz.workflows.jobs import LIST_EXPORT
from goszakaz.workflows.onboarding import issue_api_token
from tests.factories import (
    EDU,
    NOW,
    OPR,
    PAR,
    PNG,
    PRE,
    WORKING,
    app_row,
    make_preschool,
    make_user,
    make_voucher,
    pilot_city,
    write_applications,
)

SIGNED_IN = ["edu", "edu_other", "opr", "bank", "bank_other", "pre", "pre_other", "pre_teacher",
             "par", "par_other"]
EVERYONE = ["anonymous", *SIGNED_IN]
EDUS = {"edu", "edu_other"}
PARENTS = {"par", "par_other"}
PRESCHOOLS = {"pre", "pre_other"}  # the preschools' administrators
TEACHER = {"pre_teacher"}  # the teacher of `pre`'s group, which holds the pupil (not the child)
BANKS = {"bank", "bank_other"}

# Every page: route name -> (its URL arguments, {method: (who gets it done, POST data)}).
# Everyone else is refused: the anonymous are sent to sign in, another role gets 403, the same
# role of another city, bank, preschool or family 403 or 404. A value naming a key of the world
# is that key's value ("{who}" in it: the principal asking).
PAGES: dict[str, tuple[dict[str, str], dict[str, tuple[set[str], dict[str, str]]]]] = {
    "home": ({}, {"GET": (set(SIGNED_IN), {})}),
    "edu-queue": ({}, {"GET": (EDUS, {})}),
    "edu-actualize": ({}, {"POST": (EDUS, {})}),
    "edu-allocation-new": ({}, {"GET": (EDUS, {}),
                                "POST": (EDUS, {"volume": "1", "as_of": "2024-08-01"})}),
    "edu-allocations": ({}, {"GET": (EDUS, {})}),
    "edu-allocation": ({"run_id": "run_preview"}, {"GET": ({"edu"}, {})}),
    "edu-allocation-decide": ({"run_id": "run_preview"},
                              {"POST": ({"edu"}, {"decision": "discard"})}),
    "parent-cabinet": ({}, {"GET": (PARENTS, {})}),
    "parent-vouchers": ({}, {"GET": (PARENTS, {})}),
    "parent-sign": ({"voucher_id": "voucher"},
                    {"POST": ({"par"}, {"preschool": "other_school"})}),
    "edu-perechen": ({}, {"GET": (EDUS, {}), "POST": (EDUS, {
        "bin": "bin_{who}", "name": "Балабақша", "design_capacity": "10",
        "included_on": "2024-03-01"})}),
    "edu-preschool": ({"preschool_id": "school"}, {"GET": ({"edu"}, {}), "POST": ({"edu"}, {
        "design_capacity": "50", "note": "приказ 7"})}),
    "edu-preschool-exclude": ({"preschool_id": "school"}, {"POST": ({"edu"}, {
        "on": "2024-06-01", "note": "приказ 8", "confirmed": "1"})}),
    "edu-vouchers": ({}, {"GET": (EDUS, {}), "POST": ({"edu"}, {"run": "run_confirmed"})}),
    "edu-voucher": ({"voucher_id": "voucher"}, {"GET": ({"edu"}, {}), "POST": ({"edu"}, {
        "reason": "moved_away", "on": "2024-05-20", "confirmed": "1"})}),
    "edu-application": ({"application_id": "application"}, {"GET": ({"edu"}, {})}),
    "export-job": ({"job_id": "export"}, {"GET": ({"edu"}, {})}),
    "staff-transfer": ({"transfer_id": "transfer"}, {"GET": ({"edu", "opr"}, {})}),
    "export-file": ({"job_id": "export"}, {"GET": ({"edu"}, {})}),
    "edu-upload": ({"kind": "children"}, {"GET": (EDUS, {}), "POST": (EDUS, {})}),
    "preschool-pupils": ({}, {"GET": (PRESCHOOLS | TEACHER, {}), "POST": (PRESCHOOLS, {
        "do": "move", "to": "none", "pick": "pupil_contract"})}),
    "preschool-day": ({}, {"GET": (PRESCHOOLS | TEACHER, {}),
                           "POST": (PRESCHOOLS | TEACHER, {"day": "2024-05-03",
                                                           "mark-pupil": "code_{who}"})}),
    "preschool-month": ({}, {"GET": (PRESCHOOLS | TEACHER, {})}),
    "preschool-month-template": ({}, {"GET": (PRESCHOOLS | TEACHER, {})}),
    "preschool-groups": ({}, {"GET": (PRESCHOOLS, {}), "POST": (PRESCHOOLS, {
        "do": "create", "name": "Балапан", "age_group": "3-4"})}),
    "preschool-staff": ({}, {"GET": (PRESCHOOLS, {}), "POST": (PRESCHOOLS, {
        "do": "create", "group": "group_{who}", "username": "t-{who}",
        "password": "Kunshuaq-2024-{who}"})}),
    "preschool-disputes": ({}, {"GET": (PRESCHOOLS, {})}),
    "preschool-dispute-answer": ({"sheet_id": "disputed"},
                                 {"POST": ({"pre"}, {"answer": "disagree",
                                                     "reason": "Ребёнок был в саду"})}),
    "dispute-document": ({"sheet_id": "disputed"}, {"GET": ({"pre", "par", "opr"}, {})}),
    "preschool-payments": ({}, {"GET": (PRESCHOOLS, {})}),
    "preschool-transfer": ({"transfer_id": "transfer"}, {"GET": ({"pre"}, {})}),
    "preschool-upload": ({}, {"POST": (PRESCHOOLS | TEACHER, {})}),
    "parent-sheets": ({}, {"GET": (PARENTS, {})}),
    "parent-sheet": ({"sheet_id": "open_sheet"}, {"GET": ({"par"}, {})}),
    "parent-sheet-document": ({"sheet_id": "disputed"}, {"GET": ({"par"}, {})}),
    "parent-child-months": ({"voucher_id": "voucher"}, {"GET": ({"par"}, {})}),
    "parent-statement": ({"voucher_id": "voucher"}, {"GET": ({"par"}, {})}),
    "parent-sheet-answer": ({"sheet_id": "open_sheet"},
                            {"POST": ({"par"}, {"answer": "confirm"})}),
    "operator-banks": ({}, {"GET": ({"opr"}, {}),
                            "POST": ({"opr"}, {"city": "taraz", "bank": "halyk"})}),
    "bank-payments": ({}, {"GET": (BANKS, {})}),
    "bank-cabinet": ({}, {"GET": (BANKS, {}),
                          "POST": (BANKS, {"action": "month", "month": "2024-05"})}),
    "operator-cases": ({}, {"GET": ({"opr"}, {}), "POST": ({"opr"}, {})}),
    "operator-nobd-template": ({}, {"GET": ({"opr"}, {})}),
    "operator-case": ({"case_id": "open_case"},
                      {"GET": ({"opr"}, {}), "POST": ({"opr"}, {
                          "decision": "confirmed", "number": "PR-{who}", "dated": "2024-05-31",
                          "note": "Данные подтверждены документами"})}),
    "operator-unconfirmed": ({}, {"GET": ({"opr"}, {})}),
    "operator-funding": ({}, {"GET": ({"opr"}, {}),
                              "POST": ({"opr"}, {"city": "taraz", "month": "2024-05"})}),
    "operator-plan": ({}, {"GET": ({"opr"}, {}),
                           "POST": ({"opr"}, {"code": "P2", "status": "in_progress"})}),
    "operator-children": ({}, {"GET": ({"opr"}, {}), "POST": ({"opr"}, {"q": "pupil_iin"})}),
    "operator-child": ({"voucher_id": "voucher"}, {"GET": ({"opr"}, {})}),
    "operator-cycle": ({}, {"GET": ({"opr"}, {})}),
    "edu-funding": ({}, {"GET": (EDUS, {})}),
    "funding-request": ({"request_id": "request"}, {"GET": ({"opr", "edu"}, {})}),
    # sent: EDU transfers (after the confirmation step)
    "funding-step": ({"request_id": "request"}, {"POST": ({"edu"}, {"confirmed": "1"})}),
    "tariffs": ({}, {"GET": (EDUS | {"opr"}, {}), "POST": (EDUS | {"opr"}, {
        "kind": "norm", "norm-age_group": "early", "norm-stay_mode": "full_day",
        "norm-effective_from": "2025-01-01", "norm-amount": "amount_{who}"})}),
    "edu-exclusions": ({}, {"GET": (EDUS, {})}),
    # A14: each EDU its own city (another city's is refused in tests/integration/test_oversight)
    "oversight-deadlines": ({}, {"GET": (EDUS | {"opr"}, {})}),
    "oversight-money": ({}, {"GET": (EDUS | {"opr"}, {})}),
    "oversight-attendance": ({}, {"GET": (EDUS | {"opr"}, {})}),
    "oversight-queue": ({}, {"GET": (EDUS | {"opr"}, {})}),
    "edu-exclude": ({"case_id": "case"}, {"POST": ({"edu"}, {})}),
}
# POSTs that change nothing even when allowed: the form's file is missing (what is asked for
# is a file upload, checked in its own tests) or the decision repeats what is done.
NO_CHANGE = {"edu-upload", "preschool-upload", "operator-cases",
             "operator-children",  # a search: it reads (the read is audited), changes nothing
             ("edu-actualize", "edu_other"),  # Shymkent's queue is empty
             ("edu-allocation-new", "edu_other"),  # Shymkent allocates by the general law (A5)
             ("preschool-day", "pre_other"),  # the pupil is not its own: nothing to mark
             ("preschool-pupils", "pre_other")}  # nor to put in a group
# The pages that show children's personal data to staff, and who sees a child there in the
# world below: each such read leaves one audit row naming the reader and the children read.
READS = {"edu-vouchers": {"edu"}, "edu-voucher": {"edu"}, "staff-transfer": {"edu", "opr"},
         "preschool-pupils": {"pre", "pre_teacher"},
         "preschool-day": {"pre", "pre_teacher"}, "preschool-month": {"pre", "pre_teacher"},
         "preschool-month-template": {"pre", "pre_teacher"},
         "preschool-disputes": {"pre"}, "bank-cabinet": {"bank"}, "operator-cases": {"opr"},
         "dispute-document": {"pre", "par", "opr"}, "preschool-payments": {"pre"},
         "preschool-transfer": {"pre"},
         "operator-case": {"opr"}, "operator-unconfirmed": {"opr"}, "edu-exclusions": {"edu"},
         "funding-request": {"opr", "edu"}, "operator-child": {"opr"}}
ROLE = {"anonymous": "", "edu": "EDU", "edu_other": "EDU", "opr": "OPR", "bank": "BANK",
        "bank_other": "BANK", "pre": "PRE", "pre_other": "PRE", "pre_teacher": "PRE",
        "par": "PAR", "par_other": "PAR"}
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
    ("POST", "/api/bank/v1/accounts/opened/batch",
     {"accounts": [{"account_id": "account", "number": "KZ86125KZT5004100100",
                    "opened_on": "2024-03-25", "parent_registered": True}]}, {"bank"}),
    ("POST", "/api/bank/v1/accounts/closed",
     {"account_id": "account", "closed_on": "2024-05-10"}, {"bank"}),
    ("POST", "/api/bank/v1/monthly-lists",
     {"month": "2024-05", "opened": [], "parents_not_registered": []}, {"bank", "bank_other"}),
    ("POST", "/api/bank/v1/preschools/registered",
     {"preschool_bin": "school_bin", "registered_on": "2024-03-05"}, {"bank", "bank_other"}),
    ("GET", "/api/preschool/v1/sheets?month=2024-04", None, {"pre", "pre_other"}),
    ("POST", "/api/preschool/v1/marks",
     {"marks": [{"child_iin": "pupil_iin", "day": "2024-05-14", "code": "P"}]}, {"pre"}),
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
def world(db, settings, tmp_path, clock_at) -> dict[str, object]:
    """Taraz on 20 May 2024, a user per role, and: a child of `par` at preschool `pre` with an
    account requested at `bank`, its April sheet disputed and its May sheet open; a pupil whose
    April sheet silence confirmed; a child whose case waits for EDU's exclusion and one whose
    case is open; a confirmed allocation and a newer preview; April's funding request sent."""
    settings.MEDIA_ROOT = tmp_path
    settings.DATA_DIR = tmp_path  # the export's file
    clock_at(dt.date(2024, 5, 31))  # May's last day: the parent's window is open (I17)
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
    groups = {who: Group.objects.create(preschool=p, name="Күншуақ")
              for who, p in (("pre", school), ("pre_other", other_school))}
    users["pre_teacher"] = make_user("pre-teacher", Role.PRE)
    Membership.objects.filter(user=users["pre_teacher"]).update(preschool=school,
                                                                group=groups["pre"])
    child, pupil, flagged, doubtful = (make_voucher(taraz, i) for i in (1, 5, 9, 13))
    users["par"] = make_user("par", Role.PAR, iin=child.parent_iin)
    users["par_other"] = make_user("par-other", Role.PAR, iin="880203300456")
    for v in (child, pupil):
        sign_contract(voucher=v, preschool=school, on=dt.date(2024, 4, 1), actor=PAR, now=NOW)
    for status in (VoucherStatus.VERIFIED, VoucherStatus.ACCOUNT_REQUESTED):
        set_status(voucher=child, to=status, why="test", actor=OPR, now=NOW)
    set_status(voucher=pupil, to=VoucherStatus.VERIFIED, why="test", actor=OPR, now=NOW)
    pupil_contract = Contract.objects.get(voucher=pupil)
    set_group(preschool=school, contract_ids=[pupil_contract.pk], group=groups["pre"], actor=PRE,
              now=NOW)
    account = ChildAccount.objects.create(voucher=child, bank=halyk, city="taraz",
                                          requested_on=dt.date(2024, 3, 20))
    for v in (child, pupil):
        mark(voucher=v, day=dt.date(2024, 4, 2), code="A", preschool_id=school.pk,
             is_working_day=WORKING, actor=PRE, now=NOW)
    disputed = Sheet.objects.get(voucher=child, month="2024-04")
    dispute(sheet=disputed, reason="болел", on=dt.date(2024, 4, 30), actor=PAR, now=NOW,
            document=SimpleUploadedFile("photo.png", PNG, "image/png"))
    auto_confirm(today=dt.date(2024, 5, 1), now=NOW)  # the pupil's parent was silent
    open_sheet = mark(voucher=child, day=dt.date(2024, 5, 2), code="P", preschool_id=school.pk,
                      is_working_day=WORKING, actor=PRE, now=NOW)
    case, _ = open_case(city=taraz, mismatch=Mismatch(RiskCaseKind.NOT_RESIDENT, ours="taraz"),
                        voucher=flagged, on=dt.date(2024, 5, 6), actor=OPR, now=NOW)
    request_exclusion(case=case, on=dt.date(2024, 5, 7), actor=OPR, now=NOW)
    doubt, _ = open_case(city=taraz, mismatch=Mismatch(RiskCaseKind.NAME_DIFFERS, ours="taraz"),
                         voucher=doubtful, on=dt.date(2024, 5, 6), actor=OPR, now=NOW)
    rows = [app_row(str(i), dt.date(2020, 1, 1), f"2021-01-0{i}T10:00:00", 20 + 4 * i,
                    parent_iin=child.parent_iin) for i in (1, 2)]
    import_applications(city=taraz, skip_invalid=False, actor=EDU, now=NOW,
                        path=write_applications(tmp_path / "apps.csv", rows[:1]))
    confirmed = preview_allocation(city=taraz, volume=1, as_of=dt.date(2024, 8, 1), actor=EDU,
                                   now=NOW)
    confirm_allocation(run=confirmed, actor=EDU, now=NOW)
    import_applications(city=taraz, skip_invalid=False, actor=EDU, now=NOW,
                        path=write_applications(tmp_path / "more.csv", rows))
    preview = preview_allocation(city=taraz, volume=1, as_of=dt.date(2024, 8, 1), actor=EDU,
                                 now=NOW)
    for group in ("early", "preschool"):
        set_norm(city=taraz, age_group=group, stay_mode="full_day",
                 effective_from=dt.date(2024, 3, 1), amount=6_000_000, actor=EDU, now=NOW)
    request = build_request(city=taraz, month="2024-04", on=dt.date(2024, 4, 8), actor=OPR,
                            now=NOW)
    # the operator paid the pupil's April directly (A7.9): a transfer to the preschool
    budget, operator = city_accounts(taraz)
    post(Spec(id="budget/test", debit=budget.pk, credit=operator.pk, amount=6_000_000,
              code=TransferCode.BUDGET, period="2024-04", city="taraz"), now=NOW)
    transfer = post(Spec(id=f"direct/{pupil.pk}/2024-04", debit=operator.pk,
                         credit=ledger_account(kind=AccountKind.PRESCHOOL, owner=school.bin,
                                        city="taraz").pk, amount=6_000_000,
                         code=TransferCode.DIRECT, period="2024-04", city="taraz",
                         child=pupil.pk), now=NOW)
    export = Job.objects.create(kind=LIST_EXPORT, city="taraz", role=Role.EDU,
                                user=users["edu"], created_at=NOW, state=JobState.DONE,
                                args={"list": "edu-vouchers", "params": {}},
                                result={"file": "matrix.xlsx", "rows": 1})
    (job_dir() / "exports").mkdir(parents=True, exist_ok=True)
    (job_dir() / "exports" / "matrix.xlsx").write_bytes(b"PK")
    tokens = {"bank": issue_api_token(bank=halyk, actor=OPR, now=NOW),
              "bank_other": issue_api_token(bank=kaspi, actor=OPR, now=NOW),
              "pre": issue_api_token(preschool=school, actor=OPR, now=NOW),
              "pre_other": issue_api_token(preschool=other_school, actor=OPR, now=NOW)}
    return {"users": users, "tokens": tokens, "run_preview": preview.pk,
            "run_confirmed": confirmed.pk,
            "voucher": child.pk, "school": school.pk, "other_school": other_school.pk,
            "school_bin": school.bin, "disputed": disputed.pk, "open_sheet": open_sheet.pk,
            "case": case.pk, "open_case": doubt.pk, "transfer": transfer.pk, "request": request.pk,
            "account": account.pk, "export": export.pk,
            "application": Application.objects.filter(city=taraz).first().pk,
            "pupil_iin": pupil.child_iin, "mark-pupil": f"mark-{pupil.pk}",
            "pupil_contract": pupil_contract.pk, "code_pre": "P", "code_pre_other": "P",
            "code_pre_teacher": "A", "group_pre": groups["pre"].pk,
            "group_pre_other": groups["pre_other"].pk,
            "taraz": taraz.pk, "halyk": halyk.pk,
            "bin_edu": make_preschool(taraz, 40, included_on=None).bin,
            "bin_edu_other": make_preschool(shymkent, 60, included_on=None).bin,
            "amount_edu": "70000", "amount_edu_other": "71000", "amount_opr": "72000",
            "child_ids": {child.pk, pupil.pk, flagged.pk, doubtful.pk}}


def fingerprint() -> str:
    """A digest of everything the domain's tables hold (the audit trail apart): any new row,
    and any change of any field, changes it."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        if model.__module__.startswith("goszakaz.") and model is not AuditEntry:
            digest.update(repr(list(model.objects.order_by("pk").values_list())).encode())
    return digest.hexdigest()


def refused(status: int, location: str, who: str, allowed: set[str]) -> bool:
    """Refused as `who` must be: the anonymous sent to sign in; a role the action is not for
    403; the same role of another city, bank, preschool or family 403 or 404."""
    if who == "anonymous":
        return status == 302 and location.startswith("/accounts/login/")
    return status in ((403, 404) if ROLE[who] in {ROLE[a] for a in allowed} else (403,))


def value(world: dict[str, object], v: str, who: str) -> object:
    """A matrix value: a key of the world (with `{who}` filled in) is that key's value."""
    key = v.replace("{who}", who)
    return world.get(key, key)


@pytest.mark.parametrize("name", list(PAGES))
def test_every_role_against_every_page(world, name) -> None:
    # covers: A3
    kwargs, methods = PAGES[name]
    url = reverse(name, kwargs={k: world.get(v, v) for k, v in kwargs.items()})
    for method, (allowed, data) in methods.items():
        # the refused first: a request that gets done may change what the next one sees
        for who in sorted(EVERYONE, key=lambda w: w in allowed):
            body = {str(value(world, k, who)): value(world, v, who) for k, v in data.items()}
            client = Client()
            if who != "anonymous":
                client.force_login(world["users"][who])
            before, state = AuditEntry.objects.count(), fingerprint()
            response = client.get(url) if method == "GET" else client.post(url, body)
            rows = list(AuditEntry.objects.order_by("pk")[before:])
            where = (method, url, who, response.status_code)
            if who not in allowed:
                assert refused(response.status_code, response.get("Location", ""), who,
                               allowed), where
                assert fingerprint() == state, where
                continue
            assert response.status_code < 400, where
            assert not refused(response.status_code, response.get("Location", ""), who,
                               allowed), where
            if method == "POST" and not {name, (name, who)} & NO_CHANGE:
                assert fingerprint() != state, f"{where}: allowed, but nothing was done"
            if fingerprint() != state:  # it changed something: the trail says who
                assert rows, f"{where}: changed data without an audit row"
            if method == "GET" and who in READS.get(name, ()):
                read = [r for r in rows if r.action == "children.read"
                        or r.action == "risk_case.read"]
                assert read and set(read[0].children) & world["child_ids"], (
                    f"{where}: read children without a children.read row naming them")
            assert {r.user_id for r in rows} <= {world["users"][who].pk}, where


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as the other API tests
@pytest.mark.parametrize("operation", API, ids=[f"{m} {p}" for m, p, _, _ in API])
def test_every_token_against_every_api_operation(world, live_server, operation) -> None:
    # covers: A3, A7.13
    method, path, body, allowed = operation
    sent = None if body is None else json.dumps(
        {"marks": [{**m, "child_iin": world["pupil_iin"]} for m in body["marks"]]}
        if "marks" in body else
        {"accounts": [{**a, "account_id": world["account"]} for a in body["accounts"]]}
        if "accounts" in body else
        {k: world.get(v, v) if isinstance(v, str) else v for k, v in body.items()}).encode()
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
        elif who in world["tokens"] and ROLE[who] in {ROLE[a] for a in allowed}:
            # the same kind of client, another's object: not found, or the marks refused whole
            assert status in (404, 422), (method, path, who, status)
        else:  # no token, or one of the wrong kind
            assert status == 401, (method, path, who, status)


def test_a_failed_sign_in_is_recorded_without_the_password(world) -> None:
    Client().post(reverse("login"), {"username": "edu", "password": "wrong-password"})
    row = AuditEntry.objects.get(action="login.failed")
    assert row.object_id == "edu" and "wrong-password" not in json.dumps([row.before, row.after])
    assert row.user_id is None and row.role == ""
