"""The only place that changes queue state: import, actualization (T3), allocation runs (T1, T2)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import QuerySet

from goszakaz import files as files_
from goszakaz import rules as rule_data
from goszakaz.access.actor import Actor
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record
from goszakaz.audit.transitions import move
from goszakaz.clock import KZ
from goszakaz.domain import allocation as alloc
from goszakaz.domain.categories import RuleSet, categorize, queue_age
from goszakaz.domain.explain import Explanation, explanation_text
from goszakaz.domain.iin import InvalidNumber, iin_birth_date
from goszakaz.domain.states import needs_transition
from goszakaz.files import ImportRejected, ImportResult, RowError
from goszakaz.notifications.services import notify_many
from goszakaz.queue import files
from goszakaz.queue.models import (
    APPLICATION_TRANSITIONS,
    RUN_TRANSITIONS,
    AllocationRun,
    Application,
    ApplicationState,
    CategoryChange,
    RunCategory,
    RunOutcome,
    RunState,
)
from goszakaz.registry.models import City

LOCAL = KZ  # submission times are local date-times in Kazakhstan
FLAGS = ("large_family", "single_parent", "other_susn", "sibling_in_preschool", "military_family")
EXTRA_COLUMNS = ("child_name", "parent_iin", "parent_phone", "status_source")
EXTRA_LENGTHS = {"parent_iin": 12, "parent_phone": 32, "status_source": 100}  # their columns
CHUNK = 2000  # new applications per INSERT, and per report of progress
REPORT = 500  # changed applications (saved one at a time) between two reports of progress

logger = logging.getLogger(__name__)


class StalePreview(Exception):
    """The queue changed after the preview was computed: its result no longer holds."""


class NotTarazProcedure(Exception):
    """A5: the city does not distribute new places by the Taraz procedure."""


def to_domain(a: Application) -> alloc.Application:
    """The allocation's view of a stored application (submitted_at in local time)."""
    return alloc.Application(
        application_id=a.application_id,
        child_iin=a.child_iin,
        birth_date=a.birth_date,
        submitted_at=a.submitted_at.astimezone(LOCAL).replace(tzinfo=None),
        resides_in_city=a.resides_in_city,
        large_family=a.large_family,
        single_parent=a.single_parent,
        other_susn=a.other_susn,
        sibling_in_preschool=a.sibling_in_preschool,
        military_family=a.military_family,
    )


def import_applications(
    *, city: City, path: Path, skip_invalid: bool, actor: Actor, now: dt.datetime,
    rejects: Path | None = None, on_progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import a CSV/XLSX of applications: whole file or nothing, unless skip_invalid.

    Re-importing the same file changes nothing; a known application_id gets its status
    attributes updated (a T3 status change keeps the original submitted_at).
    `on_progress(rows, of_all)` hears of the rows checked, then of each chunk written.
    """
    started = time.perf_counter()
    parsed = files.read_applications(path, keep_rows=True)
    of_all = len(parsed.applications) + len(parsed.rejected)
    existing = {a.application_id: a for a in Application.objects.filter(city=city)}
    iin_owner = {a.child_iin: a.application_id for a in existing.values()}
    new: list[Application] = []
    changed: list[tuple[Application, dict[str, Any]]] = []
    result = ImportResult()
    for app, line, row in zip(parsed.applications, parsed.lines, parsed.rows, strict=True):
        extra = {c: parsed.value(row, c) for c in EXTRA_COLUMNS}
        problems = _extra_problems(extra, line)
        owner = iin_owner.get(app.child_iin)
        if owner is not None and owner != app.application_id:
            problems.append(RowError(line, "child_iin",
                                           f"already queued as application {owner}"))
        old = existing.get(app.application_id)
        if old is not None and (old.child_iin, old.birth_date) != (app.child_iin, app.birth_date):
            problems.append(RowError(line, "application_id",
                                           "already exists for another child"))
        if problems:
            parsed.errors.extend(problems)
            parsed.rejected.append((line, row))
            continue
        submitted = app.submitted_at.replace(tzinfo=LOCAL)
        if old is None:
            new.append(Application(
                city=city, application_id=app.application_id, child_iin=app.child_iin,
                child_name=extra["child_name"], birth_date=app.birth_date, submitted_at=submitted,
                parent_iin=extra["parent_iin"], parent_phone=extra["parent_phone"],
                resides_in_city=app.resides_in_city, status_source=extra["status_source"],
                **{f: getattr(app, f) for f in FLAGS},
            ))
            continue
        wanted = {f: getattr(app, f) for f in (*FLAGS, "resides_in_city")}
        diff = {f: v for f, v in wanted.items() if getattr(old, f) != v}
        if diff:
            changed.append((old, diff))
        else:
            result.unchanged += 1
    parsed.errors.sort(key=lambda e: e.line)
    parsed.rejected.sort(key=lambda r: r[0])
    if parsed.errors and (not skip_invalid or any(e.line == 1 for e in parsed.errors)):
        raise ImportRejected(parsed.errors)  # a bad header rejects the file even with skip
    if parsed.errors and rejects is not None:
        files.write_rejects(rejects, parsed)
    if on_progress is not None:
        on_progress(of_all - len(new) - len(changed), of_all)  # nothing to write for these
    for i in range(0, len(new), CHUNK):
        Application.objects.bulk_create(new[i:i + CHUNK])
        if on_progress is not None:
            on_progress(len(new[i:i + CHUNK]), of_all)
    for n, (old, diff) in enumerate(changed, start=1):
        if on_progress is not None and (n % REPORT == 0 or n == len(changed)):
            on_progress(n % REPORT or REPORT, of_all)
        before = {f: getattr(old, f) for f in diff}
        for f, v in diff.items():
            setattr(old, f, v)
        old.save(update_fields=list(diff))
        record(actor=actor, action=AuditAction.APPLICATION_STATUS_CHANGED, at=now,
               obj_type="application", obj_id=old.pk, city=city.code, before=before, after=diff)
    record(actor=actor, action=AuditAction.APPLICATIONS_IMPORTED, at=now, obj_type="city",
           obj_id=city.code, city=city.code, after={"file": path.name, "created": len(new),
                                                   "updated": len(changed),
                                                   "rejected": len(parsed.rejected)})
    result.created, result.updated, result.errors = len(new), len(changed), parsed.errors
    logger.info("applications imported", extra={
        "city": city.code, "rows": of_all, "new": result.created, "updated": result.updated,
        "unchanged": result.unchanged, "rejected": len(parsed.rejected),
        "seconds": round(time.perf_counter() - started, 3)})
    return result


def _extra_problems(extra: dict[str, str], line: int) -> list[RowError]:
    problems = []
    if extra["child_name"]:  # optional; when given, a person's name (issue 10)
        extra["child_name"] = files_.clean_name(extra["child_name"])
        problem = files_.name_problem(extra["child_name"])
        if problem is not None:
            problems.append(RowError(line, "child_name", problem))
    for column, longest in EXTRA_LENGTHS.items():
        if len(extra[column]) > longest:
            problems.append(RowError(line, column, f"is longer than {longest} characters"))
    if extra["parent_iin"]:
        try:
            iin_birth_date(extra["parent_iin"])
        except InvalidNumber as e:
            problems.append(RowError(line, "parent_iin", str(e)))
    return problems


def queued(city: City) -> QuerySet[Application]:
    """The applications of a city still waiting in the queue."""
    return Application.objects.filter(city=city, state=ApplicationState.QUEUED)


def actualize_queue(*, city: City, on: dt.date, actor: Actor, now: dt.datetime) -> int:
    """T3 (and T1.1-T1.3): recompute category and queue number of every queued application.

    An application moves between categories as age and statuses change, keeping its original
    submitted_at; each move is a CategoryChange, and each new number a cabinet message (T1.3).
    Returns how many applications changed.
    """
    started = time.perf_counter()
    rule_set = rule_data.load(city.allocation_rules or "taraz-2024")
    apps = list(queued(city).order_by("id"))
    dom = [to_domain(a) for a in apps]
    buckets: dict[int, list[int]] = {}
    new_cat: list[int | None] = []
    reasons: list[str] = []
    for i, d in enumerate(dom):
        n, why = _category_now(d, on, rule_set)
        new_cat.append(n)
        reasons.append(why)
        if n is not None:
            buckets.setdefault(n, []).append(i)
    new_qn: list[int | None] = [None] * len(apps)
    for members in buckets.values():
        for qn, i in enumerate(alloc.queue_order(dom, members), start=1):
            new_qn[i] = qn
    changed = 0
    notes = []
    for i, a in enumerate(apps):
        if (a.category, a.queue_number, a.reason) == (new_cat[i], new_qn[i], reasons[i]):
            continue
        changed += 1
        if a.category != new_cat[i] and a.actualized_on is not None:
            CategoryChange.objects.create(
                application=a, changed_on=on, from_category=a.category, to_category=new_cat[i],
                from_queue_number=a.queue_number, to_queue_number=new_qn[i],
                why=f"queue age {queue_age(a.birth_date, on, rule_set)} and statuses on {on}",
            )
        a.category, a.queue_number, a.reason, a.actualized_on = (
            new_cat[i], new_qn[i], reasons[i], on)
        a.save(update_fields=["category", "queue_number", "reason", "actualized_on"])
        if a.parent_iin:
            notes.append({
                "city": city.code, "kind": "queue_number", "recipient_key": a.parent_iin,
                "payload": {"application": a.application_id, "category": a.category,
                            "queue_number": a.queue_number, "reason": a.reason,
                            "on": on.isoformat()},
                "dedup_key": (f"queue/{city.code}/{a.application_id}/{on}/{a.category}/"
                              f"{a.queue_number}")})
    notify_many(notes, at=now)
    record(actor=actor, action=AuditAction.QUEUE_ACTUALIZED, at=now, obj_type="city",
           obj_id=city.code, city=city.code, after={"on": on.isoformat(), "changed": changed})
    logger.info("queue actualized", extra={
        "city": city.code, "on": on.isoformat(), "applications": len(apps), "changed": changed,
        "seconds": round(time.perf_counter() - started, 3)})
    return changed


def preview_allocation(
    *, city: City, volume: int, as_of: dt.date, actor: Actor, now: dt.datetime
) -> AllocationRun:
    """Run the Taraz allocation on the queued applications and keep it as a preview run.

    A5: only a city whose distribution follows the Taraz procedure (it has allocation rules)
    allocates here; the others distribute by the general law, outside this procedure.
    """
    if not city.allocation_rules:
        raise NotTarazProcedure(f"{city.name_en} distributes places by the general law (A5)")
    rule_set = rule_data.load(city.allocation_rules)
    apps = list(queued(city).order_by("id"))
    dom = [to_domain(a) for a in apps]
    result = alloc.allocate(dom, volume=volume, as_of=as_of, rules=rule_set)
    run = AllocationRun.objects.create(
        city=city, rules=rule_set.id, volume=volume, as_of=as_of, created_at=now,
        inputs_hash=_fingerprint(apps, dom), created_by_id=actor.user_id,
        military_applications=result.military_applications,
        military_seats=result.military_seats, allocated=result.allocated,
        excluded=result.excluded(),
        iterations=[[str(v) for v in it] for it in result.iterations],
    )
    RunCategory.objects.bulk_create([
        RunCategory(run=run, number=c.number, coefficient=c.coefficient,
                    applications=c.applications, vp=str(c.vp), vf=str(c.vf), seats=c.seats,
                    cutoff_queue_number=c.cutoff_queue_number)
        for c in result.categories
    ])
    RunOutcome.objects.bulk_create([
        RunOutcome(
            run=run, application=a, status=result.status(i), category=result.category[i],
            queue_number=result.queue_number[i], seat_order=result.seat_order[i],
            reason=result.reason[i],
            inputs={"birth_date": d.birth_date.isoformat(),
                    "submitted_at": d.submitted_at.isoformat(),
                    "resides_in_city": d.resides_in_city,
                    **{f: getattr(d, f) for f in FLAGS}},
        )
        for i, (a, d) in enumerate(zip(apps, dom, strict=True))
    ], batch_size=2000)
    record(actor=actor, action=AuditAction.ALLOCATION_PREVIEWED, at=now, obj_type="allocation_run",
           obj_id=run.pk, city=city.code,
           after={"volume": volume, "as_of": as_of.isoformat(), "rules": rule_set.id})
    return run


def _fingerprint(apps: list[Application], dom: list[alloc.Application]) -> str:
    """A digest of the queue an allocation was computed from: every queued application's inputs."""
    digest = hashlib.sha256()
    for a, d in zip(apps, dom, strict=True):
        digest.update(f"{a.pk}|{d!r}\n".encode())
    return digest.hexdigest()


def confirm_allocation(*, run: AllocationRun, actor: Actor, now: dt.datetime) -> bool:
    """Confirm a preview: its applications get their places and the parents a message.

    Confirming twice is a no-op (returns False); a discarded run cannot be confirmed; a preview
    of a queue that has changed since (an import, a status change, another confirmed run) is
    refused with StalePreview. The city row is locked, so two confirmations are serialized.
    """
    City.objects.select_for_update().get(pk=run.city_id)
    run = AllocationRun.objects.select_for_update().select_related("city").get(pk=run.pk)
    if not needs_transition(run.state, RunState.CONFIRMED, RUN_TRANSITIONS):
        return False
    apps = list(queued(run.city).order_by("id"))
    if _fingerprint(apps, [to_domain(a) for a in apps]) != run.inputs_hash:
        raise StalePreview("the queue has changed since this preview; make a new one")
    move(run, RunState.CONFIRMED, transitions=RUN_TRANSITIONS, actor=actor, at=now,
         action=AuditAction.ALLOCATION_CONFIRMED, obj_type="allocation_run",
         city=run.city.code, detail={"allocated": run.allocated}, confirmed_at=now)
    allocated = run.outcomes.filter(status=alloc.ALLOCATED).select_related("application")
    notes = []
    for o in allocated:
        app = o.application
        if needs_transition(app.state, ApplicationState.ALLOCATED, APPLICATION_TRANSITIONS):
            app.state = ApplicationState.ALLOCATED
            app.save(update_fields=["state"])
        if app.parent_iin:
            notes.append({"city": run.city.code, "kind": "place_allocated",
                          "recipient_key": app.parent_iin,
                          "payload": {"application": app.application_id, "run": run.pk,
                                      "seat_order": o.seat_order, "category": o.category},
                          "dedup_key": f"allocated/{run.pk}/{app.pk}"})
    notify_many(notes, at=now)
    return True


def discard_allocation(*, run: AllocationRun, actor: Actor, now: dt.datetime) -> bool:
    """Discard a preview; a no-op if already discarded, illegal once confirmed."""
    run = AllocationRun.objects.select_for_update().select_related("city").get(pk=run.pk)
    return move(run, RunState.DISCARDED, transitions=RUN_TRANSITIONS, actor=actor, at=now,
                action=AuditAction.ALLOCATION_DISCARDED, obj_type="allocation_run",
                city=run.city.code) is not None


def _category_now(d: alloc.Application, on: dt.date, rule_set: RuleSet) -> tuple[int | None, str]:
    """Category (or the reason for none) of one application on a day: T1.1, T2, T4."""
    if not d.resides_in_city:
        return None, alloc.NOT_RESIDENT
    if d.military_family:
        return None, alloc.MILITARY
    flags = (d.large_family, d.single_parent, d.other_susn, d.sibling_in_preschool)
    n = categorize(queue_age(d.birth_date, on, rule_set), flags, rule_set)
    return n, "" if n is not None else alloc.NO_CATEGORY


@dataclass(frozen=True)
class Standing:
    """Where an application stands for its parent: the category and queue number shown on the
    card and the text explaining them, all from one source (issue 12: the card once read the
    queue while the text read the confirmed run, and the two disagreed)."""

    category: int | None
    queue_number: int | None
    text: str


def explanation(app: Application, *, today: dt.date, lang: str = "ru") -> str:
    """The text a parent reads for an application: from its last confirmed run, else the queue."""
    return standing(app, today=today, lang=lang).text


def standing(app: Application, *, today: dt.date, lang: str = "ru") -> Standing:
    """T1.3: an application's category, queue number and explanation: from its last confirmed
    run (the category and number the place was given under), else the queue."""
    rule_set = rule_data.load(app.city.allocation_rules or "taraz-2024")
    outcome = (RunOutcome.objects.filter(application=app, run__state=RunState.CONFIRMED)
               .select_related("run").order_by("-run__confirmed_at").first())
    d = to_domain(app)
    statuses = tuple(f for f in FLAGS[:4] if getattr(d, f))
    if outcome is not None:
        cat = (outcome.run.categories.filter(number=outcome.category).first()
               if outcome.category else None)
        on, status, reason = outcome.run.as_of, outcome.status, outcome.reason
        category, qn, seat = outcome.category, outcome.queue_number, outcome.seat_order
        seats, cutoff = (cat.seats, cat.cutoff_queue_number) if cat else (None, None)
    else:  # no confirmed allocation yet: the queue as last actualized (or as of today)
        on = app.actualized_on or today
        status, seat, seats, cutoff = alloc.WAITING, None, None, None
        category, qn, reason = app.category, app.queue_number, app.reason
        if app.actualized_on is None:
            category, reason = _category_now(d, on, rule_set)
        if reason in alloc.EXCLUSION_REASONS:
            status = alloc.EXCLUDED
    e = Explanation(
        status=status, reason=reason, age=queue_age(d.birth_date, on, rule_set),
        age_reference=dt.date(on.year, rule_set.age_reference_month, rule_set.age_reference_day),
        statuses=statuses, category=category, queue_number=qn, category_seats=seats,
        cutoff_queue_number=cutoff, seat_order=seat,
    )
    return Standing(category=category, queue_number=qn, text=explanation_text(e, rule_set, lang))
