"""The reports' stored totals (A14, A15): finance's flows by posting day and attendance's final
sheets by day of finality give the pages and the report exactly what the live queries give, on
any day, after the nightly tick, a repeated tick, a late correction of an old month (A9) and a
transfer posted with a moment on a day already stored."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goszakaz.access.actor import Actor
from goszakaz.attendance import sheet_totals
from goszakaz.attendance.models import Sheet, SheetState, SheetTotal, SheetTotalsThrough
from goszakaz.attendance.services import auto_confirm, confirm, dispute, mark, sheet_for
from goszakaz.cli import main
from goszakaz.clock import KZ
from goszakaz.finance import flow_totals
from goszakaz.finance.funding import build_request, distribute, transfer_to_operator
from goszakaz.finance.ledger import Spec, account, post
from goszakaz.finance.models import AccountKind, FlowTotal, FlowTotalsThrough, Transfer
from goszakaz.finance.verify import verify
from goszakaz.registry.models import City, Role
from goszakaz.reports.exports import to_json
from goszakaz.reports.oversight import attendance_page, money_page
from goszakaz.reports.pilot import pilot_report
from goszakaz.verification.models import RiskCase, RiskCaseKind
from goszakaz.workflows.dispute import answer_dispute
from goszakaz.workflows.monthly_cycle import tick
from goszakaz.workflows.protocol import close_by_protocol
from tests.factories import EDU, OPR, PAR, PRE, WORKING

pytestmark = pytest.mark.django_db
D = dt.date
T = TypeVar("T")


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=KZ)


def live(read: Callable[[], T]) -> T:
    """`read` as if nothing were stored: the live queries alone (rolled back after)."""
    with transaction.atomic():
        FlowTotalsThrough.objects.update(through=None)
        SheetTotalsThrough.objects.update(through=None)
        out = read()
        transaction.set_rollback(True)
    return out


def flows(rows: list[flow_totals.Flow]) -> Counter[tuple[Any, ...]]:
    out: Counter[tuple[Any, ...]] = Counter()
    for f in rows:
        key = (f.city, f.period, f.code, f.debit_kind, f.credit_kind)
        out[(*key, "amount")] += f.amount
        out[(*key, "transfers")] += f.transfers
    return +out


def sheets(rows: list[sheet_totals.SheetCount]) -> Counter[tuple[Any, ...]]:
    out: Counter[tuple[Any, ...]] = Counter()
    for c in rows:
        for name, n in (("sheets", c.sheets), ("parent", c.by_parent),
                        ("auto", c.automatically), *zip(sheet_totals.MARKS, c.days,
                                                        strict=True)):
            out[(c.city, c.month, c.preschool_id, name)] += n
    return +out


def page_data(as_of: dt.date, cities: list[City]) -> list[object]:
    """What the money and attendance pages show (tables and charts) and the report's JSON."""
    out: list[object] = []
    for page in (money_page, attendance_page):
        data = page(as_of=as_of, cities=cities)
        out += [[(t.key, t.rows) for t in data.tables], [(c.svg, c.figures) for c in data.charts],
                data.month]
    out.append(to_json(pilot_report(as_of=as_of)))
    return out


def assert_same_as_live(days: list[dt.date]) -> None:
    cities = list(City.objects.order_by("code"))
    codes = [c.code for c in cities]
    for day in days:
        assert flows(flow_totals.sums(as_of=day, cities=codes)) == flows(
            flow_totals.live_sums(as_of=day, cities=codes)), day
        for month in (None, "2024-04", "2024-05"):
            for by_preschool in (False, True):
                stored = sheet_totals.sums(as_of=day, cities=codes, month=month,
                                           by_preschool=by_preschool)
                assert sheets(stored) == sheets(sheet_totals.live_sums(
                    as_of=day, cities=codes, month=month, by_preschool=by_preschool)), day
        assert page_data(day, cities) == live(lambda d=day: page_data(d, cities)), day


def fund_month(taraz: City, month: str, day: dt.date) -> None:
    """A7.11, A7.12: the request, the budget and the distribution, each on its own day."""
    request = build_request(city=taraz, month=month, on=day, actor=OPR, now=at(day))
    nxt = day + dt.timedelta(days=1)
    transfer_to_operator(request=request, on=nxt, actor=EDU, now=at(nxt))
    distribute(request=request, on=nxt, actor=OPR, now=at(nxt, 11))


def working(first: dt.date, n: int) -> list[dt.date]:
    """The month's first n working days."""
    days = (first + dt.timedelta(days=i) for i in range(28))
    return [d for d in days if WORKING(d)][:n]


def mark_month(children: list[Any], school: Any, days: list[dt.date]) -> None:
    for i, day in enumerate(days):
        for j, child in enumerate(children):
            mark(voucher=child, day=day, code="P" if (i + j) % 3 else "S",
                 preschool_id=school.pk, is_working_day=WORKING, actor=PRE, now=at(day, 18))


def test_the_pages_read_stored_totals_exactly_as_live(money_city, settings, tmp_path) -> None:
    # covers: A14, A15, A9, A7.14, A7.16
    settings.NOBD_EXPORT_DIR = tmp_path
    taraz, school, child, direct = money_city
    april, may = (working(D(2024, 4, 1), 6), working(D(2024, 5, 1), 5))
    fund_month(taraz, "2024-04", D(2024, 4, 8))
    mark_month([child, direct], school, april)
    # the direct child's parent disputes April, the preschool upholds its sheet (final 30 April)
    april_sheet = sheet_for(voucher=direct, month="2024-04", now=at(D(2024, 4, 30)))
    dispute(sheet=april_sheet, reason="Ребёнок болел", on=D(2024, 4, 30), actor=PAR,
            now=at(D(2024, 4, 30)))
    answer_dispute(sheet=april_sheet, agree=False, on=D(2024, 4, 30), reason="был",
                   actor=PRE, now=at(D(2024, 4, 30), 12))
    tick(today=D(2024, 5, 1), now=at(D(2024, 5, 1), 1))  # April's silent sheet, settlement
    assert flow_totals.through() == D(2024, 4, 30) == sheet_totals.through()
    assert FlowTotal.objects.exists() and SheetTotal.objects.exists()
    stored = (FlowTotal.objects.count(), SheetTotal.objects.count())
    tick(today=D(2024, 5, 1), now=at(D(2024, 5, 1), 2))  # again: nothing more stored
    assert (FlowTotal.objects.count(), SheetTotal.objects.count()) == stored
    fund_month(taraz, "2024-05", D(2024, 5, 8))
    mark_month([child, direct], school, may)
    tick(today=D(2024, 6, 1), now=at(D(2024, 6, 1), 1))
    assert_same_as_live([D(2024, 4, 1), D(2024, 4, 9), D(2024, 4, 30), D(2024, 5, 1),
                         D(2024, 5, 9), D(2024, 5, 31), D(2024, 6, 1), D(2024, 6, 2)])

    # A9 in June: the protocol corrects April's upheld sheet (final on a stored day) and the
    # recalculation posts on 10 June, read live until the tick of the 11th stores it
    april_sheet.refresh_from_db()
    case = RiskCase.objects.get(voucher=direct, kind=RiskCaseKind.SHEET_DISPUTE)
    unexcused = {d.day for d in april[:5]}  # paid less: the preschool gives some back
    days = "".join("A" if i + 1 in unexcused else c for i, c in enumerate(april_sheet.days))
    close_by_protocol(case=case, decision="corrected", corrections={"days": days},
                      actor=Actor.system(Role.OPR), on=D(2024, 6, 10), now=at(D(2024, 6, 10)))
    assert Sheet.objects.get(pk=april_sheet.pk).state == SheetState.UPHELD
    assert Transfer.objects.filter(created_at__gte=at(D(2024, 6, 10), 0)).exists()
    assert_same_as_live([D(2024, 4, 30), D(2024, 5, 31), D(2024, 6, 10)])
    tick(today=D(2024, 6, 11), now=at(D(2024, 6, 11), 1))
    assert flow_totals.through() == D(2024, 6, 10)
    assert_same_as_live([D(2024, 4, 30), D(2024, 6, 9), D(2024, 6, 10), D(2024, 6, 11)])
    assert verify() == []


def test_a_sheet_made_final_on_a_stored_day_is_counted_there(money_city) -> None:
    # covers: A14, A7.14
    taraz, school, child, direct = money_city
    mark_month([child, direct], school, working(D(2024, 4, 1), 3))
    sheet_totals.refresh(today=D(2024, 5, 3))  # stored through 2 May: no sheet final yet
    assert sheet_totals.through() == D(2024, 5, 2) and not SheetTotal.objects.exists()
    # the parent's answer of 30 April recorded late, then a catch-up tick's silence: both final
    # on 30 April, a day already stored
    confirm(sheet=sheet_for(voucher=child, month="2024-04", now=at(D(2024, 5, 3))),
            on=D(2024, 4, 30), actor=PAR, now=at(D(2024, 5, 3)))
    assert SheetTotal.objects.get(final_on=D(2024, 4, 30)).by_parent == 1
    assert auto_confirm(today=D(2024, 5, 3), now=at(D(2024, 5, 3))) == 1
    row = SheetTotal.objects.get(final_on=D(2024, 4, 30))
    assert (row.sheets, row.by_parent, row.automatically) == (2, 1, 1)
    assert_same_as_live([D(2024, 4, 29), D(2024, 4, 30), D(2024, 5, 3)])


def test_the_command_rebuilds_the_same_totals(money_city, settings, tmp_path, capsys,
                                              clock_at) -> None:
    # covers: A14
    settings.NOBD_EXPORT_DIR = tmp_path
    clock_at(D(2024, 5, 1))  # the command's moment: the day of the tick
    taraz, school, child, direct = money_city
    fund_month(taraz, "2024-04", D(2024, 4, 8))
    mark_month([child, direct], school, working(D(2024, 4, 1), 2))
    tick(today=D(2024, 5, 1), now=at(D(2024, 5, 1), 1))
    before = (sorted(FlowTotal.objects.values_list("posted_on", "code", "amount", "transfers")),
              sorted(SheetTotal.objects.values_list("final_on", "sheets", "present", "sick")))
    assert main(["totals", "rebuild"]) == 0
    assert "flow row(s)" in capsys.readouterr().out
    after = (sorted(FlowTotal.objects.values_list("posted_on", "code", "amount", "transfers")),
             sorted(SheetTotal.objects.values_list("final_on", "sheets", "present", "sick")))
    assert after == before
    assert main(["totals", "refresh"]) == 0  # the same day again: nothing more
    assert flow_totals.through() == D(2024, 4, 30) == sheet_totals.through()
    assert flows(flow_totals.sums(as_of=D(2024, 6, 1), cities=["taraz"])) == flows(
        flow_totals.live_sums(as_of=D(2024, 6, 1), cities=["taraz"]))


START = D(2024, 4, 1)
step = st.one_of(
    st.tuples(st.just("post"), st.integers(0, 20), st.integers(0, 23), st.integers(1, 3),
              st.integers(1, 999)),
    st.tuples(st.just("refresh"), st.integers(0, 20), st.integers(0, 23), st.just(0),
              st.just(0)))


@pytest.fixture
def accounts(taraz: City) -> dict[str, int]:
    return {kind: account(kind=kind, owner="x", city="taraz", no_overdraft=False).pk
            for kind in (AccountKind.BUDGET, AccountKind.OPERATOR, AccountKind.CHILD,
                         AccountKind.PRESCHOOL)}


def test_flow_sums_equal_the_transfers_on_any_day(accounts: dict[str, int]) -> None:
    # covers: A14, A15
    pairs = [(AccountKind.BUDGET, AccountKind.OPERATOR, "budget"),
             (AccountKind.OPERATOR, AccountKind.CHILD, "funding"),
             (AccountKind.CHILD, AccountKind.PRESCHOOL, "payment"),
             (AccountKind.PRESCHOOL, AccountKind.CHILD, "correction")]

    # 20 examples under "ci", 50 in the fuzzer stage (about 12 s there on PostgreSQL)
    @settings(max_examples=max(20, settings.default.max_examples // 40), database=None,
              suppress_health_check=list(HealthCheck))
    @given(steps=st.lists(step, max_size=25))
    def check(steps: list[tuple[str, int, int, int, int]]) -> None:
        with transaction.atomic():
            for i, (what, day, hour, pair, amount) in enumerate(steps):
                moment = dt.datetime.combine(START + dt.timedelta(days=day), dt.time(hour),
                                             tzinfo=KZ)  # moments may go back: a clock set back
                if what == "refresh":
                    flow_totals.refresh(now=moment)
                    continue
                debit, credit, code = pairs[pair]
                post(Spec(id=f"h{i}", debit=accounts[debit], credit=accounts[credit],
                          amount=amount, code=code, period=f"2024-0{4 + day % 2}", city="taraz",
                          child=None), now=moment)
            assert flow_totals.stored_differences() == []
            for day in range(-1, 22):
                as_of = START + dt.timedelta(days=day)
                assert flows(flow_totals.sums(as_of=as_of, cities=["taraz"])) == flows(
                    flow_totals.live_sums(as_of=as_of, cities=["taraz"]))
            transaction.set_rollback(True)

    check()
