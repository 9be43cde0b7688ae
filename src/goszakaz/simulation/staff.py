"""The department's and the operator's staff at work: the НОБД check (A7.4) and its risk cases
closed by protocol or exclusion, the verified children sent to the bank (A7.5), the monthly
funding (A7.11, A7.12), and protocols on disputes the preschool upheld (A7.16, A9)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from goszakaz.domain.months import first_day, month_of
from goszakaz.finance.funding import build_request, distribute, transfer_to_operator
from goszakaz.finance.models import FundingRequest
from goszakaz.simulation.world import EDU, OPR, CityState, World, at
from goszakaz.verification.models import ListSubmission, RiskCase, RiskCaseKind, RiskCaseState
from goszakaz.workflows.exclusion import exclude, request_exclusion
from goszakaz.workflows.onboarding import check_lists, send_to_bank
from goszakaz.workflows.protocol import close_by_protocol

CHILD_KINDS = (RiskCaseKind.NAME_DIFFERS, RiskCaseKind.BIRTH_DATE_DIFFERS,
               RiskCaseKind.IIN_UNKNOWN, RiskCaseKind.NOT_RESIDENT)


def work(world: World, state: CityState, day: dt.date) -> None:
    """The staff's day for one city (working days only)."""
    if not world.working(day) or day < state.onboard_on:
        return
    if not state.checked and day > state.onboard_on:
        _check(world, state, day)
    if state.checked:
        _cases(world, state, day)
        _send(world, state, day)
        _disputes(world, state, day)
    _fund(world, state, day)


def _check(world: World, state: CityState, day: dt.date) -> None:
    """A7.4: the operator checks the lists against НОБД on the next working day."""
    assert state.submission_id is not None
    with transaction.atomic():
        submission = ListSubmission.objects.get(pk=state.submission_id)
        summary = check_lists(submission=submission, nobd=state.nobd, on=day, actor=OPR,
                              now=at(day, 10))
    world.tally.count("risk cases opened by the НОБД check", summary.cases_opened)
    state.checked = True


def _cases(world: World, state: CityState, day: dt.date) -> None:
    """A7.4: a child's case a few working days old is closed: a differing name or birth date
    corrected by protocol to НОБД's, an unknown IIN or a non-resident excluded by EDU."""
    cases = (RiskCase.objects.filter(city=state.city, kind__in=CHILD_KINDS,
                                     state__in=(RiskCaseState.OPEN,
                                                RiskCaseState.EXCLUSION_REQUESTED))
             .order_by("pk"))
    for case in cases:
        if (day - case.opened_on).days < 3:
            continue
        voucher_id = case.voucher_id
        assert voucher_id is not None
        child = world.child_of[voucher_id]
        record = state.nobd.find_child(child.iin)
        now = at(day, 11)
        with transaction.atomic():
            if case.state == RiskCaseState.EXCLUSION_REQUESTED:
                exclude(case=case, on=day, actor=EDU, now=now)
                world.tally.annul(voucher_id, day, "excluded after verification (A7.4)")
            elif case.kind in (RiskCaseKind.IIN_UNKNOWN, RiskCaseKind.NOT_RESIDENT):
                request_exclusion(case=case, on=day, actor=OPR, now=now)
            elif record is not None and case.kind == RiskCaseKind.NAME_DIFFERS:
                close_by_protocol(case=case, decision="corrected", actor=OPR, now=now, on=day,
                                  corrections={"child_name": record.full_name})
            elif record is not None:
                close_by_protocol(case=case, decision="corrected", actor=OPR, now=now, on=day,
                                  corrections={"birth_date": record.birth_date.isoformat()})
                world.tally.births[voucher_id] = record.birth_date
        world.tally.count(f"risk case {case.kind} handled")


def _send(world: World, state: CityState, day: dt.date) -> None:
    """A7.5: verified children without an account go on the bank's list."""
    assert world.bank.bank is not None
    with transaction.atomic():
        sent = send_to_bank(city=state.city, bank=world.bank.bank, on=day, actor=OPR,
                            now=at(day, 12))
    if sent:
        world.tally.count("children sent to the bank", sent)


def _disputes(world: World, state: CityState, day: dt.date) -> None:
    """A7.16, A9: a dispute the preschool upheld is the operator's risk case; after a few days
    the protocol upholds the preschool's sheet, or corrects it to the parent's account of the
    days (then the paid month is recalculated)."""
    cases = RiskCase.objects.filter(city=state.city, kind=RiskCaseKind.SHEET_DISPUTE,
                                    state=RiskCaseState.OPEN).order_by("pk")
    for case in cases:
        if (day - case.opened_on).days < 4:
            continue
        voucher_id = case.voucher_id
        assert voucher_id is not None
        month = str(case.found["ours"])
        s = world.tally.sheets[(voucher_id, month)]
        now = at(day, 14)
        with transaction.atomic():
            if world.rng.random() < 0.4 and s.wrong:
                days = list(s.days)
                for i in s.wrong:
                    days[i] = "S"
                close_by_protocol(case=case, decision="corrected", actor=OPR, now=now, on=day,
                                  corrections={"days": "".join(days)})
                s.protocol_days = "".join(days)
                world.tally.count("upheld disputes corrected by protocol (A9)")
            else:
                close_by_protocol(case=case, decision="confirmed", actor=OPR, now=now, on=day,
                                  corrections={})
                world.tally.count("upheld disputes confirmed by protocol")


def _fund(world: World, state: CityState, day: dt.date) -> None:
    """A7.11, A7.12: the month's request on the working day after the bank's list (and once
    the city's first accounts had time to open), the budget's transfer and the distribution on
    the next working day. Only months inside the city's pilot (O1, I21)."""
    city, month = state.city, month_of(day)
    if day < state.onboard_on or (city.pilot_end is not None
                                  and first_day(month) > city.pilot_end):
        return
    listed = world.bank.lists.get(month)
    if listed is None or day <= listed or (day - state.onboard_on).days < 12:
        return
    step = state.funded.get(month)
    if step is None:
        with transaction.atomic():
            request = build_request(city=city, month=month, on=day, actor=OPR, now=at(day, 10))
        state.request_ids[month] = request.pk
        state.funded[month] = "requested"
    elif step == "requested" and day > _requested_on(state, month):
        with transaction.atomic():
            request = FundingRequest.objects.select_related("city").get(
                pk=state.request_ids[month])
            transfer_to_operator(request=request, on=day, actor=EDU, now=at(day, 11))
            distribute(request=request, on=day, actor=OPR, now=at(day, 15))
        state.funded[month] = "distributed"
        world.tally.count("funding months distributed")


def _requested_on(state: CityState, month: str) -> dt.date:
    return FundingRequest.objects.get(pk=state.request_ids[month]).sent_on
