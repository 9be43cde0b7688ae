"""A city's first day in the simulation, as its people would do it: the Перечень (A4), tariffs,
the bank's registration of preschools (A7.8), the list of children (Taraz: the queue and its
allocation, T; the others: the city's list, A5), existing contracts (A7.10), the lists to the
operator (A7.3) and what НОБД knows (A7.4)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from django.db import transaction

from goszakaz.banking.services import invite_preschools
from goszakaz.enrollment.imports import import_children, import_contracts
from goszakaz.enrollment.models import Voucher
from goszakaz.enrollment.services import grant_from_run
from goszakaz.files import ImportRejected
from goszakaz.finance.tariffs import set_norm, set_parent_fee
from goszakaz.queue.files import COLUMNS
from goszakaz.queue.services import (
    actualize_queue,
    confirm_allocation,
    import_applications,
    preview_allocation,
)
from goszakaz.registry.models import Bank
from goszakaz.simulation.people import Child
from goszakaz.simulation.world import EDU, OPR, Api, CityState, World, at
from goszakaz.verification.nobd import NobdChild, NobdPreschool
from goszakaz.verification.services import receive_lists
from goszakaz.workflows.onboarding import include_preschool, issue_api_token

BANK_CODE, BANK_BIN = "simbank", "920140000084"
NORMS = ((dt.date(2024, 1, 1), {"early": 7_000_000, "preschool": 6_000_000}),
         (dt.date(2024, 9, 1), {"early": 7_350_000, "preschool": 6_300_000}))
FEE = 1_500_000


def open_bank(world: World, day: dt.date) -> None:
    """The bank of the pilot (reference data the operator's administrator enters) and the token
    of its system."""
    bank = Bank.objects.filter(code=BANK_CODE).first()
    if bank is None:
        bank = Bank.objects.create(code=BANK_CODE, name="Дала Банк", bin=BANK_BIN)
    with transaction.atomic():
        token = issue_api_token(bank=bank, actor=OPR, now=at(day, 9))
    world.bank.bank = bank
    world.bank.api = Api(token, "/api/bank/v1")


def onboard(world: World, state: CityState, day: dt.date, workdir: Path) -> None:
    """The city's first day in the pilot (see the module's docstring)."""
    city, now = state.city, at(day, 10)
    with transaction.atomic():
        for school in state.schools:
            p = include_preschool(city=city, bin_=school.bin, name=school.name,
                                  design_capacity=school.capacity, included_on=day, actor=EDU,
                                  now=now)
            state.school_ids.append(p.pk)
            set_parent_fee(preschool=p, effective_from=day, amount=FEE, actor=EDU, now=now)
            state.nobd.add_preschool(NobdPreschool(p.bin, p.name, city.code))
            if school.channel == "api":
                world.school_tokens[p.pk] = issue_api_token(preschool=p, actor=EDU, now=now)
        for since, amounts in NORMS:
            for group, amount in amounts.items():
                set_norm(city=city, age_group=group, stay_mode="full_day",
                         effective_from=max(since, city.pilot_start), amount=amount, actor=EDU,
                         now=now)
                world.tally.norms[(city.code, group)].append((max(since, city.pilot_start),
                                                              amount))
        assert world.bank.bank is not None
        invite_preschools(bank=world.bank.bank, city=city, on=day, now=now)
    assert world.bank.api is not None
    for school in state.schools:  # A7.8: each preschool registers with the bank, once
        world.bank.api.post("/preschools/registered",
                            {"preschool_bin": school.bin, "registered_on": day.isoformat()},
                            f"reg/{school.bin}", at(day, 11))
    world.tally.pilot[city.code] = (city.pilot_start, city.pilot_end)
    if city.allocation_rules:
        _allocate(world, state, day, workdir)
    else:
        _city_list(world, state, day, workdir)
    for child in state.children:
        if child.key in state.vouchers:
            state.nobd.add_child(_nobd_record(child, city.code))
    _contracts(world, state, day, workdir)
    with transaction.atomic():
        submission, _deadline = receive_lists(city=city, received_on=day, actor=OPR,
                                              now=at(day, 16))
    state.submission_id = submission.pk


def _nobd_record(child: Child, city: str) -> NobdChild:
    """What НОБД says of the child: the truth, or the planted mismatch (A7.4)."""
    if child.nobd == "name_differs":
        return NobdChild(child.iin, child.birth_date, child.name + "а", city)
    if child.nobd == "birth_date_differs":
        return NobdChild(child.iin, child.birth_date - dt.timedelta(days=3), child.name, city)
    if child.nobd == "iin_unknown":
        return NobdChild("000000000000", child.birth_date, child.name, city)
    return NobdChild(child.iin, child.birth_date, child.name, city)


def _learn(world: World, state: CityState) -> None:
    """The department's staff see the vouchers the list or the allocation made."""
    by_iin = {c.iin: c for c in state.children}
    for voucher_id, iin, birth in (Voucher.objects.filter(city=state.city)
                                   .values_list("pk", "child_iin", "birth_date")):
        child = by_iin.get(iin)
        if child is None or child.key in state.vouchers:
            continue
        state.vouchers[child.key] = voucher_id
        world.child_of[voucher_id] = child
        world.tally.births[voucher_id] = birth
        world.tally.city_of[voucher_id] = state.city.code


def _city_list(world: World, state: CityState, day: dt.date, workdir: Path) -> None:
    """A5: the city's list of children, imported with its bad rows set aside."""
    path = workdir / f"children-{state.city.code}.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["child_iin", "birth_date", "child_name", "parent_iin", "period_start"])
        for c in state.children:
            iin = c.iin[:11] + str((int(c.iin[11]) + 1) % 10) if c.invalid else c.iin
            w.writerow([iin, c.birth_date.isoformat(), c.name, c.parent_iin, day.isoformat()])
    with transaction.atomic():
        result = import_children(city=state.city, path=path, skip_invalid=True, actor=EDU,
                                 now=at(day, 12), rejects=workdir / f"rejects-{state.city.code}.csv")
    world.tally.count("list rows rejected", len(result.errors))
    _learn(world, state)


def _allocate(world: World, state: CityState, day: dt.date, workdir: Path) -> None:
    """T: Taraz's queue imported and actualized (T3), the allocation previewed and confirmed
    for as many places as the city has children planned, and the vouchers granted (A5)."""
    path = workdir / "queue-taraz.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=[*COLUMNS, "parent_iin", "child_name"])
        w.writeheader()
        for c in state.children:
            assert c.submitted_at is not None
            row = {"application_id": f"T{c.key}", "child_iin": c.iin,
                   "birth_date": c.birth_date.isoformat(),
                   "submitted_at": c.submitted_at.isoformat(timespec="seconds"),
                   "resides_in_city": "false" if c.invalid else "true",
                   "parent_iin": c.parent_iin, "child_name": c.name}
            row.update({k: str(v).lower() for k, v in c.flags.items()})
            w.writerow(row)
    now = at(day, 11)
    with transaction.atomic():
        try:
            import_applications(city=state.city, path=path, skip_invalid=True, actor=EDU, now=now,
                                rejects=workdir / "queue-rejects.csv")
        except ImportRejected as e:  # pragma: no cover - the file is ours
            world.surprise(f"queue import rejected: {e.errors[:3]}")
        actualize_queue(city=state.city, on=day, actor=EDU, now=now)
        volume = max(1, len(state.children) * 3 // 4)  # fewer places than applications
        run = preview_allocation(city=state.city, volume=volume, as_of=day, actor=EDU, now=now)
        confirm_allocation(run=run, actor=EDU, now=now)
        granted = grant_from_run(run=run, actor=EDU, now=now)
    world.tally.count("Taraz places allocated", granted)
    _learn(world, state)


def _contracts(world: World, state: CityState, day: dt.date, workdir: Path) -> None:
    """A7.10: the contracts children already had at their preschools, from the city's system."""
    path = workdir / f"contracts-{state.city.code}.csv"
    rows = [c for c in state.children if c.key in state.vouchers and c.joins_on <= day]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["child_iin", "preschool_bin", "starts_on"])
        for c in rows:
            w.writerow([c.iin, state.schools[c.school].bin, day.isoformat()])
    with transaction.atomic():
        result = import_contracts(city=state.city, path=path, skip_invalid=True, actor=EDU,
                                  now=at(day, 13),
                                  rejects=workdir / f"contract-rejects-{state.city.code}.csv")
    bad = {e.line for e in result.errors}
    for line, c in enumerate(rows, start=2):
        if line in bad:
            world.surprise(f"contract of child {c.key} ({state.city.code}) rejected")
            continue
        world.tally.sign(state.vouchers[c.key], state.school_ids[c.school], day)
    world.tally.count("contracts imported", len(rows) - len(bad))
