"""Django app config of banking."""

from django.apps import AppConfig


class BankingConfig(AppConfig):
    name = "goszakaz.banking"
    label = "banking"
