"""The demo data of `make run`: every role can sign in and reach its first page."""

from __future__ import annotations

import pytest
from django.test import Client

from goszakaz.cli import demo
from goszakaz.enrollment.models import Voucher


def signed_in(username: str) -> Client:
    """Signed in through the sign-in page, as a person does (axes needs the request)."""
    client = Client()
    page = client.post("/accounts/login/", {"username": username, "password": demo.PASSWORD})
    assert page.status_code == 302, username
    return client


@pytest.mark.django_db
def test_demo_loads_once_and_every_login_works(taraz) -> None:
    # covers: A3
    demo.load(n_applications=50)
    demo.load(n_applications=50)  # a second run changes nothing
    for username, *_ in demo.LOGINS:
        page = signed_in(username).get("/", follow=True)
        assert page.status_code == 200, username
    bank = signed_in("bank")
    assert bank.get("/bank/").content.decode().count("KZ...") == 1  # two are open
    parent = signed_in("parent")
    mine = Voucher.objects.get(parent_iin=demo.PARENT_IIN)
    statement = parent.get(f"/parent/children/{mine.pk}/statement/").content.decode()
    assert "60\u00a0000,00 ₸" in statement  # December 2024, two sick days: paid in full
    operator = signed_in("operator")
    assert "Декабрь 2024" in operator.get("/operator/funding/").content.decode()
    from goszakaz.finance.verify import verify

    assert verify() == []
