"""Properties of quotas() and allocate() on generated demand and applications (hypothesis)."""

import datetime as dt
from fractions import Fraction
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from goszakaz.domain.allocation import MILITARY, Application, Quotas, allocate, quotas
from goszakaz.rules import load

RULES = load("taraz-2024")
K = tuple(c.coefficient for c in RULES.categories)
AS_OF = dt.date(2025, 3, 1)


def check_quotas(demand, coefficients, volume, q):
    served = min(volume, sum(demand))
    total_k = sum(coefficients)
    assert q.vp == tuple(Fraction(volume * k, total_k) for k in coefficients)
    assert sum(q.vf) == served
    assert q.iterations[-1] == q.vf
    assert sum(q.whole) == served
    for whole, vf, sr in zip(q.whole, q.vf, demand, strict=True):
        assert 0 <= whole <= sr
        assert abs(whole - vf) < 1
    open_levels = {vf / k for vf, k, sr in zip(q.vf, coefficients, demand, strict=True)
                   if vf < sr}
    assert len(open_levels) <= 1  # unsaturated categories: Vf proportional to k
    if open_levels:
        level = open_levels.pop()  # water-filling: saturated ones lie below the level
        assert all(sr <= level * k for vf, k, sr in zip(q.vf, coefficients, demand, strict=True)
                   if vf == sr)
    for before, after in pairwise(q.iterations):
        assert all(a >= b for a, b in zip(after, before, strict=True))


@given(st.lists(st.integers(0, 40), min_size=16, max_size=16), st.integers(0, 300))
def test_quotas_properties_on_table_1(demand, volume):
    # covers: T1.4, T1.5, T1.6, I9, I10
    check_quotas(demand, K, volume, quotas(demand, K, volume))


@given(st.data())
def test_quotas_properties_on_any_coefficients(data):
    # covers: T1.4, T1.5, T1.6, I9, I10
    coefficients = data.draw(st.lists(st.integers(1, 6), min_size=1, max_size=20))
    n = len(coefficients)
    demand = data.draw(st.lists(st.integers(0, 25), min_size=n, max_size=n))
    volume = data.draw(st.integers(0, 200))
    check_quotas(demand, coefficients, volume, quotas(demand, coefficients, volume))


@st.composite
def applications(draw):
    ids = draw(st.lists(st.integers(1, 10**6), max_size=40, unique=True))
    apps = []
    for app_id in ids:
        apps.append(Application(
            application_id=str(app_id),
            child_iin=f"{app_id:012d}",
            birth_date=draw(st.dates(dt.date(2018, 1, 1), dt.date(2025, 2, 28))),
            submitted_at=dt.datetime(2024, 1, 1) + dt.timedelta(hours=draw(st.integers(0, 15))),
            resides_in_city=draw(st.sampled_from([True, True, True, False])),
            large_family=draw(st.booleans()),
            single_parent=draw(st.booleans()),
            other_susn=draw(st.booleans()),
            sibling_in_preschool=draw(st.booleans()),
            military_family=draw(st.sampled_from([False] * 5 + [True])),
        ))
    return apps


def queue_key(a):
    return a.submitted_at, int(a.application_id)


@given(applications(), st.integers(0, 50))
def test_allocate_seat_totals_and_quotas(apps, volume):
    # covers: T1.4, T1.5, T1.6, T2, I9, I10, I13
    result = allocate(apps, volume=volume, as_of=AS_OF, rules=RULES)
    military = sum(a.resides_in_city and a.military_family for a in apps)
    assert result.military_applications == military
    assert result.military_seats == min(volume, military)
    demand = [c.applications for c in result.categories]
    assert sum(demand) == sum(c is not None for c in result.category)
    seats = [c.seats for c in result.categories]
    assert sum(seats) == min(volume - result.military_seats, sum(demand))
    assert tuple(c.coefficient for c in result.categories) == K
    returned = Quotas(vp=tuple(c.vp for c in result.categories),
                      vf=tuple(c.vf for c in result.categories),
                      iterations=result.iterations,
                      whole=tuple(c.seats for c in result.categories))
    check_quotas(demand, K, volume - result.military_seats, returned)  # the quotas allocate gave
    for c in result.categories:
        assert c.seats <= c.applications
        assert abs(c.seats - c.vf) < 1
    unsaturated = {c.vf / c.coefficient for c in result.categories if c.vf < c.applications}
    assert len(unsaturated) <= 1


@given(applications(), st.integers(0, 50))
def test_allocate_queue_numbers_and_seat_order(apps, volume):
    # covers: T1.2, T1.7, T1.8, T2, I13, I15
    result = allocate(apps, volume=volume, as_of=AS_OF, rules=RULES)
    for c in result.categories:
        members = sorted((i for i, n in enumerate(result.category) if n == c.number),
                         key=lambda i: queue_key(apps[i]))
        assert [result.queue_number[i] for i in members] == list(range(1, c.applications + 1))
        for i in members:  # seats go to the first queue numbers of the category
            has_seat = result.seat_order[i] is not None
            assert has_seat == (result.queue_number[i] <= c.seats)
    orders = sorted(s for s in result.seat_order if s is not None)
    assert orders == list(range(1, result.allocated + 1))
    military = sorted((i for i, r in enumerate(result.reason) if r == MILITARY),
                      key=lambda i: queue_key(apps[i]))
    expected = list(range(1, result.military_seats + 1))
    expected += [None] * (len(military) - result.military_seats)
    assert [result.seat_order[i] for i in military] == expected
    category_seats = [s for i, s in enumerate(result.seat_order)
                      if s is not None and result.category[i] is not None]
    assert all(s > result.military_seats for s in category_seats)


@given(st.data())
def test_allocate_does_not_depend_on_row_order(data):
    # covers: T1.2, I15
    apps = data.draw(applications())
    volume = data.draw(st.integers(0, 50))
    shuffled = data.draw(st.permutations(apps))

    def outcome(rows):
        result = allocate(rows, volume=volume, as_of=AS_OF, rules=RULES)
        return {a.application_id: (result.category[i], result.queue_number[i],
                                   result.seat_order[i], result.reason[i])
                for i, a in enumerate(rows)}

    assert outcome(apps) == outcome(shuffled)
