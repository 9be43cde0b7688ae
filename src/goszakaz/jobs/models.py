"""A job row: what to do (kind and arguments), for whom, how far it got, and what came of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy


class JobState(models.TextChoices):
    """queued -> running -> done | failed; a running job whose worker died is taken again."""

    QUEUED = "queued", gettext_lazy("waiting")
    RUNNING = "running", gettext_lazy("running")
    DONE = "done", gettext_lazy("done")
    FAILED = "failed", gettext_lazy("failed")


JOB_TRANSITIONS: dict[str, set[str]] = {
    JobState.QUEUED: {JobState.RUNNING},
    JobState.RUNNING: {JobState.DONE, JobState.FAILED},
    JobState.DONE: set(),
    JobState.FAILED: set(),
}


class Job(models.Model):
    """Long work asked for on a page: no broker, the database is the queue (DESIGN, Time).

    `input_file` is a private file under the data directory (never served), `done`/`total` the
    progress of its current `step`, `result` what the page shows when it ends (JSON)."""

    kind = models.CharField(max_length=32)
    city = models.CharField(max_length=32, blank=True, db_index=True)
    args = models.JSONField(default=dict, blank=True)
    input_file = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=8, default="ru")
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    step = models.CharField(max_length=64, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL)
    role = models.CharField(max_length=8)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    touched_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "created_at"], name="job_queue")]

    def __str__(self) -> str:
        return f"job {self.pk} {self.kind} ({self.state})"

    @property
    def percent(self) -> int:
        """The current step's progress, 0-100."""
        return 100 if self.state == JobState.DONE else (
            self.done * 100 // self.total if self.total else 0)
