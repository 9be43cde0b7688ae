"""Sign-in holds against guessing (issue 10): a lockout per (login, address) with a cool-off,
password validators, API tokens throttled per address, the demo never under production
settings, the admin at a path of the deployment's choosing; every sign-in, failure, lockout and
refused token in the audit trail."""

from __future__ import annotations

import datetime as dt
import importlib
import json

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import clear_url_caches, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone

from goszakaz import urls as root_urls
from goszakaz.access.client import address
from goszakaz.audit.models import AuditEntry
from goszakaz.registry.models import Bank, Role
from goszakaz.workflows.onboarding import issue_api_token
from tests.factories import NOW, OPR, PARENT_IIN, make_user

HOME, ELSEWHERE = "198.51.100.7", "203.0.113.40"
PASSWORD = "pw"  # tests.factories.make_user's


def sign_in(username: str, password: str, ip: str = HOME, client: Client | None = None):
    client = client or Client(REMOTE_ADDR=ip)
    return client, client.post("/accounts/login/", {"username": username, "password": password},
                               REMOTE_ADDR=ip)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def rows(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


@pytest.mark.django_db
def test_fifty_wrong_passwords_lock_the_login_from_that_address_and_the_right_one_is_refused() -> None:
    # covers: A3
    make_user("parent", Role.PAR, iin=PARENT_IIN)
    answers = [sign_in("parent", f"guess-{i}")[1].status_code for i in range(50)]
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    assert answers[:limit - 1] == [200] * (limit - 1)  # the form again, with its error
    assert set(answers[limit - 1:]) == {429}  # the 5th failure locks; the rest are refused
    client, page = sign_in("parent", PASSWORD)
    assert page.status_code == 429 and not signed_in(client)
    assert "Слишком много неверных паролей" in page.content.decode()  # Russian first
    # the audit trail: every attempt, the lockout once, never the password
    failed, locked = rows("login.failed"), rows("login.locked_out")
    assert len(failed) == 51 and len(locked) == 1
    assert [r.after["locked_out"] for r in failed] == [False] * limit + [True] * 46
    assert locked[0].object_id == "parent" and locked[0].after == {"address": HOME, "minutes": 15}
    trail = json.dumps([[r.before, r.after, r.object_id] for r in AuditEntry.objects.all()])
    assert "guess-" not in trail and f'"{PASSWORD}"' not in trail


@pytest.mark.django_db
def test_no_one_can_lock_a_parent_out_from_elsewhere() -> None:
    # covers: A3, I17 (a one-day confirmation window is not lost to someone else's guessing)
    make_user("parent", Role.PAR, iin=PARENT_IIN)
    make_user("neighbour", Role.PAR)
    for i in range(20):
        sign_in("parent", f"guess-{i}", ip=ELSEWHERE)
    assert sign_in("parent", "x", ip=ELSEWHERE)[1].status_code == 429
    client, page = sign_in("parent", PASSWORD, ip=HOME)  # the parent, at home
    assert page.status_code == 302 and signed_in(client)
    client, page = sign_in("neighbour", PASSWORD, ip=ELSEWHERE)  # another login, same address
    assert page.status_code == 302 and signed_in(client)
    ok = rows("login.succeeded")
    assert [(r.object_id, r.after["address"]) for r in ok] == [("parent", HOME),
                                                               ("neighbour", ELSEWHERE)]
    assert ok[0].user.username == "parent" and ok[0].role == Role.PAR


@pytest.mark.django_db
def test_the_lockout_ends_after_its_cool_off_and_a_success_resets_the_count() -> None:
    # covers: A3
    make_user("edu", Role.EDU)
    for i in range(5):
        sign_in("edu", f"guess-{i}")
    assert sign_in("edu", PASSWORD)[1].status_code == 429
    # attempts during the lockout do not prolong it: 15 minutes after the last counted failure
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1))
    client, page = sign_in("edu", PASSWORD)
    assert page.status_code == 302 and signed_in(client)
    # four failures, a success, four failures: no lockout (the success started the count anew)
    for _ in range(2):
        for i in range(4):
            assert sign_in("edu", f"guess-{i}")[1].status_code == 200
        assert sign_in("edu", PASSWORD)[1].status_code == 302


@pytest.mark.django_db
def test_behind_a_proxy_the_lockout_counts_the_address_the_proxy_saw() -> None:
    # covers: A3
    make_user("opr", Role.OPR)
    with override_settings(PROXIES=1):
        for i in range(5):  # the guesser varies what it claims to be; the proxy appends the truth
            Client().post("/accounts/login/", {"username": "opr", "password": f"g{i}"},
                          REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, {HOME}")
        client = Client()
        page = client.post("/accounts/login/", {"username": "opr", "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=HOME)
        assert page.status_code == 429
        page = client.post("/accounts/login/", {"username": "opr", "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=ELSEWHERE)
        assert page.status_code == 302


def test_the_client_address_believes_only_what_the_declared_proxies_appended() -> None:
    # covers: A3
    from django.test import RequestFactory

    rf = RequestFactory()
    direct = rf.get("/", REMOTE_ADDR=HOME, HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert address(direct) == HOME  # no proxy declared: the header is the client's own words
    with override_settings(PROXIES=2):
        two = rf.get("/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {HOME}, 10.0.0.2")
        assert address(two) == HOME
        assert address(rf.get("/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR=HOME)) is None
        assert address(rf.get("/", HTTP_X_FORWARDED_FOR="junk, 10.0.0.2")) is None


def test_passwords_are_checked_by_django_validators() -> None:
    # covers: A3
    assert len(settings.AUTH_PASSWORD_VALIDATORS) == 4
    for weak in ("demo12345", "12345678901", "password123", "short"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("Жайлау-кеші-2024")


API = "/api/bank/v1/account-requests"


def call(token: str | None, ip: str = HOME, lang: str = "ru"):
    headers = {"HTTP_ACCEPT_LANGUAGE": lang}
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return Client().get(API, REMOTE_ADDR=ip, **headers)


@pytest.mark.django_db
def test_fifty_wrong_api_tokens_are_throttled_and_the_429_matches_the_declared_schema(taraz) -> None:
    # covers: A3, A7.9
    bank = Bank.objects.create(code="halyk", name="Halyk", bin="920140000084")
    good = issue_api_token(bank=bank, actor=OPR, now=NOW)
    assert all(call(None).status_code == 401 for _ in range(20))  # no token: no guess, not counted
    answers = [call(f"guess-{i}") for i in range(50)]
    limit = settings.API_TOKEN_FAILURES
    assert [a.status_code for a in answers[:limit]] == [401] * limit
    assert {a.status_code for a in answers[limit:]} == {429}
    refused = answers[-1]
    assert refused.json().keys() == {"detail"} and "Повторите попытку" in refused.json()["detail"]
    assert refused["Retry-After"] == str(settings.API_TOKEN_WINDOW_SECONDS)
    assert call(good).status_code == 429  # the address is throttled, whatever it sends now
    assert call(good, ip=ELSEWHERE).status_code == 200  # the bank's own server is not
    assert "Try again" in call("guess", lang="en").json()["detail"]
    # the trail: each counted failure (never the token), and the throttle once
    failures = rows("token.refused")
    assert [r.after["failures"] for r in failures] == list(range(1, limit + 1))
    assert {r.object_id for r in failures} == {HOME}
    assert len(rows("token.throttled")) == 1
    assert "guess-" not in json.dumps([[r.before, r.after, r.object_id]
                                      for r in AuditEntry.objects.all()])


def test_every_api_operation_documents_its_401_and_429_with_the_error_schema() -> None:
    # covers: A3
    from goszakaz.api.root import api

    schema = json.loads(json.dumps(api.get_openapi_schema()))  # as served: keys are strings
    operations = [op for ops in schema["paths"].values() for op in ops.values()]
    assert len(operations) >= 7
    for op in operations:
        for status in ("401", "429"):
            body = op["responses"][status]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/Refusal"}, (op["operationId"], status)
    assert schema["components"]["schemas"]["Refusal"]["required"] == ["detail"]


@pytest.mark.django_db
def test_the_demo_and_its_admin_are_refused_under_production_settings(capsys) -> None:
    # covers: A3
    from goszakaz.cli import main

    with override_settings(DEBUG=False):
        assert main(["demo"]) == 2
        assert main(["run", "--demo"]) == 2
    assert "refused under production settings" in capsys.readouterr().err
    assert not User.objects.exists()


def reload_urls() -> None:
    clear_url_caches()
    importlib.reload(root_urls)


@pytest.fixture
def admin_at():
    """Reload the URLs under another ADMIN_PATH; the default ones again afterwards."""
    changed = []

    def at(path: str) -> None:
        changed.append(override_settings(ADMIN_PATH=path))
        changed[-1].enable()
        reload_urls()

    yield at
    for c in changed:
        c.disable()
    reload_urls()


@pytest.mark.django_db
def test_the_admin_is_at_the_configured_path_or_nowhere(admin_at) -> None:
    # covers: A3
    admin_at("staff-7f3a/")
    assert resolve("/staff-7f3a/").namespace == "admin"
    with pytest.raises(Resolver404):
        resolve("/admin/")
    # its sign-in is the site's: the same lockout and audit trail
    User.objects.create_superuser("root", "", "Жайлау-кеші-2024")
    client = Client(REMOTE_ADDR=HOME)
    for i in range(5):
        page = client.post("/staff-7f3a/login/?next=/staff-7f3a/",
                           {"username": "root", "password": f"g{i}"}, REMOTE_ADDR=HOME)
    assert page.status_code == 429 and len(rows("login.locked_out")) == 1
    page = Client().post("/staff-7f3a/login/?next=/staff-7f3a/",
                         {"username": "root", "password": "Жайлау-кеші-2024"}, REMOTE_ADDR=ELSEWHERE)
    assert page.status_code == 302 and page["Location"] == "/staff-7f3a/"
    admin_at("")  # production without GOSZAKAZ_ADMIN_PATH: no admin at all
    for path in ("/admin/", "/staff-7f3a/"):
        with pytest.raises(Resolver404):
            resolve(path)
