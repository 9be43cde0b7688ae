"""The simulation's crowd (simulation.crowd): several workers only where they can see each
other's commits."""

from __future__ import annotations

import pytest

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
