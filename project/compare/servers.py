"""The processes a comparison runs: the monolith (one gunicorn, SERVICE=all), the split topology
(`project.split.LocalSplit`), and the framework floor (a minimal Django app under the same
gunicorn settings). Plus a fresh PostgreSQL database per topology, dropped afterwards."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from project.split import BASE_DIR, LocalSplit
from project.topology import SERVICE_URL_VARIABLES


@dataclass
class LocalMonolith(LocalSplit):
    """Every department and the portal in one gunicorn (SERVICE=all), with LocalSplit's
    environment, start, readiness and stop. `ports` has the single key "all"."""

    def url(self, service: str = "all") -> str:
        return f"http://{self.host}:{self.ports['all']}"

    def env(self, service: str = "all") -> dict[str, str]:
        env = super().env("all")
        for variable in SERVICE_URL_VARIABLES.values():
            env.pop(variable, None)  # it calls no other service
        return env

    def stop_all(self) -> None:
        for service in list(self.processes):
            self.stop(service)


# A minimal Django project: no middleware, no apps, no database; one view answering the same
# bytes as the portal page measured, built once at import.
FLOOR_MODULE = '''\
"""The framework floor for the comparison (generated; not part of the product)."""

from pathlib import Path

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="framework-floor",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
    USE_I18N=False,
)

import django  # noqa: E402

django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

BODY = (Path(__file__).parent / "floor_body.html").read_bytes()


def page(request):
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


def ready(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("", page), path("readyz", ready)]
application = get_wsgi_application()
'''


@dataclass
class FloorServer(LocalMonolith):
    """The floor app, generated into `data_dir`, served by gunicorn with the product's config
    file (workers, timeouts, preload); only the WSGI application differs."""

    body: bytes = b""
    app = "compare_floor:application"
    path = "/"

    def env(self, service: str = "all") -> dict[str, str]:
        env = super().env(service)
        env.pop("DJANGO_SETTINGS_MODULE", None)  # the module configures Django itself
        return env

    def write_modules(self) -> None:
        (self.data_dir / "compare_floor.py").write_text(FLOOR_MODULE)

    def command(self) -> list[str]:
        return [*super().command(), "--pythonpath", f"{self.data_dir},{BASE_DIR}", self.app]

    def start(self, service: str = "all") -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "floor_body.html").write_bytes(self.body)
        self.write_modules()
        super().start(service)


# The product's own settings, middleware and request log, plus one URL answering the same
# bytes: what the product's stack costs before a page does any work of its own.
STACK_SETTINGS_MODULE = """\
from project.settings import *  # noqa: F403

ROOT_URLCONF = "compare_stack_urls"
"""

STACK_URLS_MODULE = """\
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

from project.urls import urlpatterns as product_urlpatterns

BODY = (Path(__file__).parent / "floor_body.html").read_bytes()


def page(request):
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path("compare-floor/", page), *product_urlpatterns]
"""


@dataclass
class StackFloorServer(FloorServer):
    """The same bytes through the product's settings and middleware (SERVICE=all, on the
    monolith's data and database), from a URL that a generated URLconf adds."""

    app = "project.wsgi:application"
    path = "/compare-floor/"

    def env(self, service: str = "all") -> dict[str, str]:
        env = LocalMonolith.env(self, service)
        return {**env, "DJANGO_SETTINGS_MODULE": "compare_stack_settings"}

    def write_modules(self) -> None:
        (self.data_dir / "compare_stack_settings.py").write_text(STACK_SETTINGS_MODULE)
        (self.data_dir / "compare_stack_urls.py").write_text(STACK_URLS_MODULE)


def postgres_admin_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


@contextmanager
def fresh_postgres_database(url: str, name: str) -> Iterator[str]:
    """A new, empty database `name` on the server of `url`, dropped afterwards. The database
    `url` names is never touched."""
    import psycopg  # noqa: PLC0415 - only on PostgreSQL runs

    admin_url = postgres_admin_url(url)

    def drop(connection) -> None:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')

    with psycopg.connect(admin_url, autocommit=True) as connection:
        drop(connection)
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            drop(connection)


def postgres_version(url: str) -> str:
    import psycopg  # noqa: PLC0415 - only on PostgreSQL runs

    with psycopg.connect(postgres_admin_url(url), autocommit=True) as connection:
        return connection.execute("SHOW server_version").fetchone()[0]


def stop_quietly(*topologies: LocalSplit) -> None:
    """Stop every process of every topology, even if stopping one fails."""
    for topology in topologies:
        if topology is None:
            continue
        try:
            topology.stop_all()
        except Exception:  # keep stopping the others
            for process in topology.processes.values():
                process.kill()
            topology.processes.clear()


def log_tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
