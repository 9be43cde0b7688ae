"""O1, I16: the pilot cities and their periods (data in goszakaz/registry/pilot_cities.py)."""

from django.db import migrations

from goszakaz.registry import pilot_cities


def add_cities(apps, schema_editor):
    pilot_cities.ensure(apps.get_model("registry", "City"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(add_cities, migrations.RunPython.noop)]
