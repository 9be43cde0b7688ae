"""Hypothesis profiles, chosen by HYPOTHESIS_PROFILE (default "ci"), the stage markers, and the
fixtures of the database and browser tests (the data itself is made by tests/factories.py).

ci: the same examples every run (derandomized, no example database), no deadline.
fuzz: CI's fuzzer stage (`-m "fuzz or property"`): ten times the examples, still derandomized.
deep: many more random examples, failures kept in .hypothesis/ to replay; run it as
    HYPOTHESIS_PROFILE=deep python -m pytest tests -m "fuzz or property"
"""

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from hypothesis import settings

from goszakaz import clock
from goszakaz.enrollment.models import Voucher
from goszakaz.registry.models import City, Preschool, Role
from tests import factories
from tests.factories import OTHER_PARENT_IIN, PARENT_IIN, make_user, pilot_city

settings.register_profile("ci", max_examples=200, derandomize=True, database=None, deadline=None)
settings.register_profile("fuzz", max_examples=2000, derandomize=True, database=None,
                          deadline=None)
settings.register_profile("deep", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every hypothesis test is a `property` test: CI runs it again, longer, in the fuzzer stage."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.property)


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


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Every test starts with an empty cache (tests.settings: in memory, shared by the live
    server's thread): one test's wrong API tokens never throttle the next test's address."""
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the default language: a request in Kazakh through the test client
    leaves its language active in the thread, and the next test's Russian messages would not
    match."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)
