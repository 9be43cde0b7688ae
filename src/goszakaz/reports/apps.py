"""Django app config of reports."""

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "goszakaz.reports"
    label = "reports"
