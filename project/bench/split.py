"""The split topology on one machine: four gunicorn processes on loopback, each with its own
SERVICE, data and log, wired together by the service URLs; with a NATS server, each service's
event worker (`manage.py run_events`) beside it. Used by `manage.py run_split` (`make split`)
and by the topology tests."""

import os
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from project.bench.nats import LocalNats
from project.bench.processes import stop_process, wait_until_answering
from project.topology import DEPARTMENTS, SERVICE_URL_VARIABLES, in_call_order

BASE_DIR = Path(__file__).resolve().parents[2]
GUNICORN_CONF = BASE_DIR / "deploy" / "gunicorn.conf.py"
DEFAULT_PORTS = {"portal": 8000, "countries": 8001, "currencies": 8002, "languages": 8003}
DEFAULT_NATS_PORT = 8004
# A service starts after the services it calls.
START_ORDER = tuple(in_call_order((*DEPARTMENTS, "portal")))


def free_ports(names: Iterable[str], host: str = "127.0.0.1") -> dict[str, int]:
    """A distinct free port per name. The probe sockets stay bound until all are picked, so the
    kernel cannot hand out one port twice."""
    with ExitStack() as probes:
        ports = {}
        for name in names:
            probe = probes.enter_context(socket.socket())
            probe.bind((host, 0))
            ports[name] = probe.getsockname()[1]
        return ports


def ensure_port_free(host: str, port: int) -> None:
    """Fail before starting a server whose port is taken: gunicorn would retry binding for
    seconds, while whatever holds the port answered our readiness checks."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, port))
        except OSError as error:
            raise RuntimeError(f"{host}:{port} is already in use ({error.strerror})") from None


@dataclass
class LocalSplit:
    ports: dict[str, int]
    data_dir: Path  # per service: its SQLite files, and its log
    host: str = "127.0.0.1"
    database_url: str = ""  # PostgreSQL for every service, else each service's own SQLite files
    workers: int = 1
    # Workers of single services where they differ from `workers` (see `restart`).
    service_workers: dict[str, int] = field(default_factory=dict)
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(40))
    extra_env: dict[str, str] = field(default_factory=dict)
    nats: LocalNats | None = None  # the broker of the event workers, if they run
    # Event workers that answer probes and /metrics (`run_events --health`), on these ports.
    worker_ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    event_workers: dict[str, subprocess.Popen] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return f"http://{self.host}:{self.ports[service]}"

    def log_path(self, service: str) -> Path:
        return self.data_dir / f"{service}.log"

    def env(self, service: str) -> dict[str, str]:
        env = {
            **os.environ,
            # The product's settings, also when started from a test run (tests.settings).
            "DJANGO_SETTINGS_MODULE": "project.settings",
            "SERVICE": service,
            "HOST": self.host,
            "PORT": str(self.ports[service]),
            "DEBUG": "0",
            "HTTPS": "false",  # plain HTTP on loopback
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": f"{self.host},localhost",
            "DATA_DIR": str(self.data_dir / service),
            "STATIC_ROOT": str(self.data_dir / "static"),
            "GUNICORN_WORKERS": str(self.workers_of(service)),
            **{SERVICE_URL_VARIABLES[d]: self.url(d) for d in DEPARTMENTS},
        }
        env.pop("DATABASE_URL", None)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        if self.nats is not None:
            env["NATS_URL"] = self.nats.url
        return {**env, **self.extra_env}

    @property
    def read_model(self) -> str:
        return self.extra_env.get("READ_MODEL", "live")

    def has_events(self, service: str) -> bool:
        """Whether `service` has an event worker: a department publishes its outbox; the
        portal reads events only for its replicas."""
        return self.nats is not None and (service in DEPARTMENTS or self.read_model == "replica")

    def manage(self, service: str, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, str(BASE_DIR / "manage.py"), *args],
            env=self.env(service),
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(f"SERVICE={service} manage.py {' '.join(args)}:\n{result.stderr}")
        return result.stdout

    def prepare(self) -> None:
        """Collect static files once, then migrate each service's own databases."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.manage("portal", "collectstatic", "--noinput", "--verbosity=0")
        for service in START_ORDER:
            self.manage(service, "migrate", "--verbosity=0")

    def command(self) -> list[str]:
        return [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF)]

    def start(self, service: str) -> None:
        ensure_port_free(self.host, self.ports[service])
        log = self.log_path(service).open("ab")
        self.processes[service] = subprocess.Popen(
            self.command(),
            env=self.env(service),
            cwd=BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()  # the child has its own handle
        self.wait_ready(service)

    def event_log_path(self, service: str) -> Path:
        return self.data_dir / f"{service}-events.log"

    def start_events(self, service: str) -> None:
        command = [sys.executable, str(BASE_DIR / "manage.py"), "run_events"]
        env = self.env(service)
        if service in self.worker_ports:
            command.append("--health")
            env = {**env, "PORT": str(self.worker_ports[service])}
            env.pop("METRICS_PORT", None)  # beside the probes
        log = self.event_log_path(service).open("ab")
        self.event_workers[service] = subprocess.Popen(
            command,
            env=env,
            cwd=BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def start_with_events(self, service: str) -> None:
        """`service`, then its event worker where it has one."""
        self.start(service)
        if self.has_events(service):
            self.start_events(service)

    def stop_events(self, service: str, *, kill: bool = False) -> None:
        stop_process(self.event_workers.pop(service, None), kill=kill)

    def wait_ready(self, service: str, timeout: float = 30) -> None:
        wait_until_answering(
            self.processes[service],
            service,
            f"{self.url(service)}/readyz",
            self.log_path(service),
            timeout,
        )

    def stop(self, service: str) -> None:
        stop_process(self.processes.pop(service, None))

    def workers_of(self, service: str) -> int:
        return self.service_workers.get(service, self.workers)

    def restart(self, service: str, *, workers: int | None = None) -> None:
        """`service` stopped and started again (with `workers` gunicorn workers, if given), with
        the environment as it is now; its event worker runs on."""
        if workers is not None:
            self.service_workers[service] = workers
        self.stop(service)
        self.start(service)

    def stop_all(self) -> None:
        for service in reversed(START_ORDER):
            self.stop_events(service)
            self.stop(service)
        if self.nats is not None:
            self.nats.stop()
