"""Django app config of the web pages (and, by importing them, the deployment's checks)."""

from django.apps import AppConfig

from goszakaz.web import checks  # noqa: F401  (registers `check --deploy`'s own checks)


class WebConfig(AppConfig):
    name = "goszakaz.web"
    label = "web"
