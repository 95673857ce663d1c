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


def trigram_index(model_name: str, column: str, index_name: str):
    """A step that gives `column` a trigram index on PostgreSQL, so that a search for a part of
    it (LIKE '%term%', what `search.searched` asks) reads the index instead of every row. It
    creates the pg_trgm extension where it is missing (a trusted extension: the database owner
    may). Elsewhere (SQLite) it does nothing: there a search reads every row."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        table = apps.get_model(*model_name.split("."))._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            # Its operator classes live in the schema it was created in, which need not be on
            # this alias's search path.
            cursor.execute(
                "SELECT extnamespace::regnamespace::text FROM pg_extension"
                " WHERE extname = 'pg_trgm'"
            )
            (schema,) = cursor.fetchone()
        quote = connection.ops.quote_name
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(index_name)} ON {quote(table)} "
            f"USING gin ({quote(column)} {schema}.gin_trgm_ops)"
        )

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            quote = schema_editor.connection.ops.quote_name
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(index_name)}")

    return migrations.RunPython(forwards, backwards)
