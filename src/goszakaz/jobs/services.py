"""The job queue's services: submit a job (its file kept privately), claim the next one for a
worker, report progress, finish or fail it. They never commit; `claim` and `progress` are meant
to run in their own short transactions so that pages see them at once."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q

from goszakaz.access.actor import Actor
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record
from goszakaz.audit.transitions import move
from goszakaz.jobs.models import JOB_TRANSITIONS, Job, JobState

STALE = dt.timedelta(minutes=10)  # a running job not touched for this long lost its worker
MAX_ATTEMPTS = 3


def job_dir() -> Path:
    """Where the jobs' input files are kept: under the data directory, never served."""
    return Path(settings.DATA_DIR) / "jobs"


def input_path(job: Job) -> Path:
    """The job's input file."""
    return job_dir() / job.input_file


def submit(*, kind: str, actor: Actor, now: dt.datetime, city: str = "",
           args: dict[str, Any] | None = None, data: bytes | None = None, suffix: str = "",
           language: str = "ru") -> Job:
    """Queue a job; `data`, when given, is saved as its private input file (`suffix`: .csv…)."""
    stored = ""
    if data is not None:
        folder = job_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{now:%Y%m%d}-{secrets.token_hex(8)}{suffix}"
        path.write_bytes(data)
        stored = path.name
    job = Job.objects.create(kind=kind, city=city, args=args or {}, input_file=stored,
                             language=language, user_id=actor.user_id, role=actor.role,
                             created_at=now)
    record(actor=actor, action=AuditAction.JOB_SUBMITTED, at=now, obj_type="job", obj_id=job.pk,
           city=city, after={"kind": kind, "args": job.args})
    return job


def claim(*, now: dt.datetime, actor: Actor) -> Job | None:
    """The oldest waiting job (or one whose worker died: running, untouched for STALE), marked
    running for this worker; None when there is none. Two workers never take the same job
    (the row is locked, and locked rows are skipped, on PostgreSQL)."""
    job = (Job.objects.select_for_update(skip_locked=True)
           .filter(Q(state=JobState.QUEUED)
                   | Q(state=JobState.RUNNING, touched_at__lt=now - STALE))
           .order_by("created_at", "pk").first())
    if job is None:
        return None
    if job.attempts >= MAX_ATTEMPTS:  # it killed its worker every time: give up on it
        fail(job=job, now=now, actor=actor, errors=["the job stopped its worker "
                                                    f"{job.attempts} times"])
        return claim(now=now, actor=actor)
    fields: dict[str, Any] = {"started_at": now, "touched_at": now, "attempts": job.attempts + 1, "done": 0,
              "total": 0, "step": ""}
    if job.state == JobState.RUNNING:  # taken again from a worker that died
        for name, value in fields.items():
            setattr(job, name, value)
        job.save(update_fields=list(fields))
        record(actor=actor, action=AuditAction.JOB_STATE, at=now, obj_type="job",
               obj_id=job.pk, city=job.city, before={"state": "running"},
               after={"state": "running", "attempt": job.attempts})
        return job
    move(job, JobState.RUNNING, transitions=JOB_TRANSITIONS, actor=actor, at=now,
         action=AuditAction.JOB_STATE, obj_type="job", city=job.city, **fields)
    return job


def progress(*, job: Job, step: str, done: int, total: int, now: dt.datetime) -> None:
    """How far the job got (seen on its page at once when called outside a transaction)."""
    Job.objects.filter(pk=job.pk).update(step=step, done=done, total=total, touched_at=now)
    job.step, job.done, job.total = step, done, total


def finish(*, job: Job, now: dt.datetime, actor: Actor, result: dict[str, Any]) -> None:
    """The job is done; `result` is what its page shows."""
    move(job, JobState.DONE, transitions=JOB_TRANSITIONS, actor=actor, at=now,
         action=AuditAction.JOB_STATE, obj_type="job", city=job.city, finished_at=now,
         touched_at=now, result=result, done=job.total)


def fail(*, job: Job, now: dt.datetime, actor: Actor, errors: list[str]) -> None:
    """The job failed: nothing of it was kept; `errors` are what its page shows."""
    move(job, JobState.FAILED, transitions=JOB_TRANSITIONS, actor=actor, at=now,
         action=AuditAction.JOB_STATE, obj_type="job", city=job.city, finished_at=now,
         touched_at=now, result={"errors": errors})


def recent(*, kind: str, city: str | None = None, limit: int = 10) -> list[Job]:
    """The latest jobs of a kind (of one city, when given), newest first."""
    jobs = Job.objects.filter(kind=kind)
    if city is not None:
        jobs = jobs.filter(city=city)
    return list(jobs.order_by("-created_at", "-pk")[:limit])
