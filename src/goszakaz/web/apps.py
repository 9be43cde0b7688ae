"""Django app config of the web pages."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "goszakaz.web"
    label = "web"
