"""Idempotent API writes (banks, preschools): a repeat returns the first answer, a changed body gets 409."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from goszakaz.api.models import IdempotentRequest
from goszakaz.registry.models import Bank, Preschool

Answer = tuple[int, dict[str, Any]]
CONFLICT = 409


def _digest(path: str, body: dict[str, Any]) -> str:
    canonical = json.dumps({"path": path, "body": body}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(prior: IdempotentRequest, digest: str) -> Answer:
    if prior.body_sha256 != digest:
        return CONFLICT, {"detail": _("This Idempotency-Key was used for a different request.")}
    return prior.status, prior.response


def _client(client: Bank | Preschool) -> dict[str, Any]:
    return {"bank": client} if isinstance(client, Bank) else {"preschool": client}


def idempotent(
    *, client: Bank | Preschool, key: str, path: str, body: dict[str, Any],
    handler: Callable[[], Answer], now: dt.datetime,
) -> Answer:
    """Run `handler` once per (client, key): its changes and the stored answer commit together.

    An answer with an error status is not stored: nothing changed, so a repeat may try again.
    Two identical requests at once: the loser of the unique key sees the winner's answer.
    """
    digest = _digest(path, body)
    prior = IdempotentRequest.objects.filter(**_client(client), key=key).first()
    if prior is not None:
        return _replay(prior, digest)
    try:
        with transaction.atomic():
            status, response = handler()
            if status >= 400:
                transaction.set_rollback(True)
                return status, response
            IdempotentRequest.objects.create(
                **_client(client), key=key, path=path, body_sha256=digest, status=status,
                response=response, created_at=now)
    except IntegrityError:
        prior = IdempotentRequest.objects.filter(**_client(client), key=key).first()
        if prior is None:
            raise
        return _replay(prior, digest)
    return status, response
