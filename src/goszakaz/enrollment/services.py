"""The only place that changes vouchers and contracts: grant, status, annulment, contracts within capacity."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from goszakaz.access.actor import Actor
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record, record_many
from goszakaz.domain.capacity import first_of_month_on_or_after, has_free_place
from goszakaz.domain.iin import InvalidNumber, iin_birth_date
from goszakaz.domain.states import needs_transition
from goszakaz.enrollment.models import (
    VOUCHER_TRANSITIONS,
    AnnulmentReason,
    Contract,
    Voucher,
    VoucherEvent,
    VoucherStatus,
)
from goszakaz.files import NameRefused, valid_name
from goszakaz.notifications.services import notify_many
from goszakaz.queue.models import AllocationRun, RunState
from goszakaz.registry.models import City, Group, Preschool, Role
from goszakaz.registry.services import sign_agreement

VOUCHER_CORRECTIONS = ("child_name", "birth_date", "child_iin")


class EnrollmentError(Exception):
    """A contract or voucher step the rules do not allow; the message says which rule."""


class MoveNotOnFirst(EnrollmentError):
    """A11: a contract with another preschool than the child's previous one starts only on the
    1st of a month; `first` is the 1st from which it may start."""

    def __init__(self, first: dt.date) -> None:
        self.first = first
        super().__init__(_("A move to another preschool takes effect only on the 1st of a month "
                           "(A11): this contract may start on %(first)s.")
                         % {"first": first.strftime("%d.%m.%Y")})


GRANT_CHUNK = 2000  # children granted a statement (grant_from_run)


def grant(
    *, city: City, child_iin: str, birth_date: dt.date, parent_iin: str, source: str,
    period_start: dt.date, period_end: dt.date | None, actor: Actor, now: dt.datetime,
    child_name: str = "", application: Any = None,
) -> tuple[Voucher, bool]:
    """A5: a voucher for a child of the city's list (or of a Taraz allocation); idempotent. A
    name, when given, must be a person's name (EnrollmentError)."""
    child_name = _name(child_name)
    live = Voucher.objects.filter(city=city, child_iin=child_iin).exclude(
        status=VoucherStatus.ANNULLED).first()
    if live is not None:
        return live, False
    voucher = grant_many(city=city, source=source, actor=actor, now=now, children=[{
        "child_iin": child_iin, "child_name": child_name, "birth_date": birth_date,
        "parent_iin": parent_iin, "application": application, "period_start": period_start,
        "period_end": period_end}])[0]
    return voucher, True


def grant_many(*, city: City, children: list[dict[str, Any]], source: str, actor: Actor,
               now: dt.datetime) -> list[Voucher]:
    """A5: vouchers for children none of whom has a live voucher in the city (the caller checked,
    under the city's lock; the database refuses a second live one anyway), in bulk: each with
    its first event and audit row. O1: a voucher's period lies inside the city's pilot period
    (EnrollmentError naming the period otherwise: nothing is granted)."""
    for child in children:
        _check_period(city, child["period_start"], child.get("period_end"))
    vouchers = Voucher.objects.bulk_create(
        [Voucher(city=city, source=source, granted_at=now, **child) for child in children],
        batch_size=2000)
    VoucherEvent.objects.bulk_create(
        [VoucherEvent(voucher=v, at=now, after=v.status, why=source) for v in vouchers],
        batch_size=2000)
    record_many(actor=actor, action=AuditAction.VOUCHER_GRANTED, at=now, obj_type="voucher",
                entries=[(v.pk, city.code, None, {"status": v.status, "source": source}, [v.pk])
                         for v in vouchers])
    return vouchers


def _check_period(city: City, start: dt.date, end: dt.date | None) -> None:
    """O1: a voucher from `start` to `end` must fall inside the city's pilot period."""
    if not city.in_pilot(start) or (end is not None and (end < start or not city.in_pilot(end))):
        last = city.pilot_end
        pilot = city.pilot_start.strftime("%d.%m.%Y") + " – " + (
            last.strftime("%d.%m.%Y") if last else "…")
        raise EnrollmentError(
            _("A voucher from %(start)s can be granted only inside the city's pilot period "
              "(%(pilot)s).") % {"start": start.strftime("%d.%m.%Y"), "pilot": pilot})


def grant_from_run(*, run: AllocationRun, actor: Actor, now: dt.datetime) -> int:
    """A5, T1: vouchers for the allocated applications of a confirmed Taraz run; idempotent.
    In bulk, GRANT_CHUNK children at a time (a city's 60,000 places one by one took minutes):
    a child with a live voucher in the city already is skipped, as `grant` would."""
    run = AllocationRun.objects.select_related("city").get(pk=run.pk)
    if run.state != RunState.CONFIRMED:
        raise EnrollmentError(_("Only a confirmed allocation grants vouchers."))
    city, created = run.city, 0
    period = {"period_start": max(run.as_of, city.pilot_start), "period_end": city.pilot_end}
    apps = [o.application for o in run.outcomes.filter(status="allocated")
            .select_related("application").order_by("pk")]
    for first in range(0, len(apps), GRANT_CHUNK):
        chunk = apps[first:first + GRANT_CHUNK]
        taken = set(Voucher.objects.filter(city=city, child_iin__in=[a.child_iin for a in chunk])
                    .exclude(status=VoucherStatus.ANNULLED).values_list("child_iin", flat=True))
        children = []
        for app in chunk:
            if app.child_iin in taken:
                continue
            taken.add(app.child_iin)
            children.append({"child_iin": app.child_iin, "child_name": _name(app.child_name),
                             "birth_date": app.birth_date, "parent_iin": app.parent_iin,
                             "application": app, **period})
        grant_many(city=city, source="allocation", actor=actor, now=now, children=children)
        created += len(children)
    return created


def _name(child_name: str) -> str:
    """A child's name as a voucher keeps it (EnrollmentError: not a person's name)."""
    if not child_name:
        return child_name
    try:
        return valid_name(child_name)
    except NameRefused as e:
        raise EnrollmentError(str(e)) from None


def set_status(*, voucher: Voucher, to: str, why: str, actor: Actor, now: dt.datetime) -> bool:
    """Move a voucher along its status machine; the same status again is a no-op."""
    return set_status_many(voucher_ids=[voucher.pk], to=to, why=why, actor=actor,
                           now=now) == [voucher.pk]


def set_status_many(*, voucher_ids: Iterable[int], to: str, why: str, actor: Actor,
                    now: dt.datetime) -> list[int]:
    """set_status for many vouchers at once (rows locked, one UPDATE, the events and audit rows
    in bulk); returns the ids that moved. An illegal move of any of them raises, moving none."""
    rows = list(Voucher.objects.select_for_update().filter(pk__in=list(voucher_ids))
                .order_by("pk").values_list("pk", "status", "city__code"))
    moving = [(pk, before, city) for pk, before, city in rows
              if needs_transition(before, to, VOUCHER_TRANSITIONS)]
    ids = [pk for pk, _before, _city in moving]
    Voucher.objects.filter(pk__in=ids).update(status=to)
    VoucherEvent.objects.bulk_create(
        [VoucherEvent(voucher_id=pk, at=now, before=before, after=to, why=why)
         for pk, before, _city in moving], batch_size=2000)
    record_many(actor=actor, action=AuditAction.VOUCHER_STATUS, at=now, obj_type="voucher",
                entries=[(pk, city, {"status": before}, {"status": to, "why": why}, [pk])
                         for pk, before, city in moving])
    return ids


def annul(
    *, voucher: Voucher, reason: AnnulmentReason, on: dt.date, actor: Actor, now: dt.datetime,
    first_open_day: Mapping[int, dt.date] | None = None,
) -> bool:
    """A7.4, A10, A12, A13, A7.14: annul the voucher from `on` (or later, see annul_many); its
    contract ends the day before.

    Future transfers stop because nothing is paid on an annulled voucher; the parent is told.
    Annulling an annulled voucher is a no-op. (annul_many, for one voucher.)
    """
    return annul_many(voucher_ids=[voucher.pk], reason=reason, on=on, actor=actor, now=now,
                      first_open_day=first_open_day) == 1


def annul_many(
    *, voucher_ids: Iterable[int], reason: AnnulmentReason, on: dt.date, actor: Actor,
    now: dt.datetime, first_open_day: Mapping[int, dt.date] | None = None,
) -> int:
    """A7.4, A10, A12, A13, A7.14, A9: annul these vouchers from `on` at once; returns how many.

    `on` is the day the event reported takes effect (a bank's closure: the day after). History
    is not rewritten: `first_open_day` gives, per voucher, the first day of the first month not
    yet paid (the workflows read it from the settlements: this app sits below finance); an
    annulment dated before it takes effect from that day instead, so what was paid stays paid
    (A9). The audit row names both days (`reported_on`, `on`).

    For each voucher not yet annulled, as a status change (set_status): the status, a
    VoucherEvent and an audit row; then the annulment's date and reason, its contracts in force
    on that day or later end the day before (one not begun by then is cancelled: never in
    force), and the parent is told. Set-based: a handful of statements for any number of
    vouchers, under row locks on the vouchers. Vouchers already annulled are skipped.
    """
    rows = list(Voucher.objects.select_for_update(of=("self",)).filter(pk__in=list(voucher_ids))
                .order_by("pk").values_list("pk", "status", "city__code", "parent_iin"))
    live = [r for r in rows if needs_transition(r[1], VoucherStatus.ANNULLED, VOUCHER_TRANSITIONS)]
    if not live:
        return 0
    opens = first_open_day or {}
    effective = {pk: max(on, opens.get(pk, on)) for pk, *_ in live}
    why = str(reason.label)
    by_day: dict[dt.date, list[int]] = {}
    for pk, day in effective.items():
        by_day.setdefault(day, []).append(pk)
    for day, ids in by_day.items():
        Voucher.objects.filter(pk__in=ids).update(status=VoucherStatus.ANNULLED, annulled_on=day,
                                                  annulment_reason=reason)
    VoucherEvent.objects.bulk_create(
        [VoucherEvent(voucher_id=pk, at=now, before=status, after=VoucherStatus.ANNULLED, why=why)
         for pk, status, _, _ in live], batch_size=2000)
    record_many(actor=actor, action=AuditAction.VOUCHER_STATUS, at=now, obj_type="voucher",
                entries=[(pk, city, {"status": status},
                          {"status": VoucherStatus.ANNULLED.value, "why": why,
                           "reported_on": on.isoformat(), "on": effective[pk].isoformat()},
                          [pk])
                         for pk, status, city, _ in live])
    for day, ids in by_day.items():
        _end_contracts(Contract.objects.filter(voucher_id__in=ids), day, why=str(reason.value),
                       actor=actor, now=now)
    notify_many([{"city": city, "kind": "voucher_annulled", "recipient_key": parent_iin,
                  "payload": {"voucher": pk, "reason": str(reason.value),
                              "on": effective[pk].isoformat()},
                  "dedup_key": f"annulled/{pk}"} for pk, _, city, parent_iin in live], at=now)
    return len(live)


def _end_contracts(contracts: QuerySet[Contract], on: dt.date, *, why: str, actor: Actor,
                   now: dt.datetime) -> int:
    """End the contracts in force on `on` or later the day before `on`; one not begun by `on`
    is cancelled instead (never in force: no contract ends before it starts). Each gets its
    audit row with its end before and after; returns how many."""
    in_force = list(contracts.filter(Q(ends_on=None) | Q(ends_on__gte=on))
                    .select_related("voucher__city"))
    ending = [c for c in in_force if c.starts_on < on]
    cancelled = [c for c in in_force if c.starts_on >= on]
    before = {c.pk: c.ends_on.isoformat() if c.ends_on else None for c in in_force}
    for contract in ending:
        contract.ends_on = on - dt.timedelta(days=1)
    for contract in cancelled:
        contract.cancelled_on = on
    Contract.every.bulk_update(ending, ["ends_on"], batch_size=2000)
    Contract.every.bulk_update(cancelled, ["cancelled_on"], batch_size=2000)
    record_many(actor=actor, action=AuditAction.CONTRACT_ENDED, at=now, obj_type="contract",
                entries=[(c.pk, c.voucher.city.code, {"ends_on": before[c.pk]},
                          {"ends_on": c.ends_on.isoformat() if c.ends_on else None, "why": why},
                          [c.voucher_id]) for c in ending])
    record_many(actor=actor, action=AuditAction.CONTRACT_CANCELLED, at=now, obj_type="contract",
                entries=[(c.pk, c.voucher.city.code,
                          {"starts_on": c.starts_on.isoformat(), "ends_on": before[c.pk]},
                          {"cancelled_on": on.isoformat(), "why": why}, [c.voucher_id])
                         for c in cancelled])
    return len(in_force)


def _contracts_in_force(voucher: Voucher, on: dt.date) -> list[Contract]:
    """The voucher's contracts in force on `on` or starting later."""
    return list(voucher.contracts.filter(Q(ends_on=None) | Q(ends_on__gte=on)))


def is_move(*, voucher: Voucher, preschool: Preschool, on: dt.date) -> bool:
    """A11: would a contract with `preschool` from `on` move the child to another preschool?
    Yes when the child's previous contract (the latest begun before `on`, ended or in force;
    one cancelled before it began never was) is with another preschool. A first contract is
    not a move, nor a new one with the same preschool."""
    previous = (voucher.contracts.filter(starts_on__lt=on).order_by("-starts_on", "-pk")
                .values_list("preschool_id", flat=True).first())
    return previous is not None and previous != preschool.pk


def sign_contract(
    *, voucher: Voucher, preschool: Preschool, on: dt.date, actor: Actor, now: dt.datetime,
    source: str = "signed", ends_on: dt.date | None = None,
) -> Contract:
    """A6, A7.10, A11: a contract from `on` with a preschool of the Перечень, within its capacity.

    A contract with another preschool than the child's previous one is a move: it starts only
    on the 1st of a month, else MoveNotOnFirst names the 1st it may start from (the date is the
    caller's: a page, an import; the service does not move it). The preschool row is locked
    while its contracts are counted, so two parents racing for its last place cannot both get
    it.
    """
    if voucher.status == VoucherStatus.ANNULLED:
        raise EnrollmentError(_("The voucher is annulled."))
    if _contracts_in_force(voucher, on):
        raise EnrollmentError(_("The child already has a contract; a change of preschool "
                                "takes effect on the 1st of a month (A11)."))
    return _new_contract(voucher=voucher, preschool=preschool, on=on, actor=actor, now=now,
                         source=source, ends_on=ends_on)


def change_preschool(
    *, voucher: Voucher, preschool: Preschool, requested_on: dt.date, actor: Actor,
    now: dt.datetime,
) -> Contract:
    """A11, I8, A6: move the child on the 1st of a month; the voucher stays within the city.

    Asked for on a 1st: from that day; any other day: from the 1st of the next month (I8). The
    contracts in force then end the day before (one not begun by then is cancelled)."""
    if voucher.status == VoucherStatus.ANNULLED:
        raise EnrollmentError(_("The voucher is annulled."))
    effective = first_of_month_on_or_after(requested_on)
    current = _contracts_in_force(voucher, effective)
    if any(c.preschool_id == preschool.pk for c in current):
        raise EnrollmentError(_("The child already attends this preschool."))
    contract = _new_contract(voucher=voucher, preschool=preschool, on=effective, actor=actor,
                             now=now, source="signed")
    _end_contracts(Contract.objects.filter(pk__in=[c.pk for c in current]), effective,
                   why="A11", actor=actor, now=now)
    return contract


def _new_contract(
    *, voucher: Voucher, preschool: Preschool, on: dt.date, actor: Actor, now: dt.datetime,
    source: str, ends_on: dt.date | None = None,
) -> Contract:
    """A contract from `on`: a move only on a 1st (A11), the same city (A6), on the Перечень
    (A4), within design capacity (A6); signing here accedes to the agreement (A7.10)."""
    if on.day != 1 and is_move(voucher=voucher, preschool=preschool, on=on):  # A11
        raise MoveNotOnFirst(first_of_month_on_or_after(on))
    preschool = Preschool.objects.select_for_update().get(pk=preschool.pk)
    _check_place(voucher, preschool, on, ends_on,
                 lambda: list(preschool.contracts.values_list("starts_on", "ends_on")))
    # A7.10: signing here is accession to the agreement; a contract imported from the city's
    # system was signed there, and its parent accedes when they first sign in the platform.
    signature, signed = (sign_agreement(party_type=Role.PAR, party_key=voucher.parent_iin,
                                        at=now) if source == "signed" else (None, False))
    if signed and signature is not None:
        record(actor=actor, action=AuditAction.AGREEMENT_SIGNED, at=now, obj_type="agreement",
               obj_id=signature.version.number, city=voucher.city.code,
               after={"party_type": Role.PAR.value}, children=[voucher.pk])
    contract = Contract.objects.create(
        voucher=voucher, preschool=preschool, signed_at=now, starts_on=on, ends_on=ends_on,
        agreement_version=signature.version if signature else None, source=source)
    record(actor=actor, action=AuditAction.CONTRACT_SIGNED, at=now, obj_type="contract",
           obj_id=contract.pk, city=voucher.city.code, after=_signed(contract, preschool),
           children=[voucher.pk])
    return contract


def _check_place(voucher: Voucher, preschool: Preschool, on: dt.date, ends_on: dt.date | None,
                 taken: Callable[[], list[tuple[dt.date, dt.date | None]]]) -> None:
    """A6, A4: may the preschool (locked) take the child from `on` to `ends_on`: the same
    city, on the Перечень, within its design capacity given its contracts' terms (`taken`)?"""
    if preschool.city_id != voucher.city_id:
        raise EnrollmentError(_("The preschool is in another city: the voucher is the city's "
                                "(A6)."))
    if not preschool.in_perechen(on):
        raise EnrollmentError(_("The preschool is not on the city's Перечень on that day "
                                "(A4)."))
    terms = taken()
    if ends_on is not None and ends_on < on:
        raise EnrollmentError(_("A contract cannot end before it starts."))
    if not has_free_place(terms, on, preschool.design_capacity, ends_on):
        raise EnrollmentError(_("The preschool has no free place within its design capacity "
                                "(A6)."))


def _signed(contract: Contract, preschool: Preschool) -> dict[str, Any]:
    """The audit row's account of a contract signed."""
    return {"preschool": preschool.bin, "starts_on": contract.starts_on.isoformat(),
            "source": contract.source,
            "ends_on": contract.ends_on.isoformat() if contract.ends_on else None}


class FirstContracts:
    """A6, A7.10: first contracts of children who hold none, imported from the city's system and
    signed together: each checked as sign_contract checks it (the same refusals), each
    preschool locked and its contracts read once, the places counted as contracts are added;
    `save` writes them and their audit rows in bulk. Whatever else signs a contract with these
    preschools (sign_contract) must come after `save`."""

    def __init__(self, *, actor: Actor, now: dt.datetime) -> None:
        self.actor, self.now = actor, now
        self._preschools: dict[int, Preschool] = {}
        self._taken: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
        self._new: list[tuple[Contract, Preschool, str, object]] = []

    def add(self, *, voucher: Voucher, preschool: Preschool, on: dt.date,
            ends_on: dt.date | None = None, key: object = None) -> None:
        """Sign the child's first contract from `on` (EnrollmentError, as sign_contract);
        `key` names it in what `save` refuses."""
        if voucher.status == VoucherStatus.ANNULLED:
            raise EnrollmentError(_("The voucher is annulled."))
        locked = self._preschools.get(preschool.pk)
        if locked is None:
            locked = Preschool.objects.select_for_update().get(pk=preschool.pk)
            self._preschools[preschool.pk] = locked
            self._taken[preschool.pk] = list(locked.contracts.values_list("starts_on",
                                                                           "ends_on"))
        taken = self._taken[preschool.pk]
        _check_place(voucher, locked, on, ends_on, lambda: taken)
        taken.append((on, ends_on))
        self._new.append((Contract(voucher=voucher, preschool=locked, signed_at=self.now,
                                   starts_on=on, ends_on=ends_on, source="imported"),
                          locked, voucher.city.code, key))

    def save(self) -> dict[object, EnrollmentError]:
        """Write the contracts added since the last save. A child who signed a contract
        meanwhile (the parent, online) keeps it: theirs is refused, by its key."""
        new, self._new = self._new, []
        self._preschools.clear()
        self._taken.clear()
        signed = set(Contract.objects.filter(voucher_id__in=[c.voucher_id for c, *_ in new])
                     .values_list("voucher_id", flat=True))
        refused = {key: EnrollmentError(_("The child already has a contract; a change of "
                                          "preschool takes effect on the 1st of a month (A11)."))
                   for c, _p, _city, key in new if c.voucher_id in signed}
        new = [n for n in new if n[0].voucher_id not in signed]
        Contract.objects.bulk_create([c for c, *_ in new], batch_size=2000)
        record_many(actor=self.actor, action=AuditAction.CONTRACT_SIGNED, at=self.now,
                    obj_type="contract", entries=[(c.pk, city, None, _signed(c, p), [c.voucher_id])
                                                  for c, p, city, _key in new])
        return refused


def correct_voucher(*, voucher: Voucher, corrections: dict[str, Any], protocol: str,
                    actor: Actor, now: dt.datetime) -> dict[str, dict[str, str]]:
    """A7.4: a protocol corrects the child's name, birth date or IIN on the voucher; field ->
    {before, after} of what changed (the values stay out of the audit row)."""
    unknown = sorted(set(corrections) - set(VOUCHER_CORRECTIONS))
    if unknown:
        raise EnrollmentError(_("A protocol cannot correct %(fields)s.")
                              % {"fields": ", ".join(unknown)})
    voucher = Voucher.objects.select_for_update().select_related("city").get(pk=voucher.pk)
    applied: dict[str, dict[str, str]] = {}
    for name, raw in corrections.items():
        value = _clean(name, raw, voucher)
        before = getattr(voucher, name)
        if before != value:
            setattr(voucher, name, value)
            applied[name] = {"before": str(before), "after": str(value)}
    if applied:
        voucher.save(update_fields=list(applied))
        record(actor=actor, action=AuditAction.VOUCHER_CORRECTED, at=now, obj_type="voucher",
               obj_id=voucher.pk, city=voucher.city.code,
               after={"fields": sorted(applied), "protocol": protocol}, children=[voucher.pk])
    return applied


def _clean(name: str, raw: Any, voucher: Voucher) -> Any:
    """A corrected value, checked: a real date, a valid IIN not used by another live voucher of
    the city, a non-empty name."""
    value = raw.strip() if isinstance(raw, str) else raw
    try:
        if name == "birth_date":
            return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        if name == "child_iin":
            iin_birth_date(value)
            if Voucher.objects.filter(city_id=voucher.city_id, child_iin=value).exclude(
                    pk=voucher.pk).exclude(status=VoucherStatus.ANNULLED).exists():
                raise EnrollmentError(_("Another live voucher of the city has this IIN."))
    except (InvalidNumber, ValueError, TypeError) as e:
        raise EnrollmentError(f"{name}: {e}") from None
    if not isinstance(value, str) or not value:
        raise EnrollmentError(_("%(field)s: must be a non-empty text.") % {"field": name})
    if name == "child_name":  # a person's name, never a formula (issue 10)
        try:
            return valid_name(value)
        except NameRefused as e:
            raise EnrollmentError(str(e)) from None
    return " ".join(value.split())


def set_group(*, preschool: Preschool, contract_ids: Iterable[int], group: Group | None,
              actor: Actor, now: dt.datetime) -> int:
    """Put the preschool's pupils (their contracts) in one of its groups, or in none; a
    contract of another preschool, or a group of another preschool or archived, is refused.
    Returns how many changed group; one audit row names their children."""
    if group is not None and (group.preschool_id != preschool.pk or not group.active):
        raise EnrollmentError(_("Choose one of the preschool's groups in use."))
    ids = {int(i) for i in contract_ids}
    contracts = list(Contract.objects.filter(pk__in=ids, preschool=preschool)
                     .exclude(group=group).values_list("pk", "voucher_id", "group_id"))
    if len(ids) > Contract.objects.filter(pk__in=ids, preschool=preschool).count():
        raise EnrollmentError(_("Only the preschool's own pupils are put in its groups."))
    if not contracts:
        return 0
    Contract.objects.filter(pk__in=[c[0] for c in contracts]).update(group=group)
    record(actor=actor, action=AuditAction.PUPILS_GROUPED, at=now, obj_type="preschool",
           obj_id=preschool.pk, city=preschool.city.code,
           before={"groups": sorted({c[2] for c in contracts if c[2]})},
           after={"group": group.pk if group else None, "contracts": len(contracts)},
           children=[c[1] for c in contracts])
    return len(contracts)
