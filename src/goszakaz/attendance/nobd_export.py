"""A7.17: a city's final sheets of a month go to НОБД as one CSV file, within 10 business days.

The file `nobd-sheets-<city>-<YYYY-MM>.csv` (UTF-8 without BOM, comma, `\\n` line ends), one
header row, then one row per final sheet (confirmed, auto-confirmed, or upheld after a dispute),
ordered by preschool BIN then child IIN:

    child_iin,preschool_bin,month,days,state
    200101500013,150640000012,2024-04,.PPPPAS..PPPPP..PPPPP..PPPPP..,confirmed

- `days`: one character per day of the month: P present, S sick with a certificate, A absent
  without a valid reason, V a parent's vacation, `.` not marked (weekends, outside the contract);
- `state`: `confirmed`, `auto_confirmed` or `upheld`.

Only the fields НОБД needs cross the boundary (DESIGN rule 11): no names, no parent data.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import logging
import os
import re
import tempfile
import time
from pathlib import Path

from django.db.models import Count, Max, Sum

from goszakaz.access.actor import Actor
from goszakaz.attendance.models import FINAL, Sheet
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.models import AuditEntry
from goszakaz.audit.services import record
from goszakaz.deadlines.models import Deadline, DeadlineState
from goszakaz.deadlines.services import business_days_after, meet, open_deadline
from goszakaz.domain.months import last_day
from goszakaz.registry.models import City

DAYS = 10  # A7.17: business days after the month ends
COLUMNS = ("child_iin", "preschool_bin", "month", "days", "state")
CHUNK = 10_000  # rows fetched from the database at a time

logger = logging.getLogger(__name__)


class NobdExportRefused(ValueError):
    """An export the rules do not allow (the month is not over, a malformed month)."""


def file_name(city_code: str, month: str) -> str:
    """The export's file name: nobd-sheets-<city>-<YYYY-MM>.csv."""
    return f"nobd-sheets-{city_code}-{month}.csv"


def export_subject(month: str) -> str:
    """The subject of a month's НОБД export deadline (A7.17)."""
    return f"nobd-sheets/{month}"


def export_deadline(*, city: City, month: str, opened_on: dt.date | None = None) -> Deadline:
    """A7.17: the export's deadline, due 10 business days after the month's last day; opened
    once (on the month's 1st by tick, or the day after it ends by the export itself)."""
    end = last_day(month)
    return open_deadline(clause="A7.17", city=city.code, subject=export_subject(month),
                         title=f"Передача табелей за {month} в НОБД",
                         opened_on=opened_on or end + dt.timedelta(days=1),
                         due_on=business_days_after(end, DAYS))


def _sha256(path: Path) -> str | None:
    if not path.exists():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _signature(city_code: str, month: str) -> str:
    """What the month's file depends on, in one aggregate: the final sheets (a sheet becoming
    final, or a protocol's new version of one, changes it)."""
    found = (Sheet.objects.filter(city=city_code, month=month, state__in=FINAL)
             .aggregate(n=Count("id"), versions=Sum("version"), last=Max("id")))
    return f"{found['n']}/{found['versions'] or 0}/{found['last'] or 0}"


def _write(part: Path, city_code: str, month: str) -> int:
    rows = (Sheet.objects.filter(city=city_code, month=month, state__in=FINAL)
            .order_by("preschool__bin", "voucher__child_iin")
            .values_list("voucher__child_iin", "preschool__bin", "month", "days", "state")
            .iterator(chunk_size=CHUNK))
    count = 0
    with part.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow(row)
            count += 1
        f.flush()
        os.fsync(f.fileno())
    return count


def export_sheets(*, city: City, month: str, directory: Path, today: dt.date, actor: Actor,
                  now: dt.datetime) -> Path:
    """A7.17: write the city's final sheets of `month` for НОБД; returns the file's path.

    Refused (NobdExportRefused) until the month is over. The file is written next to its final
    name as `.part` and renamed, so НОБД never sees half a file. The deadline is met by the
    first export; exporting again rewrites the same file, and is audited only if its content
    changed (e.g. a dispute was resolved since).
    """
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise NobdExportRefused(f"{month!r} is not a month YYYY-MM")
    end = last_day(month)
    if today <= end:
        raise NobdExportRefused(
            f"the sheets of {month} go to НОБД after the month is over (from "
            f"{end + dt.timedelta(days=1)}), not on {today} (A7.17)")
    started = time.perf_counter()
    export_deadline(city=city, month=month)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / file_name(city.code, month)
    signature = _signature(city.code, month)
    last = (AuditEntry.objects.filter(action=AuditAction.NOBD_SHEETS_EXPORTED, city=city.code,
                                      object_type="city", after__month=month)
            .order_by("-pk").values_list("after", flat=True).first())
    if (path.exists() and last is not None and last.get("signature") == signature
            and not Deadline.objects.filter(clause="A7.17", city=city.code,
                                            subject=export_subject(month),
                                            state=DeadlineState.OPEN).exists()):
        return path  # written already, and no sheet of the month changed since: a daily tick
    # a part file of its own: two exports at once (two ticks) never share one
    handle, name = tempfile.mkstemp(dir=directory, prefix=path.name + ".", suffix=".part")
    os.close(handle)
    part = Path(name)
    try:
        count = _write(part, city.code, month)
        changed = _sha256(path) != _sha256(part)
        part.chmod(0o644)
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)
    met = meet(clause="A7.17", city=city.code, subject=export_subject(month), on=today)
    if met or changed:
        record(actor=actor, action=AuditAction.NOBD_SHEETS_EXPORTED, at=now, obj_type="city",
               obj_id=city.code, city=city.code,
               after={"month": month, "sheets": count, "file": path.name,
                      "signature": signature})
    logger.info("sheets exported to NOBD", extra={
        "city": city.code, "month": month, "sheets": count, "changed": changed,
        "deadline_met": met, "seconds": round(time.perf_counter() - started, 3)})
    return path
