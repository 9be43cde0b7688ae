"""Queue age (T4, I14), Table 1 first-match categorization (TT1, T1.1), rule checks (I11, I12)."""

import datetime as dt
import itertools

import pytest

from goszakaz.domain.categories import categorize, check_rules, queue_age
from goszakaz.rules import load

RULES = load("taraz-2024")
NONE = (False, False, False, False)
LARGE = (True, False, False, False)
SINGLE = (False, True, False, False)
OTHER = (False, False, True, False)
SIBLING = (False, False, False, True)


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (dt.date(2020, 6, 30), dt.date(2025, 3, 1), 5),  # 5th birthday the day before 1 July
        (dt.date(2020, 7, 1), dt.date(2025, 3, 1), 5),  # 5th birthday on 1 July itself
        (dt.date(2020, 7, 2), dt.date(2025, 3, 1), 4),  # the day after: still 4
        (dt.date(2020, 7, 2), dt.date(2025, 12, 31), 4),  # any day of the year: same 1 July
        (dt.date(2020, 6, 30), dt.date(2025, 1, 1), 5),
        (dt.date(2020, 7, 1), dt.date(2024, 12, 31), 4),  # the year of the as-of date counts
        (dt.date(2020, 2, 29), dt.date(2025, 3, 1), 5),  # 29 Feb birth, non-leap year
        (dt.date(2020, 2, 29), dt.date(2024, 1, 15), 4),  # 29 Feb birth, leap year
        (dt.date(2024, 2, 29), dt.date(2024, 9, 1), 0),
        (dt.date(2024, 2, 29), dt.date(2025, 9, 1), 1),
        (dt.date(2021, 12, 31), dt.date(2025, 3, 1), 3),
        (dt.date(2022, 1, 1), dt.date(2025, 3, 1), 3),
        (dt.date(2024, 7, 15), dt.date(2024, 8, 1), 0),  # born after 1 July: 0, not -1
    ],
)
def test_queue_age_is_completed_years_on_1_july(birth, on, age):
    # covers: T4, I14
    assert queue_age(birth, on, RULES) == age


def test_rule_set_reference_day_is_1_july():
    # covers: T4, I14
    assert (RULES.age_reference_month, RULES.age_reference_day) == (7, 1)


def test_table_1_coefficients():
    # covers: TT1
    ks = tuple(c.coefficient for c in RULES.categories)
    assert tuple(c.number for c in RULES.categories) == tuple(range(1, 17))
    assert ks == (4, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1)
    assert RULES.total_coefficient == 35


@pytest.mark.parametrize(
    ("age", "flags", "expected"),
    [
        (3, LARGE, 1), (6, LARGE, 1), (5, (True, True, True, True), 1),
        (5, OTHER, 2), (5, (False, True, True, False), 2),
        (4, SINGLE, 3), (5, SINGLE, 3), (7, SINGLE, 3),
        (4, OTHER, 4), (6, OTHER, 4), (4, (False, True, True, False), 3),
        (5, NONE, 5), (5, SIBLING, 5), (6, NONE, 5),
        (2, LARGE, 6), (2, (True, True, True, True), 6),
        (3, SINGLE, 7), (3, OTHER, 7), (3, (False, True, False, True), 7),
        (4, NONE, 8), (4, SIBLING, 8),
        (2, SINGLE, 9), (2, OTHER, 9), (2, (False, True, False, True), 9),
        (3, SIBLING, 10),
        (2, SIBLING, 12),
        (1, LARGE, 13), (1, (True, True, False, False), 13),
        (2, NONE, 14),
        (1, SINGLE, 15), (1, OTHER, 15), (1, (False, False, True, True), 15),
        (1, NONE, 16), (0, NONE, 16), (0, LARGE, 16), (0, SINGLE, 16), (1, SIBLING, 16),
        (3, NONE, None),
    ],
)
def test_first_matching_category(age, flags, expected):
    # covers: TT1, T1.1, I12
    assert categorize(age, flags, RULES) == expected


def table_1(age, flags):
    """Table 1 of CLAUSES.md, written out independently: the first row that matches."""
    large, single, other, sibling = flags
    susn = large or single or other
    rows = [
        (1, large and age >= 3), (2, other and age == 5), (3, single and age >= 4),
        (4, other and age >= 4), (5, age >= 5), (6, large and age == 2),
        (7, susn and age >= 3), (8, age >= 4), (9, susn and age == 2),
        (10, sibling and age == 3), (11, susn and age == 2), (12, sibling and age == 2),
        (13, large and age == 1), (14, age == 2), (15, susn and age >= 1), (16, age <= 1),
    ]
    return next((n for n, meets in rows if meets), None)


def test_categorize_agrees_with_table_1_on_every_input():
    # covers: TT1, T1.1
    for age in range(0, 9):
        for flags in itertools.product((False, True), repeat=4):
            assert categorize(age, flags, RULES) == table_1(age, flags), (age, flags)


def test_check_rules_reports_category_11_unreachable_behind_6_and_9():
    # covers: I11
    report = check_rules(RULES)
    assert report.unreachable == (11,)
    assert report.shadowed_by == {11: (6, 9)}  # large family at 2 -> 6, other SUSN at 2 -> 9
    assert not report.clean


def test_check_rules_reports_age_3_without_status_as_unmatched():
    # covers: I12
    report = check_rules(RULES)
    assert report.unmatched == ((3, NONE),)


def test_rule_versions_carry_their_effective_date_and_source():
    # covers: O4
    assert RULES.effective_from == dt.date(2024, 3, 1)
    assert "Order No. 352" in RULES.source and "Order No. 53" in RULES.source
