from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('attendance', '0003_dispute_document_by_content'),
    ]

    operations = [
        migrations.AddField(
            model_name='dispute',
            name='answer_reason',
            field=models.TextField(blank=True, help_text="why the preschool disagrees (A7.16), for the operator's risk case", max_length=2000),
        ),
    ]
