"""Each department keeps its data in its own database alias: a file on SQLite, a schema on
PostgreSQL."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, connections

from project.routers import DepartmentRouter

DEPARTMENT_TABLES = {
    "countries": "countries_country",
    "currencies": "currencies_currency",
    "languages": "languages_language",
}
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="schemas exist on PostgreSQL only"
)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="files exist on SQLite only")


def test_one_alias_per_department_plus_default():
    assert set(settings.DATABASES) == {"default", "countries", "currencies", "languages"}


@pytest.mark.parametrize("department", DEPARTMENT_TABLES)
def test_router_sends_each_department_to_its_alias(department):
    router = DepartmentRouter()
    model = apps.get_app_config(department).get_models().__next__()

    assert router.db_for_read(model) == department
    assert router.db_for_write(model) == department
    assert router.allow_migrate(department, department)
    assert not router.allow_migrate("default", department)
    assert not router.allow_migrate(department, "auth")


def test_no_model_relation_crosses_app_labels():
    crossing = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not field.is_relation or field.related_model is None:
                continue
            labels = {model._meta.app_label, field.related_model._meta.app_label}
            if len(labels) == 2 and labels & set(DEPARTMENT_TABLES):
                crossing.append(f"{model._meta.label}.{field.name}")

    assert crossing == []


@on_sqlite
def test_sqlite_keeps_one_database_per_alias():
    names = {alias: connections[alias].settings_dict["NAME"] for alias in settings.DATABASES}
    assert len(set(names.values())) == len(names)


@on_postgresql
@pytest.mark.django_db(databases="__all__")
def test_postgresql_keeps_each_department_table_in_its_own_schema_only():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_name = ANY(%s)",
            [list(DEPARTMENT_TABLES.values())],
        )
        found = sorted(cursor.fetchall())

    assert found == sorted((schema, table) for schema, table in DEPARTMENT_TABLES.items())


@on_postgresql
@pytest.mark.django_db(databases="__all__")
def test_postgresql_department_search_path_excludes_public():
    for department in DEPARTMENT_TABLES:
        with connections[department].cursor() as cursor:
            cursor.execute("SHOW search_path")
            assert cursor.fetchone()[0] == department


@on_postgresql
@pytest.mark.django_db(databases="__all__")
def test_postgresql_auth_tables_stay_in_default_schema():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT table_schema FROM information_schema.tables "
            "WHERE table_name IN ('auth_user', 'django_session', 'django_admin_log')"
        )
        assert [row[0] for row in cursor.fetchall()] == ["public"]
