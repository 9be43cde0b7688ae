"""Django app config of finance."""

from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "goszakaz.finance"
    label = "finance"
