"""Money as integer tiyn (1 tenge = 100 tiyn): exact parsing, formatting and half-up division."""

from __future__ import annotations

import re

TIYN_PER_TENGE = 100

# ASCII digits only (str.isdigit would let "٣" or "²" through); at most two decimals.
_AMOUNT = re.compile(r"(?P<tenge>[0-9]+)(?:\.(?P<tiyn>[0-9]{1,2}))?")
_MAX_DIGITS = 18  # a quintillion tiyn: far above any budget, far below int() string limits


def parse_tiyn(text: str) -> int:
    """Tenge written as "60000.00", "60000" or "60000.5" -> integer tiyn (6000000, 6000050).

    Exact: no float ever sees the value. Rejects with ValueError, naming the text, anything
    that is not a non-negative amount with at most two decimals: negatives, signs, exponents,
    thousands separators, spaces, three or more decimals, a bare "." or an empty string.
    """
    if not isinstance(text, str):
        raise ValueError(f"an amount must be a string like \"60000.00\", not {text!r}")
    m = _AMOUNT.fullmatch(text)
    if m is None:
        if text.startswith("-"):
            raise ValueError(f"amount {text!r} is negative")
        if re.fullmatch(r"[0-9]+\.[0-9]{3,}", text):
            raise ValueError(f"amount {text!r} has more than 2 decimals (tiyn)")
        raise ValueError(f"amount {text!r} is not a number of tenge like \"60000.00\"")
    tenge, tiyn = m.group("tenge"), m.group("tiyn") or "0"
    if len(tenge.lstrip("0")) > _MAX_DIGITS:
        shown = text if len(text) <= 24 else text[:21] + "..."
        raise ValueError(f"amount {shown!r} is too large (more than {_MAX_DIGITS} digits of tenge)")
    return int(tenge) * TIYN_PER_TENGE + int(tiyn.ljust(2, "0"))


def format_tiyn(tiyn: int) -> str:
    """Integer tiyn -> tenge with exactly two decimals: 5727273 -> "57272.73", -5 -> "-0.05"."""
    if isinstance(tiyn, bool) or not isinstance(tiyn, int):
        raise TypeError(f"tiyn must be an int, not {type(tiyn).__name__}")
    sign = "-" if tiyn < 0 else ""
    tenge, rest = divmod(abs(tiyn), TIYN_PER_TENGE)
    return f"{sign}{tenge}.{rest:02d}"


def format_tenge(tiyn: int) -> str:
    """Integer tiyn as the reader writes tenge, the same in ru, kk and en (docs/readings.md,
    "Formats"): 5727273 -> "57\u00a0272,73 ₸" (a no-break space between thousands, a decimal
    comma)."""
    whole, cents = format_tiyn(tiyn).split(".")
    sign, digits = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    return f"{sign}{int(digits):,}".replace(",", NBSP) + f",{cents} ₸"


NBSP = "\u00a0"  # the thousands separator of ru and kk amounts, kept on one line


def mul_div_round_half_up(a: int, b: int, c: int) -> int:
    """a * b / c rounded half up, in integers only: the one rounding of an amount (I4).

    Defined for a >= 0, b >= 0, c > 0 (amounts and day counts), where half up and half away
    from zero agree; anything else raises ValueError rather than pick a rounding for negatives.
    """
    for name, value in (("a", a), ("b", b), ("c", c)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be an int, not {type(value).__name__}")
    if a < 0 or b < 0:
        raise ValueError(f"a and b must be >= 0: {a}, {b}")
    if c <= 0:
        raise ValueError(f"the divisor must be > 0: {c}")
    quotient, remainder = divmod(a * b, c)
    return quotient + (1 if 2 * remainder >= c else 0)
