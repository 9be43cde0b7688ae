"""The staff lists (issue 12): 100 rows a page with the total, search by IIN or name, filters,
sorting, and the XLSX export holding exactly what the filters select (a large one as a job)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from goszakaz.audit.models import AuditEntry
from goszakaz.domain.iin import make_iin
from goszakaz.jobs.models import Job
from goszakaz.queue.models import Application
from goszakaz.registry.models import Preschool, Role
from goszakaz.reports import listing
from goszakaz.reports.lists import edu as edu_lists
from goszakaz.workflows.jobs import run_next
from tests.factories import NOW, make_preschool, make_user, make_voucher, pilot_city

pytestmark = pytest.mark.django_db
NAMES = ["Айдана", "Болат", "Ерлан", "Жанар", "Нұрлан", "Сәуле", "Тимур", "Әлия"]


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queue(city, n: int, category: int = 3) -> list[Application]:
    """n queued applications of one category, numbered 1..n, named by NAMES in turn."""
    apps = [Application(city=city, application_id=f"A{i:05d}", child_iin=make_iin(
        dt.date(2021, 1 + i % 12, 1 + i % 28), 100 + 7 * i), child_name=f"{NAMES[i % 8]} {i:03d}",
        birth_date=dt.date(2021, 1 + i % 12, 1 + i % 28),
        submitted_at=NOW - dt.timedelta(days=i), resides_in_city=True, category=category,
        queue_number=i + 1) for i in range(n)]
    return Application.objects.bulk_create(apps)


def rows_of(html: bytes) -> list[str]:
    """The first cell's text of each row of the page's list."""
    body = html.decode().split('class="staff-list"', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr><td(?! colspan)[^>]*>(?:<a [^>]*>)?([^<]*)", body)


@pytest.fixture
def edu(db):
    taraz = pilot_city("taraz")
    return taraz, client_of(make_user("edu", Role.EDU, taraz))


def test_the_queue_pages_by_100_with_the_total(edu) -> None:
    # covers: T3
    taraz, client = edu
    queue(taraz, 104)
    first = client.get("/edu/queue/?category=3")
    assert first.status_code == 200
    assert len(rows_of(first.content)) == 100
    assert "104" in first.content.decode() and "1–100" in first.content.decode()
    assert b'type="search" name="q"' in first.content  # the search box is there
    last = client.get("/edu/queue/?category=3&page=2")
    assert rows_of(last.content) == ["101", "102", "103", "104"]
    beyond = client.get("/edu/queue/?category=3&page=99")  # the last page, not an error
    assert rows_of(beyond.content) == rows_of(last.content)


def test_the_queue_is_searched_by_iin_its_beginning_or_name(edu) -> None:
    # covers: T3
    taraz, client = edu
    apps = queue(taraz, 30)
    one = apps[7]
    found = client.get("/edu/queue/", {"q": one.child_iin})
    assert rows_of(found.content) == [str(one.queue_number)]
    by_birth = client.get("/edu/queue/", {"q": one.child_iin[:6]})
    expected = sorted(a.queue_number for a in apps if a.child_iin.startswith(one.child_iin[:6]))
    assert rows_of(by_birth.content) == [str(n) for n in expected]
    by_name = client.get("/edu/queue/", {"q": "сәуле 0"})  # any case, every word
    assert rows_of(by_name.content) == [str(a.queue_number) for a in apps
                                        if a.child_name.startswith("Сәуле 0")]
    assert rows_of(client.get("/edu/queue/", {"q": "Нет такого"}).content) == []


def test_the_queue_sorts_by_a_column_and_ignores_what_it_does_not_know(edu) -> None:
    # covers: T3
    taraz, client = edu
    apps = queue(taraz, 20)
    by_name = rows_of(client.get("/edu/queue/", {"sort": "name"}).content)
    assert by_name == [str(a.queue_number) for a in
                       sorted(apps, key=lambda a: (a.child_name, a.pk))]
    backwards = rows_of(client.get("/edu/queue/", {"sort": "-number"}).content)
    assert backwards == [str(n) for n in range(20, 0, -1)]
    odd = client.get("/edu/queue/", {"sort": "child_iin; drop table", "category": "99x",
                                      "state": "nonsense"})
    assert odd.status_code == 200 and rows_of(odd.content) == [str(n) for n in range(1, 21)]


def test_the_export_holds_exactly_the_filtered_rows_in_order(edu) -> None:
    # covers: T3
    taraz, client = edu
    apps = queue(taraz, 40)
    queue_other = [a for a in apps if a.child_name.startswith("Болат")]
    response = client.get("/edu/queue/", {"q": "Болат", "sort": "-number", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Номер в очереди"  # the page's language
    assert [r[0] for r in rows[1:]] == sorted((a.queue_number for a in queue_other),
                                              reverse=True)
    assert [r[2] for r in rows[1:]] == [a.child_name for a in sorted(
        queue_other, key=lambda a: -a.queue_number)]
    assert all(re.fullmatch(r"\d{6}\*{4}\d{2}", r[3]) for r in rows[1:])  # never a whole IIN


def test_an_exported_text_cell_is_never_a_formula(edu) -> None:
    # covers: A4
    taraz, client = edu
    school = make_preschool(taraz, 3)
    Preschool.objects.filter(pk=school.pk).update(name='=HYPERLINK("http://x","y")')
    response = client.get("/edu/perechen/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["'=HYPERLINK(\"http://x\",\"y\")"]


def test_a_large_export_is_a_job_whose_file_only_its_owner_gets(edu, settings, tmp_path,
                                                                 monkeypatch) -> None:
    # covers: A5
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(listing, "EXPORT_NOW", 5)
    taraz, client = edu
    vouchers = [make_voucher(taraz, 10 + 4 * i) for i in range(12)]
    asked = client.get("/edu/vouchers/", {"export": "xlsx", "sort": "born"})
    job = Job.objects.get()
    assert asked.status_code == 302 and asked["Location"] == f"/exports/{job.pk}/"
    waiting = client.get(asked["Location"])
    assert waiting.status_code == 200 and b"hx-trigger" in waiting.content
    assert client.get(f"/exports/{job.pk}/file/").status_code == 404  # not written yet
    assert run_next(now=lambda: NOW).pk == job.pk
    job.refresh_from_db()
    assert (job.state, job.result["rows"]) == ("done", 12)
    done = client.get(f"/exports/{job.pk}/")
    assert f"/exports/{job.pk}/file/".encode() in done.content
    file = client.get(f"/exports/{job.pk}/file/")
    sheet = load_workbook(io.BytesIO(file.content)).active
    assert sheet.max_row == 13
    exported = {r[1] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert exported == {f"{v.child_iin[:6]}****{v.child_iin[-2:]}" for v in vouchers}
    read = AuditEntry.objects.filter(action="children.read", object_id="export:edu-vouchers").get()
    assert set(read.children) == {v.pk for v in vouchers}
    other = client_of(make_user("edu2", Role.EDU, taraz))
    assert other.get(f"/exports/{job.pk}/file/").status_code == 403
    assert other.get(f"/exports/{job.pk}/").status_code == 403


def test_a_page_of_children_is_an_audited_read(edu) -> None:
    # covers: A3
    taraz, client = edu
    vouchers = [make_voucher(taraz, 10 + 4 * i) for i in range(3)]
    client.get("/edu/vouchers/", {"q": vouchers[1].child_iin})
    read = AuditEntry.objects.filter(action="children.read", object_id="list:edu-vouchers").get()
    assert read.children == [vouchers[1].pk]


def test_another_city_s_rows_are_never_listed(edu) -> None:
    # covers: A3
    taraz, client = edu
    shymkent = pilot_city("shymkent")
    mine = make_voucher(taraz, 10)
    make_voucher(shymkent, 14)
    names = rows_of(client.get("/edu/vouchers/").content)
    assert len(names) == 1
    selection = listing.select(edu_lists.VOUCHERS, listing.Scope(city=taraz), {})
    assert list(selection.queryset()) == [mine]


def test_a_column_without_a_sort_is_not_sortable(edu) -> None:
    # covers: A5
    taraz, client = edu
    make_voucher(taraz, 10)
    page = client.get("/edu/vouchers/", {"sort": "iin"})  # the IIN column is not sortable
    assert page.status_code == 200 and len(rows_of(page.content)) == 1
    assert b'href="?sort=iin' not in page.content


def test_the_update_shows_what_it_changed(edu, clock_at) -> None:
    # covers: T3
    taraz, client = edu
    clock_at(dt.date(2024, 8, 1))
    apps = queue(taraz, 6)
    Application.objects.filter(pk__in=[a.pk for a in apps[:2]]).update(
        actualized_on=dt.date(2024, 7, 1))
    Application.objects.filter(pk__in=[a.pk for a in apps[2:]]).update(category=None,
                                                                       queue_number=None)
    done = client.post("/edu/queue/actualize/")
    assert done.status_code == 302 and done["Location"].endswith("?updated=2024-08-01")
    changed = Application.objects.filter(actualized_on=dt.date(2024, 8, 1)).count()
    assert changed >= 4
    page = client.get(done["Location"])
    assert len(rows_of(page.content)) == changed
    assert "01.08.2024" in page.content.decode()  # the update named by its day


@pytest.mark.parametrize("sort", ["number", "-number", "name", "-name", "born", "-born",
                                  "submitted", "-submitted", "state", "-state"])
def test_a_page_read_from_the_end_is_the_page_read_from_the_start(edu, sort) -> None:
    # covers: T3
    taraz, _client = edu
    apps = queue(taraz, 250)
    blank = [a.pk for a in apps[::7]]  # blanks (no category, no name) sort as the largest
    Application.objects.filter(pk__in=blank).update(category=None, queue_number=None,
                                                    child_name="")
    selection = listing.select(edu_lists.QUEUE, listing.Scope(city=taraz), {"sort": sort})
    everything = list(selection.queryset())
    assert len(everything) == 250
    for number in (1, 2, 3):
        page = listing.page(selection, number)
        assert [a.pk for a in page.object_list] == [a.pk for a in
                                                     everything[(number - 1) * 100:number * 100]]
    if sort == "number":
        assert {a.pk for a in everything[-len(blank):]} == set(blank)
    if sort == "-number":
        assert {a.pk for a in everything[:len(blank)]} == set(blank)


def test_a_list_opens_on_its_default_and_all_stays_all(edu) -> None:
    # covers: A7.18
    from goszakaz.finance.funding import city_accounts
    from goszakaz.finance.ledger import Spec, account, post
    from goszakaz.finance.models import AccountKind, TransferCode
    from goszakaz.reports.lists import bank as bank_lists
    taraz, _client = edu
    child = make_voucher(taraz, 10)
    budget, operator = city_accounts(taraz)
    post(Spec(id="budget/t", debit=budget.pk, credit=operator.pk, amount=1000,
              code=TransferCode.BUDGET, period="2024-04", city="taraz"), now=NOW)
    from goszakaz.registry.models import Bank, Membership
    halyk = Bank.objects.create(code="halyk", name="Halyk", bin="920140000084")
    mine = account(kind=AccountKind.CHILD, owner=str(child.pk), city="taraz", bank_id=halyk.pk)
    preschool = make_preschool(taraz, 3)
    school = account(kind=AccountKind.PRESCHOOL, owner=preschool.bin, city="taraz")
    for month in ("2024-04", "2024-05"):
        post(Spec(id=f"funding/{child.pk}/{month}", debit=operator.pk, credit=mine.pk,
                  amount=100, code=TransferCode.FUNDING, period=month, city="taraz"), now=NOW)
        post(Spec(id=f"payment/{child.pk}/{month}", debit=mine.pk, credit=school.pk,
                  amount=100, code=TransferCode.PAYMENT, period=month, city="taraz",
                  child=child.pk), now=NOW)
    spec = bank_lists.PAYMENTS
    scope = listing.Scope(bank="nobody")
    opened = listing.select(spec, scope, {})
    assert opened.chosen == {"month": "2024-05"}  # the last month paid
    everything = listing.select(spec, scope, {"month": ""})
    assert "month" not in everything.chosen
    assert "month=" in everything.query(page="2")  # the next page stays "all"
    assert listing.select(spec, scope, dict([everything.query(page="2").split("&")[0]
                                             .split("=")])).chosen == {}
    banker = make_user("halyk", Role.BANK)
    Membership.objects.filter(user=banker).update(bank=halyk)
    page = client_of(banker).get("/bank/payments/").content.decode()
    assert len(rows_of(page.encode())) == 1  # May's payment only: the last month paid
    assert preschool.name in page and "1,00" in page


def test_the_perechen_counts_contracts_in_force_today(edu, clock_at) -> None:
    # covers: A6
    from goszakaz.enrollment.models import Contract
    taraz, client = edu
    clock_at(dt.date(2024, 6, 10))
    school, empty = make_preschool(taraz, 3, capacity=4), make_preschool(taraz, 5, capacity=2)
    terms = [(dt.date(2024, 3, 1), None), (dt.date(2024, 3, 1), dt.date(2024, 5, 31)),
             (dt.date(2024, 7, 1), None), (dt.date(2024, 4, 1), dt.date(2024, 6, 10))]
    for i, (start, end) in enumerate(terms):
        Contract.objects.create(voucher=make_voucher(taraz, 10 + 4 * i), preschool=school,
                                signed_at=NOW, starts_on=start, ends_on=end)
    rows = {p.pk: (p.in_force, p.free) for p in listing.select(
        edu_lists.PERECHEN, listing.Scope(city=taraz), {"sort": "-in_force"}).queryset()}
    assert rows == {school.pk: (2, 2), empty.pk: (0, 2)}
    page = client.get("/edu/perechen/", {"sort": "-in_force"}).content.decode()
    assert page.index(school.name) < page.index(empty.name)
    assert "50\u00a0%" in page
