"""The one test command, in stages: SQLite, PostgreSQL, the browser, the fuzzers, the simulated
years (the last four on PostgreSQL), each timed against its share of CI's 30 minutes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pgcluster import ENV_URL, exit_on_sigterm, postgres_url, redact

ROOT = Path(__file__).resolve().parent.parent
NO_TESTS_COLLECTED = 5
ANSI = re.compile(r"\x1b\[[0-9;]*m")
SUMMARY = re.compile(r"^=*\s*((?:\d+ \w+(?:, )?)+) in [\d.]+s")
# The SQLite pass in 2 pytest-xdist workers (the default "load" scheduling, which keeps
# pytest-django's order on each worker: transactional tests last); `-n 0` among the arguments
# runs it serially. The PostgreSQL pass stays serial: it has the concurrency tests.
SQLITE_WORKERS = ["-n", "2"]


def banner(text: str) -> None:
    print(f"\n{'=' * 78}\n== {text}\n{'=' * 78}", flush=True)


def pytest(args: list[str], env: dict[str, str]) -> tuple[int, Counter[str]]:
    """Run pytest, echoing its output as it comes; its exit code and its final counts."""
    color = ["--color=yes"] if sys.stdout.isatty() else []
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", *color, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert proc.stdout is not None
    tail = b""
    try:
        while chunk := proc.stdout.read1(65536):
            sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            tail = (tail + chunk)[-16384:]
    except BaseException:  # Ctrl-C or SIGTERM: end pytest before the database goes away
        proc.terminate()
        proc.wait()
        raise
    counts: Counter[str] = Counter()
    for line in ANSI.sub("", tail.decode(errors="replace")).splitlines():
        if match := SUMMARY.match(line.strip()):
            counts = Counter()
            for number, word in re.findall(r"(\d+) (\w+)", match.group(1)):
                counts[{"error": "failed", "errors": "failed"}.get(word, word)] += int(number)
    return proc.wait(), counts


@dataclass
class Stage:
    """One stage of the test command: its tests, on which database, and what it may take."""

    name: str
    args: list[str]
    postgres: bool
    budget_minutes: int
    env: dict[str, str] = field(default_factory=dict)


# The stages and their share of CI's 30 minutes (README, "Tests"); each prints its time.
STAGES = [
    Stage("SQLite", ["tests/unit", "tests/integration", "-m", "not postgres and not fuzz and "
                     "not simulation", *SQLITE_WORKERS], postgres=False, budget_minutes=6),
    Stage("PostgreSQL", ["tests/integration", "-m", "not fuzz and not simulation"],
          postgres=True, budget_minutes=8),
    Stage("browser", ["tests/e2e"], postgres=True, budget_minutes=6),
    Stage("fuzzers", ["tests", "-m", "fuzz or property"], postgres=True, budget_minutes=4,
          env={"HYPOTHESIS_PROFILE": "fuzz"}),
    Stage("simulated years", ["tests", "-m", "simulation"], postgres=True, budget_minutes=3),
]


def main(extra: list[str]) -> int:
    exit_on_sigterm()
    env = dict(os.environ)
    if not env.get("DATABASE_URL", "sqlite").startswith("sqlite"):
        del env["DATABASE_URL"]
    results = []
    with postgres_url() as url:
        where = redact(url) if os.environ.get(ENV_URL) else f"a throwaway cluster at {url}"
        for i, stage in enumerate(STAGES, start=1):
            database = f"PostgreSQL, {where}" if stage.postgres else "SQLite"
            banner(f"{i}/{len(STAGES)}: {stage.name}: {' '.join(stage.args)} on {database}")
            run_env = {**env, **stage.env, **({"DATABASE_URL": url} if stage.postgres else {})}
            started = time.perf_counter()
            code, counts = pytest([*stage.args, *extra], run_env)
            seconds = time.perf_counter() - started
            ok = code == 0 or (code == NO_TESTS_COLLECTED and bool(extra))
            results.append((stage, code, counts, ok, seconds))

    print()
    for stage, code, counts, ok, seconds in results:
        if not ok and not counts["failed"]:
            counts["failed"] = 1  # pytest crashed, was interrupted or collected nothing: count it
        over = " OVER BUDGET" if seconds > stage.budget_minutes * 60 else ""
        print(f"{stage.name:16} {'ok' if ok else 'FAILED':6} {seconds:6.0f} s of "
              f"{stage.budget_minutes} min{over}  (pytest exit code {code}, "
              f"{counts['passed']} passed)")
    total = sum((counts for _, _, counts, _, _ in results), Counter())
    skipped = f", {total['skipped']} skipped" if total["skipped"] else ""
    print(f"{total['passed']} passed, {total['failed']} failed{skipped}", flush=True)
    return 0 if all(ok for _, _, _, ok, _ in results) else 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit("\ninterrupted")
