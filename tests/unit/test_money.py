"""Money in integer tiyn: exact parsing of tenge strings, formatting, half-up division."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goszakaz.domain.money import format_tiyn, mul_div_round_half_up, parse_tiyn


@pytest.mark.parametrize(
    ("text", "tiyn"),
    [("60000.00", 6_000_000), ("60000", 6_000_000), ("60000.5", 6_000_050),
     ("60000.05", 6_000_005), ("0", 0), ("0.00", 0), ("0.01", 1), ("007.10", 710),
     ("15000.99", 1_500_099), ("123456789012345678.99", 12345678901234567899)],
)
def test_parse_exact(text: str, tiyn: int) -> None:
    assert parse_tiyn(text) == tiyn


@pytest.mark.parametrize(
    ("text", "needle"),
    [("60000.001", "more than 2 decimals"), ("-5.00", "negative"), ("-0", "negative"),
     ("abc", "not a number"), ("", "not a number"), (".5", "not a number"),
     ("5.", "not a number"), ("1e5", "not a number"), ("60 000", "not a number"),
     ("60,000.00", "not a number"), ("+5", "not a number"), (" 5", "not a number"),
     ("5 ", "not a number"), ("٣", "not a number"), ("nan", "not a number"),
     ("1" * 40, "too large")],
)
def test_parse_rejects_with_a_clear_message(text: str, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        parse_tiyn(text)


@pytest.mark.parametrize("value", [60000.0, 60000, None, b"5.00"])
def test_parse_rejects_non_strings(value: object) -> None:
    with pytest.raises(ValueError, match="must be a string"):
        parse_tiyn(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("tiyn", "text"),
    [(6_000_000, "60000.00"), (5_727_273, "57272.73"), (1, "0.01"), (10, "0.10"), (0, "0.00"),
     (-5, "-0.05"), (-123_456, "-1234.56")],
)
def test_format(tiyn: int, text: str) -> None:
    assert format_tiyn(tiyn) == text


def test_format_rejects_non_integers() -> None:
    with pytest.raises(TypeError):
        format_tiyn(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_tiyn(True)


@given(st.integers(0, 10**20 - 1))
def test_format_then_parse_round_trips(tiyn: int) -> None:
    assert parse_tiyn(format_tiyn(tiyn)) == tiyn


def test_mul_div_rounds_half_up() -> None:
    # covers: I4
    assert mul_div_round_half_up(6_000_000, 21, 22) == 5_727_273  # 5727272.72...
    assert mul_div_round_half_up(1, 11, 22) == 1  # exactly 0.5 -> up (not to even: 0)
    assert mul_div_round_half_up(5, 1, 2) == 3  # 2.5 -> 3 (banker's rounding would give 2)
    assert mul_div_round_half_up(7, 1, 2) == 4  # 3.5 -> 4
    assert mul_div_round_half_up(1, 1, 3) == 0
    assert mul_div_round_half_up(2, 1, 3) == 1
    assert mul_div_round_half_up(0, 5, 7) == 0


@given(st.integers(0, 10**15), st.integers(0, 400), st.integers(1, 400))
def test_mul_div_matches_exact_fractions(a: int, b: int, c: int) -> None:
    # covers: I4
    exact = Fraction(a * b, c)
    result = mul_div_round_half_up(a, b, c)
    assert result - Fraction(1, 2) <= exact < result + Fraction(1, 2)  # halves go up


@pytest.mark.parametrize(("a", "b", "c"), [(-1, 1, 1), (1, -1, 1), (1, 1, 0), (1, 1, -2),
                                           (1.0, 1, 1), (1, 1, True)])
def test_mul_div_rejects_what_it_does_not_define(a: object, b: object, c: object) -> None:
    with pytest.raises(ValueError):
        mul_div_round_half_up(a, b, c)  # type: ignore[arg-type]
