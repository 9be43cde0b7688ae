"""Django app config of the registry."""

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "goszakaz.registry"
    label = "registry"
