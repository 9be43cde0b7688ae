"""Django app config of the API (its tokens and its idempotent requests)."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "goszakaz.api"
    label = "api"
