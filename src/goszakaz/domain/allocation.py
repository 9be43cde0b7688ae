"""The Taraz procedure: military first (T2), queue numbers (T1.2), quotas (T1.4-T1.6), seats (T1.7-T1.8)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import compress
from operator import eq

from goszakaz.domain.categories import RuleSet, categorize, queue_age

ALLOCATED = "allocated"
WAITING = "waiting"
EXCLUDED = "excluded"
MILITARY = "military priority"
NOT_RESIDENT = "not resident"
NO_CATEGORY = "no matching category"
EXCLUSION_REASONS = (NOT_RESIDENT, NO_CATEGORY)


@dataclass(frozen=True, slots=True)
class Application:
    """One queue application as the allocation sees it (status attributes as of the run)."""

    application_id: str
    child_iin: str
    birth_date: dt.date
    submitted_at: dt.datetime
    resides_in_city: bool
    large_family: bool
    single_parent: bool
    other_susn: bool
    sibling_in_preschool: bool
    military_family: bool


@dataclass(frozen=True, slots=True)
class Quotas:
    """T1.4-T1.6 with I9, I10: first forecast Vp, real Vf per iteration, whole quotas."""

    vp: tuple[Fraction, ...]
    vf: tuple[Fraction, ...]
    iterations: tuple[tuple[Fraction, ...], ...]  # Vf of every category after each iteration
    whole: tuple[int, ...]


def quotas(demand: Sequence[int], coefficients: Sequence[int], volume: int) -> Quotas:
    """Real and whole quotas of each category for `volume` places.

    T1.4: Vp = Vt*k/Σk, Vf = min(Vp, Sr). T1.5-T1.6 with I9: each repetition shares only what is
    left (Vt - ΣVf) among categories with unmet demand, in proportion to k, until ΣVf = Vt or all
    demand is met. Exact fractions throughout. I10: whole quotas by largest remainder, ties to
    the lower category number.
    """
    if volume < 0 or any(d < 0 for d in demand) or any(k <= 0 for k in coefficients):
        raise ValueError("volume and demand must be >= 0, coefficients > 0")
    n = len(demand)
    total_k = sum(coefficients)
    vp = tuple(Fraction(volume * k, total_k) for k in coefficients)
    vf = [min(vp[i], Fraction(demand[i])) for i in range(n)]
    iterations = [tuple(vf)]
    for _ in range(n):  # each repetition fills every open category or saturates one: <= n
        left = volume - sum(vf)
        open_ = [i for i in range(n) if vf[i] < demand[i]]
        if left <= 0 or not open_:
            break
        open_k = sum(coefficients[i] for i in open_)
        for i in open_:
            vf[i] = min(vf[i] + left * Fraction(coefficients[i], open_k), Fraction(demand[i]))
        iterations.append(tuple(vf))
    whole = [int(v) for v in vf]  # floor: every Vf is >= 0
    places = min(volume, sum(demand)) - sum(whole)
    by_remainder = sorted(range(n), key=lambda i: (-(vf[i] - whole[i]), i))
    for i in by_remainder[:places]:
        whole[i] += 1
    return Quotas(vp=vp, vf=tuple(vf), iterations=tuple(iterations), whole=tuple(whole))


def seat_rounds(whole: Sequence[int], coefficients: Sequence[int]) -> list[tuple[int, int]]:
    """T1.7-T1.8: (category index, places) in the order offered, k_n per category per round."""
    given = [0] * len(whole)
    active = [i for i in range(len(whole)) if whole[i] > 0]
    out: list[tuple[int, int]] = []
    while active:
        still = []
        for i in active:
            take = min(coefficients[i], whole[i] - given[i])
            out.append((i, take))
            given[i] += take
            if given[i] < whole[i]:
                still.append(i)
        active = still
    return out


def id_order(application_id: str) -> tuple[int, int, str]:
    """I15 tie-break: numeric ids compare as numbers (before any others), other ids as text."""
    if application_id.isascii() and application_id.isdigit():
        return (0, int(application_id), application_id)
    return (1, 0, application_id)


def queue_order(apps: Sequence[Application], indices: Sequence[int]) -> list[int]:
    """T1.2, I15: the indices sorted by submission date-time, ties by application id."""
    ordered = sorted(indices, key=lambda i: apps[i].submitted_at)
    times = [apps[i].submitted_at for i in ordered]
    tied = list(compress(range(1, len(times)), map(eq, times, times[1:])))
    if not tied:
        return ordered
    # Re-sort each run of equal date-times by application id (rare: times are to the second).
    pos = 0
    while pos < len(tied):
        start = tied[pos] - 1
        end = tied[pos]
        while pos + 1 < len(tied) and tied[pos + 1] == end + 1:
            pos += 1
            end += 1
        ordered[start:end + 1] = sorted(ordered[start:end + 1],
                                        key=lambda i: id_order(apps[i].application_id))
        pos += 1
    return ordered


@dataclass(frozen=True, slots=True)
class CategoryResult:
    """One category's line of the allocation: demand, forecast, real and whole quota, cut-off."""

    number: int
    coefficient: int
    applications: int
    vp: Fraction
    vf: Fraction
    seats: int
    cutoff_queue_number: int | None


@dataclass(frozen=True, slots=True)
class AllocationResult:
    """The outcome of one allocation; per-application columns are in input order."""

    rules: str
    volume: int
    as_of: dt.date
    military_applications: int
    military_seats: int
    categories: tuple[CategoryResult, ...]
    iterations: tuple[tuple[Fraction, ...], ...]
    category: tuple[int | None, ...]
    queue_number: tuple[int | None, ...]
    seat_order: tuple[int | None, ...]
    reason: tuple[str, ...]  # "" for an ordinary category application

    def status(self, i: int) -> str:
        """allocated, waiting or excluded for the i-th application."""
        if self.reason[i] in EXCLUSION_REASONS:
            return EXCLUDED
        return WAITING if self.seat_order[i] is None else ALLOCATED

    def statuses(self) -> list[str]:
        """`status(i)` of every application, in input order."""
        return [EXCLUDED if r in EXCLUSION_REASONS else WAITING if s is None else ALLOCATED
                for r, s in zip(self.reason, self.seat_order, strict=True)]

    @property
    def allocated(self) -> int:
        """Places given: military seats plus category seats."""
        return self.military_seats + sum(c.seats for c in self.categories)

    def excluded(self) -> dict[str, int]:
        """Count of excluded applications per reason."""
        counts = dict.fromkeys(EXCLUSION_REASONS, 0)
        for r in self.reason:
            if r in counts:
                counts[r] += 1
        return counts


def allocate(
    apps: Sequence[Application], *, volume: int, as_of: dt.date, rules: RuleSet
) -> AllocationResult:
    """Run the whole Taraz procedure on the applications as of a date (T1.1-T1.8, T2, T4)."""
    if volume < 0:
        raise ValueError("volume must be >= 0")
    n = len(apps)
    numbers = [c.number for c in rules.categories]
    index_of = {num: i for i, num in enumerate(numbers)}
    category: list[int | None] = [None] * n
    reason = [""] * n
    military: list[int] = []
    residents: list[int] = []
    memo: dict[tuple[object, ...], int | None] = {}  # (birth date, *flags) -> category
    for i, a in enumerate(apps):
        if not a.resides_in_city:
            reason[i] = NOT_RESIDENT  # T1.1: only actual residents take part
        elif a.military_family:
            reason[i] = MILITARY  # T2, I13
            military.append(i)
        else:
            flags = (a.large_family, a.single_parent, a.other_susn, a.sibling_in_preschool)
            key = (a.birth_date, *flags)
            num = memo.get(key, -1)
            if num == -1:
                num = categorize(queue_age(a.birth_date, as_of, rules), flags, rules)
                memo[key] = num
            if num is None:
                reason[i] = NO_CATEGORY  # I12
            else:
                category[i] = num
                residents.append(i)

    seat_order: list[int | None] = [None] * n
    queue_number: list[int | None] = [None] * n
    military_sorted = queue_order(apps, military)
    military_seats = min(volume, len(military_sorted))
    for pos, i in enumerate(military_sorted[:military_seats], start=1):
        seat_order[i] = pos

    buckets: list[list[int]] = [[] for _ in numbers]
    for i in queue_order(apps, residents):
        buckets[index_of[category[i] or 0]].append(i)
    for bucket in buckets:
        for qn, i in enumerate(bucket, start=1):
            queue_number[i] = qn

    coefficients = [c.coefficient for c in rules.categories]
    q = quotas([len(b) for b in buckets], coefficients, volume - military_seats)
    given = [0] * len(numbers)
    order = military_seats
    for ci, take in seat_rounds(q.whole, coefficients):
        bucket = buckets[ci]
        for i in bucket[given[ci]:given[ci] + take]:
            order += 1
            seat_order[i] = order
        given[ci] += take

    cats = tuple(
        CategoryResult(
            number=c.number,
            coefficient=c.coefficient,
            applications=len(buckets[ci]),
            vp=q.vp[ci],
            vf=q.vf[ci],
            seats=q.whole[ci],
            cutoff_queue_number=q.whole[ci] or None,
        )
        for ci, c in enumerate(rules.categories)
    )
    return AllocationResult(
        rules=rules.id,
        volume=volume,
        as_of=as_of,
        military_applications=len(military),
        military_seats=military_seats,
        categories=cats,
        iterations=q.iterations,
        category=tuple(category),
        queue_number=tuple(queue_number),
        seat_order=tuple(seat_order),
        reason=tuple(reason),
    )



def summary(result: AllocationResult) -> dict[str, object]:
    """The allocation as the summary JSON of the `allocate` command (real quotas as floats)."""
    return {
        "rules": result.rules,
        "volume": result.volume,
        "as_of": result.as_of.isoformat(),
        "military": {
            "applications": result.military_applications,
            "seats": result.military_seats,
        },
        "categories": [
            {
                "number": c.number,
                "coefficient": c.coefficient,
                "applications": c.applications,
                "vp": float(c.vp),
                "vf": float(c.vf),
                "seats": c.seats,
                "cutoff_queue_number": c.cutoff_queue_number,
            }
            for c in result.categories
        ],
        "iterations": [[float(v) for v in it] for it in result.iterations],
        "allocated": result.allocated,
        "excluded": result.excluded(),
    }
