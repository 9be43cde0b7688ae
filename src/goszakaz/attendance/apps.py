"""Django app config of attendance."""

from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "goszakaz.attendance"
    label = "attendance"
