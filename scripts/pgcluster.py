"""PostgreSQL for tests: GOSZAKAZ_TEST_DATABASE_URL if set, else a throwaway local cluster."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

ENV_URL = "GOSZAKAZ_TEST_DATABASE_URL"
HOW_TO_INSTALL = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found in PATH nor in "
    "/usr/lib/postgresql/*/bin.\n"
    "The integration tests need PostgreSQL. Either install it (Debian/Ubuntu: "
    "`apt-get install postgresql`; the scripts start their own throwaway cluster), or set "
    f"{ENV_URL}=postgres://USER:PASSWORD@HOST:PORT/DBNAME to a server where USER may create "
    "databases."
)
ROOT_NEEDS_POSTGRES_USER = (
    "pgcluster: initdb refuses to run as root, and there is no `postgres` system user or no "
    "runuser to run it as that user: create the user (`useradd --system postgres`) "
    f"or set {ENV_URL}."
)
INITDB_OPTIONS = ["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockdir}'
fsync = off
synchronous_commit = off
full_page_writes = off
"""


class PostgresUnavailable(SystemExit):
    """No PostgreSQL to be had; uncaught, it ends the program with its message."""


def redact(url: str) -> str:
    """The URL without its password, fit to print."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()


def find_binaries() -> tuple[str, str] | None:
    """(initdb, pg_ctl): from PATH, else the newest /usr/lib/postgresql/*/bin."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return initdb, pg_ctl
    bindirs = glob.glob("/usr/lib/postgresql/*/bin")
    for bindir in sorted(bindirs, key=lambda d: [int(n) for n in re.findall(r"\d+", d)])[::-1]:
        initdb, pg_ctl = f"{bindir}/initdb", f"{bindir}/pg_ctl"
        if os.access(initdb, os.X_OK) and os.access(pg_ctl, os.X_OK):
            return initdb, pg_ctl
    return None


def pwd_names() -> set[str]:
    return {entry.pw_name for entry in pwd.getpwall()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(message: str) -> None:
    print(f"pgcluster: {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def throwaway_cluster(initdb: str, pg_ctl: str) -> Iterator[str]:
    """Start a fast, unsafe cluster in a temporary directory; stop and delete it on exit."""
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres and not (shutil.which("runuser") and "postgres" in pwd_names()):
        raise PostgresUnavailable(ROOT_NEEDS_POSTGRES_USER)
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="goszakaz-pg-")
    data, server_log = f"{tmp}/data", Path(tmp, "server.log")

    def run(*cmd: str) -> None:
        done = subprocess.run([*as_postgres, *cmd], cwd=tmp, capture_output=True, text=True)
        if done.returncode:
            output = done.stdout + done.stderr
            output += server_log.read_text() if server_log.exists() else ""
            raise PostgresUnavailable(f"pgcluster: {' '.join(cmd)} failed:\n{output}")

    try:
        if as_postgres:
            shutil.chown(tmp, "postgres", "postgres")
        run(initdb, "-D", data, *INITDB_OPTIONS)
        for attempt in range(3):  # the port may be taken between choosing it and binding it
            port = free_port()
            with open(f"{data}/postgresql.conf", "a") as conf:
                conf.write(SETTINGS.format(port=port, sockdir=tmp))
            try:
                run(pg_ctl, "-D", data, "-l", str(server_log), "-w", "-t", "60", "start")
                break
            except PostgresUnavailable:
                if attempt == 2:
                    raise
        log(
            f"started PostgreSQL ({Path(initdb).resolve().parent}) on 127.0.0.1:{port}, "
            f"data in {tmp}, in {time.monotonic() - started:.2f} s"
        )
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        stopping = time.monotonic()
        if Path(data, "postmaster.pid").exists():
            subprocess.run(
                [*as_postgres, pg_ctl, "-D", data, "-m", "immediate", "-w", "stop"],
                cwd=tmp,
                capture_output=True,
            )
        shutil.rmtree(tmp, ignore_errors=True)
        log(f"stopped the cluster and removed {tmp} in {time.monotonic() - stopping:.2f} s")


@contextlib.contextmanager
def postgres_url() -> Iterator[str]:
    """`with postgres_url() as url:` a database URL; raises PostgresUnavailable if none."""
    if os.environ.get(ENV_URL):
        yield os.environ[ENV_URL]
        return
    binaries = find_binaries()
    if binaries is None:
        raise PostgresUnavailable(HOW_TO_INSTALL)
    with throwaway_cluster(*binaries) as url:
        yield url


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so that `finally` blocks (the cluster's cleanup) run."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def main(argv: list[str]) -> int:
    """`pgcluster.py CMD...` runs CMD with DATABASE_URL set; without CMD, prints it and waits."""
    exit_on_sigterm()
    with postgres_url() as url:
        if argv:
            return subprocess.run(argv, env={**os.environ, "DATABASE_URL": url}).returncode
        print(url, flush=True)
        log("press Ctrl-C to stop")
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
