"""A contract cancelled before it began (never in force), and no contract ending before it starts."""

from django.db import migrations, models


def cancel_never_in_force(apps, schema_editor):
    """A contract ended the day before it began (annulled before its start, as the system did
    before this migration) was never in force: it becomes cancelled from its start."""
    Contract = apps.get_model("enrollment", "Contract")
    for contract in Contract.objects.filter(ends_on__lt=models.F("starts_on")):
        contract.cancelled_on, contract.ends_on = contract.starts_on, None
        contract.save(update_fields=["cancelled_on", "ends_on"])


class Migration(migrations.Migration):

    dependencies = [
        ('enrollment', '0001_initial'),
        ('registry', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelOptions(name="contract", options={"default_manager_name": "objects"}),
        migrations.AddField(
            model_name='contract',
            name='cancelled_on',
            field=models.DateField(blank=True, help_text='never in force: its voucher was annulled from this day, before it began', null=True),
        ),
        migrations.RunPython(cancel_never_in_force, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='contract',
            constraint=models.CheckConstraint(condition=models.Q(('ends_on', None), ('ends_on__gte', models.F('starts_on')), _connector='OR'), name='contract_ends_on_or_after_its_start'),
        ),
    ]
