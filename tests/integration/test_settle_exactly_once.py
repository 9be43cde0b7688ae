"""Exactly once, proven on PostgreSQL: `settle` killed with SIGKILL halfway, then run again; and
parents confirming while the silence confirms (A7.14, A7.18), each sheet in a real race (threads
with their own connections, a barrier), 30 times: one final state, one audit row of it, the
loser refused or a no-op, one payment. Without the sheet's row lock (attendance.services._move)
both transitions land, two audit rows, within the first months."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection, transaction
from django.db.models import F, Sum

from goszakaz.access.actor import Actor
from goszakaz.attendance.models import Sheet, SheetState
from goszakaz.attendance.services import auto_confirm, confirm, mark_many
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.models import AuditEntry
from goszakaz.banking.models import ChildAccount
from goszakaz.domain.months import last_day, last_of
from goszakaz.domain.payment import SheetError
from goszakaz.enrollment.models import Contract, Voucher
from goszakaz.finance.ledger import Spec, account, post_batch
from goszakaz.finance.models import AccountKind, LedgerAccount, Settlement, Transfer
from goszakaz.finance.payments import SettledChunk, settle_chunk
from goszakaz.finance.tariffs import set_norm
from goszakaz.finance.verify import verify
from goszakaz.registry.models import Bank, Role
from goszakaz.rules.calendar import kz_calendar
from tests.factories import NOW, make_preschool, make_voucher, pilot_city, race

pytestmark = [pytest.mark.postgres,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]
D = dt.date
NORM = 6_000_000


def month_of_sheets(n: int) -> list[Voucher]:
    """n children with a contract, a funded account and an auto-confirmed April 2024 sheet."""
    taraz = pilot_city("taraz")
    with transaction.atomic():
        school = make_preschool(taraz, 1, capacity=n + 1)
        set_norm(city=taraz, age_group="preschool", stay_mode="full_day",
                 effective_from=D(2024, 3, 1), amount=NORM, actor=Actor.system(Role.EDU), now=NOW)
        vouchers = [make_voucher(taraz, 3 * i) for i in range(1, n + 1)]
        Contract.objects.bulk_create(
            [Contract(voucher=v, preschool=school, signed_at=dt.datetime(2024, 3, 1,
                                                                         tzinfo=dt.UTC),
                      starts_on=D(2024, 4, 1)) for v in vouchers])
        bank = Bank.objects.create(code="halyk", name="Halyk", bin="920140000084")
        ChildAccount.objects.bulk_create(  # each child's account open at the bank (A7.6)
            [ChildAccount(voucher=v, bank=bank, city="taraz", status="opened",
                          requested_on=D(2024, 3, 20), opened_on=D(2024, 3, 25),
                          number=f"KZ00TEST{v.pk:012d}", parent_registered=True)
             for v in vouchers])
        budget = account(kind=AccountKind.BUDGET, owner="taraz", city="taraz",
                         no_overdraft=False)
        operator = account(kind=AccountKind.OPERATOR, owner="taraz", city="taraz")
        specs = [Spec(id="budget/taraz/2024-04", debit=budget.pk, credit=operator.pk,
                      amount=n * NORM, code="budget", period="2024-04", city="taraz")]
        for i, v in enumerate(vouchers):
            child = account(kind=AccountKind.CHILD, owner=str(v.pk), city="taraz")
            days = "." * 30 if i % 2 else "AAAAA" + "." * 25  # some children absent 5 days
            specs.append(Spec(id=f"funding/{v.pk}/2024-04", debit=operator.pk, credit=child.pk,
                              amount=NORM, code="funding", period="2024-04", city="taraz",
                              child=v.pk))
            Sheet.objects.create(voucher=v, preschool=school, city="taraz", month="2024-04",
                                 days=days, state=SheetState.AUTO_CONFIRMED,
                                 final_on=D(2024, 4, 30))
        post_batch(specs, now=NOW)
    return vouchers


def settle_process(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "goszakaz.cli", "settle", "--month", "2024-04",
                             "--date", "2024-05-02"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def test_settle_killed_halfway_and_run_again_pays_each_sheet_once() -> None:
    # covers: A7.18, A2
    assert connection.vendor == "postgresql"
    n = 300
    vouchers = month_of_sheets(n)
    db = connection.settings_dict
    env = dict(os.environ, DEBUG="1", GOSZAKAZ_SETTLE_CHUNK="5",
               DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}")
    proc = settle_process(env)
    deadline = time.monotonic() + 60
    while Settlement.objects.count() < n // 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    halfway = Settlement.objects.count()
    assert 0 < halfway < n, f"killed at {halfway} of {n}: not halfway"
    again = settle_process(env)
    assert again.wait(timeout=120) == 0, again.stderr.read() if again.stderr else ""
    assert Settlement.objects.count() == n
    assert Transfer.objects.filter(code="payment").count() == n
    full, short = 6_000_000, 5_454_545  # 5 unexcused: 20 of 22 days (5454545.45, half-up)
    assert sorted(set(Settlement.objects.values_list("due", flat=True))) == [short, full]
    children = LedgerAccount.objects.filter(kind=AccountKind.CHILD)
    assert sum(a.balance for a in children) == n * NORM - (n // 2) * (full + short)
    assert len({v.pk for v in vouchers}) == n and verify() == []


PARENTS = 3  # children whose parents confirm at the moment the silence confirms (each month)
MONTHS = [f"2024-{m:02d}" for m in range(3, 13)]  # every month of the pilot: 30 races


def race_month(vouchers: list[Voucher], month: str) -> tuple[list[object], list[Sheet]]:
    """The parents confirm their sheets on the month's last day while `tick`'s automatic
    confirmation of the next day's 1st runs (I17: the window closes as the silence confirms)."""
    sheets = [Sheet.objects.get(voucher=v, month=month) for v in vouchers]
    last = last_of(D.fromisoformat(month + "-01"))
    calls = [lambda s=s: confirm(sheet=s, on=last, actor=Actor.system(Role.PAR), now=NOW)
             for s in sheets]
    results = race(lambda: auto_confirm(today=last + dt.timedelta(days=1), now=NOW), *calls)
    return results, sheets


def test_the_parent_and_the_silence_confirm_at_once_one_state_one_payment() -> None:
    # covers: A7.14, A7.18, I17
    assert connection.vendor == "postgresql"
    taraz = pilot_city("taraz")
    calendar = kz_calendar((2024,))
    with transaction.atomic():
        school = make_preschool(taraz, 1, capacity=PARENTS + 1)
        for group in ("early", "preschool"):
            set_norm(city=taraz, age_group=group, stay_mode="full_day",
                     effective_from=D(2024, 3, 1), amount=NORM, actor=Actor.system(Role.EDU),
                     now=NOW)
        vouchers = [make_voucher(taraz, 3 * i) for i in range(1, PARENTS + 1)]
        bank = Bank.objects.create(code="halyk", name="Halyk", bin="920140000084")
        for v in vouchers:
            Contract.objects.create(voucher=v, preschool=school, starts_on=D(2024, 3, 1),
                                    signed_at=dt.datetime(2024, 2, 20, tzinfo=dt.UTC))
            ChildAccount.objects.create(voucher=v, bank=bank, city="taraz", direct_payment=True,
                                        requested_on=D(2024, 2, 20))  # not registered: direct
        budget = account(kind=AccountKind.BUDGET, owner="taraz", city="taraz",
                         no_overdraft=False)
        operator = account(kind=AccountKind.OPERATOR, owner="taraz", city="taraz")
        post_batch([Spec(id="budget/taraz/2024", debit=budget.pk, credit=operator.pk,
                         amount=len(MONTHS) * PARENTS * NORM, code="budget", period="2024-03",
                         city="taraz")], now=NOW)
        for month in MONTHS:  # the preschool marked the month's last working day (I17)
            first = D.fromisoformat(month + "-01")  # (of the pilot: 25 December, I21)
            days = calendar.working_days(first, min(last_of(first), D(2024, 12, 25)))
            mark_many(preschool_id=school.pk, marks=[(v, day, "P") for v in vouchers
                                                     for day in (days[0], days[-1])],
                      is_working_day=calendar.is_working_day, actor=Actor.system(Role.PRE),
                      now=NOW)
    won = {"parent": 0, "silence": 0}
    for month in MONTHS:
        results, sheets = race_month(vouchers, month)
        auto, parents = results[0], results[1:]
        assert isinstance(auto, int), results  # the silence never fails for a sheet it lost
        silence = list(AuditEntry.objects.filter(  # one row a chunk, naming its children
            action=AuditAction.SHEET_AUTO_CONFIRMED, after__final_on=last_day(month).isoformat())
            .values_list("children", flat=True))
        for sheet, result in zip(sheets, parents, strict=True):
            sheet.refresh_from_db()
            moves = list(AuditEntry.objects.filter(
                object_type="sheet", object_id=str(sheet.pk), action=AuditAction.SHEET_CONFIRMED)
                .values_list("action", flat=True))
            moves += [AuditAction.SHEET_AUTO_CONFIRMED for children in silence
                      if sheet.voucher_id in children]
            assert len(moves) == 1, (month, moves, results)  # one transition, one audit row
            if sheet.state == SheetState.CONFIRMED:  # the parent won; the silence skipped it
                assert result is True and moves == [AuditAction.SHEET_CONFIRMED], results
                assert sheet.parent_responded
                won["parent"] += 1
            else:  # the silence won; the parent's confirmation refused cleanly
                assert sheet.state == SheetState.AUTO_CONFIRMED, (month, results)
                assert isinstance(result, SheetError), results
                assert moves == [AuditAction.SHEET_AUTO_CONFIRMED] and not sheet.parent_responded
                won["silence"] += 1
        assert auto == sum(s.state == SheetState.AUTO_CONFIRMED for s in sheets), results
        # two settlements of the month at once: each sheet paid once
        settled = race(*[lambda m=month: settle_chunk(
            city=taraz, month=m, on=last_of(D.fromisoformat(m + "-01")) + dt.timedelta(days=2),
            actor=Actor.system(Role.OPR), now=NOW)] * 2)
        assert all(isinstance(r, SettledChunk) for r in settled), settled
        assert sum(r.sheets for r in settled) == PARENTS, settled  # type: ignore[union-attr]
    assert won["parent"] + won["silence"] == len(MONTHS) * PARENTS
    assert Settlement.objects.count() == len(MONTHS) * PARENTS
    assert Settlement.objects.filter(paid=F("due"), direct=True).count() == Settlement.objects.count()
    direct = Transfer.objects.filter(code="direct")
    assert direct.count() == len(MONTHS) * PARENTS  # no account: the operator paid each once
    assert direct.aggregate(total=Sum("amount"))["total"] == sum(
        Settlement.objects.values_list("due", flat=True))
    assert verify() == []
