"""The `tenge` template filter: integer tiyn as the reader writes tenge, by page language."""

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
