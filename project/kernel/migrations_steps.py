"""Migration steps the departments share."""

from collections.abc import Callable
from typing import Any

from django.db import migrations, router


def write_keys(app_label: str, model_name: str, field: str, key: Callable[[Any], str]):
    """A step that writes derived key `field` (see `fields.KeyField`) of every row there is,
    from the row (its code and name)."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        alias = schema_editor.connection.alias
        if not router.allow_migrate_model(alias, model):
            return
        rows = list(model.objects.using(alias).only("pk", "code", "name"))
        for row in rows:
            setattr(row, field, key(row))
        model.objects.using(alias).bulk_update(rows, [field], batch_size=1000)

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)
