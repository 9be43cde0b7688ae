"""A term kept, kept late, overdue or open (domain.terms)."""

from __future__ import annotations

import datetime as dt

from goszakaz.domain.terms import Kept, TermState, term_state

D = dt.date


def test_a_term_is_met_late_overdue_or_open() -> None:
    # covers: A7.9, A7.11, A7.12
    due = D(2024, 4, 5)
    assert term_state(due=due, done=D(2024, 4, 5), today=D(2024, 5, 1)) == TermState(Kept.MET)
    assert term_state(due=due, done=D(2024, 4, 1), today=D(2024, 5, 1)) == TermState(Kept.MET)
    assert term_state(due=due, done=D(2024, 4, 8), today=D(2024, 5, 1)) == TermState(Kept.LATE, 3)
    assert term_state(due=due, done=None, today=D(2024, 4, 5)) == TermState(Kept.OPEN)
    assert term_state(due=due, done=None, today=D(2024, 4, 6)) == TermState(Kept.OVERDUE, 1)
    assert term_state(due=None, done=D(2024, 4, 6), today=D(2024, 4, 6)).kept == Kept.NO_TERM
