"""Background jobs: the database is the queue; a job is taken once, done whole or failed with its
reasons, taken again when its worker died, and given up after three deaths."""

from __future__ import annotations

import datetime as dt

import pytest

from goszakaz.access.actor import Actor
from goszakaz.cli import main
from goszakaz.jobs import services as jobs
from goszakaz.jobs.models import Job, JobState
from goszakaz.registry.models import Role
from goszakaz.workflows import jobs as runner
from tests.factories import NOW, race

OPR = Actor.system(Role.OPR)


def test_a_job_is_done_once_and_a_failure_is_kept_with_its_reasons(monkeypatch, db) -> None:
    calls = []

    def work(job: Job, now) -> dict:
        calls.append(job.pk)
        jobs.progress(job=job, step="half", done=1, total=2, now=now())
        if job.args.get("bad"):
            raise runner.JobFailed(["line 3: child_iin: not 12 digits"])
        if job.args.get("crash"):
            raise RuntimeError("a bug")
        return {"n": 7}

    monkeypatch.setitem(runner.RUNNERS, "test", work)
    ok = jobs.submit(kind="test", actor=OPR, now=NOW, data=b"x", suffix=".csv")
    bad = jobs.submit(kind="test", actor=OPR, now=NOW + dt.timedelta(seconds=1), args={"bad": 1})
    crash = jobs.submit(kind="test", actor=OPR, now=NOW + dt.timedelta(seconds=2),
                        args={"crash": 1}, language="kk")
    assert jobs.input_path(ok).read_bytes() == b"x"
    done = [runner.run_next(now=lambda: NOW) for _ in range(4)]
    assert [j.pk if j else None for j in done] == [ok.pk, bad.pk, crash.pk, None]
    assert calls == [ok.pk, bad.pk, crash.pk]
    ok, bad, crash = (Job.objects.get(pk=j.pk) for j in (ok, bad, crash))
    assert (ok.state, ok.result, ok.percent) == (JobState.DONE, {"n": 7}, 100)
    assert not jobs.input_path(ok).exists()  # the upload is not kept after its job
    assert (bad.state, bad.result) == (JobState.FAILED,
                                       {"errors": ["line 3: child_iin: not 12 digits"]})
    assert crash.state == JobState.FAILED
    assert crash.result["errors"][0].startswith("Тапсырма")  # in the submitter's language
    assert runner.run_next(now=lambda: NOW) is None  # nothing is run twice


def test_a_job_whose_worker_died_is_taken_again_then_given_up(monkeypatch, db) -> None:
    monkeypatch.setitem(runner.RUNNERS, "test", lambda job, now: {"attempt": job.attempts})
    job = jobs.submit(kind="test", actor=OPR, now=NOW)
    taken = jobs.claim(now=NOW, actor=OPR)  # a worker took it and was killed
    assert taken.pk == job.pk and taken.state == JobState.RUNNING
    assert jobs.claim(now=NOW + dt.timedelta(minutes=5), actor=OPR) is None  # still its own
    later = NOW + jobs.STALE + dt.timedelta(minutes=1)
    assert runner.run_next(now=lambda: later).pk == job.pk
    assert Job.objects.get(pk=job.pk).result == {"attempt": 2}
    dying = jobs.submit(kind="test", actor=OPR, now=NOW)
    for i in range(jobs.MAX_ATTEMPTS):
        assert jobs.claim(now=NOW + i * 2 * jobs.STALE, actor=OPR).pk == dying.pk
    assert jobs.claim(now=NOW + 9 * jobs.STALE, actor=OPR) is None
    dying.refresh_from_db()
    assert dying.state == JobState.FAILED and "3 times" in dying.result["errors"][0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as the other race tests
def test_two_workers_never_take_the_same_job() -> None:
    for i in range(2):
        jobs.submit(kind="test", actor=OPR, now=NOW + dt.timedelta(seconds=i))
    taken = race(lambda: jobs.claim(now=NOW, actor=OPR), lambda: jobs.claim(now=NOW, actor=OPR))
    assert sorted(j.pk for j in taken) == sorted(Job.objects.values_list("pk", flat=True))


def test_the_worker_command_runs_what_waits_and_stops(monkeypatch, db, capsys) -> None:
    monkeypatch.setitem(runner.RUNNERS, "test", lambda job, now: {})
    jobs.submit(kind="test", actor=OPR, now=NOW)
    assert main(["worker", "--once"]) == 0
    assert "done" in capsys.readouterr().out
    assert Job.objects.get().state == JobState.DONE
