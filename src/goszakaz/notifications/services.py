"""Putting messages into the outbox; the same dedup key twice writes one message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.db.models import F, QuerySet, Value

from goszakaz.notifications.channels import CHANNELS
from goszakaz.notifications.models import Notification

CHUNK = 2000  # dedup keys looked up per query
COLUMNS = ("city", "kind", "recipient_role", "recipient_key", "payload", "dedup_key")


def notify(
    *, city: str, kind: str, recipient_key: str, payload: dict[str, Any], dedup_key: str,
    at: dt.datetime, recipient_role: str = "PAR",
) -> Notification:
    """Write a cabinet message once per dedup key (delivered at once to the web cabinet).

    The recipient is a role and a key: a parent's IIN, a city code for its education
    department, a preschool's BIN, a bank's code.
    """
    obj, created = Notification.objects.get_or_create(
        dedup_key=dedup_key,
        defaults={"city": city, "kind": kind, "recipient_role": recipient_role,
                  "recipient_key": recipient_key, "payload": payload, "created_at": at})
    if created and CHANNELS[obj.channel].deliver(obj):
        obj.delivered_at = at
        obj.save(update_fields=["delivered_at"])
    return obj


def notify_many(messages: list[dict[str, Any]], *, at: dt.datetime) -> int:
    """`notify` for many messages at once (each a dict of notify's keyword arguments); a dedup
    key already in the outbox (or twice in the list) writes nothing; returns how many were written."""
    keys = [m["dedup_key"] for m in messages]
    taken: set[str] = set()
    for i in range(0, len(keys), CHUNK):
        taken.update(Notification.objects.filter(dedup_key__in=keys[i:i + CHUNK])
                     .values_list("dedup_key", flat=True))
    new: list[Notification] = []
    for m in messages:
        if m["dedup_key"] in taken:
            continue
        taken.add(m["dedup_key"])
        new.append(Notification(city=m["city"], kind=m["kind"],
                                recipient_role=m.get("recipient_role", "PAR"),
                                recipient_key=m["recipient_key"], payload=m["payload"],
                                created_at=at, dedup_key=m["dedup_key"]))
    Notification.objects.bulk_create(new, batch_size=CHUNK)
    delivered = [n.pk for n in new if CHANNELS[n.channel].deliver(n)]
    for i in range(0, len(delivered), CHUNK):
        Notification.objects.filter(pk__in=delivered[i:i + CHUNK]).update(delivered_at=at)
    return len(new)


def notify_from(query: QuerySet[Any], fields: Sequence[str], *, at: dt.datetime) -> int:
    """The messages a query yields, written by one INSERT ... SELECT (no message is built in
    Python: a city's month of payment messages at once); returns how many.

    `fields` name the query's fields or annotations giving city, kind, recipient_role,
    recipient_key, payload (a JSON object) and dedup_key, in that order. Each message is for
    the web cabinet, which delivers it as it is written. A dedup key already in the outbox
    writes nothing (`ON CONFLICT DO NOTHING`): two ticks at once, each having seen the key
    missing, write it once.
    """
    if len(fields) != len(COLUMNS):
        raise ValueError(f"notify_from needs the fields {', '.join(COLUMNS)}")
    stamp = Value(at, output_field=models.DateTimeField())
    # selected in the order they are annotated, whatever the order of the query's own
    out: dict[str, Any] = {f"out_{i}": F(name) for i, name in enumerate(fields)}
    out.update(out_6=Value("cabinet"), out_7=stamp, out_8=stamp)
    sql, params = query.annotate(**out).values_list(*out).query.sql_with_params()
    columns = ", ".join((*COLUMNS, "channel", "created_at", "delivered_at"))
    with connection.cursor() as cur:
        # "WHERE true": SQLite reads an ON CONFLICT after a bare SELECT as a join's ON
        cur.execute(f"INSERT INTO {Notification._meta.db_table} ({columns}) "
                    f"SELECT * FROM ({sql}) AS new WHERE true "
                    "ON CONFLICT (dedup_key) DO NOTHING", params)
        written: int = cur.rowcount
    return written
