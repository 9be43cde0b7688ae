"""The demo of `make run`, built by the simulation (issue 13): it loads once, every role signs in
on a coherent history, and today's month is open in Uralsk."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from goszakaz import clock
from goszakaz.attendance.models import Sheet
from goszakaz.cli import demo
from goszakaz.enrollment.models import Voucher
from goszakaz.finance.models import Settlement
from goszakaz.finance.verify import verify
from goszakaz.registry.models import Membership

TODAY = dt.date(2026, 12, 7)


def signed_in(username: str) -> Client:
    """Signed in through the sign-in page, as a person does (axes needs the request)."""
    client = Client()
    page = client.post("/accounts/login/", {"username": username, "password": demo.PASSWORD})
    assert page.status_code == 302, username
    return client


@pytest.mark.django_db
def test_the_demo_is_a_simulated_history_every_login_reaches(taraz) -> None:
    # covers: A3, A14
    with clock.frozen(TODAY):
        # the past cities from November 2024 (the real demo: from March), to be quick
        assert demo.load(children=4, today=TODAY, past_from=dt.date(2024, 11, 1))
        assert not demo.load(children=4, today=TODAY)  # a second run changes nothing
        for username, *_ in demo.LOGINS:
            page = signed_in(username).get("/", follow=True)
            assert page.status_code == 200, username
        # the past cities' year is there, paid, and their pilot is over
        for city in demo.PAST:
            months = set(Settlement.objects.filter(city=city).values_list("month", flat=True))
            assert {"2024-11", "2024-12"} <= months, city
            assert not Sheet.objects.filter(city=city, month__gt="2024-12").exists()
        # Uralsk: its last four months behind today, today's month open for marking
        uralsk = set(Sheet.objects.filter(city="uralsk").values_list("month", flat=True))
        assert uralsk == {"2026-08", "2026-09", "2026-10", "2026-11", "2026-12"}
        assert Sheet.objects.filter(city="uralsk", month="2026-12", state="open").exists()
        parent = Membership.objects.get(user__username="parent")
        child = Voucher.objects.get(parent_iin=parent.iin, city__code="uralsk")
        cabinet = signed_in("parent").get("/parent/").content.decode()
        assert child.child_name in cabinet and "Декабрь 2026" in cabinet
        teacher = signed_in("teacher").get("/preschool/day/").content.decode()
        assert "07.12.2026" in teacher
        money = signed_in("operator").get("/oversight/money/").content.decode()
        assert "Ноябрь 2024" in money and "Ноябрь 2026" in money
    assert verify() == []
    assert signed_in("admin").get("/admin/").status_code == 200
