"""The same funding transfers posted by goszakaz's ledger and by django-hordak, in one run.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/goszakaz_hordak \\
       python bench/hordak_compare.py [--n 100000] [--methods bulk,transfer_to]
Settings: bench/hordak_settings.py (goszakaz's settings plus `mptt` and `hordak`, tenge). The
database is migrated and emptied first (never point it at real data).

Both ledgers get the same N+1 transfers as bench/ledger.py: the budget transfer (budget ->
operator, N * 60,000 KZT) and one 60,000 KZT funding transfer operator -> child to each of N
child accounts, each ledger in its own tables and with its own account ids, each posted in one
database transaction whose commit is inside the timing (hordak's leg triggers are deferred to
the commit). Building the list of transfers is outside the timing for both.

goszakaz: `goszakaz.finance.ledger.post_batch`.
hordak (2.0), by method:
  bulk         Transaction.objects.bulk_create + Leg.objects.bulk_create (one debit and one credit
               leg per transfer) in chunks: the way hordak's own benchmark command
               (create_benchmark_transactions) writes many transactions; Leg.save()'s Python
               checks are skipped, the database triggers and constraints all run.
  transfer_to  Account.transfer_to(), the documented per-transfer API (a savepoint, one
               Transaction and two Legs per call), all calls inside one outer transaction.
Between the methods hordak's legs and transactions are truncated (outside the timing).
Prints one JSON object; the headline hordak figures are those of the fastest method run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import time
from collections.abc import Callable, Sequence
from importlib.metadata import version

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hordak_settings")  # bench/ is sys.path[0]

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from hordak.models import Account, AccountType, Leg, Transaction  # noqa: E402

from goszakaz.clock import now as _clock_now  # noqa: E402
from goszakaz.finance.ledger import Spec, account, post_batch  # noqa: E402
from goszakaz.finance.models import AccountKind, LedgerAccount  # noqa: E402
from goszakaz.finance.verify import verify  # noqa: E402

NOW = _clock_now()  # the benchmark's moment: the services are told it
from hordak_ledger import Row, leaf_accounts, post_bulk, tenge  # noqa: E402

FUNDING_TIYN = 6_000_000  # 60,000.00 KZT a child, as in bench/ledger.py
PERIOD = "2024-04"


def _vacuum() -> None:
    """Settle the previous phase's writes (outside every timing) so phases don't share autovacuum."""
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")


def _goszakaz_accounts(n: int) -> tuple[LedgerAccount, LedgerAccount, list[int]]:
    with transaction.atomic():
        budget = account(kind=AccountKind.BUDGET, owner="bench", city="bench", no_overdraft=False)
        operator = account(kind=AccountKind.OPERATOR, owner="bench", city="bench")
        LedgerAccount.objects.bulk_create(
            [LedgerAccount(kind=AccountKind.CHILD, owner=f"c{i}", city="bench") for i in range(n)],
            batch_size=20_000)
    children = list(LedgerAccount.objects.filter(kind=AccountKind.CHILD).order_by("pk")
                    .values_list("pk", flat=True))
    return budget, operator, children


def _hordak_accounts(n: int) -> tuple[Account, Account, Account, list[int]]:
    """Budget (equity), operator (liability) and the children's accounts under one liability parent.

    The roots are created with Account.objects.create (MPTT places them); the N children are
    bulk-created with their nested-set fields (hordak_ledger.leaf_accounts).
    """
    with transaction.atomic():
        budget = Account.objects.create(name="Бюджет города (bench)", type=AccountType.equity)
        operator = Account.objects.create(name="Оператор (bench)", type=AccountType.liability)
    parent, children = leaf_accounts("Счета детей (bench)", [f"c{i}" for i in range(n)])
    return budget, operator, parent, children


def _transfer_to_poster(rows: Sequence[Row]) -> Callable[[], None]:
    ids = {r[1] for r in rows} | {r[2] for r in rows}
    accounts = Account.objects.in_bulk(ids)  # loaded before the clock starts

    def post() -> None:
        with transaction.atomic():
            for description, debit, credit, money in rows:
                # transfer_to credits the account it is called on and debits its argument
                accounts[credit].transfer_to(accounts[debit], money, description=description)
    return post


def _hordak_check(n: int, budget: Account, operator: Account, parent: Account,
                  children: list[int]) -> dict[str, object]:
    """Hordak's own view of the result: counts, balances, and its accounting-equation check."""
    total = tenge(FUNDING_TIYN * n)
    got = {a.pk: a.balance for a in Account.objects.filter(
        pk__in=[budget.pk, operator.pk, parent.pk, children[0], children[-1]]).with_balances()}
    try:
        Account.validate_accounting_equation()
        equation = True
    except Exception:  # hordak raises AccountingEquationViolationError
        equation = False
    clean = (Transaction.objects.count() == n + 1 and Leg.objects.count() == 2 * (n + 1)
             and got[budget.pk] == -total and got[operator.pk] == 0 and got[parent.pk] == total
             and got[children[0]] == got[children[-1]] == tenge(FUNDING_TIYN) and equation)
    kzt = got[parent.pk].monies()[0]
    return {"check_clean": clean, "children_total_balance": f"{kzt.amount} {kzt.currency}"}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=100_000, help="child accounts (transfers: n + 1)")
    p.add_argument("--methods", default="bulk,transfer_to",
                   help="hordak methods to time, comma-separated: bulk, transfer_to")
    args = p.parse_args()
    methods = [m for m in args.methods.split(",") if m]
    assert set(methods) <= {"bulk", "transfer_to"} and methods, "methods: bulk, transfer_to"
    assert connection.vendor == "postgresql", "the batch path (and hordak's triggers) are PostgreSQL's"
    n = args.n
    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg_version = cur.fetchone()[0]
    out: dict[str, object] = {
        "date": dt.date.today().isoformat(), "n": n, "transfers": n + 1,
        "hordak_version": version("django-hordak"), "django_version": django.get_version(),
        "postgresql": pg_version}

    t = time.perf_counter()
    g_budget, g_operator, g_children = _goszakaz_accounts(n)
    g_accounts_s = time.perf_counter() - t
    t = time.perf_counter()
    h_budget, h_operator, h_parent, h_children = _hordak_accounts(n)
    h_accounts_s = time.perf_counter() - t
    assert h_parent.get_descendant_count() == n == len(h_children) == len(g_children)

    specs = [Spec(id=f"budget/bench/{PERIOD}", debit=g_budget.pk, credit=g_operator.pk,
                  amount=FUNDING_TIYN * n, code="budget", period=PERIOD, city="bench")]
    specs += [Spec(id=f"funding/{i}/{PERIOD}", debit=g_operator.pk, credit=pk, amount=FUNDING_TIYN,
                   code="funding", period=PERIOD, city="bench") for i, pk in enumerate(g_children)]
    # the same transfers in hordak's accounts: goszakaz account id -> hordak account id
    to_hordak = {g_budget.pk: h_budget.pk, g_operator.pk: h_operator.pk,
                 **dict(zip(g_children, h_children, strict=True))}
    rows: list[Row] = [(s.id, to_hordak[s.debit], to_hordak[s.credit], tenge(s.amount))
                       for s in specs]

    _vacuum()
    t = time.perf_counter()
    with transaction.atomic():
        posted = post_batch(specs, now=NOW)
    g_s = time.perf_counter() - t
    assert posted == n + 1
    out["goszakaz_method"] = ("goszakaz.finance.ledger.post_batch: COPY to a staging table, one "
                              "INSERT ... SELECT, one grouped balance UPDATE, one transaction")
    out["goszakaz_s"] = round(g_s, 2)
    out["goszakaz_transfers_per_s"] = round((n + 1) / g_s)
    out["goszakaz_accounts_s"] = round(g_accounts_s, 2)
    out["goszakaz_verify_clean"] = not verify()

    per_method: dict[str, dict[str, object]] = {}
    for method in methods:
        with connection.cursor() as cur:
            cur.execute("TRUNCATE hordak_leg, hordak_transaction CASCADE")  # statement lines: none
        post = (lambda: post_bulk(rows)) if method == "bulk" else _transfer_to_poster(rows)
        _vacuum()
        t = time.perf_counter()
        post()
        h_s = time.perf_counter() - t
        per_method[method] = {"s": round(h_s, 2), "transfers_per_s": round((n + 1) / h_s),
                              "ratio": round(h_s / g_s, 2),
                              **_hordak_check(n, h_budget, h_operator, h_parent, h_children)}
    best = min(per_method, key=lambda m: per_method[m]["s"])  # type: ignore[arg-type,return-value]
    out["hordak_method"] = best
    out["hordak_s"] = per_method[best]["s"]
    out["hordak_transfers_per_s"] = per_method[best]["transfers_per_s"]
    out["ratio"] = per_method[best]["ratio"]
    out["ratio_means"] = "hordak seconds / goszakaz seconds for the same transfers"
    out["hordak_accounts_s"] = round(h_accounts_s, 2)
    out["hordak_methods"] = per_method
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
