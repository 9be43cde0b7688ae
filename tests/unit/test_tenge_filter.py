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
    ("en", 5_727_273, "57,272.73 ₸"),
    ("en", -123_456_789, "-1,234,567.89 ₸"),
])
def test_amounts_read_as_tenge(language: str, tiyn: int, text: str) -> None:
    with translation.override(language):
        assert tenge(tiyn) == text


def test_deadlines_read_in_the_page_language() -> None:
    from types import SimpleNamespace

    from goszakaz.web.templatetags.goszakaz import deadline_title

    d = SimpleNamespace(clause="A7.11", subject="funding/taraz/2024-04",
                        title="Заявка на финансирование за 2024-04")
    expected = {"ru": "Заявка на финансирование за 2024-04",
                "kk": "қаржыландыру өтінімі (taraz/2024-04)",
                "en": "the funding request (taraz/2024-04)"}
    for language, text in expected.items():
        with translation.override(language):
            assert deadline_title(d) == text


def test_the_months_new_deadlines_read_in_the_page_language() -> None:
    # covers: A7.14, A7.16
    from types import SimpleNamespace

    from goszakaz.web.templatetags.goszakaz import deadline_title

    auto = SimpleNamespace(clause="A7.14", subject="auto-confirm/2024-04",
                           title="Автоматическое подтверждение табелей за 2024-04")
    with translation.override("kk"):
        assert deadline_title(auto) == (
            "ата-анасы жауап бермеген табельдерді автоматты түрде растау (2024-04)")
    with translation.override("en"):
        assert deadline_title(SimpleNamespace(
            clause="A7.16", subject="sheet-reconfirm/7", title="x")) == (
            "the parent's confirmation of a corrected sheet (7)")
    with translation.override("ru"):
        assert deadline_title(auto) == auto.title
