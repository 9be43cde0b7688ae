"""Fixtures of the database tests: the pilot cities (from the data migration), users per role, a
city with money; the data itself is made by tests/factories.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from goszakaz import clock
from goszakaz.enrollment.models import Voucher
from goszakaz.registry.models import City, Preschool, Role
from tests import factories
from tests.factories import OTHER_PARENT_IIN, PARENT_IIN, make_user, pilot_city


@pytest.fixture
def taraz(db: None) -> City:
    return pilot_city("taraz")


@pytest.fixture
def shymkent(db: None) -> City:
    return pilot_city("shymkent")


@pytest.fixture
def edu_taraz(taraz: City) -> User:
    return make_user("edu-taraz", Role.EDU, taraz)


@pytest.fixture
def edu_shymkent(shymkent: City) -> User:
    return make_user("edu-shymkent", Role.EDU, shymkent)


@pytest.fixture
def parent(db: None) -> User:
    return make_user("parent", Role.PAR, iin=PARENT_IIN)


@pytest.fixture
def other_parent(db: None) -> User:
    return make_user("other-parent", Role.PAR, iin=OTHER_PARENT_IIN)


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    def write(rows: list[dict], name: str = "apps.csv", encoding: str = "utf-8",
              delimiter: str = ",") -> Path:
        return factories.write_applications(tmp_path / name, rows, encoding, delimiter)

    return write


@pytest.fixture
def money_city(taraz: City) -> tuple[City, Preschool, Voucher, Voucher]:
    """Taraz with money (factories.money_city)."""
    with transaction.atomic():  # the browser tests run outside a test transaction
        return factories.money_city(taraz)


@pytest.fixture
def clock_at() -> Iterator[Callable[[dt.date], object]]:
    """Fix the clock the pages and commands read at a day, for the rest of the test (every
    thread sees it, the live server's too)."""
    with ExitStack() as stack:
        yield lambda day: stack.enter_context(clock.frozen(day))
