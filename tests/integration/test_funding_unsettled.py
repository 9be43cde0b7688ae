"""A finding of the simulated year (issue 9): the next month's request while an earlier month's
sheet is still disputed, so not settled (I5): the account keeps that month's norm for it."""

from __future__ import annotations

import datetime as dt

from goszakaz.attendance.services import dispute, sheet_for
from goszakaz.finance.funding import build_request
from tests.factories import NORM, NOW, OPR, PAR, fund

D = dt.date


def test_a_disputed_month_is_still_owed_when_the_next_month_is_requested(money_city) -> None:
    # covers: I5
    taraz, _school, child, _ = money_city
    fund(taraz, "2024-04", D(2024, 4, 8))  # April's norm on the account, nothing marked yet
    dispute(sheet=sheet_for(voucher=child, month="2024-04", now=NOW), reason="спор",
            on=D(2024, 4, 30), actor=PAR, now=NOW)  # unanswered: April is not settled
    may = build_request(city=taraz, month="2024-05", on=D(2024, 5, 7), actor=OPR, now=NOW)
    line = may.lines.get(voucher=child)
    # April's money on the account is April's preschool's, whichever way the dispute ends: May
    # needs its own norm (I5: plus what is owed for a sheet not yet settled, minus the balance)
    assert line.amount == NORM
