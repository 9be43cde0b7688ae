"""Importing the city's list of children (A5, A7.3) and its existing contracts (A7.10), all or nothing."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from django.db import transaction

from goszakaz.access.actor import Actor
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record
from goszakaz.domain.months import next_first
from goszakaz.enrollment import files
from goszakaz.enrollment.models import Contract, Voucher, VoucherStatus
from goszakaz.enrollment.services import (
    EnrollmentError,
    FirstContracts,
    MoveNotOnFirst,
    grant_many,
    sign_contract,
)
from goszakaz.files import ImportRejected, ImportResult, RowError
from goszakaz.registry.models import City, Preschool

CHUNK = 2000  # values per IN (...) list: well under SQLite's and PostgreSQL's limits
REPORT = 500  # contracts signed (one at a time) between two reports of progress
OnProgress = Callable[[int, int], None]  # (rows done just now, all rows of the file)

logger = logging.getLogger(__name__)


def import_children(
    *, city: City, path: Path, skip_invalid: bool, actor: Actor, now: dt.datetime,
    rejects: Path | None = None, on_progress: OnProgress | None = None,
) -> ImportResult:
    """A5, A7.3: one voucher (source "city_list") per child of the city's list (`grant_many`).

    Whole file or nothing, unless skip_invalid (then the bad rows go to `rejects`). A child who
    already has the same live voucher here is "unchanged", so re-importing a file creates
    nothing; a live voucher with another parent or period, a live voucher in another city (A12)
    and a list row older than the child's annulment are errors, never silently applied.
    `on_progress(rows, of_all)` hears of the rows checked, then of each chunk granted.
    """
    started = time.perf_counter()
    city = City.objects.select_for_update().get(pk=city.pk)
    parsed = files.read_children(path)
    if parsed.header_errors:
        raise ImportRejected(parsed.errors)
    of_all = len(parsed.good) + len(parsed.rejected)
    here, elsewhere, annulled = _vouchers_of(city, [r.child_iin for r, _ in parsed.good])
    todo: list[files.ChildRow] = []
    unchanged = 0
    for row, raw in parsed.good:
        end = row.period_end if row.period_end is not None else city.pilot_end
        problems = _child_problems(city, row, end, here.get(row.child_iin),
                                   elsewhere.get(row.child_iin), annulled.get(row.child_iin))
        if problems:
            parsed.reject(row.line, raw, problems)
        elif row.child_iin in here:
            unchanged += 1
        else:
            todo.append(row)
    parsed.sort()
    if parsed.errors and not skip_invalid:
        raise ImportRejected(parsed.errors)
    if parsed.errors and rejects is not None:
        parsed.write_rejects(rejects)
    if on_progress is not None:
        on_progress(of_all - len(todo), of_all)  # nothing to write for these
    created = 0
    for i in range(0, len(todo), CHUNK):
        part = todo[i:i + CHUNK]
        created += len(grant_many(city=city, source="city_list", actor=actor, now=now, children=[
            {"child_iin": row.child_iin, "birth_date": row.birth_date,
             "parent_iin": row.parent_iin, "child_name": row.child_name,
             "period_start": row.period_start,
             "period_end": row.period_end if row.period_end is not None else city.pilot_end}
            for row in part]))
        if on_progress is not None:
            on_progress(len(part), of_all)
    record(actor=actor, action=AuditAction.CHILDREN_IMPORTED, at=now, obj_type="city",
           obj_id=city.code,
           city=city.code, after={"file": path.name, "created": created, "unchanged": unchanged,
                                  "rejected": len(parsed.rejected)})
    logger.info("children imported", extra={
        "city": city.code, "rows": of_all, "new": created, "unchanged": unchanged,
        "rejected": len(parsed.rejected), "seconds": round(time.perf_counter() - started, 3)})
    return ImportResult(created=created, unchanged=unchanged, errors=parsed.errors)


def _child_problems(
    city: City, row: files.ChildRow, end: dt.date | None, live: dict[str, Any] | None,
    other_city: str | None, annulled_on: dt.date | None,
) -> list[RowError]:
    problems = []

    def bad(name: str, message: str) -> None:
        problems.append(RowError(row.line, name, message))

    pilot = f"{city.pilot_start} to {city.pilot_end or 'open end'}"
    if not city.in_pilot(row.period_start):
        bad("period_start", f"is outside the city's pilot period ({pilot}) (O1)")
    if row.period_end is not None and not city.in_pilot(row.period_end):
        bad("period_end", f"is outside the city's pilot period ({pilot}) (O1)")
    if other_city is not None:
        bad("child_iin", f"the child has a live voucher in {other_city}; a move to another "
                         "locality annuls it first (A12)")
    if annulled_on is not None and live is None and row.period_start < annulled_on:
        bad("period_start", f"the child's voucher here was annulled on {annulled_on}; "
                            "a new voucher starts on or after that day")
    if live is not None:
        if live["parent_iin"] != row.parent_iin:
            bad("parent_iin", f"differs from the child's live voucher {live['pk']}")
        if live["period_start"] != row.period_start:
            bad("period_start", f"the child's live voucher {live['pk']} starts on "
                                f"{live['period_start']}")
        if live["period_end"] != end:
            bad("period_end", f"the child's live voucher {live['pk']} ends on "
                              f"{live['period_end'] or 'no end date'}")
    return problems


def _vouchers_of(
    city: City, iins: list[str]
) -> tuple[dict[str, dict[str, Any]], dict[str, str], dict[str, dt.date]]:
    """The children's live vouchers here, the city of a live one elsewhere, the last annulment here."""
    here: dict[str, dict[str, Any]] = {}
    elsewhere: dict[str, str] = {}
    annulled: dict[str, dt.date] = {}
    for chunk in _chunks(iins):
        for v in Voucher.objects.filter(child_iin__in=chunk).values(
                "pk", "city_id", "city__code", "child_iin", "status", "parent_iin",
                "period_start", "period_end", "annulled_on"):
            iin = v["child_iin"]
            if v["status"] != VoucherStatus.ANNULLED:
                if v["city_id"] == city.pk:
                    here[iin] = dict(v)
                else:
                    elsewhere[iin] = v["city__code"]
            elif v["city_id"] == city.pk and v["annulled_on"] is not None:
                annulled[iin] = max(annulled.get(iin, v["annulled_on"]), v["annulled_on"])
    return here, elsewhere, annulled


def _chunks(values: list[str]) -> Iterator[list[str]]:
    unique = sorted(set(values))
    for i in range(0, len(unique), CHUNK):
        yield unique[i:i + CHUNK]


@dataclass
class _Held:
    """A contract of the child already in the platform: where, from, to."""

    voucher_id: int
    preschool_id: int
    bin: str
    starts_on: dt.date
    ends_on: dt.date | None


def import_contracts(
    *, city: City, path: Path, skip_invalid: bool, actor: Actor, now: dt.datetime,
    rejects: Path | None = None, on_progress: OnProgress | None = None,
) -> ImportResult:
    """A7.10: existing contracts of the city's system, each through `sign_contract` (A4, A6).

    Rows go in order of starts_on, so a child's earlier contract ends before the next begins.
    Capacity is known only by signing, so the rows are signed in a savepoint that a rejected
    file rolls back: whole file or nothing (an over-capacity row rejects it) unless
    skip_invalid. A contract that exists for the child at that preschool from that day is
    "unchanged". Must run inside the caller's transaction.atomic(). `on_progress(rows,
    of_all)` hears of every REPORT rows gone through.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("import_contracts must run inside transaction.atomic()")
    started = time.perf_counter()
    city = City.objects.select_for_update().get(pk=city.pk)
    parsed = files.read_contracts(path)
    if parsed.header_errors:
        raise ImportRejected(parsed.errors)
    of_all, told = len(parsed.good) + len(parsed.rejected), 0
    iins = [r.child_iin for r, _ in parsed.good]
    live = {v.child_iin: v for chunk in _chunks(iins) for v in Voucher.objects.filter(
        city=city, child_iin__in=chunk).exclude(status=VoucherStatus.ANNULLED)
        .select_related("city")}  # each signing names the city in its audit row
    held = _contracts_held(city, iins)
    preschools = {p.bin: p for chunk in _chunks([r.preschool_bin for r, _ in parsed.good])
                  for p in Preschool.objects.filter(bin__in=chunk)}
    created = unchanged = 0
    first = FirstContracts(actor=actor, now=now)
    with transaction.atomic():  # a savepoint inside the caller's transaction, never a commit
        for n, (row, raw) in enumerate(sorted(parsed.good,
                                              key=lambda g: (g[0].starts_on, g[0].line))):
            if on_progress is not None and n % REPORT == 0:
                on_progress(n - told, of_all)
                told = n
            voucher = live.get(row.child_iin)
            preschool = preschools.get(row.preschool_bin)
            same = next((h for h in held.get(row.child_iin, []) if h.bin == row.preschool_bin
                         and h.starts_on == row.starts_on), None)
            if same is not None:
                if row.ends_on in (None, same.ends_on):
                    unchanged += 1
                else:
                    parsed.reject(row.line, raw, [RowError(row.line, "ends_on", (
                        f"the contract from {row.starts_on} exists with end "
                        f"{same.ends_on or 'none'}; change it in the platform, not by re-import"))])
                continue
            current = [h for h in held.get(row.child_iin, [])
                       if voucher is not None and h.voucher_id == voucher.pk]
            problems = _contract_problems(city, row, voucher, preschool, current)
            if voucher is None or preschool is None or problems:
                parsed.reject(row.line, raw, problems)
                continue
            try:
                if not current:  # the child's first contract: signed with the others
                    first.add(voucher=voucher, preschool=preschool, on=row.starts_on,
                              ends_on=row.ends_on, key=(row.line, raw))
                else:
                    created -= _save(first, parsed)  # the first contracts so far come first
                    sign_contract(voucher=voucher, preschool=preschool, on=row.starts_on,
                                  ends_on=row.ends_on, actor=actor, now=now, source="imported")
            except EnrollmentError as e:  # capacity (A6), checked under the preschool's lock
                field = "starts_on" if isinstance(e, MoveNotOnFirst) else "preschool_bin"
                parsed.reject(row.line, raw, [RowError(row.line, field, str(e))])
                continue
            held.setdefault(row.child_iin, []).append(_Held(
                voucher.pk, preschool.pk, preschool.bin, row.starts_on, row.ends_on))
            created += 1
        created -= _save(first, parsed)
        parsed.sort()
        if parsed.errors and not skip_invalid:
            raise ImportRejected(parsed.errors)  # leaves the savepoint: every signing undone
    if parsed.errors and rejects is not None:
        parsed.write_rejects(rejects)
    if on_progress is not None:
        on_progress(of_all - told, of_all)
    record(actor=actor, action=AuditAction.CONTRACTS_IMPORTED, at=now, obj_type="city",
           obj_id=city.code,
           city=city.code, after={"file": path.name, "created": created, "unchanged": unchanged,
                                  "rejected": len(parsed.rejected)})
    logger.info("contracts imported", extra={
        "city": city.code, "rows": of_all, "new": created, "unchanged": unchanged,
        "rejected": len(parsed.rejected), "seconds": round(time.perf_counter() - started, 3)})
    return ImportResult(created=created, unchanged=unchanged, errors=parsed.errors)


def _save(first: FirstContracts, parsed: files.Rows[files.ContractRow]) -> int:
    """Write the first contracts signed so far; the row of a child who signed a contract
    meanwhile (online) is refused. Returns how many were refused."""
    refused = first.save()
    for key, e in refused.items():
        line, raw = cast(tuple[int, list[str]], key)
        parsed.reject(line, raw, [RowError(line, "child_iin", str(e))])
    return len(refused)


def _contract_problems(
    city: City, row: files.ContractRow, voucher: Voucher | None, preschool: Preschool | None,
    current: list[_Held],
) -> list[RowError]:
    problems = []

    def bad(name: str, message: str) -> None:
        problems.append(RowError(row.line, name, message))

    if preschool is None:
        bad("preschool_bin", "no preschool with this BIN in the registry")
    elif preschool.city_id != city.pk:
        bad("preschool_bin", "the preschool is in another city: the voucher is the city's (A6)")
    elif not preschool.in_perechen(row.starts_on):
        bad("preschool_bin", f"the preschool is not on the city's Перечень on {row.starts_on} (A4)")
    if voucher is None:
        bad("child_iin", "the child has no live voucher in this city (A5)")
        return problems
    if row.starts_on < voucher.period_start or (
            voucher.period_end is not None and row.starts_on > voucher.period_end):
        bad("starts_on", f"is outside the child's voucher period ({voucher.period_start} to "
                         f"{voucher.period_end or 'open end'})")
    for h in current:
        if h.ends_on is None or h.ends_on >= row.starts_on:
            bad("child_iin", f"the child already has a contract in force from {h.starts_on} "
                             f"(preschool {h.bin})")
    # A11: a contract with another preschool than the child's previous one starts on a 1st
    # (enrollment.services.is_move, the same rule)
    before = [h for h in current if h.starts_on < row.starts_on]
    previous = max(before, key=lambda h: h.starts_on) if before else None
    if (row.starts_on.day != 1 and previous is not None
            and previous.preschool_id != getattr(preschool, "pk", None)):
        bad("starts_on", "a change of preschool takes effect only on the 1st of a month "
                         f"(A11, I8): from {next_first(row.starts_on)} at the earliest")
    return problems


def _contracts_held(city: City, iins: list[str]) -> dict[str, list[_Held]]:
    """Every contract of the children's vouchers in the city (live or annulled), by child IIN."""
    held: dict[str, list[_Held]] = {}
    for chunk in _chunks(iins):
        for c in Contract.objects.filter(voucher__city=city, voucher__child_iin__in=chunk).values(
                "voucher_id", "voucher__child_iin", "preschool_id", "preschool__bin", "starts_on",
                "ends_on"):
            held.setdefault(c["voucher__child_iin"], []).append(_Held(
                c["voucher_id"], c["preschool_id"], c["preschool__bin"], c["starts_on"],
                c["ends_on"]))
    return held
