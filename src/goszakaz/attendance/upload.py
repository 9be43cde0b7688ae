"""A whole group's sheet for a month from one XLSX or CSV file (A7.13): whole file or nothing."""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from goszakaz.access.actor import Actor
from goszakaz.attendance import services
from goszakaz.domain.months import last_day
from goszakaz.enrollment.models import Contract
from goszakaz.files import (
    LIMITS,
    ImportRejected,
    ImportResult,
    RowError,
    TooManyErrors,
    read_rows,
    stop_if_too_many,
)
from goszakaz.rules.calendar import kz_calendar

logger = logging.getLogger(__name__)
CYRILLIC = {"П": "P", "Б": "S", "Н": "A", "О": "V"}  # the day page's letters (web.day_views)
MAX_ROWS = 5000  # children in one file: a whole preschool's groups fit many times over


def import_group_sheet(*, preschool_id: int, month: str, path: Path, actor: Actor,
                       now: dt.datetime, group_id: int | None = None) -> ImportResult:
    """Marks for the month: a row per child (`child_iin`), a column per day (`1` … `31`), the
    codes P, S, A, V or their Russian letters П, Б, Н, О (other columns, a child's name, are
    ignored); `group_id`: only that group's children (a teacher's file).

    Empty cells are left as they are. Every bad cell is named by line and day; one bad cell
    rejects the whole file (ImportRejected), so a group is never half-marked.
    """
    started = time.perf_counter()
    header, rows = read_rows(path, max_rows=MAX_ROWS)
    first = dt.date.fromisoformat(month + "-01")
    last = last_day(month)
    if "child_iin" not in header:
        raise ImportRejected([RowError(1, "child_iin", _("The column is missing from the header."))])
    days = {i: int(h) for i, h in enumerate(header) if h.isdigit() and 1 <= int(h) <= last.day}
    contracts = {c.voucher.child_iin: c for c in Contract.objects.filter(
        preschool_id=preschool_id, starts_on__lte=last).filter(
        Q(ends_on=None) | Q(ends_on__gte=first)).filter(
        **({"group_id": group_id} if group_id is not None else {})).select_related("voucher")}
    errors: list[RowError] = []
    marks: list[tuple[Any, dt.date, str]] = []
    cells: list[tuple[int, int]] = []  # (line, day) of each mark, to name a refused one
    lines = 0
    column = header.index("child_iin")
    for line, values in rows:
        lines += 1
        contract = contracts.get(values[column].strip() if column < len(values) else "")
        if contract is None:
            errors.append(RowError(line, "child_iin", _("The child has no contract with this "
                                                        "preschool.")))
            stop_if_too_many(errors, line)
            continue
        for i, day in days.items():
            code = values[i].strip().upper() if i < len(values) else ""
            code = CYRILLIC.get(code, code)
            if code:
                marks.append((contract.voucher, first.replace(day=day), code))
                cells.append((line, day))
    with transaction.atomic():  # the marks' own rules are mark_many's; saved only if all pass
        done = services.mark_many(preschool_id=preschool_id, marks=marks,
                                  is_working_day=kz_calendar((first.year,)).is_working_day,
                                  actor=actor, now=now)
        errors += [RowError(cells[i][0], str(cells[i][1]), str(e)) for i, e in done.refused]
        if errors:
            transaction.set_rollback(True)
    result = ImportResult(errors=errors, updated=len(marks))
    fields = {"preschool_id": preschool_id, "month": month, "rows": lines, "marks": len(marks),
              "seconds": round(time.perf_counter() - started, 3)}
    if errors:
        logger.info("group sheet rejected", extra={**fields, "errors": len(errors)})
        errors.sort(key=lambda e: e.line)
        if len(errors) > LIMITS.errors:
            raise TooManyErrors(errors, errors[LIMITS.errors].line)
        raise ImportRejected(errors)
    logger.info("group sheet imported", extra=fields)
    return result
