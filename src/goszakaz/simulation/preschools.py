"""The preschools keep their sheets (A7.13) as each does it: the day page every working day,
their own system through the sheet API in weekly batches, or a group's month file at the
month's end; and they answer disputes (A7.16). The children attend, fall ill, miss days and
go on vacation with their parents (A8)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from django.db import transaction

from goszakaz.attendance import services
from goszakaz.attendance.models import Sheet
from goszakaz.attendance.upload import import_group_sheet
from goszakaz.domain.months import last_of, month_of
from goszakaz.domain.payment import SheetError
from goszakaz.enrollment.models import Voucher
from goszakaz.files import ImportRejected
from goszakaz.rules.calendar import kz_calendar
from goszakaz.simulation.crowd import api_for
from goszakaz.simulation.people import Child, School
from goszakaz.simulation.world import PRE, CityState, World, at
from goszakaz.workflows.dispute import answer_dispute

Entry = tuple[int, dt.date, str]  # (voucher id, day, code)
ANNULLED = "The voucher is annulled."


def work(world: World, state: CityState, day: dt.date, workdir: Path) -> None:
    """The preschools' day in one city."""
    if not world.working(day) or day < state.onboard_on:
        return
    in_pilot = state.city.in_pilot(day)
    pupils: dict[int, list[int]] = {}
    if in_pilot:
        for child in state.children:
            voucher_id = state.vouchers.get(child.key)
            if voucher_id is None or not world.tally.live(voucher_id):
                continue
            term = world.tally.term_on(voucher_id, day)
            if term is not None:
                pupils.setdefault(term.preschool_id, []).append(voucher_id)
    last_working = _last_working_day(world, state, day)
    sends: list[tuple[int, list[Entry], str]] = []
    for school, preschool_id in zip(state.schools, state.school_ids, strict=True):
        entries = [e for v in sorted(pupils.get(preschool_id, []))
                   if (e := _entry(world, school, world.child_of[v], v, day)) is not None]
        if school.channel == "page":
            sends.append((preschool_id, entries, "page"))
            continue
        world.pending.setdefault(preschool_id, []).extend(entries)
        weekly = school.channel == "api" and day.weekday() == 4
        if weekly or last_working:
            sends.append((preschool_id, world.pending.pop(preschool_id, []), school.channel))
    _send_all(world, [s for s in sends if s[1]], day, workdir)
    _answer_disputes(world, state, day)


def _last_working_day(world: World, state: CityState, day: dt.date) -> bool:
    """Is `day` the month's last working day, or the pilot's last day?"""
    if state.city.pilot_end == day:
        return True
    rest = world.calendar.working_days(day + dt.timedelta(days=1), last_of(day))
    return not rest


def _entry(world: World, school: School, child: Child, voucher_id: int,
           day: dt.date) -> Entry | None:
    """What happened to the child today and what the preschool enters (None: not marked)."""
    rng, tally = world.rng, world.tally
    sick = world.sick.get(voucher_id, 0)
    if sick:
        world.sick[voucher_id] = sick - 1
        truth = "S" if world.certified.get(voucher_id, True) else "A"
    elif child.vacation and child.vacation[0] <= day and world.vacation_used.get(
            voucher_id, 0) < child.vacation[1]:
        world.vacation_used[voucher_id] = world.vacation_used.get(voucher_id, 0) + 1
        truth = "V"
    elif rng.random() < child.sick_rate:
        world.sick[voucher_id] = rng.randrange(0, 5)
        world.certified[voucher_id] = rng.random() < 0.75  # else unexcused (I2)
        truth = "S" if world.certified[voucher_id] else "A"
    elif rng.random() < child.absent_rate:
        truth = "A"
    else:
        truth = "P"
    if school.channel == "page" and rng.random() < school.forgets:
        tally.count("working days left unmarked (I22)")
        return None
    if truth == "S" and rng.random() < school.careless:
        return (voucher_id, day, "a")  # entered as A: the certificate was not seen
    return (voucher_id, day, truth)


def _send_all(world: World, sends: list[tuple[int, list[Entry], str]], day: dt.date,
              workdir: Path) -> None:
    """Each preschool's marks through its channel (deliver). The month files, and the batches
    that may open a sheet (a child's first marks of a month), go first, one after another:
    a sheet's id never depends on which worker was quicker (a month is settled in the order
    of its sheets' ids). The rest go by the crowd's workers."""
    calls = [(preschool_id, entries, day, channel, workdir,
              {v: world.child_of[v].iin for v, _d, _c in entries},
              world.school_tokens.get(preschool_id, ""), world.years)
             for preschool_id, entries, channel in sends]
    opening = [i for i, (_p, entries, channel) in enumerate(sends) if channel == "file" or any(
        (v, month_of(d)) not in world.tally.sheets for v, d, _c in entries)]
    others = sorted(set(range(len(sends))) - set(opening))
    answers = {i: deliver(*calls[i]) for i in opening}
    answers.update(zip(others, world.make(deliver, [calls[i] for i in others]), strict=True))
    for i, (preschool_id, entries, channel) in enumerate(sends):
        _record(world, preschool_id, entries, day, channel, answers[i])


def deliver(preschool_id: int, entries: list[Entry], day: dt.date, channel: str,
            workdir: Path, iins: dict[int, str], token: str, years: tuple[int, ...]
            ) -> list[dict[int, str]]:
    """A preschool's marks through its channel; a refused batch is sent again once without the
    refused marks. What each delivery refused: its marks by index (nothing was saved then)."""
    refusals: list[dict[int, str]] = []
    for _attempt in (1, 2):
        refused = _deliver(preschool_id, entries, day, channel, workdir, iins, token, years)
        refusals.append(refused)
        entries = [e for i, e in enumerate(entries) if i not in refused]
        if not refused or not entries:
            break
    return refusals


def _record(world: World, preschool_id: int, entries: list[Entry], day: dt.date, channel: str,
            refusals: list[dict[int, str]]) -> None:
    """What the preschool saw of its delivery (deliver): each refusal counted (a surprise
    unless the voucher was annulled), the marks saved entered in the tally."""
    for refused in refusals:
        for i, why in sorted(refused.items()):
            voucher_id, when, _code = entries[i]
            if ANNULLED in why and voucher_id in world.tally.annulled:
                # a day from the annulment on (A10-A13): the contract ended the day before;
                # the days before it are still marked
                world.tally.count("marks refused: days from the annulment on")
                continue
            world.surprise(f"{channel} mark {voucher_id} {when} refused: {why}")
        entries = [e for i, e in enumerate(entries) if i not in refused]
    if not entries or refusals[-1]:
        return
    for voucher_id, when, code in entries:
        s = world.tally.sheet(voucher_id, month_of(when), preschool_id)
        s.put(when.day, code.upper())
        if code == "a":
            s.wrong += (when.day - 1,)
    world.tally.count(f"marks entered ({channel})", len(entries))


def _deliver(preschool_id: int, entries: list[Entry], day: dt.date, channel: str,
             workdir: Path, iins: dict[int, str], token: str, years: tuple[int, ...]
             ) -> dict[int, str]:
    """One delivery; the refused marks by their index (then nothing was saved)."""
    now = at(day, 18)
    if channel == "page":
        vouchers = Voucher.objects.in_bulk([e[0] for e in entries])
        with transaction.atomic():
            done = services.mark_many(
                preschool_id=preschool_id, is_working_day=kz_calendar(years).is_working_day,
                marks=[(vouchers[v], d, c.upper()) for v, d, c in entries], actor=PRE, now=now)
            if done.refused:
                transaction.set_rollback(True)
        return {i: str(e) for i, e in done.refused}
    if channel == "api":
        body = {"marks": [{"child_iin": iins[v], "day": d.isoformat(), "code": c.upper()}
                          for v, d, c in entries]}
        key = f"marks/{preschool_id}/{day.isoformat()}/{len(entries)}"
        status, answer = api_for(token, "/api/preschool/v1").post("/marks", body, key, now)
        if status == 200:
            return {}
        errors = answer.get("errors") if isinstance(answer, dict) else None
        if not errors:
            return dict.fromkeys(range(len(entries)), f"{status} {answer}")
        return {e["index"]: e["detail"] for e in errors}
    return _month_file(preschool_id, entries, day, workdir, iins)


def _month_file(preschool_id: int, entries: list[Entry], day: dt.date, workdir: Path,
                iins: dict[int, str]) -> dict[int, str]:
    """A group's month from one CSV file (a row per child, a column per day)."""
    refused: dict[int, str] = {}
    for month in sorted({month_of(d) for _v, d, _c in entries}):
        rows: dict[int, dict[str, str]] = {}
        for v, d, c in entries:
            if month_of(d) == month:
                rows.setdefault(v, {"child_iin": iins[v]})[str(d.day)] = c.upper()
        path = workdir / f"group-{preschool_id}-{month}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["child_iin", *[str(i) for i in range(1, 32)]])
            w.writeheader()
            w.writerows(rows[v] for v in sorted(rows))
        try:
            import_group_sheet(preschool_id=preschool_id, month=month, path=path, actor=PRE,
                               now=at(day, 18))
        except ImportRejected as e:
            bad_iins = {rows_iin for rows_iin in _iins_of_lines(e, rows)}
            refused.update({i: "; ".join(str(x) for x in e.errors[:2])
                            for i, (v, d, _c) in enumerate(entries)
                            if month_of(d) == month and iins[v] in bad_iins})
    return refused


def _iins_of_lines(e: ImportRejected, rows: dict[int, dict[str, str]]) -> set[str]:
    ordered = [rows[v]["child_iin"] for v in sorted(rows)]
    return {ordered[err.line - 2] for err in e.errors if 2 <= err.line < len(ordered) + 2}


def _answer_disputes(world: World, state: CityState, day: dt.date) -> None:
    """A7.16: two days after a dispute the preschool agrees (corrects the days it got wrong) or
    disagrees (its sheet stands; the operator opens a risk case)."""
    for (voucher_id, month), opened in sorted(world.disputes.items()):
        if world.tally.city_of[voucher_id] != state.city.code or (day - opened).days < 2:
            continue
        s = world.tally.sheets[(voucher_id, month)]
        sheet = Sheet.objects.get(voucher_id=voucher_id, month=month)
        agree = world.rng.random() < 0.7
        days = list(s.days)
        for i in s.wrong:
            days[i] = "S"
        try:
            with transaction.atomic():
                answer_dispute(sheet=sheet, agree=agree, on=day, actor=PRE, now=at(day, 11),
                               corrected_days="".join(days) if agree else None,
                               reason="" if agree else "Ребёнок был в саду, отметки верны")
        except SheetError as e:
            world.surprise(f"answer to the dispute of {voucher_id} {month}: {e}")
            del world.disputes[(voucher_id, month)]
            continue
        del world.disputes[(voucher_id, month)]
        if agree:
            s.days, s.wrong, s.state, s.corrected_on = "".join(days), (), "corrected", day
            world.tally.corrected.add((voucher_id, month))
            world.tally.count("disputes agreed (A7.16)")
        else:
            s.state, s.final_on = "upheld", day
            world.tally.count("disputes disagreed (A7.16)")
