"""Priority categories of Table 1 (TT1): queue age (T4), first-match categorization (T1.1), rule checks."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

# Status flags an application carries; "susn" is any of the first three (CLAUSES.md, Table 1).
STATUS_FLAGS = ("large_family", "single_parent", "other_susn", "sibling_in_preschool")
STATUS_TESTS = ("large_family", "single_parent", "other_susn", "susn", "sibling_in_preschool")


@dataclass(frozen=True, slots=True)
class Category:
    """One row of Table 1: number, coefficient k, and the rule an application must meet."""

    number: int
    coefficient: int
    status: str | None  # one of STATUS_TESTS, or None for "any status"
    age_min: int | None
    age_max: int | None
    title: dict[str, str]  # language code -> wording

    def matches(self, age: int, flags: tuple[bool, bool, bool, bool]) -> bool:
        """Does an application of this queue age and these STATUS_FLAGS meet the rule?"""
        if self.age_min is not None and age < self.age_min:
            return False
        if self.age_max is not None and age > self.age_max:
            return False
        if self.status is None:
            return True
        large, single, other, sibling = flags
        if self.status == "susn":
            return large or single or other
        return {
            "large_family": large,
            "single_parent": single,
            "other_susn": other,
            "sibling_in_preschool": sibling,
        }[self.status]

    def rule_text(self) -> str:
        """The rule in the notation of CLAUSES.md, e.g. 'large_family and A >= 3'."""
        if self.age_min is not None and self.age_min == self.age_max:
            age = f"A = {self.age_min}"
        elif self.age_min is not None and self.age_max is not None:
            age = f"{self.age_min} <= A <= {self.age_max}"
        elif self.age_min is not None:
            age = f"A >= {self.age_min}"
        elif self.age_max is not None:
            age = f"A <= {self.age_max}"
        else:
            age = "any age"
        return f"{self.status} and {age}" if self.status else age


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A versioned Table 1 (e.g. 'taraz-2024') with its age reference day (T4)."""

    id: str
    effective_from: dt.date
    source: str
    age_reference_month: int
    age_reference_day: int
    categories: tuple[Category, ...]

    @property
    def total_coefficient(self) -> int:
        """Σk over the table (35 for Table 1)."""
        return sum(c.coefficient for c in self.categories)

    def category(self, number: int) -> Category:
        """The category with this number; KeyError if the table has none."""
        for c in self.categories:
            if c.number == number:
                return c
        raise KeyError(number)


def queue_age(birth_date: dt.date, on: dt.date, rules: RuleSet) -> int:
    """T4, I14: completed years on 1 July (1 January + 6 months) of the year of `on`.

    A child born after that day is 0, not -1 (docs/readings.md).
    """
    ref = dt.date(on.year, rules.age_reference_month, rules.age_reference_day)
    age = ref.year - birth_date.year - ((birth_date.month, birth_date.day) > (ref.month, ref.day))
    return max(age, 0)


def categorize(age: int, flags: tuple[bool, bool, bool, bool], rules: RuleSet) -> int | None:
    """T1.1: the number of the first category (lowest n) whose rule the application meets."""
    for c in rules.categories:
        if c.matches(age, flags):
            return c.number
    return None


@dataclass(frozen=True, slots=True)
class RuleReport:
    """What the rule checker found: categories nobody reaches, inputs no category takes."""

    rules: str
    unreachable: tuple[int, ...]
    shadowed_by: dict[int, tuple[int, ...]]  # unreachable category -> earlier ones covering it
    unmatched: tuple[tuple[int, tuple[bool, bool, bool, bool]], ...]  # (age, flags)

    @property
    def clean(self) -> bool:
        """True when every category is reachable and every input has a category."""
        return not self.unreachable and not self.unmatched


def check_rules(rules: RuleSet, max_age: int = 7) -> RuleReport:
    """I11, I12: enumerate every queue age 0..max_age and every status combination."""
    reached: set[int] = set()
    unmatched = []
    for age in range(0, max_age + 1):
        for flags in itertools.product((False, True), repeat=4):
            n = categorize(age, flags, rules)  # type: ignore[arg-type]
            if n is None:
                unmatched.append((age, flags))
            else:
                reached.add(n)
    unreachable = tuple(c.number for c in rules.categories if c.number not in reached)
    shadowed: dict[int, tuple[int, ...]] = {}
    for n in unreachable:
        cat = rules.category(n)
        covering: set[int] = set()
        for age in range(0, max_age + 1):
            for flags in itertools.product((False, True), repeat=4):
                if cat.matches(age, flags):  # type: ignore[arg-type]
                    first = categorize(age, flags, rules)  # type: ignore[arg-type]
                    if first is not None:
                        covering.add(first)
        shadowed[n] = tuple(sorted(covering))
    return RuleReport(rules.id, unreachable, shadowed, tuple(unmatched))  # type: ignore[arg-type]


def rule_set_from_dict(data: dict[str, object]) -> RuleSet:
    """Build a RuleSet from its data (the JSON of `goszakaz/rules/`); ValueError if malformed."""
    try:
        ref = data["age_reference"]
        cats = []
        for raw in data["categories"]:  # type: ignore[attr-defined]
            age = raw.get("age", {})
            status = raw.get("status")
            if status is not None and status not in STATUS_TESTS:
                raise ValueError(f"category {raw['number']}: unknown status {status!r}")
            cats.append(
                Category(
                    number=int(raw["number"]),
                    coefficient=int(raw["coefficient"]),
                    status=status,
                    age_min=age.get("min"),
                    age_max=age.get("max"),
                    title=dict(raw["title"]),
                )
            )
        numbers = [c.number for c in cats]
        if numbers != sorted(set(numbers)) or any(c.coefficient <= 0 for c in cats):
            raise ValueError("categories must have distinct ascending numbers and k > 0")
        return RuleSet(
            id=str(data["id"]),
            effective_from=dt.date.fromisoformat(str(data["effective_from"])),
            source=str(data["source"]),
            age_reference_month=int(ref["month"]),  # type: ignore[index]
            age_reference_day=int(ref["day"]),  # type: ignore[index]
            categories=tuple(cats),
        )
    except (KeyError, TypeError) as e:
        raise ValueError(f"malformed rule set: {e}") from None
