"""API tokens of banks and preschools: made here, shown once, stored only as their SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.utils import timezone


def digest(token: str) -> str:
    """The SHA-256 of a token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh random token and its digest."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def issue(model: Any, **holder: Any) -> str:
    """A new token of `model` (BankToken, PreschoolToken) for its holder, e.g. bank=...; the
    token is returned once, only its digest is kept."""
    token, sha256 = new_token()
    model.objects.create(token_sha256=sha256, created_at=timezone.now(), **holder)
    return token


def holder_of(model: Any, field: str, token: str) -> Any:
    """The holder (`field` of the row: "bank", "preschool") of an active token, or None."""
    row = (model.objects.select_related(field)
           .filter(token_sha256=digest(token), active=True).first())
    return getattr(row, field) if row else None
