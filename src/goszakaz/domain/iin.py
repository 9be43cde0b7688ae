"""IIN (individual) and BIN (business) identification numbers: structure and check digit."""

from __future__ import annotations

import datetime as dt
from operator import mul

_WEIGHTS_1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_ZERO_1 = 48 * sum(_WEIGHTS_1)
_ZERO_2 = 48 * sum(_WEIGHTS_2)
# The 7th digit of an IIN: century of birth and sex (odd = male, even = female).
_CENTURY = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


class InvalidNumber(ValueError):
    """An IIN or BIN that fails its structure or check digit; the message says which."""


def check_digit(first_eleven: str) -> int | None:
    """The check digit of 11 digits by the two-pass mod-11 rule; None when none exists."""
    if len(first_eleven) != 11 or not first_eleven.isascii() or not first_eleven.isdigit():
        raise InvalidNumber("a check digit needs exactly 11 digits")
    codes = first_eleven.encode("ascii")  # digit d has code 48 + d: subtract 48 * Σweights
    r: int = (sum(map(mul, _WEIGHTS_1, codes)) - _ZERO_1) % 11
    if r == 10:
        r = (sum(map(mul, _WEIGHTS_2, codes)) - _ZERO_2) % 11
        if r == 10:
            return None
    return r


def _twelve_digits(value: str, what: str) -> None:
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        raise InvalidNumber(f"{what} must be exactly 12 digits")
    expected = check_digit(value[:11])
    if expected is None:
        raise InvalidNumber(f"{what} has no valid check digit (such numbers are not issued)")
    if expected != ord(value[11]) - 48:
        raise InvalidNumber(f"{what} check digit is wrong")


def iin_birth_date(iin: str) -> dt.date:
    """The birth date encoded in a valid IIN; raises InvalidNumber with the reason."""
    _twelve_digits(iin, "IIN")
    century = _CENTURY.get(iin[6])
    if century is None:
        raise InvalidNumber("IIN 7th digit (century and sex) must be 1-6")
    try:
        return dt.date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        raise InvalidNumber("IIN does not start with a real birth date (YYMMDD)") from None


def validate_child_iin(iin: str, birth_date: dt.date) -> None:
    """A child's IIN must be valid and encode the birth date given for the child."""
    encoded = iin_birth_date(iin)
    if encoded != birth_date:
        raise InvalidNumber(
            f"IIN encodes birth date {encoded.isoformat()}, not {birth_date.isoformat()}"
        )


def validate_bin(bin_: str) -> None:
    """A BIN: 12 digits, YYMM of registration, entity type 4-6 in the 5th digit, check digit."""
    _twelve_digits(bin_, "BIN")
    if not 1 <= int(bin_[2:4]) <= 12:
        raise InvalidNumber("BIN month of registration (digits 3-4) must be 01-12")
    if bin_[4] not in "456":
        raise InvalidNumber("BIN 5th digit (type of entity) must be 4, 5 or 6")


def make_bin(serial: int) -> str:
    """A valid BIN of a legal entity registered 2015-06 with the first serial from `serial` that
    has a check digit (demo data, the simulated year, tests)."""
    while (digit := check_digit(head := f"15064{serial:06d}")) is None:
        serial += 1
    return head + str(digit)


def make_iin(birth_date: dt.date, serial: int, female: bool = False) -> str:
    """A valid IIN for a birth date and serial (demo data, tests, benchmarks); skips no-digit serials."""
    base = 1 + (birth_date.year // 100 - 18) * 2 + (1 if female else 0)
    for s in range(serial, serial + 10000):
        head = f"{birth_date:%y%m%d}{base}{s % 10000:04d}"
        digit = check_digit(head)
        if digit is not None:
            return head + str(digit)
    raise InvalidNumber("no valid IIN near this serial")  # pragma: no cover - cannot happen


def short_iin(iin: str) -> str:
    """An IIN with its middle masked, enough to tell two children born on one day apart:
    210210****57 (DESIGN rule 11: staff pages show no whole IIN)."""
    return f"{iin[:6]}****{iin[-2:]}" if len(iin) == 12 else iin[:6] + "******"
