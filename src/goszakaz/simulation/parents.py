"""The parents (and the department recording their life events): contracts for children who
join on any day (A6, A7.10), changes of preschool (A11, I8), moves (A12) and deaths (A13), and
the month's sheet confirmed, disputed or left to silence (A7.14-A7.16, I6, I7, I17)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from goszakaz.attendance.models import Sheet
from goszakaz.attendance.services import confirm, dispute
from goszakaz.domain.capacity import first_of_month_on_or_after
from goszakaz.domain.months import last_of, month_of, previous
from goszakaz.domain.payment import SheetError
from goszakaz.enrollment.models import AnnulmentReason, Voucher
from goszakaz.enrollment.services import EnrollmentError, annul, sign_contract
from goszakaz.registry.models import Preschool
from goszakaz.simulation.world import EDU, PAR, CityState, World, at
from goszakaz.workflows.preschool_change import change_preschool


def work(world: World, state: CityState, day: dt.date) -> None:
    """The parents' day in one city."""
    city = state.city
    if day < state.onboard_on:
        return
    in_pilot = city.in_pilot(day)
    if state.agenda is None:
        _plan(world, state)
    assert state.agenda is not None
    for child in state.agenda.pop(day, []):
        voucher_id = state.vouchers[child.key]
        if not world.tally.live(voucher_id):
            continue
        if child.moves_on == day or child.dies_on == day:
            _life_event(world, voucher_id, day, moved=child.moves_on == day)
        elif in_pilot and child.change_on == day and world.tally.terms.get(voucher_id):
            _change(world, state, voucher_id, day)
    for key in sorted(state.joining):
        child = state.children[key]
        voucher_id = state.vouchers[key]
        if not world.tally.live(voucher_id) or world.tally.terms.get(voucher_id):
            state.joining.discard(key)
        elif in_pilot and child.joins_on <= day and voucher_id in world.tally.sent:
            _join(world, state, voucher_id, child.school, day)
            state.joining.discard(key)
    if day == last_of(day):
        _month_end(world, state, day)
    _reconfirm(world, state, day)
    if day.day == 2:
        _late(world, state, day)


def _plan(world: World, state: CityState) -> None:
    """The parents' agenda: each event on its day; the children still to sign a contract."""
    state.agenda = {}
    for child in state.children:
        if child.key not in state.vouchers:
            continue
        for when in {child.moves_on, child.dies_on, child.change_on} - {None}:
            assert when is not None
            state.agenda.setdefault(when, []).append(child)
        if not world.tally.terms.get(state.vouchers[child.key]):
            state.joining.add(child.key)


def _join(world: World, state: CityState, voucher_id: int, school: int, day: dt.date) -> None:
    """A6: the parent signs with the chosen preschool, or the next one with a free place."""
    voucher = Voucher.objects.get(pk=voucher_id)
    order = [(school + i) % len(state.school_ids) for i in range(len(state.school_ids))]
    for index in order:
        try:
            with transaction.atomic():
                sign_contract(voucher=voucher, preschool=Preschool.objects.get(
                    pk=state.school_ids[index]), on=day, actor=PAR, now=at(day, 12))
        except EnrollmentError:
            world.tally.count("contracts refused: no free place (A6)")
            continue
        world.tally.sign(voucher_id, state.school_ids[index], day)
        world.tally.count("contracts signed mid-year")
        return


def _change(world: World, state: CityState, voucher_id: int, day: dt.date) -> None:
    """A11, I8: another preschool from the 1st of the next month (inside the pilot)."""
    effective = first_of_month_on_or_after(day)
    if not state.city.in_pilot(effective):
        return
    current = world.tally.term_on(voucher_id, day)
    if current is None:
        return
    index = (state.school_ids.index(current.preschool_id) + 1) % len(state.school_ids)
    target = state.school_ids[index]
    if target == current.preschool_id:
        return
    try:
        with transaction.atomic():
            contract = change_preschool(voucher=Voucher.objects.get(pk=voucher_id),
                                        preschool=Preschool.objects.get(pk=target),
                                        requested_on=day, actor=PAR, now=at(day, 12))
    except EnrollmentError:
        world.tally.count("changes of preschool refused (A6, capacity)")
        return
    if contract.starts_on != effective:  # asked on a 1st its old preschool had marked
        world.tally.count("changes of preschool asked on a marked 1st (from the next 1st)")
        effective = contract.starts_on
    # the old preschool hears of it: the marks it holds back for the days from then (its
    # weekly batch, its month file) are not sent
    world.pending[current.preschool_id] = [
        e for e in world.pending.get(current.preschool_id, [])
        if e[0] != voucher_id or e[1] < effective]
    world.tally.end_terms(voucher_id, effective)
    world.tally.sign(voucher_id, target, effective)
    world.tally.count("changes of preschool (A11)")


def _life_event(world: World, voucher_id: int, day: dt.date, *, moved: bool) -> None:
    """A12, A13: the department annuls the voucher from the next day."""
    reason = AnnulmentReason.MOVED if moved else AnnulmentReason.DEATH
    with transaction.atomic():
        annul(voucher=Voucher.objects.get(pk=voucher_id), reason=reason,
              on=day + dt.timedelta(days=1), actor=EDU, now=at(day, 15))
    world.tally.annul(voucher_id, day + dt.timedelta(days=1), str(reason.label))


def _month_end(world: World, state: CityState, day: dt.date) -> None:
    """A7.14, A7.15, I17: on the month's last day each parent confirms, disputes a wrong mark,
    or says nothing; a dead child's parent is silent. The answers are decided here, in order,
    and made by the crowd (answer_sheet)."""
    month = month_of(day)
    calls: list[tuple[int, str, bool, dt.date, dt.datetime]] = []
    for voucher_id, m in sorted(world.tally.by_month.get(month, [])):
        s = world.tally.sheets[(voucher_id, m)]
        if s.state != "open" or world.tally.city_of[voucher_id] != state.city.code:
            continue
        child = world.child_of[voucher_id]
        if child.dies_on is not None and child.dies_on <= day:
            continue
        if s.wrong and world.rng.random() < 0.9:
            calls.append((voucher_id, month, True, day, at(day, 20)))
        elif world.rng.random() < child.silent:
            world.tally.count("sheets left to silence (A7.14)")
            if world.rng.random() < 0.2:
                world.tally.late.add((voucher_id, month))
        else:
            calls.append((voucher_id, month, False, day, at(day, 20)))
    for (voucher_id, _m, disputes, _d, _t), refused in zip(
            calls, world.make(answer_sheet, calls), strict=True):
        if refused is not None:
            world.surprise(f"parent of {voucher_id} on {month}: {refused}")
            continue
        s = world.tally.sheets[(voucher_id, month)]
        if disputes:
            s.state, s.responded = "disputed", True
            world.disputes[(voucher_id, month)] = day
            world.tally.count("sheets disputed (A7.15)")
        else:
            s.state, s.responded, s.final_on = "confirmed", True, day
            world.tally.count("sheets confirmed by the parent")


def answer_sheet(voucher_id: int, month: str, disputes: bool, day: dt.date,
                 now: dt.datetime) -> str | None:
    """The parent's answer to the month's sheet (A7.14, A7.15); why it was refused, or None."""
    sheet = Sheet.objects.get(voucher_id=voucher_id, month=month)
    try:
        with transaction.atomic():
            if disputes:
                dispute(sheet=sheet, reason="Ребёнок болел, справка сдана", on=day, actor=PAR,
                        now=now)
            else:
                confirm(sheet=sheet, on=day, actor=PAR, now=now)
    except SheetError as e:
        return str(e)
    return None


def _reconfirm(world: World, state: CityState, day: dt.date) -> None:
    """A7.16, I7: a corrected sheet confirmed by most parents the next day; the others leave it
    to the automatic confirmation after 2 calendar days."""
    for voucher_id, month in sorted(world.tally.corrected):
        s = world.tally.sheets[(voucher_id, month)]
        if (world.tally.city_of[voucher_id] != state.city.code
                or s.corrected_on is None or day != s.corrected_on + dt.timedelta(days=1)):
            continue
        if world.rng.random() < 0.6:
            with transaction.atomic():
                confirm(sheet=Sheet.objects.get(voucher_id=voucher_id, month=month), on=day,
                        actor=PAR, now=at(day, 19))
            s.state, s.final_on = "confirmed", day
            world.tally.corrected.discard((voucher_id, month))
            world.tally.count("corrected sheets confirmed by the parent (A7.16)")


def _late(world: World, state: CityState, day: dt.date) -> None:
    """A7.14: a late answer to last month's sheet is refused: silence confirmed it."""
    month = previous(month_of(day))
    for voucher_id, m in sorted(world.tally.late):
        if m != month or world.tally.city_of[voucher_id] != state.city.code:
            continue
        world.tally.late.discard((voucher_id, m))
        try:
            with transaction.atomic():
                confirm(sheet=Sheet.objects.get(voucher_id=voucher_id, month=month), on=day,
                        actor=PAR, now=at(day, 9))
        except SheetError:
            world.tally.count("late answers refused (A7.14)")
        else:
            world.surprise(f"a late confirmation of {voucher_id} {month} was accepted")
