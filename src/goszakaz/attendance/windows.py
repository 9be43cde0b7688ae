"""What the parent may do with a sheet on a day (I17, I7): the window's first and last day, and
whether confirm and dispute are offered; the pages ask this, the services enforce it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from goszakaz.attendance.models import Sheet, SheetState
from goszakaz.attendance.services import reconfirm_by, window_opens
from goszakaz.domain.months import last_day


@dataclass(frozen=True)
class AnswerWindow:
    """The parent's window on a sheet: `opens`..`closes` (None when there is none to come),
    what may be done on the day asked about, and `silent`: the window is over without an
    answer, so the sheet is (or, by the next `tick`, becomes) confirmed automatically."""

    opens: dt.date | None
    closes: dt.date | None
    confirm: bool
    dispute: bool
    silent: bool

    @property
    def before(self) -> bool:
        """The window is still to come."""
        return self.opens is not None and not (self.confirm or self.silent)


NONE = AnswerWindow(None, None, False, False, False)


def answer_window(sheet: Sheet, on: dt.date) -> AnswerWindow:
    """I17, A7.14: an open sheet from window_opens to the month's last day; A7.16, I7: a
    corrected one within 2 calendar days of the correction (never before the month's window);
    a final or disputed sheet: nothing to do."""
    if sheet.state == SheetState.OPEN:
        opens, closes = window_opens(sheet), last_day(sheet.month)
        inside = opens <= on <= closes
        return AnswerWindow(opens, closes, inside, inside, on > closes)
    if sheet.state == SheetState.CORRECTED and sheet.corrected_on is not None:
        opens = max(sheet.corrected_on, window_opens(sheet))
        closes = reconfirm_by(sheet.corrected_on)
        return AnswerWindow(opens, closes, opens <= on <= closes, False, on > closes)
    return NONE
