"""A change of preschool (A11, I8) with what the preschools already marked: asked for on a 1st it
takes effect that day only while the child's month has no sheet yet; once the current preschool
has begun the month's sheet (marked the 1st), the month is that preschool's and the change waits
for the next 1st, as one asked for mid-month. A month's sheet belongs to one preschool."""

from __future__ import annotations

import datetime as dt

from goszakaz.access.actor import Actor
from goszakaz.attendance.models import Sheet
from goszakaz.domain.months import month_of
from goszakaz.enrollment import services as enrollment
from goszakaz.enrollment.models import Contract, Voucher
from goszakaz.registry.models import Preschool


def change_preschool(*, voucher: Voucher, preschool: Preschool, requested_on: dt.date,
                     actor: Actor, now: dt.datetime) -> Contract:
    """enrollment.change_preschool, from the next 1st when the month asked on its 1st has a
    sheet already (see the module's docstring); the new contract is returned."""
    asked = requested_on
    if requested_on.day == 1 and Sheet.objects.filter(
            voucher=voucher, month=month_of(requested_on)).exclude(preschool=preschool).exists():
        asked = requested_on + dt.timedelta(days=1)  # the rest of the month: the next 1st (I8)
    return enrollment.change_preschool(voucher=voucher, preschool=preschool, requested_on=asked,
                                       actor=actor, now=now)
