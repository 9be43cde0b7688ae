"""Django app config of jobs."""

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "goszakaz.jobs"
    label = "jobs"
