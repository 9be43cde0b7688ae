"""O1, I16: the pilot cities and their periods, as data (Uralsk open-ended until configured)."""

from __future__ import annotations

import datetime as dt
from typing import Any

# code, name ru / kk / en, pilot start, pilot end (None: open-ended), allocation rule set (A5)
CITIES = [
    ("shymkent", "Шымкент", "Шымкент", "Shymkent", dt.date(2024, 3, 1), dt.date(2024, 12, 25), ""),
    ("taraz", "Тараз", "Тараз", "Taraz", dt.date(2024, 3, 1), dt.date(2024, 12, 25), "taraz-2024"),
    ("turkestan", "Туркестан", "Түркістан", "Turkestan", dt.date(2024, 3, 1),
     dt.date(2024, 12, 25), ""),
    ("uralsk", "Уральск", "Орал", "Uralsk", dt.date(2024, 11, 1), None, ""),
]


def ensure(city_model: Any) -> None:
    """Create the pilot cities that are missing; idempotent. (The data migration keeps its own
    frozen copy of this list; the tests use this one after a flush.)"""
    for code, ru, kk, en, start, end, rules in CITIES:
        city_model.objects.get_or_create(code=code, defaults={
            "name_ru": ru, "name_kk": kk, "name_en": en, "pilot_start": start, "pilot_end": end,
            "allocation_rules": rules})
