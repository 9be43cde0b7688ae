"""`--faults`: `tick` killed at a random point and run again, and two ticks at once.

A kill is a process dying between two database statements: whatever its open transaction held
is lost, what it committed stays. In-process it is a `Killed` (a BaseException, so no
`except Exception` in the system catches it) raised by a database execute-wrapper before the
k-th statement, k drawn from the fault's own seeded random: the same seed kills at the same
place. Two ticks at once run in two threads with their own connections on PostgreSQL; SQLite
takes one writer at a time, so there they run one after the other.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection

from goszakaz.workflows.monthly_cycle import tick


class Killed(BaseException):
    """The simulated SIGKILL of a tick."""


def killed_tick(*, today: dt.date, now: dt.datetime, rng: random.Random) -> bool:
    """Run `tick` and kill it before a random statement; True when it was killed."""
    limit = rng.randrange(1, 120)  # a tick of a small year runs some 60-200 statements
    seen = [0]

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool,
                context: Any) -> Any:
        seen[0] += 1
        if seen[0] >= limit:
            raise Killed(f"tick of {today.isoformat()} killed before statement {limit}")
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(wrapper):
            tick(today=today, now=now)
    except Killed:
        return True
    return False


# The tick a child process runs: the simulated day and moment, on the same database.
CHILD = """
import datetime as dt, sys
import django
django.setup()
from goszakaz.workflows.monthly_cycle import tick
tick(today=dt.date.fromisoformat(sys.argv[1]), now=dt.datetime.fromisoformat(sys.argv[2]))
"""


def database_url() -> str | None:
    """The URL of the database in use, for a child process; None when a child cannot reach
    it (an in-memory SQLite database, or data not committed: a test's transaction)."""
    if connection.in_atomic_block:
        return None
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    name = str(db["NAME"])
    if connection.vendor == "sqlite" and name and ":memory:" not in name and "mode=memory" \
            not in name:
        return f"sqlite:///{name}"
    return None


def process_tick(*, today: dt.date, now: dt.datetime, rng: random.Random, url: str) -> bool:
    """`tick` in a child process, SIGKILLed after a random moment (a real kill: its open
    transaction dies with it); True when it was killed before it finished."""
    env = {**os.environ, "DATABASE_URL": url,
           "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE",
                                                    "goszakaz.settings"),
           "GOSZAKAZ_NOBD_EXPORT_DIR": str(settings.NOBD_EXPORT_DIR), "LOG_LEVEL": "ERROR",
           "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, today.isoformat(), now.isoformat()],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        child.wait(timeout=rng.uniform(0.8, 2.5))  # Django's start takes most of a second
    except subprocess.TimeoutExpired:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        return True
    return False


def two_ticks(*, today: dt.date, now: dt.datetime) -> list[BaseException]:
    """Two ticks of the same day at once (PostgreSQL), or one after the other (SQLite);
    returns what they raised."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        tick(today=today, now=now)
        tick(today=today, now=now)
        return []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            tick(today=today, now=now)
        except BaseException as e:  # noqa: BLE001 - reported to the caller
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
