"""Who calls the API (a bearer token of a bank or a preschool) and the Action each operation declares:
`auth=Allowed(Action.X)` on the operation, checked before it runs."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from goszakaz.access.permissions import Action, can
from goszakaz.api.tokens import Client, client_of


class Allowed(HttpBearer):
    """`Authorization: Bearer <token>` of a client whose role may do the operation's Action
    (a bank's token on the bank's operations, a preschool's on the preschool's); otherwise 401."""

    def __init__(self, action: Action) -> None:
        super().__init__()
        self.action = action

    def authenticate(self, request: HttpRequest, token: str) -> Client | None:
        found = client_of(token)
        return found if found is not None and can(found.actor, self.action) else None


def client(request: HttpRequest) -> Client:
    """The authenticated client of a request."""
    found: Client = request.auth  # type: ignore[attr-defined]
    return found
