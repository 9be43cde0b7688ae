"""Property-based fuzzing of the API (banks, preschools) from its own OpenAPI schema: no input gets a 5xx."""

from __future__ import annotations

import uuid

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from goszakaz.registry.models import Bank
from goszakaz.workflows.onboarding import issue_api_token
from tests.factories import NOW, OPR, make_preschool

pytestmark = pytest.mark.fuzz


@pytest.fixture
def wsgi_app():
    """The real WSGI app, minus the end-of-request closing of the test's database connection
    (what Django's own test client does too)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(taraz) -> dict[str, str]:
    """A token for each kind of client, by the API's path prefix."""
    bank = Bank.objects.create(code="fuzz", name="Fuzz bank", bin="920140000084")
    return {"/api/bank/": issue_api_token(bank=bank, actor=OPR, now=NOW),
            "/api/preschool/": issue_api_token(preschool=make_preschool(taraz, 1), actor=OPR,
                                                now=NOW)}


def test_the_api_answers_every_input_without_a_server_error(tokens, wsgi_app) -> None:
    # covers: A7.9, A7.13
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 6
    # each example is two HTTP calls: an eighth of the profile's examples per operation
    # (25 under "ci", 625 under "deep", tests/conftest.py)
    fuzz = settings(max_examples=settings.default.max_examples // 8, deadline=None,
                    database=None, suppress_health_check=list(HealthCheck))
    for operation in operations:

        @fuzz
        @given(case=operation.as_strategy())
        def check(case) -> None:
            token = next(t for prefix, t in tokens.items() if case.path.startswith(prefix))
            headers = {"Authorization": f"Bearer {token}"}
            if case.method.upper() == "POST":
                headers["Idempotency-Key"] = uuid.uuid4().hex
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.path, response.text[:300])
            # a stranger guessing from its own address: refused, then throttled (429), never
            # slowing the client's own address down
            stranger = case.call(headers={"Authorization": "Bearer wrong"},
                                 environ_base={"REMOTE_ADDR": "192.0.2.66"})
            assert stranger.status_code in (401, 422, 429), stranger.status_code

        check()
