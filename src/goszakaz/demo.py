"""Demo data for a fresh machine: a user of each role, a Taraz queue, and Uralsk's vouchers and bank."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from goszakaz.banking.services import request_accounts
from goszakaz.domain.iin import check_digit, make_iin
from goszakaz.enrollment.models import VoucherStatus
from goszakaz.enrollment.services import grant, set_status
from goszakaz.queue.files import COLUMNS
from goszakaz.queue.models import Application
from goszakaz.queue.services import actualize_queue, import_applications
from goszakaz.queue.synthetic import synthetic_rows
from goszakaz.registry.models import AgreementVersion, Bank, City, Membership, Preschool, Role

PASSWORD = "demo12345"
AS_OF = dt.date(2024, 8, 1)
PARENT_IIN = make_iin(dt.date(1990, 5, 17), 123, female=True)
# username, role, city, IIN, bank code, preschool BIN
LOGINS = [
    ("edu-taraz", Role.EDU, "taraz", "", "", ""),
    ("edu-uralsk", Role.EDU, "uralsk", "", "", ""),
    ("operator", Role.OPR, None, "", "", ""),
    ("bank", Role.BANK, None, "", "halyk", ""),
    ("preschool", Role.PRE, None, "", "", "first"),
    ("parent", Role.PAR, None, PARENT_IIN, "", ""),
]


def demo_bin(serial: int) -> str:
    """A valid BIN (a legal entity registered 2015-06) for demo organizations."""
    while True:
        head = f"15064{serial:06d}"
        digit = check_digit(head)
        if digit is not None:
            return head + str(digit)
        serial += 1


@transaction.atomic
def load(n_applications: int = 400) -> None:
    """Create the demo data once; running it again changes nothing."""
    if Bank.objects.filter(code="halyk").exists():
        return
    halyk = Bank.objects.create(code="halyk", name="Halyk Bank", bin=demo_bin(900))
    uralsk = City.objects.get(code="uralsk")
    schools = [Preschool.objects.create(bin=demo_bin(100 + i), name=name, city=uralsk,
                                        design_capacity=cap, included_on=uralsk.pilot_start)
               for i, (name, cap) in enumerate([("Балабақша «Айгөлек»", 120),
                                                ("Детский сад «Солнышко»", 80),
                                                ("Балабақша «Балдәурен»", 2)])]
    AgreementVersion.objects.create(number=1, published_on=dt.date(2024, 3, 15),
                                    summary="Договор присоединения, первая редакция")
    _users(halyk, schools[0])
    _taraz_queue(n_applications)
    for i, name in enumerate(["Әлихан", "Мирас", "Сара"]):
        birth = dt.date(2021, 2 + i, 10)
        voucher, _ = grant(city=uralsk, child_iin=make_iin(birth, 700 + i), birth_date=birth,
                           parent_iin=PARENT_IIN if i == 0 else make_iin(dt.date(1992, 1, 1), i),
                           source="city_list", child_name=name, period_start=uralsk.pilot_start,
                           period_end=None, actor=None, role=Role.EDU)
        set_status(voucher=voucher, to=VoucherStatus.VERIFIED, why="НОБД", actor=None,
                   role=Role.OPR)
    request_accounts(city=uralsk, bank=halyk, on=dt.date(2024, 11, 15), actor=None,
                     role=Role.OPR)


def _users(bank: Bank, preschool: Preschool) -> None:
    users = get_user_model()
    for username, role, city, iin, bank_code, school in LOGINS:
        user = users.objects.create_user(username, password=PASSWORD)
        Membership.objects.create(
            user=user, role=role, iin=iin,
            city=City.objects.get(code=city) if city else None,
            bank=bank if bank_code else None, preschool=preschool if school else None)
    if not users.objects.filter(username="admin").exists():
        users.objects.create_superuser("admin", "", PASSWORD)


def _taraz_queue(n_applications: int) -> None:
    taraz = City.objects.get(code="taraz")
    if Application.objects.filter(city=taraz).exists():
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=[*COLUMNS, "parent_iin", "child_name"])
            w.writeheader()
            for i, row in enumerate(synthetic_rows(n_applications, seed=2024, as_of=AS_OF)):
                row["resides_in_city"] = "true" if i < 3 else row["resides_in_city"]
                row["parent_iin"] = PARENT_IIN if i < 3 else ""
                row["child_name"] = ["Айгерим", "Нурлан", "Дана"][i] if i < 3 else ""
                w.writerow(row)
        import_applications(city=taraz, path=path, skip_invalid=False, actor=None, role=Role.EDU)
    actualize_queue(city=taraz, on=AS_OF, actor=None, role=Role.EDU)


def print_logins() -> None:
    """The demo logins, for the README's first command."""
    print(f"Demo logins (password for all: {PASSWORD}):")
    for username, role, city, _, bank, school in LOGINS:
        scope = city or bank or ("Балабақша «Айгөлек», Uralsk" if school else "")
        print(f"  {username:12} {role:5} {scope}")
    print(f"  {'admin':12} admin (reference data only)")
    print("Open http://127.0.0.1:8000/")
