"""The one test command: all tests on SQLite, then the integration tests on PostgreSQL."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
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


def has_tests(folder: str) -> bool:
    path = ROOT / folder
    return any(path.rglob("test_*.py")) or any(path.rglob("*_test.py"))


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


def main(extra: list[str]) -> int:
    exit_on_sigterm()
    env = dict(os.environ)
    if not env.get("DATABASE_URL", "sqlite").startswith("sqlite"):
        del env["DATABASE_URL"]
    results = []

    banner("1/2: all of tests/ on SQLite (-m 'not postgres', 2 workers)")
    code, counts = pytest(["tests", "-m", "not postgres", *SQLITE_WORKERS, *extra], env)
    results.append(("SQLite", code, counts, code == 0))

    folders = ["tests/integration"] + (["tests/e2e"] if has_tests("tests/e2e") else [])
    with postgres_url() as url:
        where = redact(url) if os.environ.get(ENV_URL) else f"a throwaway cluster at {url}"
        banner(f"2/2: {' '.join(folders)} on PostgreSQL, {where}")
        code, counts = pytest([*folders, *extra], {**env, "DATABASE_URL": url})
    ok = code == 0 or (code == NO_TESTS_COLLECTED and not has_tests("tests/integration"))
    results.append(("PostgreSQL", code, counts, ok))

    print()
    for name, code, counts, ok in results:
        if not ok and not counts["failed"]:
            counts["failed"] = 1  # pytest crashed, was interrupted or collected nothing: count it
        print(f"{name} run: {'ok' if ok else 'FAILED'} (pytest exit code {code})")
    total = sum((counts for _, _, counts, _ in results), Counter())
    skipped = f", {total['skipped']} skipped" if total["skipped"] else ""
    print(f"{total['passed']} passed, {total['failed']} failed{skipped}", flush=True)
    return 0 if all(ok for *_, ok in results) else 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit("\ninterrupted")
