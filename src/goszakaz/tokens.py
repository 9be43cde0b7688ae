"""API tokens of banks and preschools: made here, shown once, stored only as their SHA-256."""

from __future__ import annotations

import hashlib
import secrets


def digest(token: str) -> str:
    """The SHA-256 of a token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh random token and its digest."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)
