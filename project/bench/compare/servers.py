"""The processes a comparison runs: the monolith (one gunicorn, SERVICE=all), the split topology
(`project.bench.split.LocalSplit`), and the framework floor (a minimal Django app under the same
gunicorn settings). Plus a fresh PostgreSQL database per topology, dropped afterwards."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from project.bench.split import LocalSplit
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


@dataclass
class FloorServer(LocalMonolith):
    """The framework floor (`floor.py`), served by gunicorn with the product's config file
    (workers, timeouts, preload); only the WSGI application differs. It answers `body`."""

    body: bytes = b""
    app = "project.bench.compare.floor:application"
    path = "/"

    def env(self, service: str = "all") -> dict[str, str]:
        env = super().env(service)
        env.pop("DJANGO_SETTINGS_MODULE", None)  # the module configures Django itself
        return {**env, "FLOOR_BODY": str(self._body_path())}

    def _body_path(self) -> Path:
        return self.data_dir / "floor_body.html"

    def command(self) -> list[str]:
        return [*super().command(), self.app]

    def start(self, service: str = "all") -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._body_path().write_bytes(self.body)
        super().start(service)


@dataclass
class StackFloorServer(FloorServer):
    """The same bytes through the product's settings, middleware and request log (SERVICE=all,
    on the monolith's data and database), from a URL `stack_floor.py` adds to the product's."""

    app = "project.wsgi:application"
    path = "/compare-floor/"

    def env(self, service: str = "all") -> dict[str, str]:
        env = LocalMonolith.env(self, service)
        return {
            **env,
            "DJANGO_SETTINGS_MODULE": "project.bench.compare.stack_floor",
            "FLOOR_BODY": str(self._body_path()),
        }


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
        row = connection.execute("SHOW server_version").fetchone()
        assert row is not None  # SHOW always answers one row
        return row[0]


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
