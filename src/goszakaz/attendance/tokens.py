"""API tokens of preschools' own systems for the sheet API: shown once, stored as their SHA-256."""

from __future__ import annotations

from goszakaz import tokens
from goszakaz.attendance.models import PreschoolToken
from goszakaz.registry.models import Preschool


def issue_token(*, preschool: Preschool) -> str:
    """A new API token for a preschool's own system."""
    return tokens.issue(PreschoolToken, preschool=preschool)


def preschool_for_token(token: str) -> Preschool | None:
    """The preschool an active token belongs to, or None."""
    holder: Preschool | None = tokens.holder_of(PreschoolToken, "preschool", token)
    return holder
