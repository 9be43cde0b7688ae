"""Versioned rule data (Table 1 per city and year): `load("taraz-2024")` reads rules/<id>.json."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from goszakaz.domain.categories import RuleSet, rule_set_from_dict

RULES_DIR = Path(__file__).resolve().parent


def available() -> list[str]:
    """The ids of the allocation rule sets shipped with the system (files with categories)."""
    return sorted(p.stem for p in RULES_DIR.glob("*.json")
                  if '"categories"' in p.read_text(encoding="utf-8"))


@functools.cache
def load(rule_id: str) -> RuleSet:
    """The rule set with this id; KeyError naming the known ids when there is none."""
    path = RULES_DIR / f"{rule_id}.json"
    if rule_id not in available():
        raise KeyError(f"unknown rule set {rule_id!r}; known: {', '.join(available())}")
    return rule_set_from_dict(json.loads(path.read_text(encoding="utf-8")))
