"""Posting transfers through django-hordak for the benchmarks (never deployed): accounts, legs.

Needs Django set up with bench/hordak_settings.py (`mptt` and `hordak` installed, tenge).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import transaction
from hordak.models import Account, AccountType, Leg, Transaction
from moneyed import Money

CHUNK = 10_000  # transfers per bulk_create round (20,000 legs)

# one transfer for hordak: (description, debited account id, credited account id, amount)
Row = tuple[str, int, int, Money]


def tenge(tiyn: int) -> Money:
    """Integer tiyn as hordak's Money in tenge (exact: a Decimal with two places)."""
    return Money(Decimal(tiyn).scaleb(-2), "KZT")


def leaf_accounts(parent_name: str, names: Sequence[str]) -> tuple[Account, list[int]]:
    """A liability parent with one leaf account per name; returns the parent and the leaves' ids
    in the order of `names`.

    The leaves are bulk-created with their nested-set fields computed here (leaf i of the parent
    spans lft 2+2i .. rght 3+2i); hordak's insert trigger gives each the parent's type. Creating
    them one by one would make MPTT re-number the parent's tree per insert, quadratic in N.
    """
    n = len(names)
    with transaction.atomic():
        parent = Account.objects.create(name=parent_name, type=AccountType.liability)
        for start in range(0, n, 20_000):
            Account.objects.bulk_create([
                Account(name=names[i], parent=parent, tree_id=parent.tree_id, level=1,
                        lft=2 + 2 * i, rght=3 + 2 * i)
                for i in range(start, min(n, start + 20_000))])
        Account.objects.filter(pk=parent.pk).update(rght=2 * n + 2)
    parent.refresh_from_db()
    leaves = list(Account.objects.filter(parent=parent).order_by("lft").values_list("pk", flat=True))
    return parent, leaves


def post_bulk(rows: Iterable[Row]) -> int:
    """Post the transfers in one transaction: Transaction.objects.bulk_create + Leg.objects
    .bulk_create (one debit and one credit leg each) in chunks, the way hordak's own benchmark
    command writes many transactions; Leg.save()'s Python checks are skipped, the database's
    triggers and constraints all run (the legs' balance check at the commit). Returns how many."""
    posted = 0
    with transaction.atomic():
        chunk: list[Row] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == CHUNK:
                posted += _post_chunk(chunk)
                chunk = []
        posted += _post_chunk(chunk)
    return posted


def _post_chunk(chunk: Sequence[Row]) -> int:
    if not chunk:
        return 0
    txs = [Transaction(description=r[0]) for r in chunk]
    Transaction.objects.bulk_create(txs)
    legs = []
    for tx, (_, debit, credit, money) in zip(txs, chunk, strict=True):
        legs.append(Leg(transaction=tx, account_id=debit, debit=money))
        legs.append(Leg(transaction=tx, account_id=credit, credit=money))
    Leg.objects.bulk_create(legs)
    return len(chunk)
