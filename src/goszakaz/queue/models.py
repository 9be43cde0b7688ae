"""Queue applications with their status history, and allocation runs with frozen inputs and results."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from goszakaz.registry.models import City


class ApplicationState(models.TextChoices):
    """Where an application is in the queue; see TRANSITIONS."""

    QUEUED = "queued", gettext_lazy("in the queue")
    ALLOCATED = "allocated", gettext_lazy("place allocated")
    WITHDRAWN = "withdrawn", gettext_lazy("withdrawn")


APPLICATION_TRANSITIONS: dict[str, set[str]] = {
    ApplicationState.QUEUED: {ApplicationState.ALLOCATED, ApplicationState.WITHDRAWN},
    ApplicationState.ALLOCATED: set(),
    ApplicationState.WITHDRAWN: set(),
}


class Application(models.Model):
    """A queue application of one child in one city (T1.1-T1.3, T3)."""

    city = models.ForeignKey(City, on_delete=models.PROTECT)
    application_id = models.CharField(max_length=64)
    child_iin = models.CharField(max_length=12)
    child_name = models.CharField(max_length=200, blank=True)
    birth_date = models.DateField()
    submitted_at = models.DateTimeField(help_text="original date-time; never changes (T3)")
    parent_iin = models.CharField(max_length=12, blank=True, db_index=True)
    parent_phone = models.CharField(max_length=32, blank=True)
    resides_in_city = models.BooleanField()
    large_family = models.BooleanField(default=False)
    single_parent = models.BooleanField(default=False)
    other_susn = models.BooleanField(default=False)
    sibling_in_preschool = models.BooleanField(default=False)
    military_family = models.BooleanField(default=False)
    status_source = models.CharField(
        max_length=100, blank=True, help_text="where the status attributes come from"
    )
    state = models.CharField(
        max_length=16, choices=ApplicationState.choices, default=ApplicationState.QUEUED
    )
    category = models.PositiveSmallIntegerField(null=True, blank=True)
    queue_number = models.PositiveIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=32, blank=True)
    actualized_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["city", "application_id"], name="uniq_app_id"),
            models.UniqueConstraint(fields=["city", "child_iin"], name="uniq_app_child"),
        ]
        indexes = [
            models.Index(fields=["city", "state", "category", "queue_number"]),
            # the staff list's sorts (issue 12): an index per sortable column, read both ways
            models.Index(fields=["city", "category", "queue_number", "id"], name="app_by_number"),
            models.Index(fields=["city", "child_name", "id"], name="app_by_name"),
            models.Index(fields=["city", "birth_date", "id"], name="app_by_birth"),
            models.Index(fields=["city", "submitted_at", "id"], name="app_by_submitted"),
            models.Index(fields=["city", "state", "id"], name="app_by_state"),
            models.Index(fields=["city", "actualized_on"], name="app_by_update"),
        ]

    def __str__(self) -> str:
        return f"{self.city.code}/{self.application_id}"


class CategoryChange(models.Model):
    """T3: an application moved between categories; its submitted_at stays the original."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="changes")
    changed_on = models.DateField()
    from_category = models.PositiveSmallIntegerField(null=True)
    to_category = models.PositiveSmallIntegerField(null=True)
    from_queue_number = models.PositiveIntegerField(null=True)
    to_queue_number = models.PositiveIntegerField(null=True)
    why = models.CharField(max_length=200)

    class Meta:
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_category} -> {self.to_category} on {self.changed_on}"


class RunState(models.TextChoices):
    """An allocation run is previewed, then confirmed or discarded."""

    PREVIEW = "preview", gettext_lazy("preview")
    CONFIRMED = "confirmed", gettext_lazy("confirmed")
    DISCARDED = "discarded", gettext_lazy("discarded")


RUN_TRANSITIONS: dict[str, set[str]] = {
    RunState.PREVIEW: {RunState.CONFIRMED, RunState.DISCARDED},
    RunState.CONFIRMED: set(),
    RunState.DISCARDED: set(),
}


class AllocationRun(models.Model):
    """One allocation with its frozen inputs (rule version, volume, as-of date) and results."""

    city = models.ForeignKey(City, on_delete=models.PROTECT)
    rules = models.CharField(max_length=32)
    volume = models.PositiveIntegerField()
    as_of = models.DateField()
    state = models.CharField(max_length=16, choices=RunState.choices, default=RunState.PREVIEW)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    military_applications = models.PositiveIntegerField()
    military_seats = models.PositiveIntegerField()
    allocated = models.PositiveIntegerField()
    excluded = models.JSONField()
    iterations = models.JSONField(help_text="Vf of each category after each iteration, as fractions")
    inputs_hash = models.CharField(max_length=64, default="", help_text="digest of the queue it came from")

    def __str__(self) -> str:
        return f"{self.city.code} {self.as_of} V={self.volume} ({self.state})"


class RunCategory(models.Model):
    """A category's line in a run: demand, forecast Vp, real Vf (exact fraction), seats, cut-off."""

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="categories")
    number = models.PositiveSmallIntegerField()
    coefficient = models.PositiveSmallIntegerField()
    applications = models.PositiveIntegerField()
    vp = models.CharField(max_length=64)
    vf = models.CharField(max_length=64)
    seats = models.PositiveIntegerField()
    cutoff_queue_number = models.PositiveIntegerField(null=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"run {self.run_id} category {self.number}: {self.seats} seats"


class RunOutcome(models.Model):
    """One application's result in a run, with the inputs it was computed from (frozen)."""

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="outcomes")
    application = models.ForeignKey(Application, on_delete=models.PROTECT)
    status = models.CharField(max_length=16)
    category = models.PositiveSmallIntegerField(null=True)
    queue_number = models.PositiveIntegerField(null=True)
    seat_order = models.PositiveIntegerField(null=True)
    reason = models.CharField(max_length=32, blank=True)
    inputs = models.JSONField(help_text="birth date, submitted_at and status flags used")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "application"], name="uniq_run_app")
        ]
        indexes = [  # the run's per-child list sorts (reports.lists.allocation)
            models.Index(fields=["run", "seat_order", "category", "queue_number", "id"],
                         name="outcome_by_seat"),
            models.Index(fields=["run", "category", "queue_number", "id"],
                         name="outcome_by_number"),
            models.Index(fields=["run", "status", "id"], name="outcome_by_status"),
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} application {self.application_id}: {self.status}"
