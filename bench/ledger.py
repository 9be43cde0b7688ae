"""Benchmark of the ledger's batch posting: N transfers (operator -> N child accounts) in one batch.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/goszakaz_bench \\
       python bench/ledger.py [--n 1000000]
The database is emptied and migrated first (never point it at real data). Times creating the
accounts, posting the batch (COPY, grouped balance update), posting it again (a repeat posts
nothing) and `ledger verify`; prints one JSON object for docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goszakaz.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from goszakaz.clock import now as _clock_now  # noqa: E402
from goszakaz.finance.ledger import Spec, account, post_batch  # noqa: E402
from goszakaz.finance.models import AccountKind, LedgerAccount  # noqa: E402
from goszakaz.finance.verify import verify  # noqa: E402

NOW = _clock_now()  # the benchmark's moment: the services are told it


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    args = p.parse_args()
    assert connection.vendor == "postgresql", "the batch path is PostgreSQL's"
    call_command("flush", interactive=False, verbosity=0)
    figures: dict[str, object] = {"date": dt.date.today().isoformat(), "n": args.n}
    t = time.perf_counter()
    with transaction.atomic():
        budget = account(kind=AccountKind.BUDGET, owner="bench", city="bench",
                         no_overdraft=False)
        operator = account(kind=AccountKind.OPERATOR, owner="bench", city="bench")
        LedgerAccount.objects.bulk_create(
            [LedgerAccount(kind=AccountKind.CHILD, owner=f"c{i}", city="bench")
             for i in range(args.n)], batch_size=20_000)
    ids = list(LedgerAccount.objects.filter(kind=AccountKind.CHILD).values_list("pk", flat=True))
    figures["accounts_s"] = round(time.perf_counter() - t, 2)
    specs = [Spec(id="budget/bench/2024-04", debit=budget.pk, credit=operator.pk,
                  amount=6_000_000 * args.n, code="budget", period="2024-04", city="bench")]
    specs += [Spec(id=f"funding/{i}/2024-04", debit=operator.pk, credit=pk, amount=6_000_000,
                   code="funding", period="2024-04", city="bench")
              for i, pk in enumerate(ids)]
    for label in ("post", "repeat"):
        t = time.perf_counter()
        with transaction.atomic():
            posted = post_batch(specs, now=NOW)
        seconds = time.perf_counter() - t
        figures[f"{label}_s"] = round(seconds, 2)
        figures[f"{label}_posted"] = posted
        if label == "post":
            figures["transfers_per_s"] = round(posted / seconds)
    t = time.perf_counter()
    problems = verify()
    figures["verify_s"] = round(time.perf_counter() - t, 2)
    figures["verify_clean"] = not problems
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
