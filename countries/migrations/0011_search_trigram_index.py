from django.db import migrations

from project.kernel.migrations_steps import trigram_index


class Migration(migrations.Migration):
    dependencies = [
        ("countries", "0010_name_per_language_indexes"),
    ]

    operations = [
        # A search for part of a name or code reads the index, not every country.
        trigram_index("countries.Country", "search_key", "country_search_trgm_idx"),
    ]
