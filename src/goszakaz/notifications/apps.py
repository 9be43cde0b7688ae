"""Django app config of the notifications outbox."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "goszakaz.notifications"
    label = "notifications"
