"""The operator's month per city (issue 12): the banks' lists, the funding request, the transfer,
the distribution and the settlement, each with its deadline and whether it was kept."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from goszakaz.access.actor import Actor
from goszakaz.attendance.services import auto_confirm, mark
from goszakaz.banking.models import ChildAccount
from goszakaz.banking.services import receive_monthly_list
from goszakaz.finance.funding import build_request, distribute, transfer_to_operator
from goszakaz.finance.month_deadlines import meet_auto_confirmation, open_month
from goszakaz.registry.models import Bank, Role
from goszakaz.workflows.monthly_cycle import settle
from tests.factories import EDU, NOW, OPR, WORKING, make_user

D = dt.date


def rows(page: str, table: str) -> list[list[str]]:
    """The body rows of the page's table with this id, each as the text of its cells."""
    body = re.split(rf'<table id="{table}"[^>]*>', page, maxsplit=1)[1].split("</table>", 1)[0]
    return [[" ".join(re.sub(r"<[^>]*>", "", cell).split())
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)]


@pytest.fixture
def operator(db) -> Client:
    client = Client()
    client.cookies["django_language"] = "ru"
    client.force_login(make_user("opr", Role.OPR))
    return client


def _april(money_city) -> int:
    """Taraz's April 2024: the bank's list 3 days late, the request in time, the transfer and
    the distribution 3 days late, the sheets paid in time, the НОБД export never sent."""
    taraz, school, child, direct = money_city
    open_month(city=taraz, month="2024-04")
    accounts = dict(ChildAccount.objects.values_list("voucher_id", "pk"))
    receive_monthly_list(bank=Bank.objects.get(code="halyk"), month="2024-04",
                         opened=[accounts[child.pk]], not_registered=[accounts[direct.pk]],
                         received_on=D(2024, 4, 8), actor=Actor.system(Role.BANK), now=NOW)
    request = build_request(city=taraz, month="2024-04", on=D(2024, 4, 10), actor=OPR, now=NOW)
    transfer_to_operator(request=request, on=D(2024, 4, 15), actor=EDU, now=NOW)
    distribute(request=request, on=D(2024, 4, 15), actor=OPR, now=NOW)
    for v in (child, direct):
        mark(voucher=v, day=D(2024, 4, 2), code="P", preschool_id=school.pk,
             is_working_day=WORKING, actor=Actor.system(Role.PRE), now=NOW)
    auto_confirm(today=D(2024, 5, 1), now=NOW)
    meet_auto_confirmation(today=D(2024, 5, 1))
    settle(city=taraz, month="2024-04", on=D(2024, 5, 2), actor=OPR, now=NOW)
    return request.pk


def test_the_months_steps_with_their_deadlines_kept_or_late(money_city, operator,
                                                             clock_at) -> None:
    # covers: A7.9, A7.11, A7.12, A7.14, A7.18, A7.17
    clock_at(D(2024, 5, 20))
    request = _april(money_city)
    operator.cookies["django_language"] = "en"  # the words as written in the code
    html = operator.get("/operator/cycle/?city=taraz&month=2024-04").content.decode()
    steps = rows(html, "cycle-taraz")
    assert [s[1:5] for s in steps] == [
        ["A7.9", "05.04.2024", "08.04.2024", "late by 3 days"],
        ["A7.11", "10.04.2024", "10.04.2024", "met"],
        ["A7.12", "12.04.2024", "15.04.2024", "late by 3 days"],
        ["A7.12", "12.04.2024", "15.04.2024", "late by 3 days"],
        ["A7.14", "01.05.2024", "01.05.2024", "met"],
        ["A7.18", "02.05.2024", "02.05.2024", "met"],  # the first working day after April
        ["A7.17", "17.05.2024", "—", "open, 3 days overdue"]]
    assert "Halyk" in steps[0][0]
    assert f'href="/funding/{request}/"' in html and "120\u00a0000,00 ₸" in html
    assert "Taraz" in html and "April 2024" in html and ">taraz<" not in html
    operator.cookies["django_language"] = "ru"
    html = operator.get("/operator/cycle/?city=taraz&month=2024-04").content.decode()
    assert "Тараз — Апрель 2024" in html and len(rows(html, "cycle-taraz")) == 7


def test_every_city_of_the_month_by_default_and_the_december_sweep(money_city, operator,
                                                                  clock_at) -> None:
    # covers: A7.18, A7.11
    clock_at(D(2024, 12, 10))
    taraz = money_city[0]
    open_month(city=taraz, month="2024-12")
    operator.cookies["django_language"] = "en"
    html = operator.get("/operator/cycle/").content.decode()  # today's month, every city
    assert "Taraz — December 2024" in html
    steps = rows(html, "cycle-taraz")
    # nothing done yet: the request not due before the bank's list, the sweep due in January
    assert steps[-1][:5] == ["The balances of 1 January back to the operator", "A7.18",
                             "10.01.2025", "—", "open"]
    assert [s[5] for s in steps if s[1] == "A7.11"] == ["no request yet"]
    assert "overdue" in steps[0][4]  # the bank's list was due on the 5th
    # a month outside a city's pilot period shows no row of it; a wrong filter is told
    early = operator.get("/operator/cycle/?month=2024-01").content.decode()
    assert 'id="cycle-taraz"' not in early
    wrong = operator.get("/operator/cycle/?month=1999-01&city=nowhere")
    assert wrong.status_code == 200 and "<table" not in wrong.content.decode()


def test_only_the_operator_sees_the_month(money_city, edu_taraz) -> None:
    # covers: A3
    for user in (edu_taraz, make_user("bank", Role.BANK), make_user("pre", Role.PRE),
                 make_user("par", Role.PAR, iin="880203300456")):
        client = Client()
        client.force_login(user)
        assert client.get("/operator/cycle/").status_code == 403
