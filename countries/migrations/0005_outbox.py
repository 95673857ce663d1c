import django.utils.timezone
import uuid
from django.db import migrations, models

from project.kernel.outbox import record_existing_operation


class Migration(migrations.Migration):
    dependencies = [
        ("countries", "0004_country_link_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="CountryOutbox",
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
                "verbose_name": "country event",
                "ordering": ["version"],
                "abstract": False,
            },
        ),
        record_existing_operation(
            app_label="countries",
            model="country",
            outbox="countryoutbox",
            record_type="country",
            fields=("code", "name", "currency_code", "language_code"),
        ),
    ]
