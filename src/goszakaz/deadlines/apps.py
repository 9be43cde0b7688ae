"""Django app config of deadlines."""

from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "goszakaz.deadlines"
    label = "deadlines"
