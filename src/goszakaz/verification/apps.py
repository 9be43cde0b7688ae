"""Django app config of verification."""

from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "goszakaz.verification"
    label = "verification"
