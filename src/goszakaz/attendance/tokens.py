"""API tokens of preschools' own systems for the sheet API: shown once, stored as their SHA-256."""

from __future__ import annotations

from django.utils import timezone

from goszakaz.attendance.models import PreschoolToken
from goszakaz.registry.models import Preschool
from goszakaz.tokens import digest, new_token


def issue_token(*, preschool: Preschool) -> str:
    """A new API token for a preschool's own system."""
    token, sha256 = new_token()
    PreschoolToken.objects.create(preschool=preschool, token_sha256=sha256,
                                  created_at=timezone.now())
    return token


def preschool_for_token(token: str) -> Preschool | None:
    """The preschool an active token belongs to, or None."""
    row = (PreschoolToken.objects.select_related("preschool")
           .filter(token_sha256=digest(token), active=True).first())
    return row.preschool if row else None
