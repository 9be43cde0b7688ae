"""Django app config of the queue."""

from django.apps import AppConfig


class QueueConfig(AppConfig):
    name = "goszakaz.queue"
    label = "queue"
