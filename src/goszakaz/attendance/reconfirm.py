"""A7.16, I7: the parent's confirmation of a sheet the preschool corrected after a dispute, due
2 calendar days after the correction; met when the sheet becomes final (confirmed by the parent,
or automatically when the 2 days passed in silence)."""

from __future__ import annotations

import datetime as dt

from goszakaz.attendance.models import FINAL, Sheet
from goszakaz.deadlines.models import Deadline
from goszakaz.deadlines.services import meet, meet_rows, open_deadline, open_subjects

PREFIX = "sheet-reconfirm/"


def reconfirm_subject(sheet_id: int) -> str:
    """The subject of a corrected sheet's reconfirmation deadline."""
    return f"{PREFIX}{sheet_id}"


def open_reconfirmation(*, sheet: Sheet, corrected_on: dt.date, due_on: dt.date) -> Deadline:
    """A7.16, I7: the corrected sheet waits for the parent until `due_on` (2 calendar days)."""
    return open_deadline(clause="A7.16", city=sheet.city, subject=reconfirm_subject(sheet.pk),
                         title=f"Подтверждение исправленного табеля за {sheet.month} родителем",
                         opened_on=corrected_on,
                         due_on=due_on)


def meet_reconfirmation(*, sheet: Sheet, on: dt.date) -> bool:
    """The corrected sheet became final on `on`: its reconfirmation deadline is met."""
    return meet(clause="A7.16", city=sheet.city, subject=reconfirm_subject(sheet.pk), on=on)


def meet_final_reconfirmations() -> int:
    """Meet the open reconfirmation deadlines whose sheet is final by now, on the day it became
    final, however it did (a batch auto-confirmation included); returns how many."""
    rows = {int(subject.removeprefix(PREFIX)): pk for pk, _city, subject
            in open_subjects(clause="A7.16", prefix=PREFIX)
            if subject.removeprefix(PREFIX).isdigit()}
    final = Sheet.objects.filter(pk__in=rows, state__in=FINAL, final_on__isnull=False)
    return meet_rows(met_on={rows[pk]: on for pk, on in final.values_list("pk", "final_on")
                             if on is not None})
