"""What the simulated people share while the year runs: the seed's choices, the population, the
tally, the system's ids they learned (vouchers, preschools, accounts) and the API clients."""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.test import Client

from goszakaz import clock
from goszakaz.access.actor import Actor
from goszakaz.clock import KZ
from goszakaz.registry.models import Bank, City, Role
from goszakaz.rules.calendar import kz_calendar
from goszakaz.simulation.people import Child, School
from goszakaz.simulation.tally import Tally
from goszakaz.verification.nobd import FakeNobd

if TYPE_CHECKING:
    from goszakaz.simulation.crowd import Crowd

EDU, OPR = Actor.system(Role.EDU), Actor.system(Role.OPR)
PRE, PAR = Actor.system(Role.PRE), Actor.system(Role.PAR)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of a simulated day, Kazakhstan time."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=KZ)


class Violation(AssertionError):
    """An invariant failed: the run stops, naming the seed and the day."""


@dataclass
class CityState:
    """One city's people and what the simulation learned of it in the system."""

    city: City
    schools: list[School]
    children: list[Child]
    onboard_on: dt.date
    school_ids: list[int] = field(default_factory=list)
    vouchers: dict[int, int] = field(default_factory=dict)  # child key -> voucher id
    submission_id: int | None = None
    checked: bool = False
    funded: dict[str, str] = field(default_factory=dict)  # month -> requested / distributed
    request_ids: dict[str, int] = field(default_factory=dict)
    nobd: FakeNobd = field(default_factory=FakeNobd)
    agenda: dict[dt.date, list[Child]] | None = None  # life events and changes by day
    joining: set[int] = field(default_factory=set)  # child keys without a contract yet


@dataclass
class BankState:
    """The bank's own records: accounts asked for, opened, closed; the lists it sent."""

    bank: Bank | None = None
    api: Api | None = None
    accounts: dict[int, dict[str, Any]] = field(default_factory=dict)  # account id -> record
    opening: dict[dt.date, list[int]] = field(default_factory=dict)  # day -> accounts to open
    closing: dict[dt.date, list[int]] = field(default_factory=dict)  # day -> to close (A10)
    opened: set[int] = field(default_factory=set)
    unregistered: dict[int, dt.date] = field(default_factory=dict)  # parent never registers
    lists: dict[str, dt.date] = field(default_factory=dict)  # month -> sent on
    outbox: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)


class Api:
    """A bank's or a preschool's system calling the API in-process with its own token."""

    def __init__(self, token: str, prefix: str) -> None:
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", SERVER_NAME="localhost",
                             HTTP_ACCEPT_LANGUAGE="en")
        self.prefix = prefix

    def get(self, path: str, moment: dt.datetime, **params: str) -> Any:
        with clock.frozen(moment):
            r = self.client.get(self.prefix + path, params)
        return r.status_code, r.json()

    def post(self, path: str, body: dict[str, Any], key: str, moment: dt.datetime
             ) -> tuple[int, Any]:
        with clock.frozen(moment):
            r = self.client.post(self.prefix + path, json.dumps(body, default=str),
                                 content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
        return r.status_code, r.json()


@dataclass
class World:
    """Everything the simulated people share."""

    seed: int
    rng: random.Random
    faults_rng: random.Random | None
    first: dt.date
    last: dt.date
    workdir: Path
    started: float
    cities: dict[str, CityState] = field(default_factory=dict)
    tally: Tally = field(default_factory=Tally)
    bank: BankState = field(default_factory=BankState)
    child_of: dict[int, Child] = field(default_factory=dict)  # voucher id -> child
    school_tokens: dict[int, str] = field(default_factory=dict)  # preschool id -> its API token
    pending: dict[int, list[tuple[int, dt.date, str]]] = field(default_factory=dict)
    disputes: dict[tuple[int, str], dt.date] = field(default_factory=dict)  # opened on
    surprises: list[str] = field(default_factory=list)  # refusals the people did not expect
    sick: dict[int, int] = field(default_factory=dict)  # voucher id -> sick days still to come
    certified: dict[int, bool] = field(default_factory=dict)  # this illness has a certificate
    vacation_used: dict[int, int] = field(default_factory=dict)  # the vacation's days so far
    faults_done: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time by part of the day
    day: dt.date = dt.date(2024, 3, 1)
    crowd: Crowd | None = None  # who makes the people's independent calls (simulation.crowd)

    def __post_init__(self) -> None:
        self.day = self.first
        self.years = (self.first.year, self.last.year)
        self.calendar = kz_calendar(self.years)

    def working(self, day: dt.date) -> bool:
        return self.calendar.is_working_day(day)

    def business_after(self, day: dt.date, n: int) -> dt.date:
        return self.calendar.add_business_days(day, n)

    @contextmanager
    def timed(self, part: str) -> Iterator[None]:
        """Add the block's wall time to `seconds[part]` (where a year's time goes)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[part] = self.seconds.get(part, 0.0) + time.perf_counter() - started

    def make(self, call: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> list[Any]:
        """The people's independent calls, call(*args) for each, by the crowd's workers when
        there are several (simulation.crowd); the answers in the calls' order."""
        if self.crowd is None:
            return [call(*args) for args in calls]
        return self.crowd.map(call, calls)

    def surprise(self, what: str) -> None:
        """A refusal the simulated people did not expect: counted and kept for the summary."""
        self.surprises.append(f"{self.day.isoformat()}: {what}")
