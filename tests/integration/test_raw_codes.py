"""No code reaches a staff page's text: states (`open`, `exclusion_requested`), audit actions
(`norm.set`) and city codes (`uralsk`) are shown in words, in ru and kk (issue 12)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps

from goszakaz.access.actor import Actor
from goszakaz.audit.actions import AuditAction
from goszakaz.cli import sample
from goszakaz.enrollment.models import Voucher
from goszakaz.queue.models import AllocationRun
from goszakaz.registry.models import City, Role
from goszakaz.verification.checks import Mismatch
from goszakaz.verification.models import RiskCase, RiskCaseKind
from goszakaz.verification.services import open_case, request_exclusion
from tests.integration.test_formats import VisibleText
from tests.pages import signed_in, urls_of

STAFF = ("edu-taraz", "edu-uralsk", "operator", "bank")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*[A-Za-z0-9]")  # "edu-taraz", a login, is one word
# a code that is also an everyday word of a label written in Latin letters ("IBAN", "k", "Vf")
NOT_CODES = {"k"}


def codes() -> set[str]:
    """Every code a person must not read: the values of the models' choices (states, kinds),
    the audit actions and the cities' codes."""
    found: set[str] = {str(a) for a in AuditAction} | set(City.objects.values_list("code",
                                                                                   flat=True))
    for model in apps.get_models():
        if not model.__module__.startswith("goszakaz."):
            continue
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "choices", None) or []:
                if isinstance(value, str) and WORD.fullmatch(value):
                    found.add(value)
    return found - NOT_CODES


def raw_codes(html: str, known: set[str]) -> list[str]:
    """The codes in a page's text (whole words, as written: "Open" in a sentence is no code).

    A text that is English prose (two or more lowercase English words that are no codes) is a
    message not translated yet (a new one waits for its .po entry): its words are words, not
    codes; a code shows as a cell's whole text or among Russian or Kazakh words."""
    parser = VisibleText()
    parser.feed(re.sub(r"<code>.*?</code>", "", html, flags=re.S))  # a file's columns: code
    found: set[str] = set()
    for part in parser.parts:
        words = WORD.findall(part)
        prose = [w for w in words if w not in known and w.islower() and len(w) > 1]
        if len(prose) < 2:
            found |= {w for w in words if w in known}
    return sorted(found)


@pytest.fixture
def demo_world(taraz) -> list[str]:
    """The demo, with what its pages show in every state: a risk case open and one whose
    exclusion is requested (Uralsk), a confirmed allocation and a preview (Taraz)."""
    sample.load(n_applications=50)
    uralsk = City.objects.get(code="uralsk")
    opr = Actor.system(Role.OPR)
    now = dt.datetime(2025, 1, 20, 10, 0, tzinfo=dt.UTC)
    first, second = Voucher.objects.filter(city=uralsk).order_by("pk")[:2]
    case, _ = open_case(city=uralsk, mismatch=Mismatch(RiskCaseKind.NOT_RESIDENT, ours="uralsk"),
                        voucher=first, on=dt.date(2025, 1, 20), actor=opr, now=now)
    request_exclusion(case=case, on=dt.date(2025, 1, 21), actor=opr, now=now)
    open_case(city=uralsk, mismatch=Mismatch(RiskCaseKind.NAME_DIFFERS, ours="uralsk"),
              voucher=second, on=dt.date(2025, 1, 20), actor=opr, now=now)
    return [f"/operator/cases/{c.pk}/" for c in RiskCase.objects.order_by("pk")]


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_no_staff_page_shows_a_raw_code(demo_world, language) -> None:
    # covers: A4, A7.4, A12, A13 (states and actions in words), DESIGN (names not IDs)
    known = codes()
    assert {"open", "exclusion_requested", "norm.set", "uralsk", "taraz"} <= known
    wrong = []
    assert AllocationRun.objects.exists()
    for login in STAFF:
        client = signed_in(login, language)
        extra = ["/edu/exclusions/"] if login.startswith("edu") else []
        extra += demo_world if login == "operator" else []
        for url in urls_of(login) + extra:
            page = client.get(url)
            assert page.status_code == 200, (login, url, page.status_code)
            found = raw_codes(page.content.decode(), known)
            wrong += [(login, url, found)] if found else []
    assert wrong == [], "\n".join(map(str, wrong))


def test_the_check_finds_codes_and_not_words() -> None:
    known = {"open", "exclusion_requested", "norm.set", "uralsk"}
    assert raw_codes("<p>Случай open, exclusion_requested; norm.set в uralsk</p>", known) == [
        "exclusion_requested", "norm.set", "open", "uralsk"]
    assert raw_codes("<td>open</td><td>Уральск</td>", known) == ["open"]
    assert raw_codes("<p>Open the account. Уральск, открыт</p>", known) == []
    assert raw_codes("<p>the account is open (not translated yet)</p>", known) == []
    assert raw_codes("<script>var s = 'open';</script><p title='open'>открыт</p>", known) == []
