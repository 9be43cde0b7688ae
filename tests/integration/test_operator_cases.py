"""The operator's risk cases (issue 12, A7.4): a case closes only by a protocol with its number,
date and text, which are kept and shown with the evidence and the history in words."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from goszakaz.audit.models import AuditEntry
from goszakaz.registry.models import Role
from goszakaz.verification.checks import Mismatch
from goszakaz.verification.models import Protocol, RiskCase, RiskCaseKind
from goszakaz.verification.services import open_case
from tests.factories import NOW, OPR, make_user, make_voucher

D = dt.date


@pytest.fixture
def operator(db) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(make_user("opr", Role.OPR))
    return client


def _case(taraz, serial: int = 1, name: str = "Иванова Айгерим") -> RiskCase:
    voucher = make_voucher(taraz, serial)
    voucher.child_name = name
    voucher.save()
    case, _ = open_case(city=taraz, voucher=voucher, on=D(2024, 5, 6), actor=OPR, now=NOW,
                        mismatch=Mismatch(RiskCaseKind.BIRTH_DATE_DIFFERS, ours="2020-01-01",
                                          nobd="2020-01-02"))
    return case


def test_a_case_closes_only_by_a_protocol_with_number_date_and_text(taraz, operator,
                                                                    clock_at) -> None:
    # covers: A7.4
    clock_at(D(2024, 5, 20))
    case = _case(taraz)
    url = f"/operator/cases/{case.pk}/"
    page = operator.get(url).content.decode()
    # the evidence: both values, the subject by name (linked to its file), the age in days
    assert "01.01.2020" in page and "02.01.2020" in page and "Иванова Айгерим" in page
    assert f'href="/operator/children/{case.voucher_id}/"' in page and "14 days" in page
    assert "Taraz" in page and ">taraz<" not in page
    for missing in ("number", "dated", "note"):
        data = {"decision": "confirmed", "number": "П-12/2024", "dated": "2024-05-17",
                "note": "Справка ЦОН"}
        del data[missing]
        assert operator.post(url, data).status_code == 200
        assert RiskCase.objects.get(pk=case.pk).state == "open", missing
    # a protocol dated in the future, or before the case was opened, is refused
    for day in ("2024-05-21", "2024-05-05"):
        operator.post(url, {"decision": "confirmed", "number": "П-12/2024", "dated": day,
                            "note": "Справка ЦОН"})
        assert RiskCase.objects.get(pk=case.pk).state == "open", day
    done = operator.post(url, {"decision": "confirmed", "number": " П-12/2024 ",
                               "dated": "2024-05-17", "note": "Справка ЦОН\nвторая строка"},
                         follow=True).content.decode()
    protocol = Protocol.objects.get(case=case)
    assert (protocol.number, protocol.date, protocol.note) == (
        "П-12/2024", D(2024, 5, 17), "Справка ЦОН\nвторая строка")
    assert RiskCase.objects.get(pk=case.pk).closed_on == D(2024, 5, 20)
    assert '<span id="protocol-number">П-12/2024</span>' in done and "17.05.2024" in done
    assert "Справка ЦОН<br>вторая строка" in done and 'id="decide"' not in done
    # the history in words: the states' names, the role's name, the protocol's number
    assert "<td>data confirmed by protocol</td>" in done and ">confirmed<" not in done
    assert "<td>operator</td>" in done and ">OPR<" not in done
    assert "protocol № П-12/2024" in done
    # a second case cannot take the same number: told, nothing changes
    other = _case(taraz, serial=5, name="Петров Пётр")
    again = operator.post(f"/operator/cases/{other.pk}/", {
        "decision": "confirmed", "number": "П-12/2024", "dated": "2024-05-17",
        "note": "другая"}).content.decode()
    assert "is recorded already" in again
    assert RiskCase.objects.get(pk=other.pk).state == "open"
    assert AuditEntry.objects.filter(action="risk_case.read", object_id=str(case.pk)).exists()


def test_the_evidence_is_told_in_words() -> None:
    # covers: A7.9, A7.16
    from django.utils import translation

    from goszakaz.web.verification_views import evidence_words

    with translation.override("en"):
        assert evidence_words("account 3 not open") == "account 3 is not open"
        assert evidence_words("account 3 closed 2024-05-10") == "account 3 closed on 10.05.2024"
        assert evidence_words("2024-04") == "April 2024"
        assert evidence_words("2020-01-02") == "02.01.2020"
        assert evidence_words("2020-13-02") == "2020-13-02"  # no date: as it is
        assert evidence_words("Иванова Айгерим") == "Иванова Айгерим"
        assert evidence_words(None) == ""


def _list(html: str) -> list[list[str]]:
    body = html.split('class="staff-list"', 1)[1].split("</tbody>", 1)[0].split("<tbody>", 1)[1]
    return [[re.sub(r"<[^>]*>", "", cell).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_the_cases_filter_by_kind_state_city_and_age(taraz, operator, clock_at) -> None:
    # covers: A7.4, A7.9
    from goszakaz.registry.models import City
    from tests.factories import make_preschool, pilot_city

    clock_at(D(2024, 6, 30))
    shymkent = pilot_city("shymkent")
    fresh = _case(taraz)  # opened 06.05.2024: 55 days old
    closed = _case(taraz, serial=5, name="Петров Пётр")
    old = RiskCase.objects.create(city=taraz, voucher=make_voucher(taraz, 9),
                                  kind=RiskCaseKind.PARENT_NOT_REGISTERED,
                                  opened_on=D(2024, 3, 1), key="t-old", found={"ours": "2024-03"})
    school = RiskCase.objects.create(city=shymkent, preschool=make_preschool(shymkent, 3),
                                     kind=RiskCaseKind.BIN_UNKNOWN, opened_on=D(2024, 6, 28),
                                     key="t-school")
    operator.post(f"/operator/cases/{closed.pk}/", {"decision": "confirmed", "number": "П-1",
                                                    "dated": "2024-06-30", "note": "ok"})

    def ids(query: str) -> list[str]:
        return [r[0] for r in _list(operator.get("/operator/cases/" + query).content.decode())]

    # the page opens on the open cases, the oldest first
    assert ids("") == [str(old.pk), str(fresh.pk), str(school.pk)]
    assert ids("?state=") == [str(old.pk), str(fresh.pk), str(closed.pk), str(school.pk)]
    assert ids("?state=confirmed") == [str(closed.pk)]
    assert ids("?state=&kind=bin_unknown") == [str(school.pk)]
    assert ids("?state=&city=shymkent") == [str(school.pk)]
    assert ids("?state=open&age=31-90") == [str(fresh.pk)]
    assert ids("?state=open&age=91-") == [str(old.pk)]
    assert ids("?state=open&age=0-5") == [str(school.pk)]
    # the search: the child's IIN or its first digits, a name in any case, the preschool's BIN
    voucher = RiskCase.objects.get(pk=fresh.pk).voucher
    assert ids(f"?state=&q={voucher.child_iin}") == [str(fresh.pk)]
    assert ids("?state=&q=петров") == [str(closed.pk)]
    assert ids(f"?state=&q={school.preschool.bin}") == [str(school.pk)]
    # words, not codes: the city's name, the state, the protocol that closed it
    row = _list(operator.get("/operator/cases/?state=confirmed").content.decode())[0]
    assert row[1] == "Taraz" and row[2] == "Петров Пётр" and row[-1] == "П-1"
    assert City.objects.get(code="taraz").name_en == "Taraz"
    assert AuditEntry.objects.filter(action="children.read", object_id="list:operator-cases")


def test_the_export_holds_exactly_the_filtered_cases(taraz, operator, clock_at) -> None:
    # covers: A7.4
    import io

    from openpyxl import load_workbook

    clock_at(D(2024, 6, 30))
    cases = [_case(taraz, serial=s, name=n) for s, n in ((1, "Айгерим"), (5, "Болат"))]
    answer = operator.get("/operator/cases/?state=open&q=болат&export=xlsx")
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    body = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2]) for r in body] == [(cases[1].pk, "Болат")]
