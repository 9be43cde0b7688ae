"""The Taraz procedure on small hand-computed cases: quotas, rounds, military first, queue numbers."""

import datetime as dt
from fractions import Fraction as F

import pytest

from goszakaz.domain.allocation import (
    ALLOCATED,
    EXCLUDED,
    MILITARY,
    NO_CATEGORY,
    NOT_RESIDENT,
    WAITING,
    Application,
    allocate,
    quotas,
    seat_rounds,
)
from goszakaz.domain.explain import explain, explanation_text
from goszakaz.domain.iin import make_iin
from goszakaz.rules import load

RULES = load("taraz-2024")
K = (4, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1)  # Table 1
AS_OF = dt.date(2025, 3, 1)  # queue ages on 2025-07-01
AGE5, AGE4, AGE3 = dt.date(2020, 1, 10), dt.date(2021, 1, 10), dt.date(2022, 1, 10)
AGE2, AGE1 = dt.date(2023, 1, 10), dt.date(2024, 1, 10)


def per_category(default=0, **by_number):
    """A 16-tuple indexed by category number - 1, e.g. per_category(c1=3, c16=5)."""
    values = [default] * 16
    for key, value in by_number.items():
        values[int(key[1:]) - 1] = value
    return tuple(values)


def app(app_id, birth=AGE5, at="2024-01-01T09:00", *, resident=True, military=False,
        large=False, single=False, other=False, sibling=False):
    return Application(
        application_id=app_id,
        child_iin=make_iin(birth, sum(map(ord, app_id))),
        birth_date=birth,
        submitted_at=dt.datetime.fromisoformat(at),
        resides_in_city=resident,
        large_family=large,
        single_parent=single,
        other_susn=other,
        sibling_in_preschool=sibling,
        military_family=military,
    )


def by_id(apps, result):
    """application_id -> (category, queue number, seat order, status)."""
    return {
        a.application_id: (result.category[i], result.queue_number[i], result.seat_order[i],
                           result.status(i))
        for i, a in enumerate(apps)
    }


def test_first_iteration_shares_volume_over_all_16_coefficients():
    # covers: T1.4, I10
    q = quotas(per_category(100), K, 10)
    # Vp = 10*k/35: k=4 -> 8/7, k=3 -> 6/7, k=2 -> 4/7, k=1 -> 2/7; Vp < Sr so Vf = Vp
    expected = tuple(F(10 * k, 35) for k in K)
    assert q.vp == expected and q.vf == expected
    assert q.iterations == (expected,)
    # floors: 1 for category 1 only; 9 places left by remainder: 2, 3 (6/7), then 4..10 (4/7,
    # ties to the lower number); 11..15 (4/7), 16 (2/7) and 1 (1/7) get none
    assert q.whole == per_category(c1=1, c2=1, c3=1, c4=1, c5=1, c6=1, c7=1, c8=1, c9=1,
                                   c10=1)


def test_sum_of_k_counts_categories_without_applications():
    # covers: T1.4, T1.5, I9
    q = quotas(per_category(c16=100), K, 35)
    assert q.vp[15] == 1  # 35*1/35, not 35: Σk = 35 although only category 16 has demand
    assert q.iterations == (per_category(c16=F(1)), per_category(c16=F(35)))
    assert q.whole == per_category(c16=35)


def test_repetition_shares_only_what_is_left_in_proportion_to_k():
    # covers: T1.4, T1.5, T1.6, I9, I10
    q = quotas(per_category(c1=3, c5=100, c16=100), K, 70)
    # Vp = 2k: c1 8 -> Vf 3 (= Sr), c5 4, c16 2; left 70-9 = 61 over k 2:1
    # c5 = 4 + 61*2/3 = 134/3, c16 = 2 + 61/3 = 67/3; Σ = 3 + 67 = 70: done
    assert q.iterations == (
        per_category(c1=F(3), c5=F(4), c16=F(2)),
        per_category(c1=F(3), c5=F(134, 3), c16=F(67, 3)),
    )
    # floors 3 + 44 + 22 = 69; the last place to the larger remainder (c5: 2/3 > 1/3)
    assert q.whole == per_category(c1=3, c5=45, c16=22)


def test_every_iteration_is_kept_until_volume_is_used():
    # covers: T1.5, T1.6, I9
    q = quotas(per_category(c1=1, c2=10, c16=100), K, 35)
    # 1st: Vp = k: c1 4 -> 1, c2 3, c16 1; left 30 over k 3:1
    # 2nd: c2 3 + 22.5 -> capped at 10, c16 1 + 7.5 = 8.5; left 15.5, only c16 open
    # 3rd: c16 8.5 + 15.5 = 24
    assert q.vp == tuple(F(k) for k in K)
    assert q.iterations == (
        per_category(c1=F(1), c2=F(3), c16=F(1)),
        per_category(c1=F(1), c2=F(10), c16=F(17, 2)),
        per_category(c1=F(1), c2=F(10), c16=F(24)),
    )
    assert q.whole == per_category(c1=1, c2=10, c16=24)


def test_volume_above_demand_serves_every_application():
    # covers: T1.4, T1.6, I10
    q = quotas(per_category(c1=2, c3=5), K, 100)
    assert q.vf == per_category(c1=F(2), c3=F(5))
    assert len(q.iterations) == 1
    assert q.whole == per_category(c1=2, c3=5)


def test_largest_remainder_tie_goes_to_lower_category_number():
    # covers: I10
    q = quotas(per_category(c4=5, c5=5), K, 1)
    # Vp = 2/35 each, then the left 31/35 split 1:1 -> Vf = 1/2 each; one place: category 4
    assert q.vf == per_category(c4=F(1, 2), c5=F(1, 2))
    assert q.whole == per_category(c4=1)


def test_largest_remainder_with_all_categories_open():
    # covers: I10
    q = quotas(per_category(100), K, 2)
    # remainders 8/35 (c1), 6/35 (c2, c3 tie), 4/35...: places to c1 and c2
    assert q.whole == per_category(c1=1, c2=1)


def test_quotas_reject_negative_input():
    with pytest.raises(ValueError):
        quotas(per_category(1), K, -1)
    with pytest.raises(ValueError):
        quotas(per_category(-1), K, 1)


def test_seat_rounds_give_k_per_round_and_skip_exhausted_categories():
    # covers: T1.7, T1.8
    rounds = seat_rounds([9, 2, 0, 3], [4, 3, 2, 1])
    assert rounds == [
        (0, 4), (1, 2), (3, 1),  # round 1: category 2 gets its last 2; category 3 has none
        (0, 4), (3, 1),  # round 2: category 2 is used up and skipped
        (0, 1), (3, 1),  # round 3
    ]


def test_seat_rounds_on_table_1():
    # covers: T1.7, T1.8
    rounds = seat_rounds([2 * k for k in K], K)
    assert rounds == [(i, k) for i, k in enumerate(K)] * 2


def test_allocate_hands_out_seats_in_rounds_by_queue_order():
    # covers: T1.2, T1.7, T1.8
    apps = ([app(f"a{q}", AGE3, f"2024-01-0{q}T09:00", large=True) for q in range(1, 7)]
            + [app(f"b{q}", AGE5, f"2024-01-0{q}T09:00", other=True) for q in range(1, 6)]
            + [app(f"c{q}", AGE1, f"2024-01-0{q}T09:00") for q in range(1, 6)])
    result = allocate(apps, volume=100, as_of=AS_OF, rules=RULES)
    got = by_id(apps, result)
    # round 1: c1 4 (1-4), c2 3 (5-7), c16 1 (8); round 2: c1 2, c2 2, c16 1; then c16 alone
    expected_seats = {"a": [1, 2, 3, 4, 9, 10], "b": [5, 6, 7, 11, 12],
                      "c": [8, 13, 14, 15, 16]}
    expected_cat = {"a": 1, "b": 2, "c": 16}
    for prefix, seats in expected_seats.items():
        for q, seat in enumerate(seats, start=1):
            assert got[f"{prefix}{q}"] == (expected_cat[prefix], q, seat, ALLOCATED)


def test_non_resident_is_excluded_whatever_else():
    # covers: T1.1
    apps = [
        app("1", AGE3, "2023-01-01T00:00", resident=False, military=True, large=True),
        app("2", AGE5, "2023-01-01T00:00", resident=False, other=True),
        app("3", AGE5, "2024-06-01T00:00"),
    ]
    result = allocate(apps, volume=10, as_of=AS_OF, rules=RULES)
    got = by_id(apps, result)
    assert got["1"] == (None, None, None, EXCLUDED)
    assert got["2"] == (None, None, None, EXCLUDED)
    assert result.reason[:2] == (NOT_RESIDENT, NOT_RESIDENT)
    assert got["3"] == (5, 1, 1, ALLOCATED)
    assert result.military_applications == 0
    assert result.categories[1].applications == 0
    assert result.excluded() == {NOT_RESIDENT: 2, NO_CATEGORY: 0}


def test_age_3_without_status_is_excluded_not_dropped():
    # covers: I12, T1.1
    apps = [app("1", AGE3), app("2", AGE3, sibling=True)]
    result = allocate(apps, volume=5, as_of=AS_OF, rules=RULES)
    assert result.reason[0] == NO_CATEGORY and result.status(0) == EXCLUDED
    assert by_id(apps, result)["2"] == (10, 1, 1, ALLOCATED)
    assert result.excluded() == {NOT_RESIDENT: 0, NO_CATEGORY: 1}


def test_military_residents_first_by_submission_and_reduce_the_volume():
    # covers: T2, I13, T1.4
    apps = [
        app("m1", AGE3, "2024-03-01T10:00", military=True, large=True),
        app("m2", AGE5, "2024-03-01T08:00", military=True),
        app("m3", AGE1, "2024-03-01T09:00", military=True),
        app("c1", AGE5, "2024-01-03T09:00"),
        app("c2", AGE5, "2024-01-01T09:00"),
        app("c3", AGE5, "2024-01-02T09:00"),
    ]
    result = allocate(apps, volume=5, as_of=AS_OF, rules=RULES)
    got = by_id(apps, result)
    assert got["m2"] == (None, None, 1, ALLOCATED)
    assert got["m3"] == (None, None, 2, ALLOCATED)
    assert got["m1"] == (None, None, 3, ALLOCATED)
    assert result.reason[:3] == (MILITARY,) * 3
    assert (result.military_applications, result.military_seats) == (3, 3)
    assert result.categories[4].vp == F(2 * 2, 35)  # Vt = 5 - 3 military seats
    assert result.categories[0].applications == 0  # m1 is not in category 1
    assert got["c2"] == (5, 1, 4, ALLOCATED)
    assert got["c3"] == (5, 2, 5, ALLOCATED)
    assert got["c1"] == (5, 3, None, WAITING)
    assert result.allocated == 5


def test_military_beyond_the_volume_wait_and_categories_get_nothing():
    # covers: T2, I13
    apps = [
        app("m1", AGE4, "2024-03-01T10:00", military=True),
        app("m2", AGE4, "2024-03-01T08:00", military=True),
        app("m3", AGE4, "2024-03-01T09:00", military=True),
        app("c1", AGE5, "2023-01-01T09:00", large=True),
    ]
    result = allocate(apps, volume=2, as_of=AS_OF, rules=RULES)
    got = by_id(apps, result)
    assert [got[m][2] for m in ("m1", "m2", "m3")] == [None, 1, 2]
    assert result.status(0) == WAITING
    assert got["c1"] == (1, 1, None, WAITING)
    assert result.categories[0].seats == 0 and result.categories[0].cutoff_queue_number is None


def test_queue_numbers_by_submission_then_numeric_id():
    # covers: T1.2, I15
    apps = [
        app("10", AGE5, "2024-02-01T12:00"),
        app("9", AGE5, "2024-02-01T12:00"),
        app("100", AGE5, "2024-02-01T12:00"),
        app("7", AGE5, "2024-02-01T11:59"),
        app("8", AGE4, "2024-02-01T12:01"),
        app("11", AGE4, "2024-01-01T00:00"),
    ]
    result = allocate(apps, volume=0, as_of=AS_OF, rules=RULES)
    queue = {a.application_id: result.queue_number[i] for i, a in enumerate(apps)}
    # as text "10" < "100" < "9"; as numbers 9 < 10 < 100
    assert queue == {"7": 1, "9": 2, "10": 3, "100": 4, "11": 1, "8": 2}
    assert result.category == (5, 5, 5, 5, 8, 8)


def test_category_follows_age_on_the_as_of_date_keeping_submission_time():
    # covers: T3, T4, T1.2
    moving = app("a", dt.date(2022, 3, 1), "2023-01-01T09:00", large=True)
    other = app("b", dt.date(2021, 3, 1), "2024-01-01T09:00", large=True)
    earlier = allocate([moving, other], volume=0, as_of=dt.date(2024, 3, 1), rules=RULES)
    later = allocate([moving, other], volume=0, as_of=dt.date(2025, 3, 1), rules=RULES)
    # 2024-07-01: a is 2 -> category 6; b is 3 -> category 1
    assert earlier.category == (6, 1) and earlier.queue_number == (1, 1)
    # 2025-07-01: a is 3 -> category 1, ahead of b by its original submission time
    assert later.category == (1, 1) and later.queue_number == (1, 2)


def test_category_follows_a_change_of_status_keeping_submission_time():
    # covers: T3, T1.2
    before = app("a", AGE4, "2023-05-01T09:00")
    after = app("a", AGE4, "2023-05-01T09:00", other=True)
    rival = app("b", AGE4, "2024-01-01T09:00", other=True)
    first = allocate([before, rival], volume=0, as_of=AS_OF, rules=RULES)
    second = allocate([after, rival], volume=0, as_of=AS_OF, rules=RULES)
    assert first.category == (8, 4) and first.queue_number == (1, 1)
    assert second.category == (4, 4) and second.queue_number == (1, 2)


def explained(lang, index):
    apps = [app(str(q), AGE5, f"2024-01-0{q}T09:00") for q in range(1, 5)]
    apps.append(app("5", AGE5, resident=False))
    result = allocate(apps, volume=3, as_of=AS_OF, rules=RULES)
    e = explain(result, index, apps[index], RULES)
    return e, explanation_text(e, RULES, lang)


def test_explanation_of_a_waiting_application():
    # covers: T1.2, T4
    e, _ = explained("en", 3)
    assert (e.category, e.queue_number, e.category_seats, e.cutoff_queue_number) == (5, 4, 3, 3)
    assert (e.age, e.age_reference, e.status, e.seat_order) == (5, dt.date(2025, 7, 1),
                                                                WAITING, None)


@pytest.mark.parametrize(
    ("lang", "phrases"),
    [
        ("en", ["Category 5:", "Queue number within the category: 4.",
                "Places for the category: 3;", "queue numbers 1-3", "01.07.2025"]),
        ("ru", ["Категория 5:", "Номер в очереди категории: 4.", "Мест для категории: 3;",
                "номерами 1–3", "01.07.2025"]),
        ("kk", ["5-санат:", "кезегіндегі нөмірі: 4.", "орындар: 3;", "1–3 нөмірлі",
                "01.07.2025"]),
    ],
)
def test_explanation_text_names_category_queue_seats_and_cutoff(lang, phrases):
    # covers: T1.2, T4
    _, text = explained(lang, 3)
    for phrase in phrases:
        assert phrase in text


def test_explanation_text_of_allocated_and_non_resident():
    # covers: T1.1
    _, text = explained("en", 1)
    assert "Queue number within the category: 2." in text
    assert "order of offering: 2" in text
    e, text = explained("en", 4)
    assert e.status == EXCLUDED and e.queue_number is None
    assert "does not live in the city" in text and "Queue number" not in text
