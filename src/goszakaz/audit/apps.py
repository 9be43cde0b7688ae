"""Django app config of the audit trail."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "goszakaz.audit"
    label = "audit"
