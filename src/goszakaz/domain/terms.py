"""Whether a term was kept: met, late by some days, or still open (overdue or not yet due)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Kept(StrEnum):
    """A term's outcome as a page tells it."""

    MET = "met"  # done on or before its due day
    LATE = "late"  # done after its due day
    OVERDUE = "overdue"  # not done, its due day passed
    OPEN = "open"  # not done, not due yet
    NO_TERM = "no_term"  # done or not, no term is known for it


@dataclass(frozen=True)
class TermState:
    """The outcome and how many calendar days late (or overdue) it is; 0 otherwise."""

    kept: Kept
    days: int = 0


def term_state(*, due: dt.date | None, done: dt.date | None, today: dt.date) -> TermState:
    """A step due on `due`, done on `done` (None: not yet), seen on `today`."""
    if due is None:
        return TermState(Kept.NO_TERM)
    if done is not None:
        late = (done - due).days
        return TermState(Kept.LATE, late) if late > 0 else TermState(Kept.MET)
    overdue = (today - due).days
    return TermState(Kept.OVERDUE, overdue) if overdue > 0 else TermState(Kept.OPEN)
