"""Settings for the test suite: the project's settings in debug mode (no SECRET_KEY needed)."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("GOSZAKAZ_DATA_DIR", os.path.join(os.path.dirname(__file__), "..", "var"))

from goszakaz.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
# The cache in memory, emptied before each test (tests/conftest.py): the database cache's rows
# would outlive the live server's tests, whose tables are flushed but not the cache's.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
