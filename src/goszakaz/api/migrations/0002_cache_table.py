"""The cache table (settings.CACHES: the API's throttle counts), made by `migrate` so that every
command that migrates (run, demo, simulate, the tests, serve) has it."""

from django.core.management import call_command
from django.db import migrations


def make_cache_table(apps, schema_editor):  # type: ignore[no-untyped-def]
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]
    operations = [migrations.RunPython(make_cache_table, migrations.RunPython.noop)]
