from django.db import migrations

from project.kernel.access import department_group_operation


class Migration(migrations.Migration):
    dependencies = [
        ("languages", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        department_group_operation(
            department="languages",
            model="language",
            group="Language department",
        )
    ]
