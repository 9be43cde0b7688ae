"""The month-end load bench (bench/month_end.py) cannot rot unseen: its set-up at 50 children,
then one parent's visit as its locust user makes it (the URLs and form reading of
bench/month_end_flow.py), through the Django test client; and the sign-in its SignIn user does."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest
from django.test import Client

from goszakaz import clock
from goszakaz.attendance.models import Sheet, SheetState
from tests.factories import pilot_city

BENCH = Path(__file__).resolve().parents[2] / "bench"
BROWSER = {"secure": True, "HTTP_ORIGIN": "https://testserver"}  # behind the TLS proxy


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch, db: None) -> tuple[ModuleType, ModuleType]:
    monkeypatch.syspath_prepend(str(BENCH))
    pilot_city("taraz")
    return importlib.import_module("month_end"), importlib.import_module("month_end_flow")


def test_a_bench_parent_opens_the_month_and_confirms_it(bench) -> None:
    month_end, flow = bench
    parents = month_end.setup_city(50, 7, now=month_end.NOW_AT)
    assert len(parents) == 50 and Sheet.objects.filter(state=SheetState.OPEN).count() == 50
    (key, sheet, _), (_, other, _) = parents[0], parents[1]
    browser = Client(enforce_csrf_checks=True)
    browser.cookies["sessionid"] = key  # signed in already: the session the set-up made
    with clock.frozen(month_end.NOW_AT):  # the month's last day, 19:00
        page = browser.get(flow.month_page(sheet), **BROWSER)
        assert page.status_code == 200
        assert not flow.offers_confirm(page.content.decode(), other)  # only the own child
        path, fields = flow.confirm_form(page.content.decode(), sheet)
        answer = browser.post(path, fields, **BROWSER)
        assert answer.status_code == 302
        after = browser.get(answer["Location"], **BROWSER)
    assert after.status_code == 200 and not flow.offers_confirm(after.content.decode(), sheet)
    confirmed = Sheet.objects.get(pk=sheet)
    assert confirmed.state == SheetState.CONFIRMED and confirmed.parent_responded
    assert Sheet.objects.get(pk=other).state == SheetState.OPEN
    # the same tap as the page's htmx sends it: answered in place, no redirect
    other_key = parents[1][0]
    tablet = Client(enforce_csrf_checks=True)
    tablet.cookies["sessionid"] = other_key
    with clock.frozen(month_end.NOW_AT):
        page = tablet.get(flow.month_page(other), **BROWSER)
        path, fields = flow.confirm_form(page.content.decode(), other)
        answer = tablet.post(path, fields, **BROWSER, headers=flow.IN_PLACE)
    assert answer.status_code == 200 and flow.confirmed_in_place(answer.content.decode())
    assert "<html" not in answer.content.decode()  # the answer card only
    assert Sheet.objects.get(pk=other).state == SheetState.CONFIRMED


def test_a_bench_parent_signs_in(bench) -> None:
    month_end, flow = bench
    _, _, login = month_end.setup_city(50, 7, now=month_end.NOW_AT)[0]
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(flow.SIGN_IN, **BROWSER)
    signed = browser.post(flow.SIGN_IN, flow.sign_in_form(page.content.decode(), login,
                                                          month_end.PASSWORD), **BROWSER)
    assert signed.status_code == 302
