"""Django app config of the registry; on SQLite it makes LOWER() Unicode-aware, as PostgreSQL's
is, so that a search by name finds "Сәуле" when "сәуле" is typed (the staff lists)."""

from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _unicode_lower(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":  # SQLite's own lower() folds ASCII letters only
        connection.connection.create_function(
            "lower", 1, lambda s: s.lower() if isinstance(s, str) else s, deterministic=True)


class RegistryConfig(AppConfig):
    name = "goszakaz.registry"
    label = "registry"

    def ready(self) -> None:
        connection_created.connect(_unicode_lower, dispatch_uid="goszakaz-unicode-lower")
