"""Posting transfers exactly once: one under row locks, or a batch set-based (COPY on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from goszakaz.finance import flow_totals
from goszakaz.finance.models import LedgerAccount, Transfer


class LedgerError(Exception):
    """A transfer the ledger refuses: overdraft, closed account, an id reused for another transfer."""


class Spec(NamedTuple):
    """A transfer to post; `id` names what it is (e.g. payment/<voucher>/<2024-04>).

    A named tuple: a month builds millions of them, twice as fast as a frozen dataclass."""

    id: str
    debit: int
    credit: int
    amount: int
    code: str
    period: str
    city: str
    child: int | None = None


def account(*, kind: str, owner: str, city: str, no_overdraft: bool = True,
            bank_id: int | None = None) -> LedgerAccount:
    """The ledger account of an owner, created on first use."""
    acc, _ = LedgerAccount.objects.get_or_create(
        kind=kind, owner=owner,
        defaults={"city": city, "no_overdraft": no_overdraft, "bank_id": bank_id})
    return acc


def _same(t: Transfer, s: Spec) -> bool:
    return (t.debit_id, t.credit_id, t.amount, t.code, t.period, t.child_id) == (
        s.debit, s.credit, s.amount, s.code, s.period, s.child)


def post(spec: Spec, *, now: dt.datetime) -> Transfer:
    """Post one transfer under locks on its two accounts; the same id again returns the first.

    Raises LedgerError for an overdraft of a no-overdraft account, a closed account, a
    non-positive amount, or an id already used for a different transfer.
    """
    if spec.amount <= 0 or spec.debit == spec.credit:
        raise LedgerError(f"{spec.id}: amount must be > 0 between two accounts")
    locked = {a.pk: a for a in LedgerAccount.objects.select_for_update()
              .filter(pk__in=(spec.debit, spec.credit)).order_by("pk")}
    prior = Transfer.objects.filter(pk=spec.id).first()  # after the locks: a twin has committed
    if prior is not None:
        if not _same(prior, spec):
            raise LedgerError(f"{spec.id}: id already used for another transfer")
        return prior
    debit, credit = locked[spec.debit], locked[spec.credit]
    if debit.closed or credit.closed:
        raise LedgerError(f"{spec.id}: account closed")
    if debit.no_overdraft and debit.debits_posted + spec.amount > debit.credits_posted:
        raise LedgerError(f"{spec.id}: {debit} has {debit.balance} tiyn, needs {spec.amount}")
    transfer = Transfer.objects.create(
        id=spec.id, debit_id=spec.debit, credit_id=spec.credit, amount=spec.amount,
        code=spec.code, period=spec.period, city=spec.city, child_id=spec.child,
        created_at=now)
    LedgerAccount.objects.filter(pk=spec.debit).update(
        debits_posted=F("debits_posted") + spec.amount)
    LedgerAccount.objects.filter(pk=spec.credit).update(
        credits_posted=F("credits_posted") + spec.amount)
    flow_totals.recount_day(now)
    return transfer


def post_batch(specs: Sequence[Spec], *, now: dt.datetime) -> int:
    """Post many transfers in the caller's transaction; returns how many were new.

    Transfers whose id is already posted (identically) are skipped, so a batch run twice posts
    once. On PostgreSQL the batch is staged with COPY and posted by grouped statements; the
    no-overdraft CHECK on the account rows refuses the whole batch if any account would go
    below zero. Elsewhere (SQLite) it posts one by one.
    """
    if connection.vendor != "postgresql":
        new = _post_batch_sqlite(specs, now)
    else:
        new = _post_batch_postgresql(specs, now)
    if new:
        flow_totals.recount_day(now)
    return new


_IDS = 10_000  # ids a query (SQLite's limit of bound parameters)


def _post_batch_sqlite(specs: Sequence[Spec], now: dt.datetime) -> int:
    """post_batch on SQLite (one writer at a time: no row locks to take): as `post` one by one,
    in a few statements. The earlier transfers of the batch and the ledger's are read at once,
    each spec checked in order against the accounts' running sums (the same refusals as
    `post`), then the new transfers inserted and the accounts' sums added in one go each."""
    for spec in specs:
        if spec.amount <= 0 or spec.debit == spec.credit:
            raise LedgerError(f"{spec.id}: amount must be > 0 between two accounts")
    ids = sorted({spec.id for spec in specs})
    known: dict[str, Transfer] = {}
    for at in range(0, len(ids), _IDS):
        known.update((t.pk, t) for t in Transfer.objects.filter(pk__in=ids[at:at + _IDS]))
    touched = sorted({spec.debit for spec in specs} | {spec.credit for spec in specs})
    accounts: dict[int, LedgerAccount] = {}
    for at in range(0, len(touched), _IDS):
        accounts.update((a.pk, a) for a in LedgerAccount.objects.filter(
            pk__in=touched[at:at + _IDS]))
    debits: dict[int, int] = dict.fromkeys(accounts, 0)
    credits: dict[int, int] = dict.fromkeys(accounts, 0)
    fresh: list[Transfer] = []
    for spec in specs:
        prior = known.get(spec.id)
        if prior is not None:
            if not _same(prior, spec):
                raise LedgerError(f"{spec.id}: id already used for another transfer")
            continue
        debit, credit = accounts[spec.debit], accounts[spec.credit]
        if debit.closed or credit.closed:
            raise LedgerError(f"{spec.id}: account closed")
        spent = debit.debits_posted + debits[debit.pk]
        if debit.no_overdraft and spent + spec.amount > debit.credits_posted + credits[debit.pk]:
            raise LedgerError(f"{spec.id}: {debit} has "
                              f"{debit.credits_posted + credits[debit.pk] - spent} tiyn, "
                              f"needs {spec.amount}")
        debits[debit.pk] += spec.amount
        credits[credit.pk] += spec.amount
        known[spec.id] = transfer = Transfer(
            id=spec.id, debit_id=spec.debit, credit_id=spec.credit, amount=spec.amount,
            code=spec.code, period=spec.period, city=spec.city, child_id=spec.child,
            created_at=now)
        fresh.append(transfer)
    Transfer.objects.bulk_create(fresh, batch_size=2_000)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {LedgerAccount._meta.db_table} SET debits_posted = debits_posted + %s, "
            "credits_posted = credits_posted + %s WHERE id = %s",
            [(debits[pk], credits[pk], pk) for pk in touched if debits[pk] or credits[pk]])
    return len(fresh)


_STAGE = """
CREATE TEMP TABLE IF NOT EXISTS ledger_staged (
    id text, debit_id bigint, credit_id bigint, amount bigint, code text, period text,
    city text, child_id bigint) ON COMMIT DROP;
TRUNCATE ledger_staged;
"""
# The queries below reach the ledger's tables only by index, through an array of the batch's
# ids (`= ANY(ARRAY(...))`): a chunk of 20,000 transfers costs the same against a ledger of a
# thousand transfers or of a hundred million, whatever the planner's statistics say.
_POSTED = """
CREATE TEMP TABLE ledger_posted ON COMMIT DROP AS
SELECT t.id, t.debit_id, t.credit_id, t.amount, t.code, t.period, t.child_id
FROM finance_transfer t WHERE t.id = ANY(ARRAY(SELECT id FROM ledger_staged));
"""
# No LIMIT here: with one, the planner bets on a nested loop that finds a few clashes early,
# and on a batch posted again (no clash at all) compares every staged transfer with every posted
# one; an aggregate over the join keeps it a hash join.
_CHECK = """
SELECT (array_agg(s.id ORDER BY s.id))[1:5] FROM ledger_staged s JOIN ledger_posted t ON t.id = s.id
WHERE (t.debit_id, t.credit_id, t.amount, t.code, t.period, t.child_id)
      IS DISTINCT FROM (s.debit_id, s.credit_id, s.amount, s.code, s.period, s.child_id)
"""
_FRESH = """
CREATE TEMP TABLE ledger_fresh ON COMMIT DROP AS
SELECT s.* FROM ledger_staged s
WHERE NOT EXISTS (SELECT 1 FROM ledger_posted t WHERE t.id = s.id);
"""
_LOCK = """
SELECT coalesce(bool_or(closed), false) FROM (
    SELECT a.closed FROM finance_ledgeraccount a
    WHERE a.id = ANY(ARRAY(SELECT debit_id FROM ledger_fresh UNION SELECT credit_id FROM ledger_fresh))
    ORDER BY a.id FOR NO KEY UPDATE) locked
"""
_INSERT = """
INSERT INTO finance_transfer (id, debit_id, credit_id, amount, code, period, city, child_id,
                              created_at)
SELECT id, debit_id, credit_id, amount, code, period, city, child_id, %s FROM ledger_fresh
ORDER BY id
"""
_BALANCES = """
UPDATE finance_ledgeraccount a
SET debits_posted = a.debits_posted + m.debits, credits_posted = a.credits_posted + m.credits
FROM (SELECT account_id, sum(debits) AS debits, sum(credits) AS credits FROM (
        SELECT debit_id AS account_id, amount AS debits, 0 AS credits FROM ledger_fresh
        UNION ALL
        SELECT credit_id, 0, amount FROM ledger_fresh) x GROUP BY account_id
      ORDER BY account_id) m
WHERE a.id = m.account_id
"""


def _post_batch_postgresql(specs: Sequence[Spec], now: dt.datetime) -> int:
    ids = [s.id for s in specs]
    if len(set(ids)) != len(ids):
        raise LedgerError("a batch names the same transfer id twice")
    if any(s.amount <= 0 or s.debit == s.credit for s in specs):
        raise LedgerError("every amount must be > 0 between two accounts")
    buf = io.StringIO()
    for s in specs:
        child = "\\N" if s.child is None else str(s.child)
        buf.write(f"{s.id}\t{s.debit}\t{s.credit}\t{s.amount}\t{s.code}\t{s.period}\t{s.city}"
                  f"\t{child}\n")
    with connection.cursor() as cur:
        cur.execute(_STAGE)
        with cur.cursor.copy(
                "COPY ledger_staged (id, debit_id, credit_id, amount, code, period, city, "
                "child_id) FROM STDIN") as copy:
            copy.write(buf.getvalue())
        cur.execute("SET LOCAL work_mem = '256MB'")  # a million transfers sorted in memory
        cur.execute("DROP TABLE IF EXISTS pg_temp.ledger_posted, pg_temp.ledger_fresh")
        cur.execute(_POSTED)
        cur.execute(_CHECK)
        clashes = cur.fetchone()[0] or []
        if clashes:
            raise LedgerError(f"ids already used for other transfers: {clashes}")
        cur.execute(_FRESH)
        cur.execute("ANALYZE ledger_fresh")  # its real size, for the grouped balance update
        # The transfers first, the accounts' locks after: another batch waits for these locks
        # (an operator's account is in every batch) only while the balances change and commit.
        cur.execute(_INSERT, [now])
        new: int = cur.rowcount
        cur.execute(_LOCK)
        if cur.fetchone()[0]:
            raise LedgerError("a transfer of the batch touches a closed account")
        try:
            with transaction.atomic():
                cur.execute(_BALANCES)
        except IntegrityError:
            raise LedgerError("the batch would overdraw a no-overdraft account") from None
    return new
