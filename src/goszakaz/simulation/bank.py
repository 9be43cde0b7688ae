"""The bank plays its part through the bank API (A7.5-A7.10): it reads the accounts asked for,
opens them for parents who register (A7.7), reports closed accounts (A10) and sends the monthly
list by the 5th (A7.9). With faults its messages are sent twice and out of order."""

from __future__ import annotations

import datetime as dt
from typing import Any

from goszakaz.domain.months import month_of
from goszakaz.simulation.world import World, at

BATCH = 1000  # accounts a message of openings reports (the bank API's limit)
PAGE = 5000  # account requests asked for at a time


def work(world: World, day: dt.date) -> None:
    """The bank's day: learn new requests, open, close, and the month's list."""
    bank, api = world.bank, world.bank.api
    assert api is not None
    rows = _account_requests(world, day)
    by_iin = {c.iin: (v, c) for v, c in world.child_of.items()}
    for row in rows:
        account_id = row["account_id"]
        if account_id in bank.accounts or row["child_iin"] not in by_iin:
            continue  # known already, or a child of an earlier run's cities (the demo's)
        voucher_id, child = by_iin[row["child_iin"]]
        world.tally.sent.add(voucher_id)
        bank.accounts[account_id] = {"voucher": voucher_id, "requested": day}
        if child.registers:
            bank.opening.setdefault(day + dt.timedelta(days=world.rng.randrange(1, 7)),
                                    []).append(account_id)
        else:
            bank.unregistered[account_id] = day
    opening = sorted(bank.opening.pop(day, []))
    for first in range(0, len(opening), BATCH):  # the day's openings, a message per thousand
        batch = opening[first:first + BATCH]
        _send(world, "/accounts/opened/batch", {"accounts": [
            {"account_id": i, "number": f"KZ{i % 97:02d}SIM{i:013d}",
             "opened_on": day.isoformat(), "parent_registered": True} for i in batch]},
            f"opened/{day.isoformat()}/{batch[0]}")
    for account_id in opening:
        a = bank.accounts[account_id]
        bank.opened.add(account_id)
        closes = world.child_of[a["voucher"]].closes_on
        if closes is not None:
            bank.closing.setdefault(max(closes, day + dt.timedelta(days=1)),
                                    []).append(account_id)
    for account_id in sorted(bank.closing.pop(day, [])):
        voucher_id = bank.accounts[account_id]["voucher"]
        if not world.tally.live(voucher_id):
            continue
        _send(world, "/accounts/closed", {"account_id": account_id,
                                          "closed_on": day.isoformat()},
              f"closed/{account_id}")
        bank.opened.discard(account_id)
        # A10: the voucher is annulled from the next day
        world.tally.annul(voucher_id, day + dt.timedelta(days=1),
                          "bank account contract ended (A10)")
    month = month_of(day)
    started = min((s.onboard_on for s in world.cities.values()), default=day)
    if month not in bank.lists and (day.day >= 3 if day.replace(day=1) > started
                                    else (day - started).days >= 9):
        unregistered = [i for i, since in sorted(bank.unregistered.items())
                        if (day - since).days >= 3]
        _send(world, "/monthly-lists", {"month": month, "opened": sorted(bank.opened),
                                        "parents_not_registered": unregistered},
              f"list/{month}")
        bank.lists[month] = day
    _flush(world, day)


def _account_requests(world: World, day: dt.date) -> list[dict[str, Any]]:
    """Every account asked of the bank, a page at a time (A7.5)."""
    api, after = world.bank.api, None
    rows: list[dict[str, Any]] = []
    assert api is not None
    while True:
        params = {"limit": str(PAGE)} | ({"after": str(after)} if after is not None else {})
        status, page = api.get("/account-requests", at(day, 8), **params)
        if status != 200:
            world.surprise(f"account-requests answered {status}")
            return rows
        rows += page
        if len(page) < PAGE:
            return rows
        after = page[-1]["account_id"]


def _send(world: World, path: str, body: dict[str, Any], key: str) -> None:
    world.bank.outbox.append((path, body, key))


def _flush(world: World, day: dt.date) -> None:
    """Send the day's messages; with faults each goes twice and the day's order is shuffled
    (the API's idempotency keys make that change nothing)."""
    api, messages = world.bank.api, world.bank.outbox
    assert api is not None
    world.bank.outbox = []
    if world.faults_rng is not None and messages:
        messages = [m for m in messages for _ in (0, 1)]
        _shuffle_keeping_lists_last(world, messages)
    for path, body, key in messages:
        status, answer = api.post(path, body, key, at(day, 17))
        if status != 200:
            world.surprise(f"bank {path} {key}: {status} {answer}")
        elif isinstance(answer, dict):
            for refused in (r for r in answer.get("results", []) if r.get("error")):
                voucher_id = world.bank.accounts[refused["account_id"]]["voucher"]
                if voucher_id in world.tally.annulled:  # annulled after the bank's list
                    world.tally.count("accounts opened for annulled vouchers refused")
                else:
                    world.surprise(f"bank {path} {key}: {refused}")


def _shuffle_keeping_lists_last(world: World, messages: list[tuple[str, dict[str, Any], str]]
                                ) -> None:
    """Reorder the day's account messages; the month's list, which reports on them, goes after
    them (a bank reports what it did)."""
    assert world.faults_rng is not None
    accounts = [m for m in messages if m[0] != "/monthly-lists"]
    lists = [m for m in messages if m[0] == "/monthly-lists"]
    world.faults_rng.shuffle(accounts)
    messages[:] = accounts + lists
