"""The tests' sample world, made by hand in a second: a user of each role, the admin, a Taraz queue
with an undecided preview, Uralsk's children with their bank accounts, contracts, tariffs, a paid
December 2024 and a January 2025 marked to its last day with a dispute waiting. The pages' tests
walk it (tests/pages.py); `make run`'s demo is the simulated year instead (cli/demo.py)."""

from __future__ import annotations

import csv
import datetime as dt
import struct
import tempfile
import zlib
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from goszakaz.access.actor import Actor
from goszakaz.attendance.reminders import remind_parents
from goszakaz.attendance.services import (
    auto_confirm,
    confirm,
    dispute,
    mark,
    mark_many,
    sheet_for,
)
from goszakaz.banking.models import ChildAccount
from goszakaz.cli.demo import PASSWORD  # the one published password of the demo logins
from goszakaz.clock import moment_of
from goszakaz.domain.iin import make_bin, make_iin
from goszakaz.enrollment.models import Contract, Voucher, VoucherStatus
from goszakaz.enrollment.services import grant, set_group, set_status, sign_contract
from goszakaz.finance.funding import build_request, distribute, transfer_to_operator
from goszakaz.finance.models import AgeGroup
from goszakaz.finance.tariffs import set_norm, set_parent_fee
from goszakaz.queue.files import COLUMNS
from goszakaz.queue.models import Application
from goszakaz.queue.services import actualize_queue, import_applications, preview_allocation
from goszakaz.queue.synthetic import synthetic_rows
from goszakaz.registry.models import AgeGroup as GroupAge
from goszakaz.registry.models import (
    AgreementVersion,
    Bank,
    City,
    Group,
    Membership,
    Preschool,
    Role,
)
from goszakaz.rules.calendar import kz_calendar
from goszakaz.workflows.bank_accounts import account_opened
from goszakaz.workflows.monthly_cycle import settle
from goszakaz.workflows.onboarding import send_to_bank

EDU, OPR, BANK = Actor.system(Role.EDU), Actor.system(Role.OPR), Actor.system(Role.BANK)
PRE, PAR = Actor.system(Role.PRE), Actor.system(Role.PAR)
AS_OF = dt.date(2024, 8, 1)
DEMO_VOLUME = 60  # places of the demo's preview allocation in Taraz
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


@transaction.atomic
def load(n_applications: int = 400) -> None:
    """Create the demo data once; running it again changes nothing."""
    if Bank.objects.filter(code="halyk").exists():
        return
    halyk = Bank.objects.create(code="halyk", name="Halyk Bank", bin=make_bin(900))
    uralsk = City.objects.get(code="uralsk")
    schools = [Preschool.objects.create(bin=make_bin(100 + i), name=name, city=uralsk,
                                        design_capacity=cap, included_on=uralsk.pilot_start)
               for i, (name, cap) in enumerate([("Балабақша «Айгөлек»", 120),
                                                ("Детский сад «Солнышко»", 80),
                                                ("Балабақша «Балдәурен»", 2)])]
    AgreementVersion.objects.create(number=1, published_on=dt.date(2024, 3, 15),
                                    summary="Договор присоединения, первая редакция")
    _users(halyk, schools[0])
    _taraz_queue(n_applications)
    vouchers = []
    for i, name in enumerate(["Әлихан", "Мирас", "Сара"]):
        birth = dt.date(2021, 2 + i, 10)
        voucher, _ = grant(city=uralsk, child_iin=make_iin(birth, 700 + i), birth_date=birth,
                           parent_iin=PARENT_IIN if i == 0 else make_iin(dt.date(1992, 1, 1), i),
                           source="city_list", child_name=name, period_start=uralsk.pilot_start,
                           period_end=None, actor=EDU, now=moment_of(dt.date(2024, 11, 1)))
        set_status(voucher=voucher, to=VoucherStatus.VERIFIED, why="НОБД", actor=OPR,
                   now=moment_of(dt.date(2024, 11, 8)))
        vouchers.append(voucher)
    send_to_bank(city=uralsk, bank=halyk, on=dt.date(2024, 11, 15), actor=OPR,
                 now=moment_of(dt.date(2024, 11, 15)))
    _uralsk_december(uralsk, schools[0], vouchers)
    _group(uralsk, schools[0], vouchers)


def _uralsk_december(city: City, school: Preschool, vouchers: list[Voucher]) -> None:
    """A month of money: tariffs; two accounts opened (the third child is paid directly, A7.9);
    contracts from 1 December 2024; the funding; marks; a confirmation, silence; the payment."""
    for group in AgeGroup.values:
        set_norm(city=city, age_group=group, stay_mode="full_day", effective_from=city.pilot_start,
                 amount=6_000_000, actor=EDU, now=moment_of(dt.date(2024, 11, 1)))
    set_parent_fee(preschool=school, effective_from=city.pilot_start, amount=1_500_000,
                   actor=EDU, now=moment_of(dt.date(2024, 11, 1)))
    for i, voucher in enumerate(vouchers[:2]):
        account_opened(account=ChildAccount.objects.get(voucher=voucher),
                       number=f"KZ{10 + i}601A8610000{i:05d}", opened_on=dt.date(2024, 11, 25),
                       parent_registered=True, actor=BANK, now=moment_of(dt.date(2024, 11, 25)))
    for voucher in vouchers:
        sign_contract(voucher=voucher, preschool=school, on=dt.date(2024, 12, 1), actor=PAR,
                      now=moment_of(dt.date(2024, 11, 28)))
    _fund(city, "2024-12", dt.date(2024, 12, 6), dt.date(2024, 12, 9), dt.date(2024, 12, 10))
    working = kz_calendar(2024).is_working_day
    marks = [(0, 3, "S"), (0, 4, "S"), (1, 9, "A"), (1, 10, "A"), (1, 11, "A"), (1, 12, "A"),
             (2, 5, "V"), (0, 31, "P")]
    for child, day, code in marks:
        mark(voucher=vouchers[child], day=dt.date(2024, 12, day), code=code,
             preschool_id=school.pk, is_working_day=working, actor=PRE,
             now=moment_of(dt.date(2024, 12, day)))
    on = dt.date(2024, 12, 31)  # the month's last working day, marked: the window (I17)
    confirm(sheet=sheet_for(voucher=vouchers[0], month="2024-12", now=moment_of(on)), on=on,
            actor=PAR, now=moment_of(on))
    # the other two parents were silent (A7.14)
    auto_confirm(today=dt.date(2025, 1, 1), now=moment_of(dt.date(2025, 1, 1)))
    settle(city=city, month="2024-12", on=dt.date(2025, 1, 3), actor=OPR,
           now=moment_of(dt.date(2025, 1, 3)))
    _uralsk_january(city, school, vouchers)


def _uralsk_january(city: City, school: Preschool, vouchers: list[Voucher]) -> None:
    """January 2025 funded and marked to its last working day (the 31st), nobody has answered:
    with `goszakaz run --demo --date 2025-01-31` the parent's month is in its window (I17), with
    December paid on the statement; the day's reminders written."""
    _fund(city, "2025-01", dt.date(2025, 1, 8), dt.date(2025, 1, 9), dt.date(2025, 1, 10))
    calendar = kz_calendar(2025)
    exceptions = {(0, 14): "S", (0, 15): "S", (0, 22): "A", (1, 20): "V", (1, 21): "V",
                  (2, 22): "A", (2, 23): "A"}
    days = calendar.working_days(dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    for day in days:
        mark_many(preschool_id=school.pk, is_working_day=calendar.is_working_day, actor=PRE,
                  now=moment_of(day), marks=[(v, day, exceptions.get((i, day.day), "P"))
                                             for i, v in enumerate(vouchers)])
    # Сара's parent disputes two unexcused days with a photo of the certificate: the
    # preschool's inbox (A7.15)
    on = dt.date(2025, 1, 31)
    dispute(sheet=sheet_for(voucher=vouchers[2], month="2025-01", now=moment_of(on)),
            reason="22 и 23 января ребёнок болел, фото справки прилагаю", on=on, actor=PAR,
            now=moment_of(on),
            document=SimpleUploadedFile("spravka.png", sample_png(), "image/png"))
    remind_parents(today=on, now=moment_of(on))


GROUP_NAMES = ["Айару", "Алихан", "Амина", "Арсен", "Аружан", "Асылым", "Әлия", "Бекзат",
               "Даниял", "Дана", "Ерасыл", "Жансая", "Зере", "Ислам", "Кәусар", "Мадина",
               "Медина", "Нұрислам", "Раяна", "Сұлтан", "Томирис", "Үмит", "Хадиша",
               "Әмір", "Іңкәр", "Нұрсұлтан", "Айша"]


def _group(city: City, school: Preschool, vouchers: list[Voucher]) -> None:
    """The group «Күншуақ» of 30 named children (the three above and 27 from January 2025; two
    of them born on one day) and its teacher's login `teacher`."""
    group = Group.objects.create(preschool=school, name="Күншуақ", age_group=GroupAge.MIDDLE)
    user = get_user_model().objects.create_user("teacher", password=PASSWORD)
    Membership.objects.create(user=user, role=Role.PRE, preschool=school, group=group)
    start = moment_of(dt.date(2024, 12, 20))
    for i, name in enumerate(GROUP_NAMES):
        birth = dt.date(2021, 1 + i % 12, 3 + i) if i != 1 else dt.date(2021, 1, 3)
        voucher, _ = grant(city=city, child_iin=make_iin(birth, 800 + 7 * i), birth_date=birth,
                           parent_iin=make_iin(dt.date(1993, 3, 3), 300 + 7 * i),
                           source="city_list", child_name=name, period_start=city.pilot_start,
                           period_end=None, actor=EDU, now=start)
        sign_contract(voucher=voucher, preschool=school, on=dt.date(2025, 1, 1), actor=PAR,
                      now=start)
        vouchers = [*vouchers, voucher]
    set_group(preschool=school, contract_ids=Contract.objects.filter(
        voucher__in=vouchers).values_list("pk", flat=True), group=group, actor=PRE, now=start)


def sample_png(width: int = 120, height: int = 80) -> bytes:
    """A small PNG made with the standard library: the stand-in of a parent's photo of a
    certificate (a red cross on white), for the demo's dispute and the tests."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    rows = b"".join(b"\x00" + b"".join(
        b"\xc0\x20\x20" if abs(x - width // 2) < 6 or abs(y - height // 2) < 6 else b"\xff\xff\xff"
        for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


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


# names of the demo's queue: a first name and a family name, every pair once in turn
FIRST_NAMES = ("Айсұлу", "Ерасыл", "Мадина", "Әлихан", "Томирис", "Нұрислам", "Аружан", "Данияр",
               "Жансая", "Алинур", "Амина", "Бекзат", "Інжу", "Санжар", "Айлин", "Тамерлан",
               "Еркежан", "Мирас", "Зарина", "Артём", "София", "Ислам", "Камила", "Даниал")
SURNAMES = ("Ахметов", "Беков", "Жумабаев", "Касымов", "Нурланов", "Оспанов", "Тулеуов",
            "Иванов", "Абенов", "Сериков", "Мусин", "Ержанов", "Калиев", "Шарипов", "Әбдіров")


def demo_name(i: int) -> str:
    """The i-th name of the demo's queue: the even first names are girls' ("Айсұлу Ахметова")."""
    first = FIRST_NAMES[i % len(FIRST_NAMES)]
    surname = SURNAMES[(i // len(FIRST_NAMES)) % len(SURNAMES)]
    return f"{first} {surname}{'а' if i % 2 == 0 else ''}"


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
                row["child_name"] = ["Айгерим", "Нурлан", "Дана"][i] if i < 3 else demo_name(i)
                w.writerow(row)
        import_applications(city=taraz, path=path, skip_invalid=False, actor=EDU,
                            now=moment_of(AS_OF))
    actualize_queue(city=taraz, on=AS_OF, actor=EDU, now=moment_of(AS_OF))
    # a preview the department has not decided yet: its page, its per-child list (issue 12)
    edu = Actor.of_user(get_user_model().objects.get(username="edu-taraz"))
    preview_allocation(city=taraz, volume=DEMO_VOLUME, as_of=AS_OF, actor=edu,
                       now=moment_of(AS_OF))


def _fund(city: City, month: str, requested: dt.date, transferred: dt.date,
          distributed: dt.date) -> None:
    """A7.11, A7.12: the month's request, the budget's transfer and the distribution, each on
    its day."""
    request = build_request(city=city, month=month, on=requested, actor=OPR,
                            now=moment_of(requested))
    transfer_to_operator(request=request, on=transferred, actor=EDU, now=moment_of(transferred))
    distribute(request=request, on=distributed, actor=OPR, now=moment_of(distributed))
