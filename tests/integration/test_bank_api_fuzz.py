"""Property-based fuzzing of the API (banks, preschools) from its own OpenAPI schema, with input
that fits the schema and input that does not: no input gets a 5xx, every answer (401 and 422
too) has a status, content type and body the schema declares, and input that breaks the schema
is refused with a 4xx."""

from __future__ import annotations

import uuid

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

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


# What every answer must satisfy: no server error, and a status, content type, headers and body
# that the schema declares for the operation; input outside the schema must get a 4xx.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance, negative_data_rejection]


def _bad_body(case) -> bool:
    """The case's body breaks the schema (what this test sends unchanged: its headers are
    replaced by a real token and key, and a query string's extra names are ignored as HTTP
    allows), so the answer must be a 4xx."""
    info = case.meta.components.get(ParameterLocation.BODY) if case.meta else None
    return info is not None and info.mode is GenerationMode.NEGATIVE


def test_the_api_answers_every_input_without_a_server_error(tokens, wsgi_app) -> None:
    # covers: A7.9, A7.13, A7.6
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 6
    # each example is two HTTP calls, each operation fuzzed with valid and with invalid input:
    # a twenty-fourth of the profile's examples per operation and mode (8 under "ci", 83 under
    # "fuzz", 208 under "deep", tests/conftest.py): the fuzzer stage's 4 minutes
    fuzz = settings(max_examples=settings.default.max_examples // 24, deadline=None,
                    database=None, suppress_health_check=list(HealthCheck))
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @fuzz
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case) -> None:
                token = next(t for prefix, t in tokens.items() if case.path.startswith(prefix))
                headers = {"Authorization": f"Bearer {token}"}
                if case.method.upper() == "POST" and case.meta.generation.mode.is_positive:
                    # valid input gets a fresh key; invalid input keeps its own (or none): the
                    # key may be what is invalid
                    headers["Idempotency-Key"] = uuid.uuid4().hex
                response = case.call(headers=headers)
                case.validate_response(response, checks=CHECKS if _bad_body(case) else CHECKS[:-1],
                                       headers=headers)
                # a stranger guessing from its own address: refused, then throttled (429),
                # never slowing the client's own address down
                stranger = case.call(headers={"Authorization": "Bearer wrong"},
                                     environ_base={"REMOTE_ADDR": "192.0.2.66"})
                assert stranger.status_code in (401, 422, 429), stranger.status_code
                case.validate_response(stranger, checks=CHECKS[:-1])

            check()
