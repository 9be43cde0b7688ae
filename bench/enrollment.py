"""Benchmark of onboarding a city: the children list import, the НОБД check, the list to the bank.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/goszakaz_bench \\
       python bench/enrollment.py [--n 20000]
The database is emptied and migrated first (never point it at real data). Prints one JSON
object with the seconds and rows per second of each step; docs/performance.md records them.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goszakaz.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from goszakaz.access.actor import Actor  # noqa: E402
from goszakaz.clock import now as _clock_now  # noqa: E402
from goszakaz.domain.iin import make_iin  # noqa: E402
from goszakaz.enrollment.imports import import_children  # noqa: E402
from goszakaz.registry.models import Bank, City, Role  # noqa: E402
from goszakaz.verification.nobd import FakeNobd, NobdChild  # noqa: E402
from goszakaz.verification.services import receive_lists  # noqa: E402
from goszakaz.workflows.onboarding import check_lists, send_to_bank  # noqa: E402

NOW = _clock_now()  # the benchmark's moment: the services are told it


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=20_000)
    args = p.parse_args()
    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    call_command("migrate", "registry", "0001", verbosity=0)  # re-run the cities' data migration
    call_command("migrate", verbosity=0)
    city = City.objects.get(code="uralsk")
    nobd = FakeNobd()
    figures: dict[str, object] = {"date": dt.date.today().isoformat(), "n": args.n}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "children.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["child_iin", "birth_date", "child_name", "parent_iin", "period_start"])
            serial: dict[dt.date, int] = {}
            for i in range(args.n):
                birth = dt.date(2019, 1, 1) + dt.timedelta(days=i % 1500)
                iin = make_iin(birth, serial.get(birth, 100))
                serial[birth] = int(iin[7:11]) + 1
                w.writerow([iin, birth, f"Child {i}", make_iin(dt.date(1990, 1, 1), i % 9000),
                            "2024-11-01"])
                nobd.add_child(NobdChild(iin, birth, f"Child {i}", "uralsk"))
        figures["import_s"] = _timed(lambda: import_children(
            city=city, path=path, skip_invalid=False, actor=Actor.system(Role.EDU), now=NOW))
    submission, _ = receive_lists(city=city, received_on=dt.date(2024, 11, 4), actor=Actor.system(Role.OPR),
                                  now=NOW)
    figures["verify_s"] = _timed(lambda: check_lists(submission=submission, nobd=nobd,
                                                on=dt.date(2024, 11, 5),
                                                actor=Actor.system(Role.OPR), now=NOW))
    bank = Bank.objects.create(code="bench", name="Bench bank", bin="920140000084")
    figures["bank_list_s"] = _timed(lambda: send_to_bank(
        city=city, bank=bank, on=dt.date(2024, 11, 6), actor=Actor.system(Role.OPR), now=NOW))
    for step in ("import", "verify", "bank_list"):
        figures[f"{step}_per_s"] = round(args.n / float(figures[f"{step}_s"]))  # type: ignore[arg-type]
    print(json.dumps(figures, indent=2))


def _timed(step) -> float:
    t = time.perf_counter()
    with transaction.atomic():
        step()
    return round(time.perf_counter() - t, 2)


if __name__ == "__main__":
    main()
