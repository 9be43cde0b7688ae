"""A deadline row: which clause, for what, due when, and whether it was met."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class DeadlineState(models.TextChoices):
    """Open until met; an open deadline past its due day is overdue (shown, not a state)."""

    OPEN = "open", gettext_lazy("open")
    MET = "met", gettext_lazy("met")
    CANCELLED = "cancelled", gettext_lazy("cancelled")


class Deadline(models.Model):
    """One tracked term of the law (A7.4 5 business days, A7.9 by the 5th, ...)."""

    clause = models.CharField(max_length=16)
    city = models.CharField(max_length=32, db_index=True)
    subject = models.CharField(max_length=128, help_text="what it is for, e.g. lists/2024-03-04")
    title = models.CharField(max_length=200)
    opened_on = models.DateField()
    due_on = models.DateField()
    state = models.CharField(max_length=16, choices=DeadlineState.choices,
                             default=DeadlineState.OPEN)
    met_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clause", "city", "subject"],
                                               name="one_deadline_per_subject")]
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.clause} {self.subject}: due {self.due_on} ({self.state})"

    def overdue(self, today: object) -> bool:
        """Open and past its due day."""
        return self.state == DeadlineState.OPEN and self.due_on < today  # type: ignore[operator]
