import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper as PostgresqlDatabase
from django.urls import get_resolver
from rest_framework.test import APIClient

from project.topology import DEPARTMENTS
from tests.factories import department_user


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Migrate every department alias into the test database.

    On PostgreSQL all aliases share one database (one schema each), so Django's test runner
    creates and migrates it once, through `default`, where the router keeps department tables
    out. Migrating each alias puts each department's tables into its own schema. On SQLite
    each alias already has its own database and this finds nothing to do."""
    with django_db_blocker.unblock():
        for alias in DEPARTMENTS:
            call_command("migrate", database=alias, verbosity=0)
    yield
    # The test database can only be dropped once nothing holds a connection to it, also
    # connections that server threads of live-server tests left behind.
    with django_db_blocker.unblock():
        default = connections["default"]
        if default.vendor == "postgresql":
            with default.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
    connections.close_all()


@pytest.fixture(scope="session", autouse=True)
def url_patterns_of_the_real_topology():
    """The URLconf is built once per process from its topology. Build it now, before a test
    overrides TOPOLOGY to make the other departments remote, so that it serves them all."""
    get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate limits count in the cache; each test starts with none used."""
    cache.clear()


@pytest.fixture(autouse=True)
def _no_idle_connections_after_a_burst():
    """A race test borrows up to 30 connections per alias from this process's pools
    (tests/settings.py), and a pool closes only one idle connection per `max_idle`. Those left
    open would count against PostgreSQL's 100 connections while later tests start servers of
    their own, whose pools then time out."""
    yield
    grown = [
        connection
        for connection in connections.all(initialized_only=True)
        if isinstance(connection, PostgresqlDatabase)
        and connection.pool is not None
        and connection.pool.get_stats()["pool_size"] > 4
    ]
    if grown:
        connections.close_all()
        for connection in grown:
            connection.close_pool()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as():
    """An API client authenticated by token as a user of the given department."""

    def make(department: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {department_user(department).auth_token.key}")
        return client

    return make
