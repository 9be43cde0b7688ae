"""The operator's file of any child (issue 12): found by IIN or name, its history, contracts,
sheets and ledger transfers in words, dates and tenge; every read audited (DESIGN rule 11)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from goszakaz.access.actor import Actor
from goszakaz.attendance.models import SheetState
from goszakaz.attendance.services import auto_confirm, mark
from goszakaz.audit.models import AuditEntry
from goszakaz.domain.iin import short_iin
from goszakaz.enrollment.models import VoucherStatus
from goszakaz.enrollment.services import set_status
from goszakaz.finance.models import Transfer
from goszakaz.registry.models import Role
from goszakaz.reports.child_file import REASONS, reason_words
from goszakaz.workflows.monthly_cycle import settle
from tests.factories import NOW, OPR, WORKING, fund, make_user

D = dt.date


def rows(page: str, table: str) -> list[list[str]]:
    """The body rows of the page's table with this id, each as the text of its cells."""
    body = re.split(rf'<table id="{table}"[^>]*>', page, maxsplit=1)[1].split("</table>", 1)[0]
    return [[re.sub(r"[ \n]+", " ", re.sub(r"<[^>]*>", "", cell)).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)]


@pytest.fixture
def operator(db) -> Client:
    client = Client()
    client.cookies["django_language"] = "ru"
    client.force_login(make_user("opr", Role.OPR))
    return client


def _named(money_city):
    taraz, school, child, direct = money_city
    child.child_name, direct.child_name = "Иванова Айгерим", "Петров Пётр"
    child.save()
    direct.save()
    return taraz, school, child, direct


def test_the_operator_finds_a_child_by_iin_or_name_without_it_in_the_url(money_city,
                                                                        operator) -> None:
    # covers: A7.4
    _, _, child, direct = _named(money_city)
    by_iin = operator.post("/operator/children/", {"q": f" {child.child_iin} "})
    html = by_iin.content.decode()
    assert f'href="/operator/children/{child.pk}/"' in html
    assert f"/operator/children/{direct.pk}/" not in html
    found = html.split('<table id="found">', 1)[1]  # the box keeps what was typed; the list masks
    assert child.child_iin not in found and short_iin(child.child_iin) in found
    by_name = operator.post("/operator/children/", {"q": "айгерим иванова"}).content.decode()
    assert f'href="/operator/children/{child.pk}/"' in by_name and "Петров" not in by_name
    assert "Тараз" in by_name and ">taraz<" not in by_name  # the city by its name
    # the search read children's data: one row naming those shown, none for what found none
    reads = AuditEntry.objects.filter(action="children.read", object_id="page:operator-children")
    assert [r.children for r in reads.order_by("pk")] == [[child.pk], [child.pk]]
    nobody = operator.post("/operator/children/", {"q": "Нет Такого"}).content.decode()
    assert "Ребёнок не найден" in nobody or "No child found" in nobody
    assert reads.count() == 2


def test_opening_a_childs_file_shows_it_in_words_and_is_audited(money_city, operator) -> None:
    # covers: A7.12, A7.18, A7.9, A7.14
    taraz, school, child, _ = _named(money_city)
    fund(taraz, "2024-04", D(2024, 4, 8))
    mark(voucher=child, day=D(2024, 4, 2), code="P", preschool_id=school.pk,
         is_working_day=WORKING, actor=Actor.system(Role.PRE), now=NOW)
    auto_confirm(today=D(2024, 5, 1), now=NOW)
    settle(city=taraz, month="2024-04", on=D(2024, 5, 2), actor=OPR, now=NOW)
    set_status(voucher=child, to=VoucherStatus.VERIFIED, why="A7.4: НОБД", actor=OPR, now=NOW)
    before = AuditEntry.objects.count()
    html = operator.get(f"/operator/children/{child.pk}/").content.decode()
    # DESIGN rule 11: the read is audited, naming the child and the reader
    row = AuditEntry.objects.order_by("pk")[before:].get()
    assert (row.action, row.object_id, row.children, row.role, row.city) == (
        "children.read", "page:operator-child", [child.pk], "OPR", "taraz")
    assert "Иванова Айгерим" in html and child.child_iin not in html
    with translation.override("ru"):
        granted, verified = (escape(str(REASONS[w])) for w in ("city_list", "A7.4: НОБД"))
        auto = str(SheetState.AUTO_CONFIRMED.label)
    # the history: each state and its reason in words, with its date
    assert rows(html, "history") == [["01.12.2026", "—", "Выделен", granted],
                                     ["01.12.2026", "Выделен", "Проверен", verified]]
    # the contract: the preschool's name and its first day
    assert rows(html, "contracts")[0][:3] == [school.name, "01.12.2026", "01.04.2024"]
    # the sheet: the month, its state in words, the days by kind and the amount
    month, name, state, *days, paid_days, amount = rows(html, "sheets")[0]
    assert (month, name, state.split(" · ")[0]) == ("Апрель 2024", school.name, auto)
    assert (days, paid_days, amount) == (["1", "0", "0", "0"], "22", "60\u00a0000,00 ₸")
    # the ledger: the funding credited and the payment to the preschool, with the balance
    assert [(r[1], r[3], r[4], r[5]) for r in rows(html, "ledger")] == [
        ("Апрель 2024", "—", "+60\u00a0000,00 ₸", "60\u00a0000,00 ₸"),
        ("Апрель 2024", school.name, "−60\u00a0000,00 ₸", "0,00 ₸")]
    for transfer in Transfer.objects.filter(child=child):  # each amount opens its transfer
        assert f'href="/ledger/transfers/{transfer.pk}/"' in html


def test_another_role_reads_no_childs_file(money_city, edu_taraz) -> None:
    # covers: A3
    _, _, child, _ = money_city
    for user in (edu_taraz, make_user("par", Role.PAR, iin=child.parent_iin)):
        client = Client()
        client.force_login(user)
        assert client.get(f"/operator/children/{child.pk}/").status_code == 403
        assert client.post("/operator/children/", {"q": child.child_iin}).status_code == 403
    assert not AuditEntry.objects.filter(action="children.read").exists()


def test_a_reason_is_told_in_words() -> None:
    # covers: A7.5, A10
    assert reason_words("bank halyk", {"halyk": "Halyk Bank"}).endswith("(A7.5)")
    assert "Halyk Bank" in reason_words("bank halyk", {"halyk": "Halyk Bank"})
    assert reason_words("account_contract_ended", {}) != "account_contract_ended"
    assert reason_words("something new", {}) == "something new"
