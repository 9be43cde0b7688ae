"""The background jobs' work: what each kind of job does (a НОБД check of a city's lists), and
`run_next`, one turn of the worker (`goszakaz worker`)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from goszakaz.access.actor import Actor
from goszakaz.clock import local_date
from goszakaz.files import ImportRejected, TooManyErrors
from goszakaz.jobs import services as jobs
from goszakaz.jobs.models import Job
from goszakaz.registry.models import City
from goszakaz.verification import services as verification
from goszakaz.verification.nobd import CsvNobdExport, NobdExportError
from goszakaz.workflows.onboarding import check_lists

logger = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]
WORKER = Actor.system()
NOBD_CHECK = "nobd_check"


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


RUNNERS: dict[str, Callable[[Job, Clock], dict[str, Any]]] = {NOBD_CHECK: _nobd_check}


def run_next(*, now: Clock) -> Job | None:
    """Claim the oldest waiting job and do it (in its submitter's language); None when there
    is none. A job that fails is marked failed with its reasons; the worker goes on."""
    with transaction.atomic():
        job = jobs.claim(now=now(), actor=WORKER)
    if job is None:
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
