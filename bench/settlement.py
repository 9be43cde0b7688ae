"""Benchmark of one month's money for a city: funding request, budget, distribution, settlement.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/goszakaz_bench \\
       python bench/settlement.py [--n 100000] [--seed 7] [--phase all|setup|month]
(`--phase setup` then `--phase month` in a second process measures the month's own peak memory.)
The database is emptied and migrated first (never point it at real data). Builds n children
(95 % with an open bank account, 5 % paid directly), 140 children a preschool, and a final
April 2024 sheet each (seeded marks: present, sick, absent, vacation); then times the month:
the funding request (A7.11), the budget transfer and the distribution to the children's
accounts (A7.12), `settle` (A8, A7.18, A7.9), and `ledger verify`. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goszakaz.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from goszakaz.attendance.models import Sheet, SheetState  # noqa: E402
from goszakaz.banking.models import ChildAccount  # noqa: E402
from goszakaz.domain.iin import check_digit, make_iin  # noqa: E402
from goszakaz.enrollment.models import Contract, Voucher  # noqa: E402
from goszakaz.finance.commands import settle_command  # noqa: E402
from goszakaz.finance.funding import build_request, distribute, transfer_to_operator  # noqa: E402
from goszakaz.finance.models import Transfer  # noqa: E402
from goszakaz.finance.tariffs import set_norm  # noqa: E402
from goszakaz.finance.verify import verify  # noqa: E402
from goszakaz.registry.models import Bank, City, Preschool, Role  # noqa: E402

MONTH, FIRST = "2024-04", dt.date(2024, 4, 1)
WORKING = [d for d in range(1, 31) if dt.date(2024, 4, d).weekday() < 5]


def bin_for(serial: int) -> str:
    while check_digit(f"15064{serial:06d}") is None:
        serial += 1
    return f"15064{serial:06d}{check_digit(f'15064{serial:06d}')}"


def build(n: int, seed: int) -> City:
    """n children of Taraz with contracts, accounts and final sheets (bulk inserts)."""
    rng = random.Random(seed)
    city = City.objects.get(code="taraz")
    now = timezone.now()
    bank = Bank.objects.create(code="bench", name="Bench bank", bin="920140000084")
    schools = Preschool.objects.bulk_create(
        [Preschool(bin=bin_for(i * 2), name=f"ДО {i}", city=city, design_capacity=200,
                   included_on=dt.date(2024, 3, 1)) for i in range(n // 140 + 1)])
    for group in ("early", "preschool"):
        set_norm(city=city, age_group=group, stay_mode="full_day", effective_from=FIRST,
                 amount=6_000_000, actor=None, role=Role.EDU)
    serial: dict[dt.date, int] = {}
    vouchers = []
    for i in range(n):
        birth = dt.date(2019, 1, 1) + dt.timedelta(days=i % 1800)
        iin = make_iin(birth, serial.get(birth, 0))
        serial[birth] = int(iin[7:11]) + 1
        vouchers.append(Voucher(city=city, child_iin=iin, birth_date=birth,
                                parent_iin="900101300015", source="city_list",
                                period_start=city.pilot_start, period_end=city.pilot_end,
                                status="active", granted_at=now))
    vouchers = Voucher.objects.bulk_create(vouchers, batch_size=20_000)
    Contract.objects.bulk_create(
        [Contract(voucher=v, preschool=schools[i // 140], signed_at=now, starts_on=FIRST)
         for i, v in enumerate(vouchers)], batch_size=20_000)
    ChildAccount.objects.bulk_create(
        [ChildAccount(voucher=v, bank=bank, city="taraz", status="opened", requested_on=FIRST,
                      opened_on=FIRST, number=f"KZ00BENCH{v.pk:011d}", parent_registered=True)
         for i, v in enumerate(vouchers) if i % 20], batch_size=20_000)
    sheets = []
    for i, v in enumerate(vouchers):
        days = ["."] * 30
        for d in rng.sample(WORKING, rng.choice((0, 0, 1, 2, 4, 6))):
            days[d - 1] = rng.choice("SAAV")
        sheets.append(Sheet(voucher=v, preschool=schools[i // 140], city="taraz", month=MONTH,
                            days="".join(days), state=SheetState.AUTO_CONFIRMED,
                            final_on=dt.date(2024, 4, 30)))
    Sheet.objects.bulk_create(sheets, batch_size=20_000)
    return city


def timed(figures: dict[str, object], name: str, step) -> object:
    t = time.perf_counter()
    result = step()
    figures[f"{name}_s"] = round(time.perf_counter() - t, 2)
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--phase", choices=("all", "setup", "month"), default="all",
                   help="setup only, the month only (on a set-up database), or both")
    args = p.parse_args()
    figures: dict[str, object] = {"date": dt.date.today().isoformat(), "n": args.n,
                                  "phase": args.phase}
    if args.phase in ("all", "setup"):
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", "registry", "0001", verbosity=0)
        call_command("migrate", verbosity=0)
        with transaction.atomic():
            timed(figures, "setup", lambda: build(args.n, args.seed))
        if args.phase == "setup":
            print(json.dumps(figures, indent=2))
            return
    city = City.objects.get(code="taraz")
    start = time.perf_counter()

    def fund():
        with transaction.atomic():
            return build_request(city=city, month=MONTH, on=dt.date(2024, 4, 8), actor=None,
                                 role=Role.OPR)

    request = timed(figures, "funding_request", fund)

    def budget_and_distribute():
        with transaction.atomic():
            transfer_to_operator(request=request, on=dt.date(2024, 4, 9), actor=None,
                                 role=Role.EDU)
            return distribute(request=request, on=dt.date(2024, 4, 10), actor=None,
                              role=Role.OPR)

    timed(figures, "distribution", budget_and_distribute)
    timed(figures, "settle", lambda: settle_command(month=MONTH, city_code="taraz",
                                                     today=dt.date(2024, 5, 2)))
    month_s = time.perf_counter() - start
    transfers = Transfer.objects.count()
    figures.update({"month_s": round(month_s, 2), "transfers": transfers,
                    "transfers_per_s": round(transfers / month_s)})
    problems = timed(figures, "verify", verify)
    figures["verify_clean"] = not problems
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
