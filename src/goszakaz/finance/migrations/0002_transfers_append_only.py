"""On PostgreSQL a trigger refuses UPDATE and DELETE of transfers: corrections are new transfers."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION finance_transfer_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'transfers are append-only: % refused on %', TG_OP, OLD.id;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER finance_transfer_append_only
    BEFORE UPDATE OR DELETE ON finance_transfer
    FOR EACH ROW EXECUTE FUNCTION finance_transfer_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS finance_transfer_append_only ON finance_transfer;
DROP FUNCTION IF EXISTS finance_transfer_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
