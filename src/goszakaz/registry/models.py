"""Cities with their pilot periods (O1), and each user's role and scope (A3)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models


class City(models.Model):
    """A pilot city (O1); the period is data, open-ended when pilot_end is empty (I16)."""

    code = models.SlugField(max_length=32, unique=True)
    name_ru = models.CharField(max_length=100)
    name_kk = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    pilot_start = models.DateField()
    pilot_end = models.DateField(null=True, blank=True)
    allocation_rules = models.CharField(
        max_length=32, blank=True, help_text="rule set of the Taraz procedure (A5), if the city uses it"
    )

    class Meta:
        verbose_name_plural = "cities"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_ru

    def in_pilot(self, day: dt.date) -> bool:
        """Is the day inside the city's pilot period (O1, I16)?"""
        return self.pilot_start <= day and (self.pilot_end is None or day <= self.pilot_end)


class Role(models.TextChoices):
    """The five participant roles (A3)."""

    EDU = "EDU", "Управление образования"
    OPR = "OPR", "Оператор"
    BANK = "BANK", "Банк"
    PRE = "PRE", "Дошкольная организация"
    PAR = "PAR", "Родитель"


class Membership(models.Model):
    """A user's role and scope: the city of an EDU user, the IIN of a parent."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    role = models.CharField(max_length=8, choices=Role.choices)
    city = models.ForeignKey(City, null=True, blank=True, on_delete=models.PROTECT)
    iin = models.CharField(max_length=12, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"
