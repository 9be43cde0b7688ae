"""Test data shared by the suites: the fixed moment, actors, people, preschools, vouchers, a city
with money, and helpers for races and the HTTP API."""

from __future__ import annotations

import csv
import datetime as dt
import json
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction

from goszakaz.access.actor import Actor
from goszakaz.banking.models import ChildAccount
from goszakaz.cli.sample import sample_png
from goszakaz.clock import KZ
from goszakaz.domain.iin import make_bin, make_iin
from goszakaz.enrollment.models import Voucher
from goszakaz.enrollment.services import grant, set_group, sign_contract
from goszakaz.finance.funding import build_request, distribute, transfer_to_operator
from goszakaz.finance.models import FundingRequest
from goszakaz.finance.tariffs import set_norm, set_parent_fee
from goszakaz.queue.files import COLUMNS
from goszakaz.registry import pilot_cities
from goszakaz.registry.models import Bank, City, Group, Membership, Preschool, Role
from goszakaz.rules.calendar import kz_calendar

# The moment the services are told it is, in tests that do not care: after every day the tests
# mark, so no mark is "in the future" (A7.13).
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=KZ)
PARENT_IIN = make_iin(dt.date(1990, 5, 17), 123, female=True)
OTHER_PARENT_IIN = make_iin(dt.date(1988, 2, 3), 456)
D = dt.date
NORM = 6_000_000  # 60000.00 tenge: the monthly norm of the money tests
WORKING = kz_calendar((2024,)).is_working_day
PNG = sample_png()  # a photo of a certificate, for a dispute's document
EDU, OPR, BANK = Actor.system(Role.EDU), Actor.system(Role.OPR), Actor.system(Role.BANK)
PRE, PAR = Actor.system(Role.PRE), Actor.system(Role.PAR)


def pilot_city(code: str) -> City:
    """A pilot city of the data migration; made again if a transactional test flushed it."""
    pilot_cities.ensure(City)
    return City.objects.get(code=code)


def make_user(username: str, role: str, city: City | None = None, iin: str = "") -> User:
    """A user with a membership of the role (and city or IIN)."""
    user = User.objects.create_user(username, password="pw")
    Membership.objects.create(user=user, role=role, city=city, iin=iin)
    return user


def app_row(app_id: str, birth: dt.date, submitted: str, serial: int, **flags: object) -> dict:
    """One queue application row; flags default to a resident without statuses."""
    row = {"application_id": app_id, "child_iin": make_iin(birth, serial),
           "birth_date": birth.isoformat(), "submitted_at": submitted,
           "resides_in_city": "true", "large_family": "false", "single_parent": "false",
           "other_susn": "false", "sibling_in_preschool": "false", "military_family": "false"}
    row.update({k: str(v) for k, v in flags.items()})
    return row


def write_applications(path: Path, rows: list[dict], encoding: str = "utf-8",
                       delimiter: str = ",") -> Path:
    """A CSV of application rows (the standard columns first, then any others)."""
    header = list(COLUMNS) + [k for k in rows[0] if k not in COLUMNS] if rows else COLUMNS
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, delimiter=delimiter)
        w.writeheader()
        w.writerows(rows)
    return path


def make_preschool(city: City, bin_serial: int, capacity: int = 2,
                   included_on: dt.date | None = dt.date(2024, 3, 1)) -> Preschool:
    """A preschool of the city with a valid BIN (registered 2015-06, a legal entity)."""
    number = make_bin(bin_serial)
    return Preschool.objects.create(bin=number, name=f"Балабақша №{int(number[5:11])}",
                                    city=city, design_capacity=capacity, included_on=included_on)


def make_voucher(city: City, serial: int, parent_iin: str = PARENT_IIN) -> Voucher:
    """A granted voucher of the child born 2020-01-01 with IIN make_iin(birth, serial).

    make_iin steps over a serial with no check digit, so neighbouring serials may give one
    child: use serials a few apart for many children."""
    birth = dt.date(2020, 1, 1)
    voucher, _ = grant(city=city, child_iin=make_iin(birth, serial), birth_date=birth,
                       parent_iin=parent_iin, source="city_list", period_start=city.pilot_start,
                       period_end=city.pilot_end, actor=EDU, now=NOW)
    return voucher


def race(*calls: Any) -> list[object]:
    """Run the calls at the same moment, each in its own thread, connection and transaction."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def work(i: int, call: Any) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                results[i] = call()
        except Exception as e:  # noqa: BLE001 - the outcome is what the test compares
            results[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


class Api:
    """A tiny HTTP client of the live server's API, one token (a bank's, or a preschool's)."""

    def __init__(self, base: str, token: str, prefix: str = "/api/bank/v1",
                 language: str = "en") -> None:
        self.base, self.token, self.language = base + prefix, token, language

    def call(self, method: str, path: str, body: object = None, key: str | None = None,
             raw: bytes | None = None) -> tuple[int, object]:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                   "Accept-Language": self.language}
        if key is not None:
            headers["Idempotency-Key"] = key
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")


def money_city(taraz: City) -> tuple[City, Preschool, Voucher, Voucher]:
    """Taraz with a preschool, norms and a fee from March 2024, two children with contracts
    from April: one with an open bank account, one whose parent never registered at the bank,
    paid directly (A7.9, I19)."""
    school = make_preschool(taraz, 1, capacity=10)
    bank = Bank.objects.create(code="halyk", name="Halyk", bin="920140000084")
    for group in ("early", "preschool"):
        set_norm(city=taraz, age_group=group, stay_mode="full_day", effective_from=D(2024, 3, 1),
                 amount=NORM, actor=EDU, now=NOW)
    set_parent_fee(preschool=school, effective_from=D(2024, 3, 1), amount=1_500_000, actor=EDU,
                   now=NOW)
    with_account, without = make_voucher(taraz, 1), make_voucher(taraz, 2)
    for v in (with_account, without):
        sign_contract(voucher=v, preschool=school, on=D(2024, 4, 1), actor=PAR, now=NOW)
    ChildAccount.objects.create(voucher=with_account, bank=bank, city="taraz", status="opened",
                                requested_on=D(2024, 3, 20), opened_on=D(2024, 3, 25),
                                number="KZ86125KZT5004100100", parent_registered=True)
    # sent to the bank, the parent never registered: on the bank's list, paid directly (I19)
    ChildAccount.objects.create(voucher=without, bank=bank, city="taraz", status="requested",
                                requested_on=D(2024, 3, 20), direct_payment=True)
    return taraz, school, with_account, without


def fund(taraz: City, month: str, on: dt.date) -> FundingRequest:
    """A7.11, A7.12: the month's funding request, the budget transfer and the distribution."""
    request = build_request(city=taraz, month=month, on=on, actor=OPR, now=NOW)
    transfer_to_operator(request=request, on=on, actor=EDU, now=NOW)
    distribute(request=request, on=on, actor=OPR, now=NOW)
    return request


def make_group(school: Preschool, name: str, names: list[str], serial: int = 100,
               start: dt.date = dt.date(2024, 4, 1)) -> tuple[Group, list[Voucher]]:
    """A group of the school with a child of each name, born 2020-01-01, contracts from
    `start`; the children's IINs differ only after the birth date (the day page tells them
    apart by name)."""
    group = Group.objects.create(preschool=school, name=name)
    birth = dt.date(2020, 1, 1)
    children = []
    for i, child in enumerate(names):
        voucher, _ = grant(city=school.city, child_iin=make_iin(birth, serial + 7 * i),
                           birth_date=birth, parent_iin=PARENT_IIN, source="city_list",
                           child_name=child, period_start=school.city.pilot_start,
                           period_end=school.city.pilot_end, actor=EDU, now=NOW)
        contract = sign_contract(voucher=voucher, preschool=school, on=start, actor=PAR, now=NOW)
        set_group(preschool=school, contract_ids=[contract.pk], group=group, actor=PRE, now=NOW)
        children.append(voucher)
    return group, children


def make_teacher(username: str, group: Group) -> User:
    """A teacher's account of the group (a PRE membership with the group)."""
    user = make_user(username, Role.PRE)
    Membership.objects.filter(user=user).update(preschool=group.preschool, group=group)
    return user
