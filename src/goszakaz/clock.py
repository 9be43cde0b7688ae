"""The one clock: "today" for every rule, fixed by GOSZAKAZ_TODAY for simulations and tests."""

from __future__ import annotations

import datetime as dt
import os

from django.utils import timezone


def today() -> dt.date:
    """The local date in Kazakhstan (Asia/Almaty), or GOSZAKAZ_TODAY (YYYY-MM-DD) when set."""
    fixed = os.environ.get("GOSZAKAZ_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else timezone.localdate()
