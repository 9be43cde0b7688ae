"""Hypothesis profiles, chosen by HYPOTHESIS_PROFILE (default "ci").

ci: the same examples every run (derandomized, no example database), no deadline.
deep: many more random examples, failures kept in .hypothesis/ to replay; run it as
    HYPOTHESIS_PROFILE=deep python -m pytest tests/unit tests/integration/test_bank_api_fuzz.py
"""

import os

from hypothesis import settings

settings.register_profile("ci", max_examples=200, derandomize=True, database=None, deadline=None)
settings.register_profile("deep", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
