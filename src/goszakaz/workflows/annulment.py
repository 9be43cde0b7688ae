"""An annulment from a day (A7.4, A10, A12, A13, A7.14) that never reaches into a month already
paid (A9): the date reported is kept, the annulment takes effect from the first day it still can."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from goszakaz.access.actor import Actor
from goszakaz.clock import local_date
from goszakaz.enrollment import services as enrollment
from goszakaz.enrollment.models import AnnulmentReason, Voucher
from goszakaz.finance.payments import first_unpaid_days


def annul_many(*, voucher_ids: Iterable[int], reason: AnnulmentReason, on: dt.date,
               actor: Actor, now: dt.datetime) -> int:
    """Annul these vouchers from `on`, or, for a child whose month of `on` (or a later one) is
    already settled, from the 1st of the month after its last settled month: what was paid
    stays paid, corrected only by new transfers (A9). Returns how many were annulled."""
    ids = list(voucher_ids)
    return enrollment.annul_many(voucher_ids=ids, reason=reason, on=on, actor=actor, now=now,
                                 first_open_day=first_unpaid_days(ids))


def annul(*, voucher: Voucher, reason: AnnulmentReason, on: dt.date, actor: Actor,
          now: dt.datetime) -> bool:
    """annul_many for one voucher; False when it was annulled already."""
    return annul_many(voucher_ids=[voucher.pk], reason=reason, on=on, actor=actor, now=now) == 1


def life_event(*, voucher: Voucher, reason: AnnulmentReason, on: dt.date, actor: Actor,
               now: dt.datetime) -> bool:
    """A12, A13: the city department records that the child moved away or died on `on`: a day
    that has come (not in the future); the voucher is annulled from it (annul)."""
    if on > local_date(now):
        raise enrollment.EnrollmentError(
            _("The date %(day)s has not come yet: an event is recorded once it happened.")
            % {"day": on.strftime("%d.%m.%Y")})
    return annul(voucher=voucher, reason=reason, on=on, actor=actor, now=now)
