"""The operator's check of the city's lists against НОБД (A7.3, A7.4, A7.9): risk cases, protocols,
exclusion notices.

A risk case ends one of three ways (A7.4): the operator's protocol confirms the data, or
corrects them, and the voucher goes on; or the operator notifies the city department (EDU) to
exclude the child or preschool, and EDU does it (workflows.exclusion). The exclusion is EDU's
act: the children list and the Перечень are EDU's (A4, A5), the law gives the operator only the
notice. Until then the voucher stays `granted`, so it is not sent to the banks (A7.5). What the
cases change in vouchers, preschools and sheets is done by those apps' services, called from
the workflows.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from goszakaz.access.actor import Actor
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record, record_many
from goszakaz.audit.transitions import move
from goszakaz.deadlines.models import Deadline
from goszakaz.deadlines.services import business_days_after, meet, open_deadline
from goszakaz.domain.states import needs_transition
from goszakaz.enrollment.models import Voucher, VoucherStatus
from goszakaz.notifications.services import notify
from goszakaz.registry.models import City, Preschool, Role
from goszakaz.registry.services import perechen
from goszakaz.verification.checks import CityNames, Mismatch, child_mismatches, preschool_mismatches
from goszakaz.verification.models import (
    DIRECT_KINDS,
    RISK_CASE_TRANSITIONS,
    UNRESOLVED,
    ListSubmission,
    Protocol,
    ProtocolDecision,
    RiskCase,
    RiskCaseEvent,
    RiskCaseKind,
    RiskCaseState,
)
from goszakaz.verification.nobd import Nobd

CHECK_DAYS = 5  # A7.4: business days for the check after the lists are received
EDU_RECIPIENT = "EDU"  # notification recipient role: the education department of the city

logger = logging.getLogger(__name__)


class VerificationError(Exception):
    """A verification step the rules do not allow; the message says why."""


@dataclass(frozen=True)
class VerificationSummary:
    """What one НОБД check of a submission found and did."""

    preschools_checked: int
    children_checked: int
    cases_opened: int
    verified: int
    deadline_met: bool
    opened_by_kind: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data."""
        return asdict(self)


@dataclass
class Findings:
    """What a check found: the cases opened by kind, the children checked, those left clear."""

    submission: ListSubmission
    preschools: int = 0
    checked: list[int] = field(default_factory=list)
    clear: list[int] = field(default_factory=list)
    opened: Counter[str] = field(default_factory=Counter)


def receive_lists(
    *, city: City, received_on: dt.date, actor: Actor, now: dt.datetime
) -> tuple[ListSubmission, Deadline]:
    """A7.3, A7.4: the operator received the Перечень and the children list; the 5-day check starts.

    Receiving the lists of the same day again returns the first submission and deadline.
    """
    submission, created = ListSubmission.objects.get_or_create(
        city=city, received_on=received_on,
        defaults={"preschools": perechen(city, received_on).count(),
                  "children": Voucher.objects.filter(city=city,
                                                     status=VoucherStatus.GRANTED).count()})
    deadline = open_deadline(
        clause="A7.4", city=city.code, subject=submission.deadline_subject,
        title="Проверка Перечня и списка детей по НОБД", opened_on=received_on,
        due_on=business_days_after(received_on, CHECK_DAYS))
    if created:
        record(actor=actor, action=AuditAction.LISTS_RECEIVED, at=now,
               obj_type="list_submission", obj_id=submission.pk, city=city.code,
               after={"received_on": received_on.isoformat(), "preschools": submission.preschools,
                      "children": submission.children, "due_on": deadline.due_on.isoformat()})
    return submission, deadline


def check(*, submission: ListSubmission, nobd: Nobd, on: dt.date, actor: Actor,
          now: dt.datetime) -> Findings:
    """A7.4: compare the Перечень and every granted voucher of the city with НОБД.

    Each mismatch opens a risk case (once: see RiskCase.key); the children with no unresolved
    case are `clear` (to be verified by the caller). Running it again checks only the vouchers
    still `granted` (and the Перечень) and opens only new mismatches.
    """
    started = time.perf_counter()
    submission = ListSubmission.objects.select_for_update().get(pk=submission.pk)
    if on < submission.received_on:
        raise VerificationError(_("The check cannot be before the lists were received."))
    city = City.objects.get(pk=submission.city_id)
    names = CityNames.of(city.code, city.name_ru, city.name_kk, city.name_en)
    found = Findings(submission=submission)
    for preschool in perechen(city, submission.received_on).only("id", "bin", "city_id"):
        found.preschools += 1
        for m in preschool_mismatches(bin_=preschool.bin, city=names,
                                      record=nobd.find_preschool(preschool.bin)):
            found.opened[m.kind] += open_case(city=city, mismatch=m, preschool=preschool, on=on,
                                              submission=submission, actor=actor, now=now)[1]
    granted = Voucher.objects.filter(city=city, status=VoucherStatus.GRANTED).only(
        "id", "city_id", "child_iin", "child_name", "birth_date", "status").order_by("pk")
    for voucher in granted.iterator(chunk_size=2000):
        found.checked.append(voucher.pk)
        for m in child_mismatches(iin=voucher.child_iin, birth_date=voucher.birth_date,
                                  name=voucher.child_name, city=names,
                                  record=nobd.find_child(voucher.child_iin)):
            found.opened[m.kind] += open_case(city=city, mismatch=m, voucher=voucher, on=on,
                                              submission=submission, actor=actor, now=now)[1]
    blocked = set(RiskCase.objects.filter(
        city=city, voucher__status=VoucherStatus.GRANTED, state__in=UNRESOLVED,
    ).values_list("voucher_id", flat=True))
    found.clear = [pk for pk in found.checked if pk not in blocked]
    logger.info("lists checked against NOBD", extra={
        "city": city.code, "submission_id": submission.pk, "preschools": found.preschools,
        "children": len(found.checked), "cases_opened": sum(found.opened.values()),
        "clear": len(found.clear), "seconds": round(time.perf_counter() - started, 3)})
    return found


def finish_check(*, found: Findings, verified: int, on: dt.date, actor: Actor,
                 now: dt.datetime) -> VerificationSummary:
    """A7.4: the check's summary kept on the submission, its deadline met on `on`."""
    submission = found.submission
    city_code = City.objects.filter(pk=submission.city_id).values_list("code", flat=True)[0]
    summary = VerificationSummary(
        preschools_checked=found.preschools, children_checked=len(found.checked),
        cases_opened=sum(found.opened.values()), verified=verified,
        deadline_met=meet(clause="A7.4", city=city_code, subject=submission.deadline_subject,
                          on=on),
        opened_by_kind={str(k): n for k, n in sorted(found.opened.items()) if n})
    submission.checked_on, submission.summary = on, summary.as_dict()
    submission.save(update_fields=["checked_on", "summary"])
    record(actor=actor, action=AuditAction.LISTS_VERIFIED, at=now, obj_type="list_submission",
           obj_id=submission.pk, city=city_code, after={"on": on.isoformat(), **summary.as_dict()},
           children=found.checked)
    logger.info("lists verified", extra={
        "city": city_code, "submission_id": submission.pk, "verified": verified,
        "cases_opened": summary.cases_opened, "deadline_met": summary.deadline_met})
    return summary


def _event(case: RiskCase, *, actor: Actor, at: dt.datetime, before: str, note: str) -> None:
    RiskCaseEvent.objects.create(case=case, at=at, actor_id=actor.user_id, role=actor.role,
                                 before=before, after=case.state, note=note[:300])


def open_case(
    *, city: City, mismatch: Mismatch, on: dt.date, actor: Actor, now: dt.datetime,
    voucher: Voucher | None = None, preschool: Preschool | None = None,
    submission: ListSubmission | None = None,
) -> tuple[RiskCase, bool]:
    """Open a risk case of a voucher or a preschool; the same mismatch again returns the first.

    The mismatch's values tell one case from another (see RiskCase.key): A7.4 passes the values
    that differed; other steps (A7.9, A7.16) pass what makes their finding distinct.
    """
    if voucher is not None and preschool is None:
        subject, subject_id = "voucher", voucher.pk
    elif preschool is not None and voucher is None:
        subject, subject_id = "preschool", preschool.pk
    else:
        raise VerificationError(_("A risk case is about one voucher or one preschool."))
    case, created = RiskCase.objects.get_or_create(
        key=f"{subject[0]}/{subject_id}/{mismatch.kind}/{mismatch.digest()}",
        defaults={"city": city, "voucher": voucher, "preschool": preschool,
                  "kind": mismatch.kind, "found": {"ours": mismatch.ours, "nobd": mismatch.nobd},
                  "submission": submission, "opened_on": on})
    if created:
        _event(case, actor=actor, at=now, before="", note=str(RiskCaseKind(case.kind).label))
        record(actor=actor, action=AuditAction.RISK_CASE_OPENED, at=now, obj_type="risk_case",
               obj_id=case.pk, city=city.code,
               after={"kind": case.kind, "state": case.state, "subject": subject,
                      "subject_id": subject_id},
               children=[voucher.pk] if voucher is not None else [])
    return case, created


def _open_direct_case(voucher_id: int) -> RiskCase | None:
    """The child's unresolved case of direct payment (I19), if any."""
    return RiskCase.objects.filter(voucher_id=voucher_id, kind__in=DIRECT_KINDS,
                                   state__in=UNRESOLVED).first()


def _report_direct(*, voucher: Voucher, kind: RiskCaseKind, ours: str, on: dt.date,
                   actor: Actor, now: dt.datetime) -> tuple[RiskCase, bool]:
    """I19, A7.9: a child paid directly goes to risk verification, one unresolved case per child
    whatever made it so (and whichever month): while one is open, none is added. Two steps
    finding the child at once open one case (a unique index; the loser returns the winner's).
    `ours` names the finding, so the same finding again returns its case, even a resolved one."""
    open_one = _open_direct_case(voucher.pk)
    if open_one is not None:
        return open_one, False
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction goes on
            return open_case(city=City.objects.get(pk=voucher.city_id), voucher=voucher, on=on,
                             mismatch=Mismatch(kind, ours=ours), actor=actor, now=now)
    except IntegrityError:
        case = _open_direct_case(voucher.pk)
        if case is None:
            raise
        return case, False


def report_parent_not_registered(
    *, voucher: Voucher, month: str, on: dt.date, actor: Actor, now: dt.datetime
) -> tuple[RiskCase, bool]:
    """A7.9: a child on the bank's list of parents who did not register goes to risk verification.

    One unresolved case per child paid directly (I19): a later month's list adds no second.
    """
    return _report_direct(voucher=voucher, kind=RiskCaseKind.PARENT_NOT_REGISTERED, ours=month,
                          on=on, actor=actor, now=now)


def report_account_closed(*, voucher: Voucher, account_id: int, closed_on: dt.date,
                          actor: Actor, now: dt.datetime) -> tuple[RiskCase, bool]:
    """I19, A10: the child's bank account was closed: what is left of its sheets is paid
    directly, and the child goes to risk verification (unless its case is open already)."""
    return _report_direct(voucher=voucher, kind=RiskCaseKind.DIRECT_PAYMENT,
                          ours=f"account {account_id} closed {closed_on.isoformat()}",
                          on=closed_on, actor=actor, now=now)


def report_paid_directly(*, accounts: Mapping[int, int], on: dt.date, actor: Actor,
                         now: dt.datetime) -> int:
    """I19, A7.9: children a settlement paid directly, by voucher id with the id of the bank
    account asked for them (not open: it joined after the bank's list, say). Each without an
    unresolved case of direct payment gets one (one per account asked for: not again after the
    operator resolved it); returns how many were opened. Set-based (a city's first settlement
    may find tens of thousands): the cases, their events and audit rows in one insert each; if
    another step opened one of these children's cases meanwhile, child by child instead."""
    ids = set(accounts) - set(RiskCase.objects.filter(
        voucher_id__in=list(accounts), kind__in=DIRECT_KINDS, state__in=UNRESOLVED)
        .values_list("voucher_id", flat=True))
    if not ids:
        return 0
    kind = RiskCaseKind.DIRECT_PAYMENT
    findings = {pk: Mismatch(kind, ours=f"account {accounts[pk]} not open") for pk in ids}
    keys = {pk: f"v/{pk}/{kind}/{m.digest()}" for pk, m in findings.items()}
    seen = set(RiskCase.objects.filter(key__in=list(keys.values())).values_list("key", flat=True))
    new = [(pk, city_id, code) for pk, city_id, code in Voucher.objects.filter(
        pk__in=sorted(ids)).order_by("pk").values_list("pk", "city_id", "city__code")
        if keys[pk] not in seen]  # the same finding resolved before is not reopened
    cases = [RiskCase(city_id=city_id, voucher_id=pk, kind=kind, key=keys[pk],
                      found={"ours": findings[pk].ours, "nobd": ""}, opened_on=on)
             for pk, city_id, _code in new]
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction goes on
            RiskCase.objects.bulk_create(cases)  # PostgreSQL and SQLite return the new ids
    except IntegrityError:  # another step opened a case of one of them at the same time
        return sum(_report_direct(voucher=voucher, kind=kind, ours=findings[voucher.pk].ours,
                                  on=on, actor=actor, now=now)[1]
                   for voucher in Voucher.objects.filter(pk__in=[n[0] for n in new])
                   .order_by("pk"))
    note = str(kind.label)
    RiskCaseEvent.objects.bulk_create(
        [RiskCaseEvent(case=case, at=now, actor_id=actor.user_id, role=actor.role, before="",
                       after=case.state, note=note[:300]) for case in cases], batch_size=2000)
    record_many(actor=actor, action=AuditAction.RISK_CASE_OPENED, at=now, obj_type="risk_case",
                entries=[(case.pk, code, None,
                          {"kind": case.kind, "state": case.state, "subject": "voucher",
                           "subject_id": pk}, [pk])
                         for (pk, _city_id, code), case in zip(new, cases, strict=True)])
    return len(cases)


def report_sheet_dispute(*, voucher: Voucher, month: str, on: dt.date, actor: Actor,
                         now: dt.datetime) -> tuple[RiskCase, bool]:
    """A7.16: the preschool disagreed with the parent's dispute of the month's sheet: the case
    goes to the operator."""
    return open_case(city=City.objects.get(pk=voucher.city_id), voucher=voucher, on=on,
                     mismatch=Mismatch(RiskCaseKind.SHEET_DISPUTE, ours=month),
                     actor=actor, now=now)


def _move(case: RiskCase, to: str, *, on: dt.date, actor: Actor, now: dt.datetime,
          note: str) -> bool:
    """Change a (locked) case's state, with its history event and an audit row."""
    before = move(case, to, transitions=RISK_CASE_TRANSITIONS, actor=actor, at=now,
                  action=AuditAction.RISK_CASE_STATE, obj_type="risk_case", city=case.city.code,
                  children=(case.voucher_id,) if case.voucher_id else (),
                  closed_on=on if not RISK_CASE_TRANSITIONS[to] else case.closed_on)
    if before is None:
        return False
    _event(case, actor=actor, at=now, before=before, note=note)
    return True


def lock_case(case: RiskCase) -> RiskCase:
    """The case, locked for the rest of the transaction."""
    return RiskCase.objects.select_for_update().select_related("city").get(pk=case.pk)


def check_protocol(*, case: RiskCase, decision: str, corrections: dict[str, Any]) -> bool:
    """A7.4: may a protocol with this decision close the case? False when it is closed with it
    already (a repeat); raises VerificationError for a decision that does not fit."""
    decision = ProtocolDecision(decision)
    if not needs_transition(case.state, decision, RISK_CASE_TRANSITIONS):
        return False
    if decision == ProtocolDecision.CONFIRMED and corrections:
        raise VerificationError(_("A protocol confirming the data carries no corrections."))
    if decision == ProtocolDecision.CORRECTED and not corrections:
        raise VerificationError(_("A protocol correcting the data needs the corrections."))
    return True


def close_case(
    *, case: RiskCase, decision: str, applied: dict[str, Any], number: str, note: str,
    on: dt.date, actor: Actor, now: dt.datetime, dated: dt.date | None = None,
) -> Protocol:
    """A7.4: the operator's protocol (its corrections already applied) closes the case on `on`;
    the protocol is dated `dated` (the document's own date), `on` when not given."""
    decision = ProtocolDecision(decision)
    protocol = Protocol.objects.create(case=case, number=number, date=dated or on,
                                       decision=decision,
                                       corrections=applied, note=note, actor_id=actor.user_id,
                                       role=actor.role)
    _move(case, decision, on=on, actor=actor, now=now, note=f"protocol {number}")
    return protocol


def unresolved(voucher_id: int) -> bool:
    """Has the child a risk case still open (or awaiting exclusion)?"""
    return RiskCase.objects.filter(voucher_id=voucher_id, state__in=UNRESOLVED).exists()


def request_exclusion(
    *, case: RiskCase, on: dt.date, actor: Actor, now: dt.datetime, note: str = "",
    number: str = "",
) -> RiskCase:
    """A7.4: the operator notifies the city department (EDU) to exclude the child or preschool.

    The notice goes to the EDU inbox of the case's city (role EDU, key the city code); nothing is
    excluded yet: EDU does it (workflows.exclusion). The operator's document number, when given,
    is kept in the case's history and in the notice. Asking again sends nothing new.
    """
    case = lock_case(case)
    text = f"№ {number.strip()}: {note}".rstrip(": ") if number.strip() else note
    if _move(case, RiskCaseState.EXCLUSION_REQUESTED, on=on, actor=actor, now=now, note=text):
        subject: dict[str, Any] = ({"voucher": case.voucher_id} if case.voucher_id is not None
                                   else {"preschool": subject_preschool(case).bin})
        notify(city=case.city.code, kind="exclusion_requested", recipient_role=EDU_RECIPIENT,
               recipient_key=case.city.code, at=now,
               payload={"risk_case": case.pk, "kind": case.kind, "on": on.isoformat(),
                        **({"number": number.strip()} if number.strip() else {}), **subject},
               dedup_key=f"exclusion_requested/{case.pk}")
    return case


def may_exclude(case: RiskCase) -> bool:
    """Is the case waiting for EDU's exclusion (False: excluded already)? IllegalTransition when
    the operator has not asked to exclude it."""
    return needs_transition(case.state, RiskCaseState.EXCLUDED, RISK_CASE_TRANSITIONS)


def mark_excluded(*, case: RiskCase, on: dt.date, actor: Actor, now: dt.datetime) -> bool:
    """A7.4: EDU excluded the case's child or preschool; the preschool is told (a child's parent
    is told by the annulment)."""
    if case.preschool_id is not None:
        notify(city=case.city.code, kind="preschool_excluded", recipient_role=Role.PRE,
               recipient_key=subject_preschool(case).bin, at=now,
               payload={"risk_case": case.pk, "on": on.isoformat()},
               dedup_key=f"preschool_excluded/{case.pk}")
    return _move(case, RiskCaseState.EXCLUDED, on=on, actor=actor, now=now,
                 note="excluded by the city department")


def subject_preschool(case: RiskCase) -> Preschool:
    """The preschool a case is about."""
    if case.preschool_id is None:
        raise VerificationError(_("The case is about a voucher, not a preschool."))
    return Preschool.objects.get(pk=case.preschool_id)
