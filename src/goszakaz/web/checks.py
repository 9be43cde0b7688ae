"""The deployment's own checks, run by `goszakaz check --deploy` next to Django's: what a
production setting must not leave at the development default (docs/security.md, Deployment)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def deployment(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The admin at its well-known path, or origins trusted over plain HTTP."""
    found: list[CheckMessage] = []
    if settings.ADMIN_PATH == "admin/":
        found.append(Warning(
            "The admin is at its default path /admin/, the first one a guesser tries.",
            hint="Set GOSZAKAZ_ADMIN_PATH to a path of your own (or leave it unset: no admin).",
            id="goszakaz.W001"))
    plain = [o for o in settings.CSRF_TRUSTED_ORIGINS if not o.startswith("https://")]
    if plain:
        found.append(Warning(
            f"CSRF_TRUSTED_ORIGINS trusts origins over plain HTTP: {', '.join(plain)}.",
            hint="List the site's https:// origins only.", id="goszakaz.W002"))
    return found
