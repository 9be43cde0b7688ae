"""Template filters: amounts as tenge and deadlines, by page language."""

from __future__ import annotations

import pytest
from django.utils import translation

from goszakaz.web.templatetags.goszakaz import tenge


@pytest.mark.parametrize(("language", "tiyn", "text"), [
    ("ru", 5_727_273, "57\u00a0272,73 ₸"),
    ("kk", 100_000_000_000, "1\u00a0000\u00a0000\u00a0000,00 ₸"),
    ("ru", -5, "-0,05 ₸"),
    ("ru", 0, "0,00 ₸"),
    ("en", 5_727_273, "57\u00a0272,73 ₸"),  # the same in every language (docs/readings.md)
    ("en", -123_456_789, "-1\u00a0234\u00a0567,89 ₸"),
])
def test_amounts_read_as_tenge(language: str, tiyn: int, text: str) -> None:
    with translation.override(language):
        assert tenge(tiyn) == text


@pytest.mark.django_db  # the city of a deadline's subject is named (issue 12: "uralsk" on a page)
def test_deadlines_read_in_the_page_language() -> None:
    from types import SimpleNamespace

    from goszakaz.web.templatetags.goszakaz import deadline_title

    d = SimpleNamespace(clause="A7.11", subject="funding/taraz/2024-04",
                        title="Заявка на финансирование за 2024-04")
    expected = {"ru": "Заявка на финансирование за Апрель 2024",
                "kk": "қаржыландыру өтінімі (Тараз, Сәуір 2024)",
                "en": "the funding request (Taraz, April 2024)"}
    for language, text in expected.items():
        with translation.override(language):
            assert deadline_title(d) == text


@pytest.mark.django_db
def test_the_months_new_deadlines_read_in_the_page_language() -> None:
    # covers: A7.14, A7.16
    from types import SimpleNamespace

    from goszakaz.web.templatetags.goszakaz import deadline_title

    auto = SimpleNamespace(clause="A7.14", subject="auto-confirm/2024-04",
                           title="Автоматическое подтверждение табелей за 2024-04")
    with translation.override("kk"):
        assert deadline_title(auto) == (
            "ата-анасы жауап бермеген табельдерді автоматты түрде растау (Сәуір 2024)")
    with translation.override("en"):
        assert deadline_title(SimpleNamespace(
            clause="A7.16", subject="sheet-reconfirm/7", title="x")) == (
            "the parent's confirmation of a corrected sheet (7)")
    with translation.override("ru"):
        assert deadline_title(auto) == "Автоматическое подтверждение табелей за Апрель 2024"


@pytest.mark.parametrize(("language", "text", "shown"), [
    ("ru", "60000.00", "60\u00a0000,00 ₸"),
    ("kk", "60000.0.", "60\u00a0000,00 ₸"),  # as SQLite's float remainder once wrote it
    ("ru", "5.7.", "5,07 ₸"),
    ("en", "1500.5", "1\u00a0500,50 ₸"),
    ("ru", "n/a", "n/a"),
])
def test_amounts_kept_as_text_read_as_tenge(language: str, text: str, shown: str) -> None:
    from goszakaz.web.templatetags.goszakaz import tenge_text

    with translation.override(language):
        assert tenge_text(text) == shown


def test_days_kept_as_iso_text_read_as_dd_mm_yyyy() -> None:
    from goszakaz.web.templatetags.goszakaz import date_text

    assert date_text("2024-12-01") == "01.12.2024"
    assert date_text("soon") == "soon"


def test_the_systems_own_reasons_read_in_words() -> None:
    # covers: A7.6 (issue 12: no code-written English on a page)
    from goszakaz.web.templatetags.goszakaz import why_label

    with translation.override("en"):
        assert why_label("account opened") == "the child's bank account is opened (A7.6)"
    assert why_label("Приказ № 5") == "Приказ № 5"  # a person's own words stay as written
