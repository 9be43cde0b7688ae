"""Who calls the API (a bearer token of a bank or a preschool) and the Action each operation declares:
`auth=Allowed(Action.X)` on the operation, checked before it runs. Unknown tokens are counted per
client address; past the limit the address gets 429 for a while (docs/security.md, Sign-in)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.security import HttpBearer

from goszakaz import clock
from goszakaz.access.actor import Actor
from goszakaz.access.client import address
from goszakaz.access.permissions import Action, can
from goszakaz.api.tokens import Client, client_of
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record


class Refusal(Schema):
    """The body of a refusal before the operation runs (401, 429): what the API's errors carry."""

    detail: str


class TokenThrottled(Exception):
    """Too many unknown tokens from one address: 429, retry after `wait` seconds."""

    def __init__(self, wait: int) -> None:
        super().__init__(wait)
        self.wait = wait


def _failures_key(where: str) -> str:
    return f"api-token-failures:{where}"


def _count_failure(where: str) -> None:
    """One more unknown token from `where`; the window restarts with each. Audited without the
    token's value; the failure that reaches the limit also leaves a `token.throttled` row."""
    key, limit = _failures_key(where), settings.API_TOKEN_FAILURES
    count = int(cache.get(key, 0)) + 1
    cache.set(key, count, timeout=settings.API_TOKEN_WINDOW_SECONDS)
    now = clock.now()
    record(actor=Actor(role=""), action=AuditAction.TOKEN_REFUSED, at=now, obj_type="address",
           obj_id=where, after={"failures": count})
    if count == limit:
        record(actor=Actor(role=""), action=AuditAction.TOKEN_THROTTLED, at=now,
               obj_type="address", obj_id=where,
               after={"failures": count, "seconds": settings.API_TOKEN_WINDOW_SECONDS})


class Allowed(HttpBearer):
    """`Authorization: Bearer <token>` of a client whose role may do the operation's Action
    (a bank's token on the bank's operations, a preschool's on the preschool's); otherwise 401.
    An address that sent too many unknown tokens gets 429 whatever it sends now."""

    def __init__(self, action: Action) -> None:
        super().__init__()
        self.action = action

    def authenticate(self, request: HttpRequest, token: str) -> Client | None:
        where = address(request) or "unknown"
        if int(cache.get(_failures_key(where), 0)) >= settings.API_TOKEN_FAILURES:
            raise TokenThrottled(settings.API_TOKEN_WINDOW_SECONDS)
        found = client_of(token)
        if found is None:
            _count_failure(where)
            return None
        return found if can(found.actor, self.action) else None


def declare_refusals(api: NinjaAPI) -> None:
    """Every operation behind a token documents its refusals before it runs: 401 (no token, an
    unknown one, or one of the wrong kind) and 429 (too many unknown tokens), both `Refusal`."""
    model = type("NinjaResponseSchema", (Schema,), {"__annotations__": {"response": Refusal}})
    for _, router in api._routers:
        for view in router.path_operations.values():
            for operation in view.operations:
                if any(isinstance(a, Allowed) for a in operation.auth_callbacks):
                    operation.response_models.setdefault(401, model)
                    operation.response_models.setdefault(429, model)


def client(request: HttpRequest) -> Client:
    """The authenticated client of a request."""
    found: Client = request.auth  # type: ignore[attr-defined]
    return found
