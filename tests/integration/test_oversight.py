"""The oversight pages (A14) on a pilot built by hand: each page's figures, who sees which city,
the late deadlines' links, and the XLSX holding the page's own rows."""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from goszakaz.attendance.models import Dispute, Sheet
from goszakaz.clock import KZ
from goszakaz.deadlines.models import Deadline
from goszakaz.enrollment.models import Contract, Voucher
from goszakaz.files import safe_cell
from goszakaz.finance.ledger import Spec, account, post
from goszakaz.finance.models import AccountKind
from goszakaz.queue.models import AllocationRun, Application
from goszakaz.registry.models import Bank, City, Preschool, Role
from goszakaz.reports.formatting import clause_label, tenge
from goszakaz.reports.oversight import (
    attendance_page,
    deadlines_page,
    money_page,
    norm_distance,
    queue_page,
)
from goszakaz.reports.tables import Table
from tests.factories import make_preschool, make_user, make_voucher, pilot_city

pytestmark = pytest.mark.django_db
D = dt.date
AS_OF = D(2024, 6, 1)
CITIES = ["shymkent", "taraz", "turkestan", "uralsk"]
FORMULA = '=HYPERLINK("http://example.com","x")'
PAGES = ("deadlines", "money", "attendance", "queue")


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=KZ)


@pytest.fixture
def pilot(db: None, clock_at) -> dict[str, object]:
    """Taraz in April 2024: preschool A (capacity 10) with children a, b, d; B (capacity 4)
    with c, whose sheet the parent disputed and the preschool upheld; d annulled in May (A12);
    money: 1200 to the operator, 600 to a's account, 400 paid from it, 300 paid for b directly;
    deadlines: A7.9 met late, A7.11 missed, A7.16 met in time, A7.17 not due yet. Shymkent: an
    A7.12 missed and one auto-confirmed sheet. The clock on 1 June 2024."""
    clock_at(AS_OF)
    Bank.objects.create(code="halyk", name="Halyk Bank", bin="920140000084")
    for code in CITIES:
        pilot_city(code)
    taraz, shymkent = City.objects.get(code="taraz"), City.objects.get(code="shymkent")
    school_a, school_b = make_preschool(taraz, 1, capacity=10), make_preschool(taraz, 2, 4)
    school_s = make_preschool(shymkent, 3, capacity=5)
    Preschool.objects.filter(pk=school_b.pk).update(name=FORMULA)
    a, b, c, d = (make_voucher(taraz, i) for i in (1, 5, 9, 13))
    e = make_voucher(shymkent, 17)
    m = "2024-04"
    sheets = {}
    for v, school, days, state in ((a, school_a, "P" * 20, "confirmed"),
                                   (b, school_a, "P" * 18 + "AA", "auto_confirmed"),
                                   (d, school_a, "P" * 10 + "S" * 5 + "V" * 5, "confirmed"),
                                   (c, school_b, "P" * 20, "upheld"),
                                   (e, school_s, "P" * 19 + "A", "auto_confirmed")):
        sheets[v.pk] = Sheet.objects.create(voucher=v, preschool=school, city=v.city.code,
                                            month=m, days=days, state=state,
                                            final_on=D(2024, 4, 30),
                                            parent_responded=state == "confirmed")
        Contract.objects.create(voucher=v, preschool=school, signed_at=at(D(2024, 3, 20)),
                                starts_on=D(2024, 4, 1))
    Dispute.objects.create(sheet=sheets[c.pk], reason="r", opened_on=D(2024, 4, 30),
                           agreed=False, answered_on=D(2024, 5, 2))
    Voucher.objects.filter(pk=d.pk).update(status="annulled", annulled_on=D(2024, 5, 10),
                                           annulment_reason="moved_away")
    Contract.objects.filter(voucher=d).update(ends_on=D(2024, 5, 9))
    budget = account(kind=AccountKind.BUDGET, owner="taraz", city="taraz", no_overdraft=False)
    operator = account(kind=AccountKind.OPERATOR, owner="taraz", city="taraz")
    child = account(kind=AccountKind.CHILD, owner=str(a.pk), city="taraz")
    pre = account(kind=AccountKind.PRESCHOOL, owner=school_a.bin, city="taraz")
    for i, (debit, credit, amount, code, day, who) in enumerate([
            (budget, operator, 120_000, "budget", D(2024, 4, 5), None),
            (operator, child, 60_000, "funding", D(2024, 4, 6), a),
            (child, pre, 40_000, "payment", D(2024, 5, 2), a),
            (operator, pre, 30_000, "direct", D(2024, 5, 2), b)]):
        post(Spec(id=f"t{i}", debit=debit.pk, credit=credit.pk, amount=amount, code=code,
                  period=m, city="taraz", child=who.pk if who else None), now=at(day))
    for clause, city, subject, due, met in (
            ("A7.9", "taraz", "bank-list/halyk/2024-04", D(2024, 4, 5), D(2024, 4, 8)),
            ("A7.11", "taraz", "funding/taraz/2024-04", D(2024, 4, 10), None),
            ("A7.16", "taraz", f"reconfirm/{sheets[c.pk].pk}", D(2024, 5, 3), D(2024, 5, 2)),
            ("A7.17", "taraz", "nobd-sheets/2024-05", D(2024, 6, 14), None),
            ("A7.12", "shymkent", "funding/shymkent/2024-04", D(2024, 4, 12), None)):
        Deadline.objects.create(clause=clause, city=city, subject=subject, title="t",
                                opened_on=D(2024, 4, 1), due_on=due,
                                state="met" if met else "open", met_on=met)
    for i, (category, state, day) in enumerate(((1, "queued", D(2023, 5, 1)),
                                                (1, "allocated", D(2024, 2, 1)),
                                                (5, "queued", D(2024, 3, 1)),
                                                (None, "queued", D(2024, 3, 2)))):
        Application.objects.create(city=taraz, application_id=f"app{i}", child_iin=f"20010100{i}",
                                   birth_date=D(2020, 1, 1), submitted_at=at(day),
                                   resides_in_city=True, state=state, category=category)
    AllocationRun.objects.create(city=taraz, rules="taraz-2024", volume=5, as_of=D(2024, 3, 1),
                                 state="confirmed", created_at=at(D(2024, 3, 2)),
                                 confirmed_at=at(D(2024, 3, 3)), military_applications=0,
                                 military_seats=0, allocated=1, excluded=[], iterations=[])
    return {"taraz": taraz, "shymkent": shymkent, "sheet_c": sheets[c.pk]}


def table(data: object, key: str) -> Table:
    return next(t for t in data.tables if t.key == key)  # type: ignore[attr-defined]


def test_deadlines_per_clause_city_and_month(pilot: dict) -> None:
    # covers: A14, A7.9, A7.11, A7.12, A7.16, A7.17 (met, late, missed, not due yet)
    with translation.override("en"):
        data = deadlines_page(as_of=AS_OF, cities=list(City.objects.order_by("code")))
        clauses = {(r[0], r[1]): r[2:] for r in table(data, "deadlines").rows}
        assert clauses[("Taraz", clause_label("A7.9"))] == [0, 1, 0, 0]
        assert clauses[("Taraz", clause_label("A7.11"))] == [0, 0, 1, 0]
        assert clauses[("Taraz", clause_label("A7.16"))] == [1, 0, 0, 0]
        assert clauses[("Taraz", clause_label("A7.17"))] == [0, 0, 0, 1]
        assert clauses[("Shymkent", clause_label("A7.12"))] == [0, 0, 1, 0]
        months = {(r[0], r[1]): r[2:] for r in table(data, "deadlines-months").rows}
        assert months[("Taraz", "April 2024")] == [0, 1, 1, 0, "A7.9: 1; A7.11: 1"]
        assert months[("Taraz", "May 2024")] == [1, 0, 0, 0, ""]
        late = table(data, "late").rows
        assert data.late_total == 3 and len(late) == 3
        assert [r[1] for r in late] == ["A7.12", "A7.11", "A7.9"]  # the newest due first
        assert late[2][2:] == [clause_label("A7.9") + " (Halyk Bank, April 2024)", "05.04.2024",
                               "08.04.2024", 3, "the bank"]
        assert late[1][4:] == ["not met", 52, "the operator"]
        assert data.charts[0].figures[:4] == [("Met in time", "1"), ("Met late", "1"),
                                              ("Missed", "2"), ("Not due yet", "1")]
        assert "<svg" in data.charts[0].svg and not data.charts[1].empty
        assert "style=" not in data.charts[0].svg + data.charts[1].svg  # the site's CSP
        for clause in ("A7.4", "A7.14", "A7.18", "A10"):  # every term, those without rows too
            assert clause_label(clause)[:20] in data.charts[0].svg


def test_money_per_city_and_month(pilot: dict) -> None:
    # covers: A14, A2 (budget -> operator -> accounts -> preschools, direct, balances)
    with translation.override("en"):
        data = money_page(as_of=AS_OF, cities=list(City.objects.order_by("code")))
    rows = {(r[0], r[1]): r[2:] for r in table(data, "money").rows}
    # requested, budget, to accounts, accounts to preschools, direct, returned, left, owed, items
    assert rows[("Taraz", "April 2024")] == [0, 120_000, 60_000, 40_000, 30_000, 0, 20_000, 0, 0]
    assert rows[("Taraz", "Total")][6] == 20_000  # the balance summed from the account rows
    assert rows[("Shymkent", "Total")] == [0] * 9
    assert ("Balances of children's accounts", tenge(20_000)) in data.charts[0].figures


def test_attendance_and_the_preschools_furthest_from_the_norm(pilot: dict) -> None:
    # covers: A14, A7.14, A7.16 (confirmed by the parent, automatically, disputed), A8.1 (days)
    with translation.override("en"):
        data = attendance_page(as_of=AS_OF, cities=[pilot["taraz"]])
    (row,) = table(data, "sheets").rows
    assert row[:3] == ["Taraz", "April 2024", 4]
    assert row[3] == "2 (50,0\u00a0%)" and row[4] == "1 (25,0\u00a0%)"
    assert row[5] == "1 (25,0\u00a0%)"
    assert row[6:] == [0, 1, 0, 68, 5, 2, 5]  # agreed, upheld, open; P, S, A, V days
    assert data.month == "2024-04"
    schools = table(data, "preschools").rows
    # B (c disputed, its parent never confirmed) is far from Taraz's norm; A close to it
    assert [r[1] for r in schools][0] == FORMULA
    assert schools[0][-1] == "127,5" and schools[1][-1] == "42,5"
    assert norm_distance((0.5, 0.25, 0.025), (0.5, 0.25, 0.025)) == 0


def test_queue_places_vouchers_and_occupancy(pilot: dict) -> None:
    # covers: A14, A5, A6 (occupancy against design capacity), A12 (annulled by reason)
    with translation.override("en"):
        data = queue_page(as_of=AS_OF, cities=[pilot["taraz"]])
        apps = table(data, "applications")
        assert apps.header[2:] == ["2023", "2024", "Total"]
        by_category = {r[1].split(".")[0]: r[2:] for r in apps.rows}
        assert by_category["1"] == [1, 1, 2] and by_category["5"] == [0, 1, 1]
        assert by_category["No category"] == [0, 1, 1]
        assert table(data, "allocations").rows == [["Taraz", "01.03.2024", 5, 1, "03.03.2024"]]
        vouchers = {r[1]: r[2:] for r in table(data, "vouchers").rows}
        assert vouchers["May 2024"][:2] == [0, 1]
        assert vouchers["May 2024"][2 + 1] == 1  # moved to another locality (A12)
        occupancy = table(data, "occupancy").rows
        assert [r[2:5] for r in occupancy] == [[4, 1, 3], [10, 2, 8]]  # B 25 %, A 20 %
        assert data.charts[0].figures == [("In the queue", "3"), ("Place allocated", "1"),
                                          ("Withdrawn", "0")]


def client_of(username: str, role: str, city: City | None = None) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(make_user(username, role, city))
    return client


def test_an_edu_sees_its_own_city_only(pilot: dict) -> None:
    # covers: A14, A3 (EDU in its own city; the operator every city or the one chosen)
    edu = client_of("edu", Role.EDU, pilot["taraz"])
    other = client_of("edu-other", Role.EDU, pilot["shymkent"])
    operator = client_of("opr", Role.OPR)
    for page in PAGES:
        mine = edu.get(f"/oversight/{page}/")
        assert mine.status_code == 200, page
        assert "Shymkent" not in mine.content.decode(), page
        assert edu.get(f"/oversight/{page}/?city=shymkent").status_code == 403, page
        assert edu.get(f"/oversight/{page}/?city=shymkent&format=xlsx").status_code == 403
        assert other.get(f"/oversight/{page}/?city=taraz").status_code == 403, page
        assert operator.get(f"/oversight/{page}/").status_code == 200, page
        assert operator.get(f"/oversight/{page}/?city=nowhere").status_code == 404, page
    theirs = other.get("/oversight/deadlines/").content.decode()
    assert "Shymkent" in theirs and "Halyk" not in theirs and "Taraz" not in theirs
    chosen = operator.get("/oversight/deadlines/?city=shymkent").content.decode()
    assert "Halyk" not in chosen and clause_label("A7.12") in chosen


def test_each_late_deadline_links_to_what_it_concerns(pilot: dict) -> None:
    # covers: A14 (each late one: what it concerns and who must act)
    page = client_of("opr", Role.OPR).get("/oversight/deadlines/").content.decode()
    late = page[page.index('id="late-deadlines"'):]
    late = late[:late.index("</table>")]
    links = [(href, unescape(text))
             for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', late)]
    assert ("/operator/banks/", clause_label("A7.9") + " (Halyk Bank, April 2024)") in links
    assert any(href == "/operator/funding/" for href, _t in links)  # no request made yet
    assert "the city&#x27;s education department" in late  # who must act for A7.12
    edu = client_of("edu", Role.EDU, pilot["taraz"]).get("/oversight/deadlines/")
    edu_late = edu.content.decode()
    assert "/edu/funding/" in edu_late and "/operator/banks/" not in edu_late


@pytest.mark.parametrize("page", PAGES)
def test_the_xlsx_holds_the_page_rows(pilot: dict, page: str) -> None:
    # covers: A14 (exportable: the same rows as the page, no formula from a name)
    client = client_of("opr", Role.OPR)
    html = client.get(f"/oversight/{page}/").content.decode()
    answer = client.get(f"/oversight/{page}/?format=xlsx")
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(answer.content))
    with translation.override("en"):
        builder = {"deadlines": deadlines_page, "money": money_page,
                   "attendance": attendance_page, "queue": queue_page}[page]
        data = builder(as_of=AS_OF, cities=list(City.objects.order_by("code")))
    assert len(book.worksheets) == len(data.tables)
    for sheet, t in zip(book.worksheets, data.tables, strict=True):
        got = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert got[0] == t.header
        want = [[v / 100 if money and isinstance(v, int) else safe_cell(v)
                 for v, money in zip(r, t.money, strict=True)] for r in t.rows]
        assert [[("" if v is None else v) for v in r] for r in got[1:]] == want
        for row in got[1:]:
            assert not any(isinstance(v, str) and v.startswith("=") for v in row)
        assert page_rows(html, "late-deadlines" if t.key == "late" else f"table-{t.key}") == (
            len(t.rows) or 1)  # an empty table says so in one row
    assert "<svg" in html


def page_rows(html: str, table_id: str) -> int:
    """The body rows of the page's table with this id."""
    body = html[html.index(f'id="{table_id}"'):]
    body = body[body.index("<tbody>"):body.index("</tbody>")]
    return body.count("<tr>")


def test_a_moment_counts_in_its_kazakhstan_month(pilot: dict) -> None:
    # covers: A14 (a voucher granted 00:30 on 1 May in Taraz, 30 April in UTC, is May's)
    v = make_voucher(pilot["taraz"], 21)
    Voucher.objects.filter(pk=v.pk).update(
        granted_at=dt.datetime(2024, 5, 1, 0, 30, tzinfo=KZ))
    with translation.override("en"):
        data = queue_page(as_of=AS_OF, cities=[pilot["taraz"]])
    vouchers = {r[1]: r[2] for r in table(data, "vouchers").rows}
    assert vouchers["May 2024"] == 1 and "April 2024" not in vouchers


@pytest.mark.postgres
def test_the_pages_figures_on_postgres(pilot: dict) -> None:
    # covers: A14 (the same figures from the production database's grouping)
    test_deadlines_per_clause_city_and_month(pilot)
    test_money_per_city_and_month(pilot)
    test_attendance_and_the_preschools_furthest_from_the_norm(pilot)
    test_queue_places_vouchers_and_occupancy(pilot)
    test_a_moment_counts_in_its_kazakhstan_month(pilot)


def test_a_city_without_data_says_so_instead_of_an_empty_chart(pilot: dict) -> None:
    # covers: A14 (a chart a person reads at a glance: none drawn when there is nothing)
    client = client_of("opr", Role.OPR)
    for page in PAGES:
        html = client.get(f"/oversight/{page}/?city=turkestan").content.decode()
        assert "<svg" not in html and "Nothing yet." in html, page
        assert '<h2 class="chart-title"' in html, page
