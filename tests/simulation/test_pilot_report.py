"""The results report (A15, P5) on a simulated part of the pilot: the money identity for the
whole and each city, every money figure against the simulation's own tally (A8 on what it
entered) and the system's own records, and the four formats."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
from collections import defaultdict
from pathlib import Path

import pytest
from django.apps import apps
from django.db.models import Sum
from openpyxl import load_workbook

from goszakaz.cli import main
from goszakaz.finance.models import (
    AccountKind,
    FundingLine,
    FundingRequest,
    LedgerAccount,
    Settlement,
    Transfer,
)
from goszakaz.reports.exports import to_json
from goszakaz.reports.money import BY_CODE
from goszakaz.reports.pilot import pilot_report
from goszakaz.simulation.run import Options, finish, play, start
from tests.factories import pilot_city

pytestmark = [pytest.mark.simulation, pytest.mark.django_db(transaction=True)]
D = dt.date
CITIES = ("shymkent", "taraz", "turkestan", "uralsk")
KEYS = ("budget_to_operator", "operator_to_children", "children_to_preschools",
        "operator_to_preschools", "returned_to_operator", "child_balances", "owed_to_preschools")


@pytest.fixture(autouse=True)
def _cities(settings: object, tmp_path: Path) -> None:
    settings.NOBD_EXPORT_DIR = tmp_path / "nobd"  # type: ignore[attr-defined]
    for code in CITIES:
        pilot_city(code)
    importlib.import_module("goszakaz.reports.migrations.0002_plan_schedule").seed(apps, None)


def identity(money: dict[str, int]) -> bool:
    return money["operator_to_children"] == (money["children_to_preschools"]
                                             + money["returned_to_operator"]
                                             + money["child_balances"])


def test_the_report_reconciles_with_the_tally_and_the_ledger(tmp_path: Path) -> None:
    # covers: A15, P5 (the analytical report from the system's own data), A7.18, A9, I18
    # The end of the year: every city onboarded on 18 November, three pilots end on 25 December,
    # the 1 January sweep; Uralsk goes on.
    options = Options(cities=list(CITIES), children=4, first=D(2024, 11, 18),
                      last=D(2025, 1, 9), seed=22)
    world = start(options, tmp_path)
    play(world, until=D(2024, 12, 20))
    middle = to_json(pilot_report(as_of=D(2024, 12, 20)))
    play(world, until=options.last)
    finish(world)
    as_of = world.day
    report = to_json(pilot_report(as_of=as_of))

    assert report["as_of"] == as_of.isoformat()
    assert sorted(report["cities"]) == sorted(CITIES)
    for data in (report, middle):  # the identity, today and on a day in the past
        assert list(data["money"]) == list(KEYS)
        assert identity(data["money"]), data["money"]
        for code in CITIES:
            city = data["cities"][code]["money"]
            assert list(city) == list(KEYS)
            assert all(isinstance(v, int) for v in city.values())
            assert identity(city), (code, city)
        for key in KEYS:
            assert data["money"][key] == sum(c["money"][key] for c in data["cities"].values())

    # against the tally: what A8 makes of what the simulation entered, per city and month, is
    # what the preschools were paid (from the accounts and directly, net of A9) or are owed
    assert report["money"]["returned_to_operator"] > 0  # this seed closes accounts (A10)
    assert report["money"]["operator_to_preschools"] > 0  # and pays directly (A7.9)
    earned = world.tally.earned()
    assert earned, "the simulation settled nothing"
    for code in CITIES:
        months = report["cities"][code]["months"]
        got = {m: v["money"]["children_to_preschools"] + v["money"]["operator_to_preschools"]
               + v["money"]["owed_to_preschools"] for m, v in months.items()}
        want = {m: due for (c, m), due in earned.items() if c == code}
        assert {m: v for m, v in got.items() if v} == {m: v for m, v in want.items() if v}, code
        money = report["cities"][code]["money"]
        assert (money["children_to_preschools"] + money["operator_to_preschools"]
                + money["owed_to_preschools"]) == sum(want.values())
        final = sum(v["sheets_final"] for v in months.values())
        assert final == world.tally.final_sheets().get(code, 0)
        # A7.18: a city whose pilot ended last year has nothing left on its children's accounts
        if world.cities[code].city.pilot_end is not None:
            assert money["child_balances"] == 0

    # the codes the report reads without a join go between the kinds it assumes
    seen = set(Transfer.objects.filter(code__in=list(BY_CODE))
               .values_list("code", "debit__kind", "credit__kind").distinct())
    assert all(BY_CODE[code] == (debit, credit) for code, debit, credit in seen), seen

    # against the system's own records besides the ledger's transfers
    by_city: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KEYS, 0))
    for code, to_accounts, direct in FundingRequest.objects.exclude(state="sent").values_list(
            "city__code", "to_accounts", "direct"):
        by_city[code]["budget_to_operator"] += to_accounts + direct
    # the requests' lines as calculated (A7.11, I5), for the accounts credited (a line of an
    # account closed before the distribution gets nothing)
    credited = set(Transfer.objects.filter(code="funding").values_list("id", flat=True))
    for code, voucher_id, month, amount in (FundingLine.objects.filter(
            request__state="distributed", direct=False, amount__gt=0)
            .values_list("request__city__code", "voucher_id", "request__month", "amount")):
        if f"funding/{voucher_id}/{month}" in credited:
            by_city[code]["operator_to_children"] += amount
    # what the settlements say was paid (an owed item may be paid later by the other payer:
    # a closed account's sheet by the operator, I18), so the two payers together
    for code, paid in Settlement.objects.values_list("city").annotate(n=Sum("paid")):
        by_city[code]["paid"] = paid
    for code, _kind, credits, debits in (LedgerAccount.objects.filter(kind=AccountKind.CHILD)
                                        .values_list("city", "kind").annotate(
                                            c=Sum("credits_posted"), d=Sum("debits_posted"))):
        by_city[code]["child_balances"] += credits - debits
    for s in Settlement.objects.all():
        by_city[s.city]["owed_to_preschools"] += max(0, s.due - s.paid)
    for code in CITIES:
        money = report["cities"][code]["money"]
        for key in ("budget_to_operator", "operator_to_children", "child_balances",
                    "owed_to_preschools"):
            assert money[key] == by_city[code][key], (code, key)
        assert (money["children_to_preschools"] + money["operator_to_preschools"]
                == by_city[code]["paid"]), code
        assert money["returned_to_operator"] == (money["operator_to_children"]
                                                 - money["children_to_preschools"]
                                                 - money["child_balances"])

    # the four formats, through the command
    for fmt in ("json", "html", "xlsx"):
        out = tmp_path / f"report.{fmt}"
        assert main(["report", "pilot", "--format", fmt, "--output", str(out),
                     "--as-of", as_of.isoformat()]) == 0
    assert json.loads((tmp_path / "report.json").read_text())["money"] == report["money"]
    html = (tmp_path / "report.html").read_text()
    assert "<svg" in html and "<script" not in html
    book = load_workbook(io.BytesIO((tmp_path / "report.xlsx").read_bytes()))
    assert len(book.sheetnames) >= 1 + 3 * len(CITIES)
