"""The background jobs' work: what each kind of job does (a НОБД check of a city's lists, a large
staff list's XLSX export), and `run_next`, one turn of the worker (`goszakaz worker`)."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from goszakaz.access.actor import Actor
from goszakaz.audit.services import record_read
from goszakaz.clock import local_date
from goszakaz.files import ImportRejected, TooManyErrors
from goszakaz.jobs import services as jobs
from goszakaz.jobs.models import Job
from goszakaz.registry.models import City
from goszakaz.reports import listing
from goszakaz.reports import lists as _lists  # noqa: F401  (registers every staff list)
from goszakaz.verification import services as verification
from goszakaz.verification.nobd import CsvNobdExport, NobdExportError
from goszakaz.workflows.onboarding import check_lists

logger = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]
WORKER = Actor.system()
NOBD_CHECK = "nobd_check"
LIST_EXPORT = "list_export"
EXPORT_KEPT = dt.timedelta(days=1)  # an export's file is deleted a day after it was made


class JobFailed(Exception):
    """The job cannot be done: its `errors` are shown on its page; nothing of it was kept."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors[:3]))
        self.errors = errors


def _nobd_check(job: Job, now: Clock) -> dict[str, Any]:
    """A7.3, A7.4: the city's lists checked against the НОБД export the operator uploaded."""
    city = City.objects.get(code=job.city)
    actor = Actor(role=job.role, user_id=job.user_id)
    jobs.progress(job=job, step="read", done=0, total=2, now=now())
    try:
        nobd = CsvNobdExport(jobs.input_path(job))
    except (NobdExportError, ImportRejected) as e:
        errors = [str(err) for err in e.errors[:20]]
        raise JobFailed(errors + ([str(e)] if isinstance(e, TooManyErrors) else [])) from None
    except ValueError as e:  # the file itself: not CSV text, not an XLSX, over a limit
        raise JobFailed([str(e)]) from None
    jobs.progress(job=job, step="check", done=1, total=2, now=now())
    moment = now()
    with transaction.atomic():  # the check whole or not at all
        submission, _deadline = verification.receive_lists(
            city=city, received_on=local_date(moment), actor=actor, now=moment)
        summary = check_lists(submission=submission, nobd=nobd, on=local_date(moment),
                              actor=actor, now=moment)
    return summary.as_dict()


def export_path(job: Job) -> Path | None:
    """Where a finished export's file is (under the data directory, never served directly)."""
    name = job.result.get("file") if isinstance(job.result, dict) else None
    return jobs.job_dir() / "exports" / name if name else None


def _list_export(job: Job, now: Clock) -> dict[str, Any]:
    """Issue 12: a staff list's selection too large to answer at once, written as XLSX. The
    selection is read again as the one who asked sees it (their city, their bank)."""
    spec = listing.REGISTRY.get(str(job.args.get("list")))
    if spec is None:
        raise JobFailed([_("This list cannot be exported.")])
    city = City.objects.filter(code=job.city).first() if job.city else None
    scope = listing.Scope(city=city, bank=str(job.args.get("bank") or ""),
                          within=job.args.get("within"))
    selection = listing.select(spec, scope, job.args.get("params") or {})
    total = selection.queryset().count()
    folder = jobs.job_dir() / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{job.pk}-{secrets.token_hex(8)}.xlsx"
    partial = folder / (name + ".part")
    jobs.progress(job=job, step="write", done=0, total=total, now=now())
    with partial.open("wb") as out:
        n = listing.write_xlsx(selection, out, progress=lambda done: jobs.progress(
            job=job, step="write", done=done, total=total, now=now()))
    partial.rename(folder / name)  # the file appears whole or not at all
    actor = Actor(role=job.role, user_id=job.user_id)
    record_read(actor=actor, at=now(), what=f"export:{spec.key}", city=job.city,
                children=listing.children_of(spec, selection.queryset()),
                detail={"params": selection.params(), "job": job.pk})
    return {"file": name, "rows": n}


def sweep_exports(*, now: dt.datetime) -> int:
    """Delete the export files older than EXPORT_KEPT (they hold children's data); how many."""
    folder = jobs.job_dir() / "exports"
    if not folder.is_dir():
        return 0
    n = 0
    for path in folder.iterdir():
        if dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC) < now - EXPORT_KEPT:
            path.unlink(missing_ok=True)
            n += 1
    return n


RUNNERS: dict[str, Callable[[Job, Clock], dict[str, Any]]] = {
    NOBD_CHECK: _nobd_check, LIST_EXPORT: _list_export}


def run_next(*, now: Clock) -> Job | None:
    """Claim the oldest waiting job and do it (in its submitter's language); None when there
    is none. A job that fails is marked failed with its reasons; the worker goes on."""
    with transaction.atomic():
        job = jobs.claim(now=now(), actor=WORKER)
    if job is None:
        sweep_exports(now=now())
        return None
    try:
        with translation.override(job.language):
            result = RUNNERS[job.kind](job, now)
    except JobFailed as e:
        with transaction.atomic():
            jobs.fail(job=job, now=now(), actor=WORKER, errors=e.errors)
    except Exception:
        logger.exception("job failed", extra={"job": job.pk, "kind": job.kind})
        with transaction.atomic(), translation.override(job.language):
            jobs.fail(job=job, now=now(), actor=WORKER,
                      errors=[_("The job stopped on an unexpected error; it is logged for "
                                "the administrators.")])
    else:
        with transaction.atomic():
            jobs.finish(job=job, now=now(), actor=WORKER, result=result)
    if job.input_file:  # the upload held personal data: kept no longer than its job
        jobs.input_path(job).unlink(missing_ok=True)
    return job
