"""A bench city: n funded children of Taraz with contracts, accounts and April 2024 sheets
(and, by `month_sheets`, the sheets of later months).

Shared by bench/settlement.py and bench/month_end.py (and the latter's integration test), so it
has no side effects on import: the caller sets Django up first. Bulk inserts, never one ORM
call per child.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from goszakaz.access.actor import Actor
from goszakaz.attendance.models import Sheet, SheetState
from goszakaz.banking.models import ChildAccount
from goszakaz.domain.iin import check_digit, make_iin
from goszakaz.domain.months import last_day
from goszakaz.enrollment.models import Contract, Voucher
from goszakaz.finance.tariffs import set_norm
from goszakaz.registry.models import Bank, City, Preschool, Role
from goszakaz.rules.calendar import kz_calendar

MONTH, FIRST = "2024-04", dt.date(2024, 4, 1)
WORKING = [d for d in range(1, 31) if dt.date(2024, 4, d).weekday() < 5]
ONE_PARENT = "900101300015"


def bin_for(serial: int) -> str:
    while check_digit(f"15064{serial:06d}") is None:
        serial += 1
    return f"15064{serial:06d}{check_digit(f'15064{serial:06d}')}"


def settlement_confirmed(i: int) -> bool:
    """7 in 10 parents confirm by the month's end; the others are silent, and the tick of 1 May
    confirms their sheets automatically (A7.14). id % 10 < 7 (ids from 1), as settle_down."""
    return i % 10 < 6 or i % 10 == 9


def build(n: int, seed: int, *, now: dt.datetime,
          parent_iin: Callable[[int], str] = lambda i: ONE_PARENT,
          confirmed: Callable[[int], bool] = settlement_confirmed,
          forgotten: float = 0.01) -> City:
    """n children of Taraz with contracts, accounts and sheets (bulk inserts): child i's parent
    is parent_iin(i); its sheet is confirmed when confirmed(i), else open; a share `forgotten`
    of the sheets has a working day left unmarked (I22)."""
    rng = random.Random(seed)
    city = City.objects.get(code="taraz")
    bank = Bank.objects.create(code="bench", name="Bench bank", bin="920140000084")
    schools = Preschool.objects.bulk_create(
        [Preschool(bin=bin_for(i * 2), name=f"ДО {i}", city=city, design_capacity=200,
                   included_on=dt.date(2024, 3, 1)) for i in range(n // 140 + 1)])
    for group in ("early", "preschool"):
        set_norm(city=city, age_group=group, stay_mode="full_day", effective_from=FIRST,
                 amount=6_000_000, actor=Actor.system(Role.EDU), now=now)
    serial: dict[dt.date, int] = {}
    vouchers = []
    for i in range(n):
        birth = dt.date(2019, 1, 1) + dt.timedelta(days=i % 1800)
        iin = make_iin(birth, serial.get(birth, 0))
        serial[birth] = int(iin[7:11]) + 1
        vouchers.append(Voucher(city=city, child_iin=iin, birth_date=birth,
                                parent_iin=parent_iin(i), source="city_list",
                                period_start=city.pilot_start, period_end=city.pilot_end,
                                status="active", granted_at=now))
    vouchers = Voucher.objects.bulk_create(vouchers, batch_size=20_000)
    Contract.objects.bulk_create(
        [Contract(voucher=v, preschool=schools[i // 140], signed_at=now, starts_on=FIRST)
         for i, v in enumerate(vouchers)], batch_size=20_000)
    ChildAccount.objects.bulk_create(
        [ChildAccount(voucher=v, bank=bank, city="taraz", status="opened", requested_on=FIRST,
                      opened_on=FIRST, number=f"KZ00BENCH{v.pk:011d}", parent_registered=True)
         if i % 20 else  # one in 20 parents never registered: paid directly (A7.9, I19)
         ChildAccount(voucher=v, bank=bank, city="taraz", requested_on=FIRST,
                      direct_payment=True)
         for i, v in enumerate(vouchers)], batch_size=20_000)
    sheets = []
    for i, v in enumerate(vouchers):
        days = ["P" if d in WORKING else "." for d in range(1, 31)]
        for d in rng.sample(WORKING, rng.choice((0, 0, 1, 2, 4, 6))):
            days[d - 1] = rng.choice("SAAV")
        if rng.random() < forgotten:  # a day the preschool forgot to mark (I22)
            days[rng.choice(WORKING) - 1] = "."
        done = confirmed(i)
        sheets.append(Sheet(voucher=v, preschool=schools[i // 140], city="taraz", month=MONTH,
                            days="".join(days),
                            state=SheetState.CONFIRMED if done else SheetState.OPEN,
                            parent_responded=done,
                            final_on=dt.date(2024, 4, 30) if done else None))
    Sheet.objects.bulk_create(sheets, batch_size=20_000)
    return city


def month_sheets(month: str, seed: int, *,
                 confirmed: Callable[[int], bool] = settlement_confirmed,
                 forgotten: float = 0.01) -> int:
    """Another month's sheet for every child of the bench city (after `build`): seeded marks on
    the month's working days (the Kazakhstan calendar), confirmed by the parent on the month's
    last day when confirmed(i), else open; bulk inserts. Returns how many."""
    rng = random.Random(f"{seed}/{month}")
    first, end = dt.date.fromisoformat(f"{month}-01"), last_day(month)
    calendar = kz_calendar(first.year)
    working = [d for d in range(1, end.day + 1)
               if calendar.is_working_day(first.replace(day=d))]
    made = 0
    rows = Contract.objects.filter(voucher__city__code="taraz").order_by("voucher_id")
    batch: list[Sheet] = []
    for i, (voucher_id, school_id) in enumerate(rows.values_list("voucher_id", "preschool_id")
                                                .iterator(chunk_size=20_000)):
        days = ["P" if d in working else "." for d in range(1, end.day + 1)]
        for d in rng.sample(working, min(len(working), rng.choice((0, 0, 1, 2, 4, 6)))):
            days[d - 1] = rng.choice("SAAV")
        if rng.random() < forgotten:
            days[rng.choice(working) - 1] = "."
        done = confirmed(i)
        batch.append(Sheet(voucher_id=voucher_id, preschool_id=school_id, city="taraz",
                           month=month, days="".join(days),
                           state=SheetState.CONFIRMED if done else SheetState.OPEN,
                           parent_responded=done, final_on=end if done else None))
        if len(batch) == 20_000:
            made += len(Sheet.objects.bulk_create(batch))
            batch = []
    made += len(Sheet.objects.bulk_create(batch))
    return made
