"""The simulated population of a city: children, parents and preschools, drawn from one seed.

Everything here is plain data chosen by `random.Random` (no database): who the child is, what
НОБД says about it, whether its parent ever registers at the bank, when it joins, its life
events (A10-A13) and how it attends. The same seed gives the same people.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from goszakaz.domain.iin import make_bin, make_iin

# НОБД findings (A7.4) and their shares; the rest match
NOBD_SHARES = (("name_differs", 0.04), ("birth_date_differs", 0.02), ("iin_unknown", 0.02))
# first names and family names by sex (a name is drawn from a list of the same length whatever
# the sex, so the draws that follow are the same)
BOYS = ("Әлихан", "Нурлан", "Мирас", "Арман", "Тимур", "Ерасыл", "Алинур", "Санжар", "Данияр",
        "Бекзат", "Ислам", "Тамерлан", "Нұрислам", "Арсен", "Даниял", "Сұлтан")
GIRLS = ("Айгерим", "Дана", "Сара", "Аружан", "Амина", "Томирис", "Медина", "Жасмин", "Мадина",
         "Жансая", "Айсұлу", "Зере", "Кәусар", "Іңкәр", "Раяна", "Хадиша")
SURNAMES = ("Ахметов", "Сериков", "Жумабаев", "Нурланов", "Касымов", "Омаров", "Беков")
SCHOOL_NAMES = ("Айгөлек", "Балдәурен", "Солнышко", "Күншуақ", "Ботақан", "Золотой ключик",
                "Ақбота", "Балапан", "Радуга", "Қарлығаш", "Жұлдыз", "Теремок", "Еркетай",
                "Алтын бесік", "Колокольчик", "Шұғыла", "Нұрбала")
CHANNELS = ("page", "api", "file")  # how a preschool's marks arrive (A7.13)


@dataclass
class Child:
    """One child of the city's list (or of Taraz's queue) and what will happen to it."""

    key: int  # the simulation's own number of the child
    city: str
    iin: str
    birth_date: dt.date
    name: str
    parent_iin: str
    nobd: str  # "ok" or a RiskCaseKind the НОБД check finds
    registers: bool  # the parent registers in the bank's app (A7.7); else paid directly (A7.9)
    joins_on: dt.date  # the contract's first day
    school: int  # index of the chosen preschool
    invalid: bool = False  # a row the city's list import rejects (a bad IIN)
    flags: dict[str, bool] = field(default_factory=dict)  # Taraz queue statuses (T1.1)
    submitted_at: dt.datetime | None = None  # Taraz queue application time (T1.2)
    change_on: dt.date | None = None  # asks for another preschool (A11, I8)
    moves_on: dt.date | None = None  # moves to another locality (A12)
    dies_on: dt.date | None = None  # A13
    closes_on: dt.date | None = None  # the parent ends the bank-account contract (A10)
    sick_rate: float = 0.03
    absent_rate: float = 0.01
    vacation: tuple[dt.date, int] | None = None  # a parent's vacation: first day, working days
    silent: float = 0.15  # the chance the parent says nothing about a month (A7.14)


@dataclass
class School:
    """A preschool of the city's Перечень (A4) and how it keeps its sheets."""

    index: int
    city: str
    bin: str
    name: str
    capacity: int
    channel: str
    careless: float  # the chance a day's sick certificate is entered as unexcused (a dispute)
    forgets: float  # the chance a day is not marked at all (I22)


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange(max(1, (last - first).days + 1)))


def population(*, city: str, city_index: int, children: int, start: dt.date, end: dt.date,
               rng: random.Random, used: set[str]) -> tuple[list[School], list[Child]]:
    """The city's preschools and children for the simulated period `start`..`end`."""
    n_schools = max(2, children // 40)
    per_school = -(-children // n_schools)
    names = [SCHOOL_NAMES[(city_index * 5 + i) % len(SCHOOL_NAMES)] for i in range(n_schools)]
    # each city's BINs in a range of their own, wide enough for a million children a city
    schools = [School(index=i, city=city, bin=make_bin(city_index * 190_000 + i * 7 + 1),
                      name=f"Балабақша №{i + 1} «{names[i]}»",
                      capacity=per_school + max(2, per_school // 4),
                      channel=CHANNELS[i % len(CHANNELS)], careless=rng.choice((0.0, 0.02, 0.05)),
                      forgets=rng.choice((0.0, 0.0, 0.03)))
               for i in range(n_schools)]
    people: list[Child] = []
    for key in range(children):
        birth = start - dt.timedelta(days=rng.randrange(365, 6 * 365))
        iin = _unique_iin(birth, rng, used, female=bool(key % 2))
        parent_birth = birth - dt.timedelta(days=rng.randrange(20 * 365, 40 * 365))
        parent = _unique_iin(parent_birth, rng, used, female=rng.random() < 0.7)
        roll, nobd = rng.random(), "ok"
        for kind, share in NOBD_SHARES:
            if roll < share:
                nobd = kind
                break
            roll -= share
        late = rng.random() < 0.15  # joins mid-year, on any day
        joins = _day_between(rng, start + dt.timedelta(days=30), end - dt.timedelta(days=30)) \
            if late and (end - start).days > 90 else start
        child = Child(key=key, city=city, iin=iin, birth_date=birth,
                      name=_name(rng, female=bool(key % 2)), parent_iin=parent,
                      nobd=nobd, registers=rng.random() < 0.85, joins_on=joins,
                      school=key % n_schools, invalid=rng.random() < 0.01,
                      sick_rate=rng.choice((0.01, 0.03, 0.06)),
                      absent_rate=rng.choice((0.0, 0.01, 0.03, 0.08)),
                      silent=rng.choice((0.05, 0.15, 0.3)))
        child.flags = {"large_family": rng.random() < 0.2, "single_parent": rng.random() < 0.1,
                       "other_susn": rng.random() < 0.05,
                       "sibling_in_preschool": rng.random() < 0.15,
                       "military_family": rng.random() < 0.01}
        child.submitted_at = dt.datetime.combine(birth, dt.time(9)) + dt.timedelta(
            days=rng.randrange(30, max(31, (start - birth).days - 1)),
            seconds=rng.randrange(9 * 3600))
        _life(child, rng, joins, end)
        people.append(child)
    return schools, people


def _name(rng: random.Random, *, female: bool) -> str:
    """A first name and a family name of the child's sex ("Аружан Касымова")."""
    first = rng.choice(GIRLS if female else BOYS)
    return f"{first} {rng.choice(SURNAMES)}{'а' if female else ''}"


def _life(child: Child, rng: random.Random, first: dt.date, end: dt.date) -> None:
    """Life events on any day (A10-A13), a preschool change (A11) and a vacation (A8.5)."""
    span_first, span_last = first + dt.timedelta(days=10), end - dt.timedelta(days=5)
    if span_last <= span_first:
        return
    roll = rng.random()
    if roll < 0.03:
        child.moves_on = _day_between(rng, span_first, span_last)
    elif roll < 0.035:
        child.dies_on = _day_between(rng, span_first, span_last)
    elif roll < 0.06:
        child.closes_on = _day_between(rng, span_first, span_last)
    if rng.random() < 0.06:
        child.change_on = _day_between(rng, span_first, span_last)
    if rng.random() < 0.25:
        child.vacation = (_day_between(rng, span_first, span_last), rng.randrange(3, 15))


def _unique_iin(birth: dt.date, rng: random.Random, used: set[str], female: bool) -> str:
    serial = rng.randrange(0, 9000)
    while True:
        iin = make_iin(birth, serial, female=female)
        if iin not in used:
            used.add(iin)
            return iin
        serial = int(iin[7:11]) + 1
