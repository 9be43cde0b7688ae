"""Fixtures of the database tests: the pilot cities (from the data migration), users per role."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from goszakaz.domain.iin import make_iin
from goszakaz.queue.files import COLUMNS
from goszakaz.registry.models import City, Membership, Role

PARENT_IIN = make_iin(dt.date(1990, 5, 17), 123, female=True)
OTHER_PARENT_IIN = make_iin(dt.date(1988, 2, 3), 456)


@pytest.fixture
def taraz(db: None) -> City:
    return City.objects.get(code="taraz")


@pytest.fixture
def shymkent(db: None) -> City:
    return City.objects.get(code="shymkent")


def make_user(username: str, role: str, city: City | None = None, iin: str = "") -> User:
    user = User.objects.create_user(username, password="pw")
    Membership.objects.create(user=user, role=role, city=city, iin=iin)
    return user


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


def app_row(app_id: str, birth: dt.date, submitted: str, serial: int, **flags: object) -> dict:
    """One input row; flags default to a resident without statuses."""
    row = {"application_id": app_id, "child_iin": make_iin(birth, serial),
           "birth_date": birth.isoformat(), "submitted_at": submitted,
           "resides_in_city": "true", "large_family": "false", "single_parent": "false",
           "other_susn": "false", "sibling_in_preschool": "false", "military_family": "false"}
    row.update({k: str(v) for k, v in flags.items()})
    return row


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    def write(rows: list[dict], name: str = "apps.csv", encoding: str = "utf-8",
              delimiter: str = ",") -> Path:
        path = tmp_path / name
        header = list(COLUMNS) + [k for k in rows[0] if k not in COLUMNS] if rows else COLUMNS
        with path.open("w", encoding=encoding, newline="") as f:
            w = csv.DictWriter(f, fieldnames=header, delimiter=delimiter)
            w.writeheader()
            w.writerows(rows)
        return path

    return write
