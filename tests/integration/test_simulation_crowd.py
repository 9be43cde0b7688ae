"""The simulation's crowd (simulation.crowd): several workers only where they can see each
other's commits."""

from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool

import pytest
from django.db import connection

from goszakaz.simulation.crowd import Crowd

pytestmark = pytest.mark.django_db


def test_several_workers_are_refused_where_they_would_not_see_the_data() -> None:
    # SQLite takes one writer at a time; inside a transaction (this test's) a worker's own
    # connection would not see what the run wrote
    with pytest.raises(ValueError, match="PostgreSQL|transaction"):
        Crowd(2)
    with pytest.raises(ValueError, match="at least 1"):
        Crowd(0)
    one = Crowd(1)
    assert one.map(pow, [(2, 3), (3, 2)]) == [8, 9] and one.made == 0
    one.close()


@pytest.mark.simulation
@pytest.mark.django_db(transaction=True)
def test_workers_answer_in_order_and_a_dead_worker_fails_the_run() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("several workers need PostgreSQL")
    crowd = Crowd(2)
    try:
        assert crowd.map(pow, [(i, 2) for i in range(500)]) == [i * i for i in range(500)]
        assert crowd.made == 500
        with pytest.raises(BrokenProcessPool):  # not a run waiting forever for lost calls
            crowd.map(os._exit, [(3,), (3,)])
    finally:
        crowd.close()
