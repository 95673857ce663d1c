import json
import os
import time
from contextlib import contextmanager

import pytest
import requests

from project.bench.compare.servers import fresh_postgres_database
from project.bench.nats import LocalNats
from project.bench.split import START_ORDER, LocalSplit, free_ports
from project.topology import DEPARTMENTS


@contextmanager
def scratch_database(name: str):
    """On a PostgreSQL test run, a fresh database of that name, dropped afterwards; yields its
    URL. On SQLite runs yields "": each service then keeps its own files."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield ""
        return
    with fresh_postgres_database(url, name) as database_url:
        yield database_url


@pytest.fixture(scope="session")
def split_database_url():
    """The split services share one database (each service in its own schemas)."""
    with scratch_database("country_provider_split_test") as url:
        yield url


FRONTEND_ORIGIN = "http://localhost:4200"


@contextmanager
def running_split(
    data_dir,
    database_url: str,
    *,
    events: bool = False,
    worker_ports: dict[str, int] | None = None,
    **extra_env: str,
):
    """The four services as real gunicorn processes on free loopback ports; with `events`, a
    NATS server of their own and each service's event worker too (answering probes and
    metrics on `worker_ports`, where given)."""
    ports = free_ports([*START_ORDER, "nats"])
    nats = LocalNats(ports.pop("nats"), data_dir / "nats") if events else None
    topology = LocalSplit(
        ports=ports,
        data_dir=data_dir,
        database_url=database_url,
        # As for the original workshop frontend, served from another origin.
        extra_env={"CORS_ALLOWED_ORIGINS": FRONTEND_ORIGIN, **extra_env},
        nats=nats,
        worker_ports=worker_ports or {},
    )
    try:
        topology.prepare()
        if nats is not None:
            nats.start()
        for service in START_ORDER:
            topology.start_with_events(service)
        yield topology
    finally:
        topology.stop_all()


@contextmanager
def split_of_its_own(
    tmp_path_factory,
    name: str,
    *,
    events: bool = False,
    worker_ports: dict[str, int] | None = None,
    **extra_env: str,
):
    """A split topology on a database of its own (fresh on PostgreSQL runs), for tests that
    fill it with odd records or run it with other settings."""
    with (
        scratch_database(f"country_provider_{name}_test") as database_url,
        running_split(
            tmp_path_factory.mktemp(name),
            database_url,
            events=events,
            worker_ports=worker_ports,
            **extra_env,
        ) as topology,
    ):
        yield topology


def department_tokens(topology: LocalSplit) -> dict[str, str]:
    """A staff user per department, made by the command run with that service's SERVICE."""
    return {
        department: topology.manage(
            department, "create_department_user", f"{department}-staff", "--department", department
        ).splitlines()[-1]
        for department in DEPARTMENTS
    }


def department_calls(topology: LocalSplit, request_id: str) -> dict[str, list[str]]:
    """The paths each department service logged for requests with that ID, once each has had
    time to flush its log line."""
    time.sleep(0.5)
    return {service: logged_paths(topology, service, request_id) for service in DEPARTMENTS}


def logged_paths(topology: LocalSplit, service: str, request_id: str) -> list[str]:
    """The paths `service` logged for requests with that ID."""
    lines = topology.log_path(service).read_text().splitlines()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    return [r["path"] for r in records if r.get("request_id") == request_id]


@pytest.fixture(scope="package")
def split(tmp_path_factory, split_database_url):
    """The split topology shared by the topology tests; a test that stops a service starts
    it again."""
    with running_split(tmp_path_factory.mktemp("split"), split_database_url) as topology:
        yield topology


@pytest.fixture(scope="package")
def tokens(split):
    return department_tokens(split)


@pytest.fixture
def http():
    session = requests.Session()
    yield session
    session.close()
