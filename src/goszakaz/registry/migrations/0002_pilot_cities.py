"""O1, I16: the pilot cities and their periods, as data (Uralsk open-ended until configured)."""

import datetime as dt

from django.db import migrations

CITIES = [
    ("shymkent", "Шымкент", "Шымкент", "Shymkent", dt.date(2024, 3, 1), dt.date(2024, 12, 25), ""),
    ("taraz", "Тараз", "Тараз", "Taraz", dt.date(2024, 3, 1), dt.date(2024, 12, 25), "taraz-2024"),
    ("turkestan", "Туркестан", "Түркістан", "Turkestan", dt.date(2024, 3, 1),
     dt.date(2024, 12, 25), ""),
    ("uralsk", "Уральск", "Орал", "Uralsk", dt.date(2024, 11, 1), None, ""),
]


def add_cities(apps, schema_editor):
    City = apps.get_model("registry", "City")
    for code, ru, kk, en, start, end, rules in CITIES:
        City.objects.get_or_create(code=code, defaults={
            "name_ru": ru, "name_kk": kk, "name_en": en, "pilot_start": start, "pilot_end": end,
            "allocation_rules": rules})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(add_cities, migrations.RunPython.noop)]
