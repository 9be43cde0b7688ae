"""Django app config of enrollment."""

from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "goszakaz.enrollment"
    label = "enrollment"
