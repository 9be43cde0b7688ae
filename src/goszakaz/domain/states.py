"""Workflow transitions (DESIGN rule 4): a transition already done is a no-op, an illegal one raises."""

from __future__ import annotations

from collections.abc import Mapping, Set


class IllegalTransition(ValueError):
    """A status change the workflow's transition table does not allow."""


def needs_transition(current: str, target: str, allowed: Mapping[str, Set[str]]) -> bool:
    """True if `current` -> `target` must be done, False if already there; raises if illegal."""
    if current == target:
        return False
    if target not in allowed.get(current, set()):
        raise IllegalTransition(f"cannot go from {current!r} to {target!r}")
    return True
