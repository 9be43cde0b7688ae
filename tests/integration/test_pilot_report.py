"""The results report (A15, P5) on a ledger made by hand: each flow mapped once, the identity on
any day, owed items as they stood, every city present, and the four formats safe to open."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import load_workbook

from goszakaz.attendance.models import Dispute, Sheet
from goszakaz.cli import main
from goszakaz.clock import KZ
from goszakaz.deadlines.models import Deadline
from goszakaz.finance.ledger import Spec, account, post
from goszakaz.finance.models import AccountKind, Settlement
from goszakaz.registry.models import City, Preschool
from goszakaz.reports.document import to_html
from goszakaz.reports.exports import to_json, to_xlsx
from goszakaz.reports.findings import findings
from goszakaz.reports.pilot import pilot_report
from tests.factories import make_preschool, make_voucher, pilot_city

pytestmark = pytest.mark.django_db
D = dt.date
CITIES = ["shymkent", "taraz", "turkestan", "uralsk"]
FORMULA = '=HYPERLINK("http://example.com","x")'


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=KZ)


@pytest.fixture
def ledger(db: None) -> dict[str, object]:
    """Taraz: A funded and paid from its account, part given back by A9, its rest swept in May;
    B paid directly, short until May (I18); C paid directly, part taken back (A9)."""
    for code in CITIES:
        pilot_city(code)
    taraz = City.objects.get(code="taraz")
    school = make_preschool(taraz, 1, capacity=10)
    Preschool.objects.filter(pk=school.pk).update(name=FORMULA)
    a, b, c = make_voucher(taraz, 1), make_voucher(taraz, 5), make_voucher(taraz, 9)
    budget = account(kind=AccountKind.BUDGET, owner="taraz", city="taraz", no_overdraft=False)
    operator = account(kind=AccountKind.OPERATOR, owner="taraz", city="taraz")
    returns = account(kind=AccountKind.OPERATOR_RETURNS, owner="taraz", city="taraz")
    child = account(kind=AccountKind.CHILD, owner=str(a.pk), city="taraz")
    pre = account(kind=AccountKind.PRESCHOOL, owner=school.bin, city="taraz")
    m = "2024-04"
    for i, (debit, credit, amount, code, day, who) in enumerate([
            (budget, operator, 1200, "budget", D(2024, 4, 5), None),
            (operator, child, 600, "funding", D(2024, 4, 6), a),
            (child, pre, 500, "payment", D(2024, 5, 2), a),
            (pre, child, 100, "correction", D(2024, 5, 3), a),  # A9: given back to A
            (operator, pre, 300, "direct", D(2024, 5, 2), b),
            (operator, pre, 200, "direct", D(2024, 5, 2), c),
            (pre, operator, 50, "correction", D(2024, 5, 3), c),  # A9: given back for C
            (child, returns, 150, "sweep", D(2024, 5, 10), a),  # A10
            (operator, pre, 100, "direct", D(2024, 5, 12), b)]):  # B's owed item paid
        post(Spec(id=f"t{i}", debit=debit.pk, credit=credit.pk, amount=amount, code=code,
                  period=m, city="taraz", child=who.pk if who else None), now=at(day))
    days = "P" * 30
    for v, due, paid, direct, why in ((a, 400, 400, False, ""),
                                      (b, 400, 400, True, "operator_short"),
                                      (c, 150, 150, True, "")):
        sheet = Sheet.objects.create(voucher=v, preschool=school, city="taraz", month=m,
                                     days=days, state="confirmed", final_on=D(2024, 4, 30),
                                     parent_responded=True)
        Settlement.objects.create(sheet=sheet, voucher=v, preschool=school, city="taraz",
                                  month=m, due=due, paid=paid, parent_fee=0, payable_days=22,
                                  direct=direct, clauses=[], settled_on=D(2024, 5, 2),
                                  owed_because=why)
        if v == c:
            Sheet.objects.filter(pk=sheet.pk).update(state="upheld")
            Dispute.objects.create(sheet=sheet, reason="r", opened_on=D(2024, 4, 30),
                                   agreed=False, answered_on=D(2024, 5, 1))
    Deadline.objects.create(clause="A7.9", city="taraz", subject="lists/x", title="t",
                            opened_on=D(2024, 4, 1), due_on=D(2024, 4, 5), state="met",
                            met_on=D(2024, 4, 8))
    Deadline.objects.create(clause="A7.11", city="taraz", subject="funding/x", title="t",
                            opened_on=D(2024, 4, 1), due_on=D(2024, 4, 10))
    return {"school": school}


def test_every_flow_is_mapped_and_the_identity_holds_on_any_day(ledger: object) -> None:
    # covers: A15, P5, A9 (refunds net), A10 (returns), I18 (owed items as they stood)
    now = to_json(pilot_report(as_of=D(2024, 6, 1)))
    assert now["money"] == {
        "budget_to_operator": 1200, "operator_to_children": 600,
        "children_to_preschools": 400,  # 500 paid, 100 given back (A9)
        "operator_to_preschools": 550,  # 300 + 200 + 100 directly, 50 taken back (A9)
        "returned_to_operator": 150, "child_balances": 50, "owed_to_preschools": 0}
    before = to_json(pilot_report(as_of=D(2024, 5, 5)))
    assert before["money"] == {
        "budget_to_operator": 1200, "operator_to_children": 600, "children_to_preschools": 400,
        "operator_to_preschools": 450, "returned_to_operator": 0, "child_balances": 200,
        "owed_to_preschools": 100}  # B: due 400, paid 300 until 12 May
    assert before["cities"]["taraz"]["months"]["2024-04"]["money"]["owed_items"] == 1
    early = to_json(pilot_report(as_of=D(2024, 4, 5)))
    assert early["money"]["budget_to_operator"] == 1200
    assert early["money"]["operator_to_children"] == 0
    for data in (now, before, early):
        assert sorted(data["cities"]) == CITIES  # every configured city, with zeros
        for code in CITIES:
            money = data["cities"][code]["money"]
            assert money["operator_to_children"] == (money["children_to_preschools"]
                                                     + money["returned_to_operator"]
                                                     + money["child_balances"])
    assert now["cities"]["uralsk"]["money"] == dict.fromkeys(now["money"], 0)


def test_each_code_moves_between_the_kinds_the_report_reads_it_by(ledger: object) -> None:
    # the report reads budget, funding, payment, direct and sweep by their code alone
    from goszakaz.finance.models import Transfer
    from goszakaz.reports.money import BY_CODE

    seen = set(Transfer.objects.filter(code__in=list(BY_CODE))
               .values_list("code", "debit__kind", "credit__kind").distinct())
    assert {code for code, _d, _c in seen} == set(BY_CODE)
    assert all(BY_CODE[code] == (debit, credit) for code, debit, credit in seen)


def test_figures_per_month(ledger: object) -> None:
    # covers: A15 (confirmation shares, disputes, attendance per city and month)
    month = to_json(pilot_report(as_of=D(2024, 6, 1)))["cities"]["taraz"]["months"]["2024-04"]
    assert month["sheets_final"] == 3
    assert month["confirmed_by_parent"] == 2
    assert month["disputed"] == 1 and month["disputes_upheld"] == 1
    assert month["days"] == {"P": 90, "S": 0, "A": 0, "V": 0}


def test_deadlines_per_clause_and_month(ledger: object) -> None:
    # covers: A15 (the deadlines met and missed per clause), A7.9, A7.11
    taraz = to_json(pilot_report(as_of=D(2024, 6, 1)))["cities"]["taraz"]
    assert taraz["deadlines"]["A7.9"] == {"met": 0, "late": 1, "missed": 0, "open": 0, "due": 1}
    assert taraz["months"]["2024-04"]["deadlines"]["A7.11"]["missed"] == 1
    before = to_json(pilot_report(as_of=D(2024, 4, 6)))["cities"]["taraz"]["deadlines"]
    assert before["A7.9"]["missed"] == 1 and before["A7.11"]["open"] == 1  # not met yet
    with translation.override("en"):
        text = " ".join(f.finding for f in findings(pilot_report(as_of=D(2024, 6, 1))))
    assert "A7.11" in text and "A7.9" in text


def test_one_city_only(ledger: object) -> None:
    data = to_json(pilot_report(as_of=D(2024, 6, 1), city="taraz"))
    assert list(data["cities"]) == ["taraz"]
    assert data["money"] == data["cities"]["taraz"]["money"]


def test_html_is_one_file_with_no_external_reference(ledger: object) -> None:
    # covers: A15 (charts in the report)
    html = to_html(pilot_report(as_of=D(2024, 6, 1)))
    assert "<svg" in html and "<style>" in html  # charts and style inline
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"url\(", html)
    assert FORMULA not in html  # the name escaped as HTML
    assert "=HYPERLINK(&quot;" in html


def test_xlsx_has_a_sheet_per_table_and_no_formula(ledger: object) -> None:
    book = load_workbook(io.BytesIO(to_xlsx(pilot_report(as_of=D(2024, 6, 1)))))
    assert len(book.sheetnames) >= 1 + 3 * 4 + 3
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    values = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert "'" + FORMULA in values


def test_the_command_writes_every_format(ledger: object, tmp_path: Path) -> None:
    for fmt in ("json", "html", "xlsx", "pdf"):
        if fmt == "pdf":
            pytest.importorskip("weasyprint")
        out = tmp_path / f"r.{fmt}"
        assert main(["report", "pilot", "--format", fmt, "--output", str(out),
                     "--as-of", "2024-06-01", "--lang", "kk"]) == 0
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["as_of"] == "2024-06-01"
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert main(["report", "pilot", "--format", "json", "--output", str(tmp_path / "x"),
                 "--city", "almaty"]) == 2


def test_as_of_defaults_to_today(ledger: object, tmp_path: Path) -> None:
    from goszakaz import clock

    with clock.frozen(D(2024, 5, 5)):
        assert main(["report", "pilot", "--format", "json", "--output",
                     str(tmp_path / "r.json")]) == 0
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["as_of"] == "2024-05-05"
    assert data["money"]["owed_to_preschools"] == 100
