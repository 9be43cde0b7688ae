"""Hypothesis profiles, chosen by HYPOTHESIS_PROFILE (default "ci"), and the stage markers.

ci: the same examples every run (derandomized, no example database), no deadline.
fuzz: CI's fuzzer stage (`-m "fuzz or property"`): ten times the examples, still derandomized.
deep: many more random examples, failures kept in .hypothesis/ to replay; run it as
    HYPOTHESIS_PROFILE=deep python -m pytest tests -m "fuzz or property"
"""

import os

import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=200, derandomize=True, database=None, deadline=None)
settings.register_profile("fuzz", max_examples=2000, derandomize=True, database=None,
                          deadline=None)
settings.register_profile("deep", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every hypothesis test is a `property` test: CI runs it again, longer, in the fuzzer stage."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.property)
