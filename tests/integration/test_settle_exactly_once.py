"""Exactly once, proven on PostgreSQL: `settle` killed with SIGKILL halfway, then run again; and
confirmations racing each other (A7.14, A7.18)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection, transaction

from goszakaz.access.actor import Actor
from goszakaz.attendance.models import Sheet, SheetState
from goszakaz.attendance.services import auto_confirm, confirm, mark
from goszakaz.banking.models import ChildAccount
from goszakaz.enrollment.models import Contract, Voucher
from goszakaz.finance.ledger import Spec, account, post_batch
from goszakaz.finance.models import AccountKind, LedgerAccount, Settlement, Transfer
from goszakaz.finance.tariffs import set_norm
from goszakaz.finance.verify import verify
from goszakaz.registry.models import Bank, Role
from goszakaz.rules.calendar import kz_calendar
from goszakaz.workflows.monthly_cycle import settle
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


def test_the_parent_and_the_silence_confirm_at_once_one_payment() -> None:
    # covers: A7.14, A7.18
    taraz = pilot_city("taraz")
    with transaction.atomic():
        school = make_preschool(taraz, 1)
        set_norm(city=taraz, age_group="preschool", stay_mode="full_day",
                 effective_from=D(2024, 3, 1), amount=NORM, actor=Actor.system(Role.EDU), now=NOW)
        voucher = make_voucher(taraz, 1)
        Contract.objects.create(voucher=voucher, preschool=school, starts_on=D(2024, 4, 1),
                                signed_at=dt.datetime(2024, 3, 1, tzinfo=dt.UTC))
        bank = Bank.objects.create(code="halyk", name="Halyk", bin="920140000084")
        ChildAccount.objects.create(voucher=voucher, bank=bank, city="taraz", direct_payment=True,
                                    requested_on=D(2024, 3, 20))  # not registered: direct
        budget = account(kind=AccountKind.BUDGET, owner="taraz", city="taraz",
                         no_overdraft=False)
        operator = account(kind=AccountKind.OPERATOR, owner="taraz", city="taraz")
        post_batch([Spec(id="budget/taraz/2024-04", debit=budget.pk, credit=operator.pk,
                         amount=NORM, code="budget", period="2024-04", city="taraz")], now=NOW)
        sheet = mark(voucher=voucher, day=D(2024, 4, 2), code="P", preschool_id=school.pk,
                     is_working_day=kz_calendar((2024,)).is_working_day,
                     actor=Actor.system(Role.PRE), now=NOW)
    results = race(lambda: confirm(sheet=sheet, on=D(2024, 4, 30), actor=Actor.system(Role.PAR), now=NOW),
                   lambda: auto_confirm(today=D(2024, 5, 1), now=NOW))
    sheet.refresh_from_db()
    assert sheet.state in (SheetState.CONFIRMED, SheetState.AUTO_CONFIRMED), results
    results = race(lambda: settle(city=taraz, month="2024-04", on=D(2024, 5, 2),
                                  actor=Actor.system(Role.OPR), now=NOW),
                   lambda: settle(city=taraz, month="2024-04", on=D(2024, 5, 2),
                                  actor=Actor.system(Role.OPR), now=NOW))
    assert sorted(r for r in results if isinstance(r, int)) == [0, 1], results
    assert Settlement.objects.count() == 1
    assert Transfer.objects.filter(code="direct").count() == 1  # no account: paid directly
    assert verify() == []
