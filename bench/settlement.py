"""Benchmark of one month's money for a city: funding request, budget, distribution, settlement.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/goszakaz_bench \\
       python bench/settlement.py [--n 100000] [--seed 7] [--phase all|setup|month]
                                  [--hordak | --no-hordak] [--months K]
(`--phase setup` then `--phase month` in a second process measures the month's own peak memory;
`--phase month` may be run again: it empties what an earlier month run wrote, outside the timing;
with --all-silent every parent is silent and the tick confirms all the sheets.)
The database is emptied and migrated first (never point it at real data). Builds n children
(95 % with an open bank account, 5 % paid directly), 140 children a preschool, and an April
2024 sheet each (seeded marks: present, sick, absent, vacation, 1 % with a day left unmarked),
7 in 10 confirmed by the parent and the rest silent; then times the month: the funding request
(A7.11), the budget transfer and the distribution to the children's accounts (A7.12), the tick
of 1 May (auto-confirmation of the silent sheets A7.14 with the I6 count, settlement A8, A7.18,
A7.9, sweeps, the НОБД export), and `ledger verify`. Then, with --hordak (the
default when django-hordak from the `bench` extra is installed), the same transfers again through
django-hordak, timed apart, with the ratio to goszakaz's own posting of them. Settings:
bench/hordak_settings.py when hordak is installed (goszakaz's plus `mptt` and `hordak`), else
goszakaz's. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import resource
import sys
import time

HORDAK = importlib.util.find_spec("hordak") is not None  # the `bench` extra is installed


def arguments() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--phase", choices=("all", "setup", "month"), default="all",
                   help="setup only, the month only (on a set-up database), or both")
    p.add_argument("--months", type=int, default=1,
                   help="K > 1: K months from April 2024 (up to February 2025: Taraz's pilot is "
                        "extended for the bench), each funded, distributed and settled by the "
                        "tick of the next month's 1st, every step at its own simulated moment "
                        "(the rows stamped with it, as a daily tick would); then the tick of "
                        "the 2nd. Replaces the one timed month and its reruns")
    p.add_argument("--all-silent", action="store_true",
                   help="--phase month: every parent silent, so the tick confirms every sheet")
    p.add_argument("--hordak", action=argparse.BooleanOptionalAction, default=HORDAK,
                   help="after the month, post its transfers through django-hordak too "
                        f"(default: {'on' if HORDAK else 'off: django-hordak is not installed'})")
    return p.parse_args()


ARGS = arguments() if __name__ == "__main__" else None
# hordak_settings.py (bench/ is sys.path[0]) is goszakaz's settings plus `mptt` and `hordak`;
# the same settings whether or not the hordak step runs, when hordak is installed.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hordak_settings" if HORDAK else "goszakaz.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from city import MONTH, build, month_sheets  # noqa: E402  (bench/ is sys.path[0])
from goszakaz.access.actor import Actor  # noqa: E402
from goszakaz.clock import KZ  # noqa: E402
from goszakaz.clock import now as _clock_now  # noqa: E402
from goszakaz.domain.months import last_day, month_of, next_first  # noqa: E402
from goszakaz.enrollment.models import Voucher  # noqa: E402
from goszakaz.finance import ledger  # noqa: E402
from goszakaz.finance.funding import build_request, distribute, transfer_to_operator  # noqa: E402
from goszakaz.finance.models import AccountKind, FundingRequest, LedgerAccount, Transfer  # noqa: E402
from goszakaz.finance.verify import verify  # noqa: E402
from goszakaz.registry.models import City, Role  # noqa: E402
from goszakaz.workflows import monthly_cycle  # noqa: E402
from goszakaz.workflows.monthly_cycle import settle_month, tick  # noqa: E402

NOW = _clock_now()  # the benchmark's moment: the services are told it

settings.DEBUG = False  # no per-query logging in connection.queries while timing

def timed(figures: dict[str, object], name: str, step) -> object:
    t = time.perf_counter()
    result = step()
    figures[f"{name}_s"] = round(time.perf_counter() - t, 2)
    return result


MONTH_TABLES = ("finance_settlement", "finance_transfer", "finance_fundingline",
                "finance_fundingrequest", "finance_ledgeraccount", "notifications_notification",
                "deadlines_deadline")


def settle_down(*, forget_month: bool, all_silent: bool = False) -> None:
    """Outside every timing: (if asked) empty what an earlier month run wrote, so the month can
    be run again on the same set-up; then VACUUM ANALYZE, as autovacuum would have done in the
    days between the sheets' last day and the settlement (a million rows written at once
    otherwise leave the planner without statistics)."""
    call_command("migrate", verbosity=0)  # hordak's tables, if the set-up ran without them
    with connection.cursor() as cur:
        if forget_month:
            hordak = ["hordak_leg", "hordak_transaction", "hordak_account"] if HORDAK else []
            cur.execute(f"TRUNCATE {', '.join([*MONTH_TABLES, *hordak])} CASCADE")
            # the set-up's parents again: 7 sheets in 10 confirmed (none with --all-silent)
            confirmed = "false" if all_silent else "id % 10 < 7"
            cur.execute(f"UPDATE attendance_sheet SET parent_responded = {confirmed}, "
                        "incomplete = false")
            cur.execute("UPDATE attendance_sheet SET state = CASE WHEN parent_responded THEN "
                        "'confirmed' ELSE 'open' END, final_on = CASE WHEN parent_responded "
                        "THEN DATE '2024-04-30' END")
        cur.execute("VACUUM ANALYZE")


class LedgerClock:
    """Sums the time goszakaz's ledger spends posting batches (post_batch) during the month."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._post = ledger._post_batch_postgresql

    def __enter__(self) -> LedgerClock:
        def timed_post(specs, now):
            t = time.perf_counter()
            try:
                return self._post(specs, now)
            finally:
                self.seconds += time.perf_counter() - t
        ledger._post_batch_postgresql = timed_post
        return self

    def __exit__(self, *exc: object) -> None:
        ledger._post_batch_postgresql = self._post


class SilenceClock:
    """Times the tick's auto-confirmation of the silent sheets (A7.14, I6, I22)."""

    def __init__(self) -> None:
        self.seconds, self.sheets = 0.0, 0
        self._confirm = monthly_cycle.confirm_silence

    def __enter__(self) -> SilenceClock:
        def timed_confirm(**kwargs):
            t = time.perf_counter()
            try:
                done = self._confirm(**kwargs)
                self.sheets += done
                return done
            finally:
                self.seconds += time.perf_counter() - t
        monthly_cycle.confirm_silence = timed_confirm
        return self

    def __exit__(self, *exc: object) -> None:
        monthly_cycle.confirm_silence = self._confirm


def month(figures: dict[str, object]) -> None:
    """The timed month: funding request, budget and distribution, the tick of 1 May (the silent
    sheets confirmed automatically, settlement, sweeps, the НОБД export); then verify."""
    city = City.objects.get(code="taraz")
    start = time.perf_counter()

    def fund():
        with transaction.atomic():
            return build_request(city=city, month=MONTH, on=dt.date(2024, 4, 8),
                                 actor=Actor.system(Role.OPR), now=NOW)

    with LedgerClock() as clock:
        request = timed(figures, "funding_request", fund)

        def budget_and_distribute():
            with transaction.atomic():
                transfer_to_operator(request=request, on=dt.date(2024, 4, 9), actor=Actor.system(Role.EDU),
                                     now=NOW)
                return distribute(request=request, on=dt.date(2024, 4, 10), actor=Actor.system(Role.OPR),
                                  now=NOW)

        timed(figures, "distribution", budget_and_distribute)
        with SilenceClock() as silence:
            timed(figures, "tick", lambda: tick(today=dt.date(2024, 5, 1), now=NOW))
        figures["auto_confirm_s"] = round(silence.seconds, 2)
        figures["auto_confirmed"] = silence.sheets
    month_s = time.perf_counter() - start
    transfers = Transfer.objects.count()
    figures.update({"month_s": round(month_s, 2), "transfers": transfers,
                    "transfers_per_s": round(transfers / month_s),
                    "goszakaz_post_batch_s": round(clock.seconds, 2)})
    problems = timed(figures, "verify", verify)
    figures["verify_clean"] = not problems


def hordak(figures: dict[str, object]) -> None:
    """The month's transfers again, the same amounts between the same parties, through
    django-hordak (after the month, outside its timing): one hordak account per ledger account
    (the city's budget as equity, the others as liability leaves under one parent), then every
    transfer as a hordak Transaction with a debit and a credit Leg, bulk-created in one
    transaction (hordak_ledger.post_bulk); timed from the first insert to the commit."""
    from hordak.models import Account, AccountType, Leg
    from hordak.models import Transaction as HordakTransaction

    from hordak_ledger import leaf_accounts, post_bulk, tenge

    with connection.cursor() as cur:
        cur.execute("TRUNCATE hordak_leg, hordak_transaction, hordak_account CASCADE")
    t = time.perf_counter()
    used = (Transfer.objects.filter(period=MONTH).values("debit_id")
            .union(Transfer.objects.filter(period=MONTH).values("credit_id")))
    accounts = list(LedgerAccount.objects.filter(pk__in=used).order_by("pk")
                    .values_list("pk", "kind", "owner"))
    to_hordak: dict[int, int] = {}
    with transaction.atomic():
        for pk, _, owner in (a for a in accounts if a[1] == AccountKind.BUDGET):
            to_hordak[pk] = Account.objects.create(name=f"budget:{owner}",
                                                   type=AccountType.equity).pk
    others = [a for a in accounts if a[1] != AccountKind.BUDGET]
    _, leaves = leaf_accounts("Счета (bench)", [f"{kind}:{owner}" for _, kind, owner in others])
    to_hordak.update(zip((a[0] for a in others), leaves, strict=True))
    figures["hordak_accounts"] = len(to_hordak)
    figures["hordak_accounts_s"] = round(time.perf_counter() - t, 2)
    money: dict[int, object] = {}  # one Money object per amount: the list stays small
    rows = [(tid, to_hordak[debit], to_hordak[credit],
             money.get(amount) or money.setdefault(amount, tenge(amount)))
            for tid, debit, credit, amount in Transfer.objects.filter(period=MONTH)
            .order_by("created_at", "id").values_list("id", "debit_id", "credit_id", "amount")
            .iterator(chunk_size=20_000)]
    connection.cursor().execute("VACUUM ANALYZE")  # the month's writes settle first
    t = time.perf_counter()
    posted = post_bulk(rows)
    hordak_s = time.perf_counter() - t
    try:
        Account.validate_accounting_equation()
        equation = True
    except Exception:  # hordak raises AccountingEquationViolationError
        equation = False
    ledger_s = figures["goszakaz_post_batch_s"]
    figures.update({
        "hordak_transfers": posted, "hordak_s": round(hordak_s, 2),
        "hordak_transfers_per_s": round(posted / hordak_s),
        "hordak_check_clean": (equation and HordakTransaction.objects.count() == posted
                               and Leg.objects.count() == 2 * posted),
        "ratio": round(hordak_s / ledger_s, 2),  # type: ignore[operator]
        "ratio_means": "hordak seconds / goszakaz post_batch seconds (the month's batches) "
                       "for the same transfers",
        "ratio_to_month": round(hordak_s / figures["month_s"], 2),  # type: ignore[operator]
    })


def peak_rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def again(figures: dict[str, object]) -> None:
    """The unhappy paths, timed: the distribution and the settlement run again on the month just
    done (a repeated step, a rerun after a crash): each posts and settles nothing."""
    city = City.objects.get(code="taraz")

    def distribute_again() -> int:
        with transaction.atomic():
            return distribute(request=FundingRequest.objects.get(city=city, month=MONTH),
                              on=dt.date(2024, 4, 10), actor=Actor.system(Role.OPR), now=NOW)

    figures["distribution_again_posted"] = timed(figures, "distribution_again", distribute_again)
    figures["settle_again_sheets"] = timed(figures, "settle_again", lambda: settle_month(
        month=MONTH, cities=[city], today=dt.date(2024, 5, 2), now=NOW))
    timed(figures, "tick_again", lambda: tick(today=dt.date(2024, 5, 1), now=NOW))


def night(day: dt.date) -> dt.datetime:
    """The moment of a simulated day's work (01:00 in Kazakhstan)."""
    return dt.datetime.combine(day, dt.time(1), tzinfo=KZ)


def months(figures: dict[str, object], k: int, seed: int) -> None:
    """--months K: April 2024 and the K - 1 months after it, each with its sheets (April's from
    the set-up), the funding request on the 8th, the budget on the 9th, the distribution on
    the 10th and the tick of the next month's 1st (auto-confirmation, settlement, sweeps, the
    reports' totals); then the tick of the 2nd after the last. Timed per month."""
    city = City.objects.get(code="taraz")
    first = dt.date(2024, 4, 1)
    names: list[str] = []
    for _ in range(k):
        names.append(month_of(first))
        first = next_first(first)
    end = last_day(names[-1])
    City.objects.filter(pk=city.pk).update(pilot_end=end)  # the bench's pilot, long enough
    Voucher.objects.filter(city=city).update(period_end=end)
    city.refresh_from_db()
    per_month: dict[str, dict[str, float]] = {}
    start = time.perf_counter()
    for i, month in enumerate(names):
        row: dict[str, float] = {}
        day1 = dt.date.fromisoformat(f"{month}-01")
        if i:
            t = time.perf_counter()
            # 7 in 10 parents confirm, never silent two months running (a parent silent
            # month after month is I6's risk, not the bench's subject): April's silent are
            # the children 6, 7, 8 of every ten, month j's the next three after month j - 1's
            row["sheets"] = month_sheets(month, seed,
                                         confirmed=lambda n, j=i: (n - 3 * j - 6) % 10 >= 3)
            row["sheets_s"] = round(time.perf_counter() - t, 1)
        with connection.cursor() as cur:
            cur.execute("ANALYZE")  # as autovacuum would between the month's days

        t = time.perf_counter()
        with transaction.atomic():
            request = build_request(city=city, month=month, on=day1.replace(day=8),
                                    actor=Actor.system(Role.OPR), now=night(day1.replace(day=8)))
        with transaction.atomic():
            transfer_to_operator(request=request, on=day1.replace(day=9),
                                 actor=Actor.system(Role.EDU), now=night(day1.replace(day=9)))
            distribute(request=request, on=day1.replace(day=10), actor=Actor.system(Role.OPR),
                       now=night(day1.replace(day=10)))
        row["funding_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        next1 = last_day(month) + dt.timedelta(days=1)
        tick(today=next1, now=night(next1))
        row["tick_s"] = round(time.perf_counter() - t, 1)
        per_month[month] = row
        print(json.dumps({month: row}), flush=True)
    after = last_day(names[-1]) + dt.timedelta(days=2)
    timed(figures, "tick_of_the_2nd", lambda: tick(today=after, now=night(after)))
    figures.update({"months": per_month, "months_s": round(time.perf_counter() - start, 1),
                    "transfers": Transfer.objects.count(), "pages_as_of": after.isoformat()})
    problems = timed(figures, "verify", verify)
    figures["verify_clean"] = not problems


def main(args: argparse.Namespace) -> None:
    figures: dict[str, object] = {"date": dt.date.today().isoformat(), "n": args.n,
                                  "phase": args.phase}
    if args.hordak and not HORDAK:
        sys.exit("--hordak needs django-hordak: pip install -e '.[bench]'")
    if args.phase in ("all", "setup"):
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", "registry", "0001", verbosity=0)
        call_command("migrate", verbosity=0)
        with transaction.atomic():
            timed(figures, "setup", lambda: build(args.n, args.seed, now=NOW))
        if args.phase == "setup":
            print(json.dumps(figures, indent=2))
            return
    if args.months > 1:
        settle_down(forget_month=False)
        months(figures, args.months, args.seed)
        figures["peak_rss_mb"] = peak_rss_mb()
        print(json.dumps(figures, indent=2, ensure_ascii=False))
        return
    settle_down(forget_month=args.phase == "month", all_silent=args.all_silent)
    month(figures)
    figures["peak_rss_mb"] = peak_rss_mb()  # the month's (with the set-up, in --phase all)
    again(figures)
    if args.hordak:
        hordak(figures)
        figures["peak_rss_with_hordak_mb"] = peak_rss_mb()
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main(ARGS)
