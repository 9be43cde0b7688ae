"""Tariffs: the monthly norm and the parent fee are effective-dated data with history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from django.utils.translation import gettext

from goszakaz.access.actor import Actor
from goszakaz.audit.models import AuditEntry
from goszakaz.finance.tariffs import (
    TariffMissing,
    monthly_norm,
    parent_fee,
    set_norm,
    set_parent_fee,
)
from goszakaz.registry.models import Role
from tests.factories import NOW, make_preschool

D = dt.date


def test_the_norm_in_force_on_the_first_of_the_month(taraz) -> None:
    # covers: I4
    set_norm(city=taraz, age_group="preschool", stay_mode="full_day",
             effective_from=D(2024, 3, 1), amount=6_000_000, actor=Actor.system(Role.EDU), now=NOW)
    set_norm(city=taraz, age_group="preschool", stay_mode="full_day",
             effective_from=D(2024, 9, 15), amount=6_500_000, actor=Actor.system(Role.EDU), now=NOW)
    norm = {m: monthly_norm(city=taraz, age_group="preschool", stay_mode="full_day", month=m)
            for m in ("2024-03", "2024-09", "2024-10")}
    assert norm == {"2024-03": 6_000_000, "2024-09": 6_000_000, "2024-10": 6_500_000}
    with pytest.raises(TariffMissing):
        monthly_norm(city=taraz, age_group="early", stay_mode="full_day", month="2024-04")
    with pytest.raises(TariffMissing):
        monthly_norm(city=taraz, age_group="preschool", stay_mode="full_day", month="2024-02")


def test_a_correction_keeps_its_history(taraz) -> None:
    for amount in (6_000_000, 6_100_000):
        set_norm(city=taraz, age_group="early", stay_mode="half_day",
                 effective_from=D(2024, 3, 1), amount=amount, actor=Actor.system(Role.OPR), now=NOW)
    entries = AuditEntry.objects.filter(action="norm.set").order_by("pk")
    assert [(e.before, e.after["amount"]) for e in entries] == [
        (None, 6_000_000), ({"amount": 6_000_000}, 6_100_000)]


def test_the_parent_fee_per_preschool(taraz) -> None:
    # covers: A8.1
    school = make_preschool(taraz, 1)
    assert parent_fee(preschool=school, month="2024-04") == 0
    set_parent_fee(preschool=school, effective_from=D(2024, 4, 1), amount=1_500_000,
                   actor=Actor.system(Role.EDU), now=NOW)
    assert parent_fee(preschool=school, month="2024-04") == 1_500_000
    with pytest.raises(ValueError):
        set_parent_fee(preschool=school, effective_from=D(2024, 5, 1), amount=-1,
                       actor=Actor.system(Role.EDU), now=NOW)


def test_a_term_inside_the_year_needs_no_calendar_of_the_next() -> None:
    # covers: A7.4
    from goszakaz.deadlines.services import business_days_after

    assert business_days_after(D(2026, 11, 2), 5) == D(2026, 11, 9)


def test_the_city_sets_tariffs_on_its_page_and_a_paid_month_keeps_its_own(taraz, edu_taraz,
                                                                           shymkent) -> None:
    # covers: A8.1, A8.2, A3
    from django.test import Client

    from goszakaz.attendance.models import Sheet
    from goszakaz.finance.models import Norm, Settlement
    from goszakaz.finance.tariffs import TariffError
    from tests.factories import make_voucher

    school = make_preschool(taraz, 1)
    page = Client()
    page.force_login(edu_taraz)
    norm = {"kind": "norm", "norm-age_group": "preschool", "norm-stay_mode": "full_day",
            "norm-effective_from": "2024-03-01", "norm-amount": "60 000,50"}
    assert page.post("/tariffs/", norm).status_code == 302
    assert monthly_norm(city=taraz, age_group="preschool", stay_mode="full_day",
                        month="2024-04") == 6_000_050
    bad = page.post("/tariffs/", dict(norm, **{"norm-amount": "60000.001"}))
    assert "Укажите сумму в тенге" in bad.content.decode()  # a float never sees an amount
    fee = {"kind": "fee", "fee-preschool": school.pk, "fee-effective_from": "2024-04-01",
           "fee-amount": "15000"}
    assert page.post("/tariffs/", fee).status_code == 302
    html = page.get("/tariffs/").content.decode()
    assert "60\u00a0000,50 ₸" in html and "15\u00a0000,00 ₸" in html
    # the change in words, not its audit code (issue 12)
    with translation.override("ru"):
        assert gettext("parent fee set") in html and "parent_fee.set" not in html
    other = make_preschool(shymkent, 2)  # another city's preschool is not offered
    assert page.post("/tariffs/", dict(fee, **{"fee-preschool": other.pk})).status_code == 200
    assert parent_fee(preschool=other, month="2024-05") == 0

    # April is paid: its norm and fee stay; a change may start in May (A9 never reopens tariffs)
    voucher = make_voucher(taraz, 1)
    sheet = Sheet.objects.create(voucher=voucher, preschool=school, city="taraz",
                                 month="2024-04", days="." * 30, state="auto_confirmed")
    Settlement.objects.create(sheet=sheet, voucher=voucher, preschool=school, city="taraz",
                              month="2024-04", due=1, paid=1, parent_fee=0, payable_days=22,
                              direct=True, clauses=[], settled_on=D(2024, 5, 2))
    refused = page.post("/tariffs/", dict(norm, **{"norm-effective_from": "2024-04-01"}))
    assert "2024-04 уже оплачен" in refused.content.decode()
    with pytest.raises(TariffError):
        set_parent_fee(preschool=school, effective_from=D(2024, 3, 20), amount=0,
                       actor=Actor.system(Role.EDU), now=NOW)
    set_norm(city=taraz, age_group="preschool", stay_mode="full_day",
             effective_from=D(2024, 4, 15), amount=6_500_000, actor=Actor.system(Role.EDU), now=NOW)
    assert Norm.objects.filter(city=taraz).count() == 2
