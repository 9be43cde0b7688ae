"""Benchmark of the month's last day: parents, already signed in, open the month and confirm it,
many at once, against `goszakaz serve` (gunicorn) on PostgreSQL; sign-in measured apart; then
the month is settled and checked for lost or doubled payments.

Usage (DATABASE_URL=postgres://postgres@127.0.0.1:5432/hload_bench, never real data):
    python bench/month_end.py --phase setup --n 100000     # empties the database first
    python bench/month_end.py --phase run --rate 50 --users 60 --seconds 60 --workers 3
    python bench/month_end.py --phase run --rate 0 --users 6 --seconds 30 --workers 3  # capacity
    python bench/month_end.py --phase signin --users 4 --seconds 30
    python bench/month_end.py --phase settle               # the tick of 1 May, ledger verify
(`--phase all` is the four in that order; `--no-follow`: no page after the confirm;
`--in-place`: the confirm as the page's htmx sends it, answered in place.)
The set-up builds the city of bench/city.py with one parent a child, each parent a user with a
PAR membership and a session made directly in the session store (the password is hashed once and
shared, so a sign-in costs what it costs); every April 2024 sheet open and marked to 30 April,
the month funded (A7.11, A7.12). The server runs as in production (DEBUG=0, behind a TLS proxy:
GOSZAKAZ_PROXIES=1) with its clock fixed at 30 April 2024 19:00 (bench/month_end_gunicorn.py),
the window of I17 open. Each run takes parents whose sheets are still open, so runs may follow
one another until the settle phase. The locust users are in bench/month_end_locust.py, the URLs
in bench/month_end_flow.py.
Prints one JSON object; docs/performance.md records the figures.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import signal
import string
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
NOW_AT = dt.datetime(2024, 4, 30, 19, 0, tzinfo=dt.timezone(dt.timedelta(hours=5)))
PASSWORD = "month-end-bench-parent"  # every parent's, hashed once (sign-in is measured apart)
BACKEND = "django.contrib.auth.backends.ModelBackend"

if __name__ == "__main__":  # as a script; imported (the integration test), Django is set up
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goszakaz.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("SECRET_KEY", "month-end-bench-" + "x" * 40)  # signs the sessions
    import django

    django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Value  # noqa: E402
from django.db.models.functions import Concat, Left  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from city import MONTH, build  # noqa: E402  (bench/ is on sys.path)
from goszakaz.access.actor import Actor  # noqa: E402
from goszakaz.attendance.models import Sheet, SheetState  # noqa: E402
from goszakaz.bulk import insert_rows  # noqa: E402
from goszakaz.clock import now as clock_now  # noqa: E402
from goszakaz.domain.iin import make_iin  # noqa: E402
from goszakaz.finance.funding import build_request, distribute, transfer_to_operator  # noqa: E402
from goszakaz.registry.models import City, Role  # noqa: E402

LAST_DAY = 30  # April: 30 April 2024 is a Tuesday, the month's last working and calendar day


def parent_iins(n: int) -> list[str]:
    """n distinct valid IINs of parents (born 1980-1988)."""
    serial: dict[dt.date, int] = {}
    out = []
    for i in range(n):
        birth = dt.date(1980, 1, 1) + dt.timedelta(days=i % 3000)
        iin = make_iin(birth, serial.get(birth, 0), female=bool(i % 2))
        serial[birth] = int(iin[7:11]) + 1
        out.append(iin)
    return out


def setup_city(n: int, seed: int, *, now: dt.datetime) -> list[tuple[str, int, str]]:
    """n children, one parent each, already signed in; every April sheet open and marked on its
    last working day (I17: the window is open on 30 April). Returns (session key, sheet id,
    login) per parent, in the caller's transaction."""
    iins = parent_iins(n)
    build(n, seed, now=now, parent_iin=iins.__getitem__, confirmed=lambda i: False)
    # the preschools marked the last working day: a forgotten day is never the 30th here
    Sheet.objects.filter(month=MONTH, days__endswith=".").update(
        days=Concat(Left("days", LAST_DAY - 1), Value("P")))
    user = get_user_model()
    hashed = make_password(PASSWORD)
    insert_rows(user, ["password", "is_superuser", "username", "first_name", "last_name",
                       "email", "is_staff", "is_active", "date_joined"],
                [(hashed, False, iin, "", "", "", False, True, now) for iin in iins])
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO registry_membership (user_id, role, iin) "  # noqa: S608
                    f"SELECT id, %s, username FROM {user._meta.db_table} "
                    f"WHERE username IN (SELECT parent_iin FROM enrollment_voucher)", [Role.PAR])
    auth_hash = user(password=hashed).get_session_auth_hash()  # the same for every parent
    store = SessionStore()
    expires = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    sheet_of = dict(Sheet.objects.filter(month=MONTH).values_list("voucher__parent_iin", "id"))
    parents, rows = [], []
    keys = string.ascii_lowercase + string.digits
    for uid, login in user.objects.filter(username__in=sheet_of).values_list("id", "username"):
        key = get_random_string(32, keys)
        rows.append((key, store.encode({"_auth_user_id": str(uid), "_auth_user_backend": BACKEND,
                                        "_auth_user_hash": auth_hash}), expires))
        parents.append((key, sheet_of[login], login))
    insert_rows(Session, ["session_key", "session_data", "expire_date"], rows)
    return parents


def fund(now: dt.datetime) -> None:
    """The month's funding, as on 8-10 April (A7.11, A7.12): the accounts hold the money the
    settlement pays out."""
    city = City.objects.get(code="taraz")
    with transaction.atomic():
        request = build_request(city=city, month=MONTH, on=dt.date(2024, 4, 8),
                                actor=Actor.system(Role.OPR), now=now)
    with transaction.atomic():
        transfer_to_operator(request=request, on=dt.date(2024, 4, 9),
                             actor=Actor.system(Role.EDU), now=now)
        distribute(request=request, on=dt.date(2024, 4, 10), actor=Actor.system(Role.OPR),
                   now=now)


# ---- the server, the load and the CPU it costs ----------------------------------------------

VAR = Path(os.environ.get("MONTH_END_DIR", "/tmp/month_end"))  # parents' keys, logs, locust CSV
PYTHON = sys.executable
LOCUST = str(Path(sys.executable).with_name("locust"))


def server_env(args: argparse.Namespace) -> dict[str, str]:
    """The environment of production (DEBUG off, behind one TLS proxy) at the bench's moment."""
    gunicorn = [f"--config={BENCH / 'month_end_gunicorn.py'}", f"--threads={args.threads}"]
    return {**os.environ, "DEBUG": "0", "SECRET_KEY": settings.SECRET_KEY,  # the sessions'

            "ALLOWED_HOSTS": "127.0.0.1", "GOSZAKAZ_PROXIES": "1",
            "GOSZAKAZ_DATA_DIR": str(VAR / "var"), "LOG_LEVEL": "WARNING",
            "GOSZAKAZ_BENCH_NOW": NOW_AT.isoformat(), "GUNICORN_CMD_ARGS": " ".join(gunicorn),
            "DJANGO_SETTINGS_MODULE": "goszakaz.settings"}


class Server:
    """`goszakaz serve` in a child process (gunicorn: the master and its workers)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.url = f"http://127.0.0.1:{args.port}"
        VAR.mkdir(parents=True, exist_ok=True)
        self.log = (VAR / "server.log").open("ab")
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "goszakaz.cli", "serve", "--bind", f"127.0.0.1:{args.port}",
             "--workers", str(args.workers)],
            env=server_env(args), stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                req = urllib.request.Request(self.url + "/accounts/login/",
                                             headers={"X-Forwarded-Proto": "https"})
                with urllib.request.urlopen(req, timeout=5) as r:  # noqa: S310
                    if r.status == 200:
                        break
            except OSError as e:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start: see {VAR / 'server.log'}"
                                       ) from e
                time.sleep(0.3)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        self.log.close()


def _cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process (/proc/<pid>/stat), None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """The CPU seconds of the server: gunicorn's master and workers, and the PostgreSQL backends
    of this database (found by their process title), sampled every half second so that a
    process that ends meanwhile (a connection past CONN_MAX_AGE) loses at most that much."""

    def __init__(self, master: int, database: str) -> None:
        self.master, self.title = master, f" {database} "
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            self.own = cur.fetchone()[0]  # this process's connection is not the server's
        self.start: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.kind: dict[int, str] = {}
        self._stop = threading.Event()
        self._sample(first=True)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _pids(self) -> dict[int, str]:
        pids = {self.master: "gunicorn"}
        for p in Path("/proc").iterdir():
            if not p.name.isdigit() or int(p.name) == self.own:
                continue
            try:
                stat = (p / "stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                if ppid == self.master:
                    pids[int(p.name)] = "gunicorn"
                elif stat.split(" (", 1)[1].startswith("postgres") and self.title in (
                        p / "cmdline").read_text():
                    pids[int(p.name)] = "postgres"
            except (OSError, IndexError, ValueError):
                continue
        return pids

    def _sample(self, first: bool = False) -> None:
        for pid, kind in self._pids().items():
            cpu = _cpu_seconds(pid)
            if cpu is None:
                continue
            if pid not in self.last:  # seen first now: all of it after the start, or before
                self.start[pid] = cpu if first else 0.0
                self.kind[pid] = kind
            self.last[pid] = cpu

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        self._sample()
        out = {"gunicorn": 0.0, "postgres": 0.0}
        for pid, cpu in self.last.items():
            out[self.kind[pid]] += cpu - self.start[pid]
        return {k: round(v, 2) for k, v in out.items()}


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def locust(args: argparse.Namespace, server: Server, user: str, parents: Path, *,
           users: int, seconds: int, pace: float, name: str) -> dict[str, object]:
    """One headless locust run of `user` (month_end_locust.py) against the server; its stats
    per request name (count, failures, rate, percentiles) and its own CPU seconds. The sheets
    the parents saw confirmed are in VAR/<name>.done."""
    prefix = VAR / name
    (VAR / f"{name}.done").unlink(missing_ok=True)
    env = {**os.environ, "MONTH_END_PARENTS": str(parents), "MONTH_END_PACE": str(pace),
           "MONTH_END_PASSWORD": PASSWORD, "MONTH_END_DONE": str(VAR / f"{name}.done"),
           "MONTH_END_FOLLOW": "1" if args.follow else "0",
           "MONTH_END_IN_PLACE": "1" if args.in_place else "0"}
    before = _children_cpu()
    subprocess.run(
        [LOCUST, "-f", str(BENCH / "month_end_locust.py"), "--headless", "--users", str(users),
         "--spawn-rate", str(users), "--run-time", f"{seconds}s", "--host", server.url,
         "--csv", str(prefix), "--only-summary", "--stop-timeout", "10", "--loglevel",
         "WARNING", user], env=env, check=False, stdout=subprocess.DEVNULL,
        stderr=(VAR / f"{name}.log").open("w"))
    stats: dict[str, object] = {"locust_cpu_s": round(_children_cpu() - before, 2)}
    with open(f"{prefix}_stats.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            stats[row["Name"]] = {
                "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                "per_s": round(float(row["Requests/s"]), 2),
                "p50_ms": _ms(row["50%"]), "p95_ms": _ms(row["95%"]),
                "p99_ms": _ms(row["99%"]), "max_ms": _ms(row["Max Response Time"])}
    with open(f"{prefix}_failures.csv", encoding="utf-8", newline="") as f:
        stats["failures"] = [f"{r['Occurrences']}× {r['Name']}: {r['Error']}"
                             for r in csv.DictReader(f)][:10]
    return stats


def _ms(value: str) -> float | None:
    return None if value in ("", "N/A") else round(float(value))


def _open_parents(seed: int) -> list[tuple[str, int, str]]:
    """The set-up's parents whose sheets are still open, shuffled (the city's parents come in
    no order of preschool)."""
    still = set(Sheet.objects.filter(month=MONTH, state=SheetState.OPEN)
                .values_list("id", flat=True))
    with (VAR / "parents.csv").open(encoding="utf-8", newline="") as f:
        parents = [(k, int(s), login) for k, s, login in csv.reader(f) if int(s) in still]
    random.Random(seed).shuffle(parents)
    return parents


def _write(path: Path, parents: list[tuple[str, int, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(parents)
    return path


def run(args: argparse.Namespace, figures: dict[str, object]) -> None:
    """Parents open the month and confirm it: a warm-up, then the measured run."""
    parents = _open_parents(args.seed)
    need = args.warmup_parents + int(args.rate * args.seconds * 1.5 if args.rate else 0)
    if len(parents) < max(need, args.warmup_parents + 1):
        sys.exit(f"only {len(parents)} open sheets left: set up again (--phase setup)")
    warm = _write(VAR / "warmup.csv", parents[:args.warmup_parents])
    measured = _write(VAR / "run.csv", parents[args.warmup_parents:])
    at_start = Sheet.objects.filter(month=MONTH, state=SheetState.CONFIRMED).count()
    server = Server(args)
    try:
        locust(args, server, "Parent", warm, users=min(args.users, 10), seconds=args.warmup,
               pace=0, name="warmup")
        confirmed_before = Sheet.objects.filter(month=MONTH, state=SheetState.CONFIRMED).count()
        figures["load_before"] = _load()
        meter = CpuMeter(server.proc.pid, connection.settings_dict["NAME"])
        pace = args.users / args.rate if args.rate else 0.0
        stats = locust(args, server, "Parent", measured, users=args.users,
                       seconds=args.seconds, pace=pace, name="run")
        cpu = meter.stop()
        figures["load_after"] = _load()
    finally:
        server.stop()
    confirmed = Sheet.objects.filter(month=MONTH, state=SheetState.CONFIRMED).count()
    done = confirmed - confirmed_before
    seen = {int(line) for line in (VAR / "run.done").read_text().split()}
    in_db = set(Sheet.objects.filter(pk__in=seen, state=SheetState.CONFIRMED,
                                     parent_responded=True).values_list("pk", flat=True))
    confirm = stats.get("confirm") or {}
    server_cpu = cpu["gunicorn"] + cpu["postgres"]
    figures.update({
        "workers": args.workers, "threads": args.threads, "users": args.users,
        "target_rate": args.rate, "follow": args.follow, "seconds": args.seconds, "stats": stats,
        "confirmations_per_s": confirm.get("per_s"),  # type: ignore[union-attr]
        "sheets_confirmed": done, "seen_confirmed_by_parents": len(seen),
        "seen_but_not_confirmed_in_db": len(seen - in_db),  # lost: must be 0
        "errors": sum(s["failures"] for n, s in stats.items()
                      if isinstance(s, dict) and n != "Aggregated"),
        "server_cpu_s": cpu, "server_cpu_ms_per_confirmation":
            round(1000 * server_cpu / done, 1) if done else None,
        "locust_cpu_ms_per_confirmation":
            round(1000 * stats["locust_cpu_s"] / done, 1) if done else None,  # type: ignore[operator]
    })
    with (VAR / "tally.jsonl").open("a") as f:  # every run's confirmations, for the settle check
        f.write(json.dumps({"confirmed": confirmed - at_start, "seen": len(seen)}) + "\n")


def signin(args: argparse.Namespace, figures: dict[str, object]) -> None:
    """Parents sign in with login and password (PBKDF2, Django's default), measured apart."""
    parents = _open_parents(args.seed + 1)
    server = Server(args)
    try:
        figures["load_before"] = _load()
        meter = CpuMeter(server.proc.pid, connection.settings_dict["NAME"])
        stats = locust(args, server, "SignIn", _write(VAR / "signin.csv", parents),
                       users=args.users, seconds=args.seconds, pace=0, name="signin")
        cpu = meter.stop()
        figures["load_after"] = _load()
    finally:
        server.stop()
    done = stats.get("sign in", {}).get("requests", 0)  # type: ignore[union-attr]
    figures.update({"workers": args.workers, "threads": args.threads, "users": args.users,
                    "stats": stats, "sign_ins_per_s": stats.get("sign in", {}).get("per_s"),  # type: ignore[union-attr]
                    "server_cpu_s": cpu, "server_cpu_ms_per_sign_in":
                        round(1000 * (cpu["gunicorn"] + cpu["postgres"]) / done, 1)
                        if done else None})


# ---- after the month: settle and check ------------------------------------------------------

def settle(args: argparse.Namespace, figures: dict[str, object]) -> None:
    """The tick of 1 May (auto-confirmation of the silent sheets, settlement A8, A7.18) and
    `ledger verify`, each as the command; then every final sheet settled once and paid by its
    settlement's transfers, and the runs' confirmations all in the database."""
    env = {**server_env(args), "GUNICORN_CMD_ARGS": ""}
    parent_confirmed = Sheet.objects.filter(month=MONTH, state=SheetState.CONFIRMED,
                                            parent_responded=True).count()
    t = time.perf_counter()
    tick = subprocess.run([PYTHON, "-m", "goszakaz.cli", "tick", "--date", "2024-05-01"],
                          env=env, capture_output=True, text=True, check=False)
    figures["tick_s"] = round(time.perf_counter() - t, 1)
    figures["tick_exit"] = tick.returncode
    verify = subprocess.run([PYTHON, "-m", "goszakaz.cli", "ledger", "verify"], env=env,
                            capture_output=True, text=True, check=False)
    figures["ledger_verify"] = "clean" if verify.returncode == 0 else (
        verify.stdout + verify.stderr)[-2000:]
    final = "('confirmed', 'auto_confirmed', 'upheld')"
    paid = "period = %s AND code IN ('payment', 'direct')"
    with connection.cursor() as cur:
        cur.execute("ANALYZE attendance_sheet, finance_settlement, finance_transfer")  # as
        # autovacuum would after the tick's writes; without, the checks below plan badly
        cur.execute(f"SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM finance_settlement"
                    f" st WHERE st.sheet_id = s.id)), count(*) FROM attendance_sheet s "
                    f"WHERE s.month = %s AND s.state IN {final}", [MONTH])
        unsettled, final_sheets = cur.fetchone()
        cur.execute(f"SELECT count(*) FROM finance_settlement st LEFT JOIN (SELECT child_id, "
                    f"sum(amount) AS paid FROM finance_transfer WHERE {paid} GROUP BY child_id)"
                    f" t ON t.child_id = st.voucher_id WHERE st.month = %s "
                    f"AND st.paid <> coalesce(t.paid, 0)", [MONTH, MONTH])
        paid_mismatch = cur.fetchone()[0]
        cur.execute(f"SELECT count(*) FROM (SELECT child_id FROM finance_transfer WHERE {paid} "
                    f"GROUP BY child_id HAVING count(*) > 1) twice", [MONTH])
        doubled = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM finance_settlement WHERE month = %s", [MONTH])
        settled = cur.fetchone()[0]
    tallies = [json.loads(line) for line in (VAR / "tally.jsonl").open()] if (
        VAR / "tally.jsonl").exists() else []
    figures.update({
        "sheets": Sheet.objects.filter(month=MONTH).count(),
        "confirmed_by_parents": parent_confirmed,
        "confirmed_in_runs": sum(t["confirmed"] for t in tallies),  # with the warm-ups
        "seen_confirmed_in_runs": sum(t.get("seen", 0) for t in tallies),
        "final_sheets": final_sheets, "settlements": settled,
        "final_sheets_unsettled": unsettled,
        "settlements_paid_other_than_transfers": paid_mismatch,
        "children_paid_twice": doubled,
    })


def setup(args: argparse.Namespace, figures: dict[str, object]) -> None:
    """Empty and migrate the database, build the city, fund the month, note the parents."""
    now = clock_now()
    with connection.cursor() as cur:  # empty: the reference data comes back with migrate
        cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    with transaction.atomic():
        parents = setup_city(args.n, args.seed, now=now)
    figures["setup_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    fund(now)
    figures["funding_s"] = round(time.perf_counter() - t, 1)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")  # as autovacuum would have in the weeks before the 30th
    VAR.mkdir(parents=True, exist_ok=True)
    _write(VAR / "parents.csv", parents)
    (VAR / "tally.jsonl").unlink(missing_ok=True)
    figures["parents"] = len(parents)


def arguments() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--phase", choices=("setup", "run", "signin", "settle", "all"),
                   default="all")
    p.add_argument("--n", type=int, default=100_000, help="children (one parent each)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--port", type=int, default=8170)
    p.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    p.add_argument("--threads", type=int, default=1, help="gunicorn threads a worker")
    p.add_argument("--users", type=int, default=60, help="parents at once (locust users)")
    p.add_argument("--rate", type=float, default=60,
                   help="confirmations a second offered (0: each user as fast as it can)")
    p.add_argument("--seconds", type=int, default=60, help="the measured run")
    p.add_argument("--follow", action=argparse.BooleanOptionalAction, default=True,
                   help="load the page the confirm redirects to, as a browser does (default)")
    p.add_argument("--in-place", action="store_true",
                   help="the confirm as the month page's htmx sends it, answered in place")
    p.add_argument("--warmup", type=int, default=5, help="seconds of warm-up before it")
    p.add_argument("--warmup-parents", type=int, default=200)
    return p.parse_args()


def main(args: argparse.Namespace) -> None:
    settings.DEBUG = False  # no per-query logging in this process
    figures: dict[str, object] = {"date": dt.date.today().isoformat(), "phase": args.phase,
                                  "load_at_start": _load(), "cpus": os.cpu_count()}
    steps = {"setup": [setup], "run": [run], "signin": [signin], "settle": [settle],
             "all": [setup, signin, run, settle]}[args.phase]
    for step in steps:
        part: dict[str, object] = {}
        step(args, part)
        figures[step.__name__] = part
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main(arguments())
