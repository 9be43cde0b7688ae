"""The operator's check of the city's lists against НОБД (A7.3, A7.4, A7.9): risk cases, protocols, exclusion.

A risk case ends one of three ways (A7.4): the operator's protocol confirms the data, or
corrects them, and the voucher goes on; or the operator notifies the city department (EDU) to
exclude the child or preschool, and EDU's `exclude` does it. The exclusion is EDU's act: the
children list and the Перечень are EDU's (A4, A5), the law gives the operator only the notice.
Until then the voucher stays `granted`, so it is not sent to the banks (A7.5).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from goszakaz import clock
from goszakaz.audit.services import record
from goszakaz.deadlines.models import Deadline
from goszakaz.deadlines.services import business_days_after, meet, open_deadline
from goszakaz.domain.iin import InvalidNumber, iin_birth_date, validate_bin
from goszakaz.domain.states import needs_transition
from goszakaz.enrollment.models import AnnulmentReason, Voucher, VoucherStatus
from goszakaz.enrollment.services import annul, set_status, set_status_many
from goszakaz.notifications.services import notify
from goszakaz.registry.models import City, Preschool, Role
from goszakaz.verification.checks import CityNames, Mismatch, child_mismatches, preschool_mismatches
from goszakaz.verification.models import (
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
VOUCHER_CORRECTIONS = ("child_name", "birth_date", "child_iin")
PRESCHOOL_CORRECTIONS = ("name", "bin")


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


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def perechen(city: City, day: dt.date) -> QuerySet[Preschool]:
    """A4: the preschools on the city's Перечень on that day."""
    return Preschool.objects.filter(city=city, included_on__lte=day).filter(
        Q(excluded_on=None) | Q(excluded_on__gt=day))


def receive_lists(
    *, city: City, received_on: dt.date, actor: Any, role: str
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
        record(user=actor, role=role, action="lists.received", obj_type="list_submission",
               obj_id=submission.pk, city=city.code,
               after={"received_on": received_on.isoformat(), "preschools": submission.preschools,
                      "children": submission.children, "due_on": deadline.due_on.isoformat()})
    return submission, deadline


def verify(
    *, submission: ListSubmission, nobd: Nobd, on: dt.date, actor: Any, role: str
) -> VerificationSummary:
    """A7.4: check the Перечень and every granted voucher of the city against НОБД.

    Each mismatch opens a risk case (once: see RiskCase.key); a voucher with no unresolved case
    becomes `verified`; the A7.4 deadline is met on `on`. Running it again only checks the
    vouchers still `granted` (and the Перечень) and opens only new mismatches.
    """
    submission = ListSubmission.objects.select_for_update().get(pk=submission.pk)
    if on < submission.received_on:
        raise VerificationError(_("The check cannot be before the lists were received."))
    city = City.objects.get(pk=submission.city_id)
    names = CityNames.of(city.code, city.name_ru, city.name_kk, city.name_en)
    opened: Counter[str] = Counter()
    preschools = 0
    for preschool in perechen(city, submission.received_on).only("id", "bin", "city_id"):
        preschools += 1
        for m in preschool_mismatches(bin_=preschool.bin, city=names,
                                      record=nobd.find_preschool(preschool.bin)):
            new = open_case(city=city, mismatch=m, preschool=preschool, on=on,
                            submission=submission, actor=actor, role=role)[1]
            opened[m.kind] += new
    checked: list[Voucher] = []
    granted = Voucher.objects.filter(city=city, status=VoucherStatus.GRANTED).only(
        "id", "city_id", "child_iin", "child_name", "birth_date", "status").order_by("pk")
    for voucher in granted.iterator(chunk_size=2000):
        checked.append(voucher)
        for m in child_mismatches(iin=voucher.child_iin, birth_date=voucher.birth_date,
                                  name=voucher.child_name, city=names,
                                  record=nobd.find_child(voucher.child_iin)):
            new = open_case(city=city, mismatch=m, voucher=voucher, on=on,
                            submission=submission, actor=actor, role=role)[1]
            opened[m.kind] += new
    blocked = set(RiskCase.objects.filter(
        city=city, voucher__status=VoucherStatus.GRANTED, state__in=UNRESOLVED,
    ).values_list("voucher_id", flat=True))
    verified = len(set_status_many(voucher_ids=[v.pk for v in checked if v.pk not in blocked],
                                   to=VoucherStatus.VERIFIED, why="A7.4: НОБД", actor=actor,
                                   role=role))
    summary = VerificationSummary(
        preschools_checked=preschools, children_checked=len(checked),
        cases_opened=sum(opened.values()), verified=verified,
        deadline_met=meet(clause="A7.4", city=city.code, subject=submission.deadline_subject,
                          on=on),
        opened_by_kind={str(k): n for k, n in sorted(opened.items()) if n})
    submission.checked_on, submission.summary = on, summary.as_dict()
    submission.save(update_fields=["checked_on", "summary"])
    record(user=actor, role=role, action="lists.verified", obj_type="list_submission",
           obj_id=submission.pk, city=city.code, after={"on": on.isoformat(), **summary.as_dict()})
    return summary


def open_case(
    *, city: City, mismatch: Mismatch, on: dt.date, actor: Any, role: str,
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
        RiskCaseEvent.objects.create(case=case, at=timezone.now(), actor=_user(actor), role=role,
                                     after=case.state, note=str(RiskCaseKind(case.kind).label))
        record(user=actor, role=role, action="risk_case.opened", obj_type="risk_case",
               obj_id=case.pk, city=city.code,
               after={"kind": case.kind, "state": case.state, "subject": subject,
                      "subject_id": subject_id})
    return case, created


def report_parent_not_registered(
    *, voucher: Voucher, month: str, on: dt.date, actor: Any, role: str
) -> tuple[RiskCase, bool]:
    """A7.9: a child on the bank's list of parents who did not register goes to risk verification.

    One unresolved case per child: a later month's list adds no second case while one is open.
    """
    open_one = RiskCase.objects.filter(voucher=voucher, kind=RiskCaseKind.PARENT_NOT_REGISTERED,
                                       state__in=UNRESOLVED).first()
    if open_one is not None:
        return open_one, False
    return open_case(city=City.objects.get(pk=voucher.city_id), voucher=voucher, on=on,
                     mismatch=Mismatch(RiskCaseKind.PARENT_NOT_REGISTERED, ours=month),
                     actor=actor, role=role)


def report_sheet_dispute(*, sheet: Any, on: dt.date, actor: Any, role: str
                         ) -> tuple[RiskCase, bool]:
    """A7.16: the preschool disagreed with the parent's dispute: the case goes to the operator."""
    return open_case(city=City.objects.get(code=sheet.city), voucher=sheet.voucher, on=on,
                     mismatch=Mismatch(RiskCaseKind.SHEET_DISPUTE, ours=sheet.month),
                     actor=actor, role=role)


def _move(case: RiskCase, to: str, *, on: dt.date, actor: Any, role: str, note: str) -> bool:
    """Change a (locked) case's state, with its history event and an audit row."""
    before = case.state
    if not needs_transition(before, to, RISK_CASE_TRANSITIONS):
        return False
    case.state = to
    if not RISK_CASE_TRANSITIONS[to]:
        case.closed_on = on
    case.save(update_fields=["state", "closed_on"])
    RiskCaseEvent.objects.create(case=case, at=timezone.now(), actor=_user(actor), role=role,
                                 before=before, after=to, note=note[:300])
    record(user=actor, role=role, action="risk_case.state", obj_type="risk_case", obj_id=case.pk,
           city=case.city.code, before={"state": before}, after={"state": to})
    return True


def close_by_protocol(
    *, case: RiskCase, decision: str, corrections: dict[str, Any], actor: Any, role: str,
    on: dt.date | None = None, number: str = "", note: str = "",
) -> Protocol:
    """A7.4: the operator's protocol confirms or corrects the data; the voucher goes on.

    `corrections` (only with "corrected"): child_name, birth_date, child_iin of a voucher, or
    name, bin of a preschool. A voucher with no unresolved case left becomes `verified`.
    Closing a case again with the same decision returns its protocol.
    """
    on = on or clock.today()
    decision = ProtocolDecision(decision)
    case = RiskCase.objects.select_for_update().get(pk=case.pk)
    if not needs_transition(case.state, decision, RISK_CASE_TRANSITIONS):
        return case.protocol
    if decision == ProtocolDecision.CONFIRMED and corrections:
        raise VerificationError(_("A protocol confirming the data carries no corrections."))
    if decision == ProtocolDecision.CORRECTED and not corrections:
        raise VerificationError(_("A protocol correcting the data needs the corrections."))
    number = number or f"A7.4/{case.city.code}/{case.pk}"
    applied = _correct(case, corrections, number=number, actor=actor, role=role, on=on)
    protocol = Protocol.objects.create(case=case, number=number, date=on, decision=decision,
                                       corrections=applied, note=note, actor=_user(actor),
                                       role=role)
    _move(case, decision, on=on, actor=actor, role=role, note=f"protocol {number}")
    if case.voucher_id is not None:
        _verify_if_clear(case.voucher_id, actor=actor, role=role)
    return protocol


def _correct(case: RiskCase, corrections: dict[str, Any], *, number: str, actor: Any,
             role: str, on: dt.date) -> dict[str, dict[str, str]]:
    """Apply a protocol's corrections to the case's voucher, preschool or sheet (A9);
    field -> before/after."""
    if case.kind == RiskCaseKind.SHEET_DISPUTE and corrections:
        return _correct_sheet(case, corrections, on=on, actor=actor, role=role)
    target: Voucher | Preschool
    allowed: tuple[str, ...]
    if case.voucher_id is not None:
        allowed, target = VOUCHER_CORRECTIONS, Voucher.objects.select_for_update().get(
            pk=case.voucher_id)
    else:
        allowed, target = PRESCHOOL_CORRECTIONS, _preschool_of(case, lock=True)
    unknown = sorted(set(corrections) - set(allowed))
    if unknown:
        raise VerificationError(_("A protocol cannot correct %(fields)s.")
                                % {"fields": ", ".join(unknown)})
    applied: dict[str, dict[str, str]] = {}
    for name, raw in corrections.items():
        value = _clean(name, raw, target)
        before = getattr(target, name)
        if before != value:
            setattr(target, name, value)
            applied[name] = {"before": str(before), "after": str(value)}
    if corrections and not applied:
        raise VerificationError(_("The corrections change nothing: confirm the data instead."))
    if applied:
        target.save(update_fields=list(applied))
        obj_type = "voucher" if isinstance(target, Voucher) else "preschool"
        record(user=actor, role=role, action=f"{obj_type}.corrected", obj_type=obj_type,
               obj_id=target.pk, city=case.city.code,
               after={"fields": sorted(applied), "protocol": number})  # values stay out of audit
    return applied


def _correct_sheet(case: RiskCase, corrections: dict[str, Any], *, on: dt.date, actor: Any,
                   role: str) -> dict[str, dict[str, str]]:
    """A7.16, A9: the operator found for the parent: the sheet's days are corrected and a month
    already paid is recalculated."""
    from goszakaz.attendance.models import Sheet
    from goszakaz.attendance.services import SheetError, correct_by_protocol
    from goszakaz.finance.recalculation import recalculate

    unknown = sorted(set(corrections) - {"days"})
    if unknown:
        raise VerificationError(_("A protocol cannot correct %(fields)s.")
                                % {"fields": ", ".join(unknown)})
    sheet = Sheet.objects.get(voucher=case.voucher, month=case.found["ours"])
    try:
        applied = correct_by_protocol(sheet=sheet, days=str(corrections["days"]).strip(), on=on,
                                      actor=actor, role=role)
    except SheetError as e:
        raise VerificationError(str(e)) from None
    recalculate(sheet=Sheet.objects.get(pk=sheet.pk), on=on, actor=actor, role=role)
    return {"days": applied}


def _clean(name: str, raw: Any, target: Voucher | Preschool) -> Any:
    """A corrected value, checked: a real date, a valid IIN or BIN not used by another, a name."""
    value = raw.strip() if isinstance(raw, str) else raw
    try:
        if name == "birth_date":
            return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        if name == "child_iin":
            iin_birth_date(value)
            if Voucher.objects.filter(city_id=target.city_id, child_iin=value).exclude(
                    pk=target.pk).exclude(status=VoucherStatus.ANNULLED).exists():
                raise VerificationError(_("Another live voucher of the city has this IIN."))
        elif name == "bin":
            validate_bin(value)
            if Preschool.objects.filter(bin=value).exclude(pk=target.pk).exists():
                raise VerificationError(_("Another preschool has this BIN."))
    except (InvalidNumber, ValueError, TypeError) as e:
        raise VerificationError(f"{name}: {e}") from None
    if not isinstance(value, str) or not value:
        raise VerificationError(_("%(field)s: must be a non-empty text.") % {"field": name})
    return " ".join(value.split())


def _preschool_of(case: RiskCase, *, lock: bool = False) -> Preschool:
    """The preschool a case is about (locked for update when asked)."""
    if case.preschool_id is None:
        raise VerificationError(_("The case is about a voucher, not a preschool."))
    preschools = Preschool.objects.select_for_update() if lock else Preschool.objects.all()
    return preschools.get(pk=case.preschool_id)


def _verify_if_clear(voucher_id: int, *, actor: Any, role: str) -> bool:
    """A granted voucher with no unresolved risk case left becomes `verified` (A7.4)."""
    voucher = Voucher.objects.get(pk=voucher_id)
    if voucher.status != VoucherStatus.GRANTED or RiskCase.objects.filter(
            voucher_id=voucher_id, state__in=UNRESOLVED).exists():
        return False
    return set_status(voucher=voucher, to=VoucherStatus.VERIFIED,
                      why="A7.4: risk cases closed by protocol", actor=actor, role=role)


def request_exclusion(
    *, case: RiskCase, actor: Any, role: str, on: dt.date | None = None, note: str = ""
) -> RiskCase:
    """A7.4: the operator notifies the city department (EDU) to exclude the child or preschool.

    The notice goes to the EDU inbox of the case's city (role EDU, key the city code); nothing is
    excluded yet: EDU does it with `exclude`. Asking again sends nothing new.
    """
    on = on or clock.today()
    case = RiskCase.objects.select_for_update().get(pk=case.pk)
    if _move(case, RiskCaseState.EXCLUSION_REQUESTED, on=on, actor=actor, role=role, note=note):
        subject: dict[str, Any] = ({"voucher": case.voucher_id} if case.voucher_id is not None
                                   else {"preschool": _preschool_of(case).bin})
        notify(city=case.city.code, kind="exclusion_requested", recipient_role=EDU_RECIPIENT,
               recipient_key=case.city.code,
               payload={"risk_case": case.pk, "kind": case.kind, "on": on.isoformat(), **subject},
               dedup_key=f"exclusion_requested/{case.pk}")
    return case


def exclude(*, case: RiskCase, on: dt.date, actor: Any, role: str) -> bool:
    """A7.4: EDU, on the operator's notice, excludes the child (the voucher is annulled, the parent
    told) or the preschool (off the Перечень from `on`, the preschool told). Again: a no-op.
    """
    case = RiskCase.objects.select_for_update().get(pk=case.pk)
    if not needs_transition(case.state, RiskCaseState.EXCLUDED, RISK_CASE_TRANSITIONS):
        return False
    if case.voucher_id is not None:
        annul(voucher=Voucher.objects.get(pk=case.voucher_id), reason=AnnulmentReason.EXCLUDED,
              on=on, actor=actor, role=role)
    else:
        preschool = _preschool_of(case, lock=True)
        if preschool.excluded_on is None or preschool.excluded_on > on:
            before = preschool.excluded_on
            preschool.excluded_on = on
            preschool.save(update_fields=["excluded_on"])
            record(user=actor, role=role, action="preschool.excluded", obj_type="preschool",
                   obj_id=preschool.pk, city=case.city.code,
                   before={"excluded_on": before.isoformat() if before else None},
                   after={"excluded_on": on.isoformat(), "risk_case": case.pk})
        notify(city=case.city.code, kind="preschool_excluded", recipient_role=Role.PRE,
               recipient_key=preschool.bin,
               payload={"risk_case": case.pk, "on": on.isoformat()},
               dedup_key=f"preschool_excluded/{case.pk}")
    return _move(case, RiskCaseState.EXCLUDED, on=on, actor=actor, role=role,
                 note="excluded by the city department")
