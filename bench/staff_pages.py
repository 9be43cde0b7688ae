"""Benchmark of the staff lists (issue 12) on a city of n children: first page, last page, a search
by IIN, a search by name, and every sort of every list, each asked `--times` times through the
pages' own views (Django's test client, signed in; PostgreSQL), the 95th percentile reported.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/goszakaz_staffbench \\
       python bench/staff_pages.py [--n 200000] [--times 20] [--phase all|setup|pages]
The database is emptied and migrated first by `--phase setup` (never point it at real data):
n children of Taraz with contracts, accounts (one in 20 paid directly) and April 2024 sheets
(bench/city.py), n applications in the queue, April's funding request with its n lines, its
distribution and the tick of 1 May (settlement: the payments from the children's accounts).
`--phase pages` times the lists on a set-up database. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from urllib.parse import parse_qsl, urlencode, urlsplit


def arguments() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=200_000)
    p.add_argument("--times", type=int, default=20)
    p.add_argument("--phase", choices=("all", "setup", "pages"), default="all")
    p.add_argument("--only", default="", help="only the lists whose key contains this")
    return p.parse_args()


ARGS = arguments() if __name__ == "__main__" else None
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goszakaz.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("GOSZAKAZ_SSL_REDIRECT", "0")  # the test client speaks plain HTTP
os.environ.setdefault("GOSZAKAZ_DATA_DIR", "/tmp/goszakaz-staff-bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from city import MONTH, build  # noqa: E402  (bench/ is sys.path[0])
from goszakaz.access.actor import Actor  # noqa: E402
from goszakaz.clock import now as clock_now  # noqa: E402
from goszakaz.domain.iin import make_iin  # noqa: E402
from goszakaz.enrollment.models import Voucher  # noqa: E402
from goszakaz.finance.funding import build_request, distribute, transfer_to_operator  # noqa: E402
from goszakaz.finance.models import FundingRequest  # noqa: E402
from goszakaz.queue.models import AllocationRun, Application  # noqa: E402
from goszakaz.queue.services import preview_allocation  # noqa: E402
from goszakaz.registry.models import Bank, City, Membership, Role  # noqa: E402
from goszakaz.reports import listing  # noqa: E402
from goszakaz.reports import lists as _lists  # noqa: E402, F401  (registers the lists)
from goszakaz.verification.models import RiskCase, RiskCaseKind  # noqa: E402
from goszakaz.workflows.monthly_cycle import tick  # noqa: E402

NOW = clock_now()
NAMES = ("Айсұлу", "Ерасыл", "Мадина", "Әлихан", "Томирис", "Нұрислам", "Аружан", "Данияр")
# the list's key -> (login, its page); "{request}" is April's funding request, "{run}" an
# allocation run of the whole queue
PAGES = {
    "edu-queue": ("edu", "/edu/queue/"),
    "edu-vouchers": ("edu", "/edu/vouchers/"),
    "edu-perechen": ("edu", "/edu/perechen/"),
    "funding-lines": ("edu", "/funding/{request}/"),
    "allocation-seats": ("edu", "/edu/allocation/{run}/"),
    "bank-accounts": ("bank", "/bank/"),
    "bank-payments": ("bank", "/bank/payments/"),
    "operator-cases": ("opr", "/operator/cases/?state="),
}


def risk_cases(city: City, n: int) -> None:
    """One child in 20 with a risk case (A7.4), a third of them closed: the operator's list."""
    if RiskCase.objects.exists():
        return
    vouchers = Voucher.objects.filter(city=city).order_by("pk").values_list("pk", flat=True)
    kinds = [k for k, _label in RiskCaseKind.choices if not k.startswith(("bin", "preschool"))]
    RiskCase.objects.bulk_create([RiskCase(
        city=city, voucher_id=v, kind=kinds[i % len(kinds)],
        state="closed" if i % 3 == 0 else "open", key=f"bench/{v}",
        opened_on=dt.date(2024, 3, 1) + dt.timedelta(days=i % 60),
        closed_on=dt.date(2024, 5, 1) if i % 3 == 0 else None)
        for i, v in enumerate(vouchers[::20])], batch_size=20_000)


def allocation_preview(city: City) -> None:
    """A preview of the whole queue (a tenth of it given places): its per-child list."""
    if AllocationRun.objects.exists():
        return
    with transaction.atomic():
        preview_allocation(city=city, volume=Application.objects.count() // 10,
                           as_of=dt.date(2024, 8, 1), actor=Actor.system(Role.EDU), now=NOW)


def users() -> None:
    """The readers: a city department, the bank, the operator."""
    city = City.objects.get(code="taraz")
    for username, role in (("edu", Role.EDU), ("bank", Role.BANK), ("opr", Role.OPR)):
        if User.objects.filter(username=username).exists():
            continue
        user = User.objects.create_user(username, password="bench")
        Membership.objects.create(user=user, role=role, city=city if role == Role.EDU else None,
                                  bank=Bank.objects.get(code="bench") if role == Role.BANK
                                  else None)


def setup(n: int) -> None:
    """The city, its queue, and April's money (outside every timing)."""
    with connection.cursor() as cur:  # empty: the reference data comes back with migrate
        cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    with transaction.atomic():
        city = build(n, seed=7, now=NOW)
        Application.objects.bulk_create([Application(
            city=city, application_id=f"Q{i:07d}",
            child_iin=make_iin(dt.date(2020, 1, 1) + dt.timedelta(days=i % 1500),
                                5000 + 4 * (i // 1500)),
            child_name=f"{NAMES[i % 8]} Бекова {i}",
            birth_date=dt.date(2020, 1, 1) + dt.timedelta(days=i % 1500),
            submitted_at=NOW - dt.timedelta(minutes=i), resides_in_city=True,
            category=1 + i % 16, queue_number=1 + i // 16) for i in range(n)], batch_size=20_000)
    allocation_preview(city)
    with transaction.atomic():
        request = build_request(city=city, month=MONTH, on=dt.date(2024, 4, 8),
                                actor=Actor.system(Role.OPR), now=NOW)
        transfer_to_operator(request=request, on=dt.date(2024, 4, 9),
                             actor=Actor.system(Role.EDU), now=NOW)
        distribute(request=request, on=dt.date(2024, 4, 10), actor=Actor.system(Role.OPR),
                   now=NOW)
    tick(today=dt.date(2024, 5, 1), now=NOW)
    risk_cases(city, n)
    users()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")


def p95(samples: list[float]) -> float:
    return round(statistics.quantiles(samples, n=20)[-1] * 1000, 1) if len(samples) > 1 \
        else round(samples[0] * 1000, 1)


def timed(client: Client, url: str, times: int) -> tuple[float, float]:
    """(p95 ms, median ms) of `times` requests; the first (a cold cache) is not counted."""
    assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(times):
        t = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - t)
        assert response.status_code == 200, (url, response.status_code)
    return p95(samples), round(statistics.median(samples) * 1000, 1)


def pages(times: int, only: str) -> dict[str, object]:
    risk_cases(City.objects.get(code="taraz"), 0)  # a set-up of an earlier version had none
    allocation_preview(City.objects.get(code="taraz"))
    users()
    request = FundingRequest.objects.order_by("pk").first()
    run = AllocationRun.objects.order_by("pk").first()
    assert request is not None and run is not None
    city = City.objects.get(code="taraz")
    clients: dict[str, Client] = {}
    figures: dict[str, object] = {}
    worst = 0.0
    a_child = Application.objects.filter(city=city).order_by("pk")[1000]
    a_voucher_iin = Voucher.objects.filter(city=city).order_by("pk")[1000].child_iin
    for key, (login, page) in PAGES.items():
        if only and only not in key:
            continue
        if login not in clients:
            clients[login] = Client()
            clients[login].force_login(User.objects.get(username=login))
        client = clients[login]
        url = page.replace("{request}", str(request.pk)).replace("{run}", str(run.pk))
        base = url.split("?")[0]
        spec = listing.REGISTRY[key]
        scope = listing.Scope(city=city if login == "edu" else None, bank="bench",
                              within=run.pk if "{run}" in page else request.pk)
        total = listing.select(spec, scope, dict(parse_qsl(urlsplit(url).query))
                               ).queryset().count()
        last = max(1, -(-total // listing.PAGE_SIZE))
        asks = {"first page": {}, "last page": {"page": last},
                "search by IIN": {"q": (a_child.child_iin if key in ("edu-queue",
                                                                     "allocation-seats")
                                        else a_voucher_iin)[:8]},
                "search by name": {"q": "Мадина 1000"}}
        for column in spec.columns:
            if column.orders:
                asks[f"sort {column.key}"] = {"sort": column.key}
                asks[f"sort -{column.key}, last page"] = {"sort": "-" + column.key, "page": last}
        results = {}
        for what, params in asks.items():
            query = {**dict(parse_qsl(urlsplit(url).query, keep_blank_values=True)), **params}
            p95_ms, median_ms = timed(client, f"{base}?{urlencode(query)}", times)
            results[what] = {"p95_ms": p95_ms, "median_ms": median_ms}
            worst = max(worst, p95_ms)
            print(f"{key:16} {what:32} p95 {p95_ms:8.1f} ms  median {median_ms:8.1f} ms",
                  file=sys.stderr, flush=True)
        figures[key] = {"rows": total, "asks": results}
    figures["worst_p95_ms"] = worst
    return figures


def main() -> None:
    assert ARGS is not None
    assert connection.vendor == "postgresql", "run it on PostgreSQL (DATABASE_URL)"
    settings.DEBUG = False
    figures: dict[str, object] = {"n": ARGS.n, "date": dt.date.today().isoformat()}
    if ARGS.phase in ("all", "setup"):
        t = time.perf_counter()
        setup(ARGS.n)
        figures["setup_s"] = round(time.perf_counter() - t, 1)
    if ARGS.phase in ("all", "pages"):
        figures["lists"] = pages(ARGS.times, ARGS.only)
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
