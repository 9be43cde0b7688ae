"""Parents racing for a preschool's last place on PostgreSQL, with real concurrent connections."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from goszakaz.access.actor import Actor
from goszakaz.enrollment.models import Contract
from goszakaz.enrollment.services import EnrollmentError, sign_contract
from goszakaz.registry.models import Role
from tests.factories import NOW, make_preschool, make_voucher, pilot_city, race

pytestmark = [pytest.mark.postgres,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_five_parents_race_for_the_last_place_one_wins() -> None:
    # covers: A6
    assert connection.vendor == "postgresql"
    taraz = pilot_city("taraz")
    preschool = make_preschool(taraz, 1, capacity=3)
    with transaction.atomic():
        for serial in (1, 2):
            sign_contract(voucher=make_voucher(taraz, serial), preschool=preschool,
                          on=dt.date(2024, 4, 1), actor=Actor.system(Role.PAR), now=NOW)
    racers = [make_voucher(taraz, serial) for serial in range(10, 15)]
    results = race(*[
        (lambda v=v: sign_contract(voucher=v, preschool=preschool, on=dt.date(2024, 4, 1),
                                   actor=Actor.system(Role.PAR), now=NOW))
        for v in racers])
    winners = [r for r in results if isinstance(r, Contract)]
    losers = [r for r in results if isinstance(r, EnrollmentError)]
    assert len(winners) == 1 and len(losers) == 4, results
    assert Contract.objects.filter(preschool=preschool).count() == 3
