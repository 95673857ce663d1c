import django.utils.timezone
import uuid
from django.db import migrations, models

from project.kernel.outbox import record_existing_operation


class Migration(migrations.Migration):
    dependencies = [
        ("languages", "0002_department_group"),
    ]

    operations = [
        migrations.CreateModel(
            name="LanguageOutbox",
            fields=[
                ("version", models.BigAutoField(primary_key=True, serialize=False)),
                ("event_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("type", models.CharField(max_length=40)),
                ("code", models.CharField(max_length=3)),
                ("state", models.JSONField(null=True)),
                ("occurred_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("published_at", models.DateTimeField(db_index=True, null=True)),
            ],
            options={
                "verbose_name": "language event",
                "ordering": ["version"],
                "abstract": False,
            },
        ),
        record_existing_operation(
            app_label="languages",
            model="language",
            outbox="languageoutbox",
            record_type="language",
            fields=("code", "name"),
        ),
    ]
