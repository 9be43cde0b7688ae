"""Seeded realistic queue applications for the demo, the tests and the benchmarks (not real people)."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

from goszakaz.domain.iin import make_iin
from goszakaz.queue.files import COLUMNS

# Rough shares in a city queue: most children are residents; SUSN statuses are a minority.
SHARES = {
    "resides_in_city": 0.95, "large_family": 0.15, "single_parent": 0.08, "other_susn": 0.05,
    "sibling_in_preschool": 0.10, "military_family": 0.01,
}


def synthetic_rows(n: int, *, seed: int, as_of: dt.date) -> Iterator[dict[str, str]]:
    """n application rows in the `allocate` CSV columns; the same seed gives the same rows."""
    rng = random.Random(seed)
    first_birth = as_of - dt.timedelta(days=int(6.5 * 365))
    span = (as_of - first_birth).days - 30
    next_serial: dict[dt.date, int] = {}  # IINs stay unique: serials count up per birth date
    for i in range(1, n + 1):
        birth = first_birth + dt.timedelta(days=rng.randrange(span))
        days_since = (as_of - birth).days
        submitted = dt.datetime.combine(birth, dt.time(9)) + dt.timedelta(
            days=rng.randrange(1, days_since), seconds=rng.randrange(9 * 3600))
        iin = make_iin(birth, next_serial.get(birth, 0), female=bool(i % 2))
        next_serial[birth] = int(iin[7:11]) + 1
        row = {
            "application_id": str(i),
            "child_iin": iin,
            "birth_date": birth.isoformat(),
            "submitted_at": submitted.isoformat(timespec="seconds"),
        }
        for flag, share in SHARES.items():
            row[flag] = "true" if rng.random() < share else "false"
        yield row


def write_csv(path: Path, n: int, *, seed: int, as_of: dt.date) -> None:
    """Write n synthetic applications to a CSV in the `allocate` input format."""
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(synthetic_rows(n, seed=seed, as_of=as_of))
