"""The plan-schedule of the pilot (Appendix 2 of the order, P1-P5): one row per milestone."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language, gettext_lazy


class MilestoneStatus(models.TextChoices):
    """planned -> in progress -> done (or planned -> done)."""

    PLANNED = "planned", gettext_lazy("planned")
    IN_PROGRESS = "in_progress", gettext_lazy("in progress")
    DONE = "done", gettext_lazy("done")


MILESTONE_TRANSITIONS: dict[str, set[str]] = {
    MilestoneStatus.PLANNED: {MilestoneStatus.IN_PROGRESS, MilestoneStatus.DONE},
    MilestoneStatus.IN_PROGRESS: {MilestoneStatus.DONE},
    MilestoneStatus.DONE: set(),
}


class Milestone(models.Model):
    """One line of the plan-schedule: what, by when, in what form, by whom, and how it stands."""

    code = models.CharField(max_length=8, unique=True, help_text="P1 ... P5")
    title_ru = models.CharField(max_length=300)
    title_kk = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300)
    form_ru = models.CharField(max_length=200, help_text="the form of completion")
    form_kk = models.CharField(max_length=200)
    form_en = models.CharField(max_length=200)
    executor = models.CharField(max_length=300, help_text="the executors, as the order names them")
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=MilestoneStatus.choices,
                              default=MilestoneStatus.PLANNED)
    done_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} due {self.due_on} ({self.status})"

    def title(self, lang: str | None = None) -> str:
        """The title in `lang` (default: the active language), Russian when unknown."""
        return str(getattr(self, f"title_{_lang(lang)}"))

    def form(self, lang: str | None = None) -> str:
        """The form of completion in `lang` (default: the active language)."""
        return str(getattr(self, f"form_{_lang(lang)}"))


def _lang(lang: str | None) -> str:
    code = (lang or get_language() or "ru")[:2]
    return code if code in ("ru", "kk", "en") else "ru"
