"""Send each department's models to the database alias named after the department."""

from project.topology import DEPARTMENTS


def alias_for_app(app_label: str) -> str:
    return app_label if app_label in DEPARTMENTS else "default"


class DepartmentRouter:
    def db_for_read(self, model, **hints):
        return alias_for_app(model._meta.app_label)

    def db_for_write(self, model, **hints):
        return alias_for_app(model._meta.app_label)

    def allow_relation(self, obj1, obj2, **hints):
        # No relation may cross a department's database.
        return alias_for_app(obj1._meta.app_label) == alias_for_app(obj2._meta.app_label)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A migration may name its target explicitly (data migrations touching auth tables).
        return db == hints.get("target_db", alias_for_app(app_label))
