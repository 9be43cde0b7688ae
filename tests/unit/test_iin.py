"""IIN and BIN: 12 digits, birth date with century/sex digit, two-pass mod-11 check digit."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goszakaz.domain.iin import (
    InvalidNumber,
    check_digit,
    iin_birth_date,
    make_iin,
    validate_bin,
    validate_child_iin,
)

# 2020-05-15, 7th digit 5 (2000s, male), serial 0001:
# pass 1: 1*2+2*0+3*0+4*5+5*1+6*5+7*5+8*0+9*0+10*0+11*1 = 103 = 9*11+4 -> check digit 4
VALID_2020 = "200515500014"
# 2021-03-14, 7th digit 6 (2000s, female), serial 0001:
# pass 1: 1*2+2*1+3*0+4*3+5*1+6*4+7*6+0+0+0+11*1 = 98 = 8*11+10 -> 10, second pass
# pass 2: 3*2+4*1+5*0+6*3+7*1+8*4+9*6+0+0+0+2*1 = 123 = 11*11+2 -> check digit 2
VALID_SECOND_PASS = "210314600012"
# Same date, serial 0005: pass 1 = 142 = 12*11+10 -> 10;
# pass 2 = 3*2+4*1+6*3+7*1+8*4+9*6+2*5 = 131 = 11*11+10 -> 10 again: no check digit exists
NO_DIGIT_HEAD = "21031460005"
# 1999-01-01, 7th digit 3 (1900s, male), serial 0000:
# pass 1: 1*9+2*9+3*0+4*1+5*0+6*1+7*3+0+0+0+0 = 58 = 5*11+3 -> check digit 3
VALID_1999 = "990101300003"
# BIN registered 2018-03, 5th digit 4 (legal entity), 6th digit 0, serial 0000:
# pass 1: 1*1+2*8+3*0+4*3+5*4+0+... = 49 = 4*11+5 -> check digit 5
VALID_BIN = "180340000005"


def reference_check(first_eleven: str) -> int | None:
    """Independent two-pass mod-11 rule, written from the specification."""
    digits = [int(c) for c in first_eleven]
    for weights in (range(1, 12), (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)):
        r = sum(w * d for w, d in zip(weights, digits, strict=True)) % 11
        if r != 10:
            return r
    return None


def with_check(head: str) -> str:
    digit = reference_check(head)
    assert digit is not None
    return head + str(digit)


def test_hand_computed_iins_are_valid_and_encode_their_dates():
    assert iin_birth_date(VALID_2020) == dt.date(2020, 5, 15)
    assert iin_birth_date(VALID_SECOND_PASS) == dt.date(2021, 3, 14)
    assert iin_birth_date(VALID_1999) == dt.date(1999, 1, 1)


def test_check_digit_first_and_second_pass():
    assert check_digit(VALID_2020[:11]) == 4
    assert check_digit(VALID_SECOND_PASS[:11]) == 2
    assert check_digit(NO_DIGIT_HEAD) is None


def test_result_ten_twice_is_invalid_whatever_the_last_digit():
    for last in "0123456789":
        with pytest.raises(InvalidNumber, match="no valid check digit"):
            iin_birth_date(NO_DIGIT_HEAD + last)


def test_make_iin_skips_a_serial_without_check_digit():
    # serial 0005 has none (above); 0006: pass 1 = 153 -> 10, pass 2 = 133 = 12*11+1 -> 1
    assert make_iin(dt.date(2021, 3, 14), 5, female=True) == "210314600061"


@pytest.mark.parametrize(
    "value",
    ["20051550001", "2005155000140", "20051550001a", " 200515500014", "２00515500014",
     "٢00515500014", ""],
)
def test_not_twelve_ascii_digits_is_invalid(value):
    with pytest.raises(InvalidNumber, match="12 digits"):
        iin_birth_date(value)


def test_wrong_check_digit_is_invalid():
    with pytest.raises(InvalidNumber, match="check digit is wrong"):
        iin_birth_date("200515500015")


@pytest.mark.parametrize("seventh", "0789")
def test_seventh_digit_outside_1_to_6_is_invalid(seventh):
    with pytest.raises(InvalidNumber, match="7th digit"):
        iin_birth_date(with_check("200515" + seventh + "0001"))


@pytest.mark.parametrize(
    ("seventh", "year"), [("1", 1820), ("2", 1820), ("3", 1920), ("4", 1920), ("5", 2020),
                          ("6", 2020)],
)
def test_seventh_digit_gives_the_century(seventh, year):
    assert iin_birth_date(with_check("200515" + seventh + "0001")) == dt.date(year, 5, 15)


@pytest.mark.parametrize("yymmdd", ["201315", "200001", "200230", "210229", "200500"])
def test_not_a_real_birth_date_is_invalid(yymmdd):
    with pytest.raises(InvalidNumber, match="real birth date"):
        iin_birth_date(with_check(yymmdd + "50001"))


def test_leap_day_birth_date_is_valid():
    assert iin_birth_date(with_check("200229" + "60001")) == dt.date(2020, 2, 29)


def test_child_iin_must_agree_with_birth_date():
    validate_child_iin(VALID_2020, dt.date(2020, 5, 15))
    with pytest.raises(InvalidNumber, match="encodes birth date 2020-05-15, not 2020-05-16"):
        validate_child_iin(VALID_2020, dt.date(2020, 5, 16))
    with pytest.raises(InvalidNumber):
        validate_child_iin("200515500015", dt.date(2020, 5, 15))


def test_eleventh_digit_has_weight_eleven_so_pass_one_cannot_see_it():
    # The specification's rule, not a defect: 11*d = 0 (mod 11). 200515500024: pass 1 = 103 +
    # 11 = 114 = 10*11+4 -> 4, so changing the 11th digit of VALID_2020 keeps it valid.
    assert iin_birth_date("200515500024") == dt.date(2020, 5, 15)


def test_hand_computed_bin_is_valid():
    validate_bin(VALID_BIN)


@pytest.mark.parametrize("month", ["00", "13"])
def test_bin_month_must_be_01_to_12(month):
    with pytest.raises(InvalidNumber, match="month"):
        validate_bin(with_check("18" + month + "4000000"))


@pytest.mark.parametrize("fifth", "0123789")
def test_bin_fifth_digit_must_be_4_5_or_6(fifth):
    with pytest.raises(InvalidNumber, match="5th digit"):
        validate_bin(with_check("1803" + fifth + "000000"))


@pytest.mark.parametrize("fifth", "456")
def test_bin_fifth_digit_4_5_6_accepted(fifth):
    validate_bin(with_check("1803" + fifth + "000000"))


def test_bin_wrong_check_digit_or_length_is_invalid():
    with pytest.raises(InvalidNumber, match="check digit"):
        validate_bin("180340000006")
    with pytest.raises(InvalidNumber, match="12 digits"):
        validate_bin("18034000000")


birth_dates = st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2099, 12, 31))


@given(birth_dates, st.integers(0, 9999), st.booleans())
def test_make_iin_validates_and_encodes_the_date(birth_date, serial, female):
    iin = make_iin(birth_date, serial, female)
    assert iin_birth_date(iin) == birth_date
    validate_child_iin(iin, birth_date)
    assert int(iin[6]) % 2 == (0 if female else 1)
    assert reference_check(iin[:11]) == int(iin[11])


@given(birth_dates, st.integers(0, 9999), st.integers(0, 11), st.integers(1, 9))
def test_single_digit_change_matches_the_reference_rule(birth_date, serial, pos, delta):
    iin = make_iin(birth_date, serial)
    changed = iin[:pos] + str((int(iin[pos]) + delta) % 10) + iin[pos + 1:]
    try:
        encoded = iin_birth_date(changed)
    except InvalidNumber:
        encoded = None
    if pos not in range(6, 11):
        # Date digits and the check digit: a change is caught or changes the date.
        assert encoded != birth_date
    if encoded is not None:
        assert reference_check(changed[:11]) == int(changed[11])
    elif reference_check(changed[:11]) == int(changed[11]) and changed[6] in "123456":
        century = 1800 + (int(changed[6]) - 1) // 2 * 100
        with pytest.raises(ValueError):  # then only an impossible date makes it invalid
            dt.date(century + int(changed[:2]), int(changed[2:4]), int(changed[4:6]))
