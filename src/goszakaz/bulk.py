"""Inserting many rows fast: COPY on PostgreSQL, bulk_create elsewhere (DESIGN: batch work)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

_PLAIN = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: Any) -> str:
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str:
        return value.translate(_PLAIN)  # type: ignore[no-any-return]
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list | tuple):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).translate(_PLAIN)


def _encoder() -> Callable[[Any], str]:
    """_text that writes each object other than an int once: rows share many values (a city, a
    month, a date, a JSON list); the rows hold the objects, so no id is reused meanwhile."""
    seen: dict[int, str] = {}

    def encode(value: Any) -> str:
        if type(value) is int:
            return str(value)
        text = seen.get(id(value))
        if text is None:
            text = seen[id(value)] = _text(value)
        return text
    return encode


def insert_rows(model: type[models.Model], columns: Sequence[str],
                rows: Iterable[Sequence[Any]]) -> int:
    """Insert rows (values in the order of `columns`, database column names) into the model's
    table in the caller's transaction; returns how many. Constraints hold as for any insert.
    A dict, list or tuple goes to a JSON column as JSON (a tuple as a list)."""
    rows = list(rows)
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        fields = {f.column: f.attname for f in model._meta.concrete_fields}
        model._default_manager.bulk_create(
            [model(**{fields[c]: v for c, v in zip(columns, r, strict=True)}) for r in rows],
            batch_size=2000)
        return len(rows)
    table = model._meta.db_table
    encode = _encoder()
    with connection.cursor() as cur, cur.cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for start in range(0, len(rows), 10_000):
            copy.write("".join("\t".join(map(encode, r)) + "\n"
                               for r in rows[start:start + 10_000]))
    return len(rows)
