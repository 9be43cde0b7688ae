"""A notification's recipient is a role and a key (IIN, city code, BIN, bank code), not only an IIN."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [
        migrations.RenameField("notification", "recipient_iin", "recipient_key"),
        migrations.AlterField(
            "notification", "recipient_key",
            models.CharField(
                max_length=32, db_index=True,
                help_text="whose cabinet: a parent's IIN, a city code (EDU), a BIN (PRE), a bank code"),
        ),
        migrations.AddField(
            "notification", "recipient_role",
            models.CharField(max_length=8, default="PAR", help_text="PAR, EDU, PRE, BANK or OPR"),
        ),
    ]
