"""Each month's deadlines from its first day (DESIGN, Time), so a step never done shows overdue.

For a city and a month of its pilot period: A7.9 each bank's list (by the 5th), A7.11 the
funding request (2 business days after the banks' lists; provisionally after the 5th), A7.12
the city department's transfer (2 business days after the request), A7.14 the auto-confirmation
of the month's silent sheets (the 1st of the next month), A7.17 the НОБД export (10 business
days after the month) and, for December, A7.18 the return of the balances on 1 January. The
subjects are those the steps meet (banking, funding, nobd_export, sweep), so doing a step meets
the row opened early; opening them again changes nothing but a provisional due day.
"""

from __future__ import annotations

import datetime as dt

from goszakaz.attendance.nobd_export import export_deadline
from goszakaz.banking.services import banks_owing_list, list_deadline
from goszakaz.deadlines.models import Deadline
from goszakaz.deadlines.services import meet_due_by, open_deadline
from goszakaz.domain.months import first_day, last_day
from goszakaz.finance.funding import pilot_share, request_deadline, transfer_deadline
from goszakaz.finance.sweep import year_end_deadline
from goszakaz.registry.models import City


def in_pilot(city: City, month: str) -> bool:
    """O1, I21: the month has working days inside the city's pilot period (it is funded)."""
    return pilot_share(city, month)[0] > 0


def auto_confirm_subject(month: str) -> str:
    """The subject of the auto-confirmation of a month's silent sheets (A7.14)."""
    return f"auto-confirm/{month}"


def auto_confirm_deadline(*, city: City, month: str, opened_on: dt.date) -> Deadline:
    """A7.14, I17: the month's silent sheets are confirmed automatically by the next day's tick,
    the 1st of the next month; met when tick's auto-confirmation ran for the month."""
    return open_deadline(clause="A7.14", city=city.code, subject=auto_confirm_subject(month),
                         title=f"Автоматическое подтверждение табелей за {month}",
                         opened_on=opened_on,
                         due_on=last_day(month) + dt.timedelta(days=1))


def month_opened(*, city: City, month: str) -> bool:
    """Were the city's month's deadlines opened already (its A7.14 row, opened with the rest)?"""
    return Deadline.objects.filter(clause="A7.14", city=city.code,
                                   subject=auto_confirm_subject(month)).exists()


def open_month(*, city: City, month: str) -> int:
    """Open every deadline of the city's month from its first day (none for a month outside
    the pilot period) and move the provisional due days of A7.11 and A7.12 to what the banks'
    lists and the request fixed since; returns how many rows were new."""
    if not in_pilot(city, month):
        return 0
    first = first_day(month)
    before = Deadline.objects.filter(city=city.code).count()
    for bank in banks_owing_list(city=city, month=month):
        list_deadline(bank=bank, city=city.code, month=month, opened_on=first)
    request_deadline(city=city, month=month, opened_on=first)
    transfer_deadline(city=city, month=month, opened_on=first)
    auto_confirm_deadline(city=city, month=month, opened_on=first)
    export_deadline(city=city, month=month, opened_on=first)
    if first.month == 12:
        year_end_deadline(city=city.code, year=first.year, opened_on=first)
    return Deadline.objects.filter(city=city.code).count() - before


def meet_auto_confirmation(*, today: dt.date) -> int:
    """A7.14: the auto-confirmation that ran on `today` confirmed every month ended before it,
    in every city: their deadlines are met today; returns how many."""
    return meet_due_by(clause="A7.14", by=today, on=today)
