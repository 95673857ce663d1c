"""The rendered manifests run on loopback, as a cluster would run them, minus the cluster.

Each container runs as a local process: its command (or the image's entrypoint), its env as the
ConfigMaps and Secrets give it, the image's working directory mapped to the repository. A small
HTTP proxy stands in for the cluster network: the processes reach each other through it by the
Service DNS names in their settings (so Host headers, and ALLOWED_HOSTS, are what they would be
in the cluster), and the tests reach them through it by the Ingress host, routed by the rendered
Ingress rules. A NATS StatefulSet, where the overlay has one, is a local nats-server, as the
PostgreSQL one is the test run's database."""

import http.client
import os
import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from project.bench.nats import LocalNats
from project.bench.processes import wait_until_answering
from project.bench.split import free_ports
from tests.deploy.manifests import (
    REPO,
    Manifest,
    Pod,
    dockerfile_stages,
    ingress_backend,
    ingress_hosts,
    tls_hosts,
)

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}


@dataclass
class Image:
    """What the image gives a container: deploy/Dockerfile's runtime stage."""

    entrypoint: list[str]
    cmd: list[str]
    workdir: str
    env: dict[str, str]
    build_env: dict[str, str]  # the variables the build sets for collectstatic

    @classmethod
    def from_dockerfile(cls) -> "Image":
        stages = dockerfile_stages()
        runtime = stages[-1]
        collect = next(
            r.value[0] for s in stages for r in s.all("RUN") if "collectstatic" in r.value[0]
        )
        return cls(
            entrypoint=list(runtime.last("ENTRYPOINT").value) if runtime.last("ENTRYPOINT") else [],
            cmd=list(runtime.last("CMD").value) if runtime.last("CMD") else [],
            workdir=runtime.workdir,
            env=runtime.env,
            build_env=dict(re.findall(r"\b([A-Z_]+)=(\S+)", collect.split("python")[0])),
        )

    def local_path(self, value: str) -> str:
        """A path inside the image, as it is in the repository."""
        if value == self.workdir or value.startswith(f"{self.workdir}/"):
            return str(REPO / value.removeprefix(self.workdir).lstrip("/"))
        return value

    def argv(self, container: dict) -> list[str]:
        """Kubernetes' rule: `command` replaces the entrypoint (and drops the image's CMD),
        `args` replaces CMD. Programs run from the current interpreter."""
        if container.get("command"):
            argv = [*container["command"], *container.get("args", [])]
        else:
            argv = [*self.entrypoint, *container.get("args", self.cmd)]
        program, *args = argv
        assert not any("$(" in a for a in args), f"variable expansion is not supported: {argv}"
        if program in ("python", "python3"):
            head = [sys.executable]
        elif program == "gunicorn":
            head = [sys.executable, "-m", "gunicorn"]
        else:
            raise AssertionError(f"no local stand-in for {program!r}")
        return [*head, *(self.local_path(a) for a in args)]


class ClusterNetwork:
    """An HTTP proxy on loopback: `Host: countries:8000` goes to the process of the pods the
    `countries` Service selects, on the container port its targetPort names; `Host:` the Ingress
    host goes where the Ingress rules send the path. Every hop is recorded."""

    def __init__(self, manifest: Manifest):
        self.manifest = manifest
        self.ingresses = manifest.of_kind("Ingress")
        self.local_ports: dict[tuple[str, int], int] = {}  # (workload, container port) -> port
        self.hops: list[tuple[str, str, str]] = []  # (Host header, path, workload)
        network = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def forward(self):
                network.forward(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = forward

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def resolve(self, host: str, port: int, path: str) -> tuple[str, int]:
        """(workload, local port) that a request to host:port/path reaches in the cluster."""
        if host in ingress_hosts(self.ingresses):
            backend = ingress_backend(self.ingresses, host, path)
            if backend is None:
                raise LookupError(f"no Ingress rule for {host}{path}")
            service_name, service_port = backend
        else:
            # countries, countries.<namespace>, countries.<namespace>.svc.cluster.local
            service_name, service_port = host.split(".", maxsplit=1)[0], port
        for pod, container_port in self.manifest.endpoints(service_name, service_port):
            if (pod.name, container_port) in self.local_ports:
                return pod.name, self.local_ports[pod.name, container_port]
        raise LookupError(f"Service {service_name}: no running pod")

    def forward(self, request: BaseHTTPRequestHandler):
        url = urlsplit(request.path)  # a proxy gets the absolute URL
        host_header = request.headers.get("Host") or url.netloc
        host, _, port = host_header.partition(":")
        path = url.path or "/"
        try:
            workload, local_port = self.resolve(host, int(port or 80), path)
        except LookupError as error:
            request.send_error(502, str(error))
            return
        self.hops.append((host_header, path, workload))
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        if host in ingress_hosts(self.ingresses):
            # What ingress-nginx adds; for a host with TLS, the client's leg was HTTPS (the
            # proxy stands in for the TLS-terminating controller).
            scheme = "https" if host in tls_hosts(self.ingresses) else "http"
            headers.update(
                {
                    "X-Forwarded-For": "127.0.0.1",
                    "X-Forwarded-Proto": scheme,
                    "X-Real-IP": "127.0.0.1",
                }
            )
        connection = http.client.HTTPConnection("127.0.0.1", local_port, timeout=30)
        try:
            target = path + (f"?{url.query}" if url.query else "")
            connection.request(request.command, target, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except OSError as error:
            request.send_error(502, f"{workload}: {error}")
            return
        finally:
            connection.close()
        request.send_response_only(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                request.send_header(name, value)
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        if request.command != "HEAD":
            request.wfile.write(data)


class LocalCluster:
    """The workloads of a rendered overlay as processes: migration Jobs first, then the
    Deployments, each on a free loopback port. `stop()` ends them all."""

    def __init__(self, manifest: Manifest, directory: Path, database_url: str = ""):
        self.manifest = manifest
        self.directory = directory
        self.database_url = database_url  # PostgreSQL for all, else SQLite per service
        self.image = Image.from_dockerfile()
        self.network = ClusterNetwork(manifest)
        self.static_root = directory / "static"
        self.processes: dict[str, subprocess.Popen] = {}
        (directory / "logs").mkdir(parents=True, exist_ok=True)
        self.nats = (
            LocalNats(free_ports(["nats"])["nats"], directory / "nats")
            if manifest.get("StatefulSet", "nats")
            else None
        )

    def deployments(self) -> list[Pod]:
        return [p for p in self.manifest.pods() if p.kind == "Deployment"]

    def jobs(self) -> list[Pod]:
        return [p for p in self.manifest.pods() if p.kind == "Job"]

    def deployment(self, name: str) -> Pod:
        return next(p for p in self.deployments() if p.name == name)

    def log_path(self, name: str) -> Path:
        return self.directory / "logs" / f"{name}.log"

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.log_path(name)
        return "\n".join(path.read_text().splitlines()[-lines:]) if path.exists() else ""

    def _base_env(self, home: str) -> dict[str, str]:
        home_dir = self.directory / "home" / home
        home_dir.mkdir(parents=True, exist_ok=True)
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": os.environ.get("LANG", "C.UTF-8"),
            "HOME": str(home_dir),
        }

    def env(
        self, container: dict, port: int | None = None, metrics_port: int | None = None
    ) -> dict[str, str]:
        """The container's env as Kubernetes gives it, and what running here changes: the bind
        address and ports, the static files collected here, the database, the network."""
        env = {k: v for k, v in self.image.env.items() if k != "PATH"}
        env.update(self.manifest.env(container))
        service = env["SERVICE"]
        env.update(self._base_env(service))
        env["STATIC_ROOT"] = str(self.static_root)
        env["HTTP_PROXY"] = env["http_proxy"] = self.network.url
        if port is not None:
            env.update(HOST="127.0.0.1", PORT=str(port))
        if metrics_port is not None:
            env["METRICS_PORT"] = str(metrics_port)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        else:
            env.pop("DATABASE_URL", None)
            env["DATA_DIR"] = str(self.directory / "data" / service)
        if self.nats is not None:
            env["NATS_URL"] = self.nats.url
        return env

    def _cwd(self, container: dict) -> Path:
        return Path(self.image.local_path(container.get("workingDir", self.image.workdir)))

    def _run(self, name: str, argv: list[str], env: dict, cwd: Path) -> subprocess.Popen:
        with self.log_path(name).open("ab") as log:
            return subprocess.Popen(argv, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)

    def collect_static(self):
        """What the image build does: collectstatic with the build's settings."""
        env = {
            **self._base_env("build"),
            **self.image.build_env,
            "DATA_DIR": str(self.directory / "build-data"),
            "STATIC_ROOT": str(self.static_root),
        }
        argv = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity=0"]
        result = subprocess.run(
            argv, env=env, cwd=REPO, capture_output=True, text=True, check=False, timeout=120
        )
        assert result.returncode == 0, result.stderr

    def run_jobs(self, timeout: float = 120):
        """Every Job's container, all at once as the cluster would start them; each must end 0."""
        running = {}
        for job in self.jobs():
            (container,) = job.containers
            argv = self.image.argv(container)
            running[job.name] = self._run(job.name, argv, self.env(container), self._cwd(container))
            self.processes[job.name] = running[job.name]  # stop() ends them on any failure
        failed = []
        for name, process in running.items():
            try:
                if process.wait(timeout=timeout):
                    failed.append(name)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                failed.append(name)
        assert not failed, "\n\n".join(f"{n}:\n{self.log_tail(n)}" for n in failed)

    def start_deployments(self, timeout: float = 60):
        if self.nats is not None:
            self.nats.start()
        names = [pod.name for pod in self.deployments()]
        ports = free_ports([*names, *(f"{name}-metrics" for name in names)])
        for pod in self.deployments():
            (container,) = pod.containers
            container_port = pod.container_port("http")
            assert container_port is not None, f"{pod.name} declares no http container port"
            port, metrics_port = ports[pod.name], ports[f"{pod.name}-metrics"]
            self.network.local_ports[pod.name, container_port] = port
            if (declared := pod.container_port("metrics")) is not None:
                self.network.local_ports[pod.name, declared] = metrics_port
            argv = self.image.argv(container)
            env = self.env(container, port=port, metrics_port=metrics_port)
            self.processes[pod.name] = self._run(pod.name, argv, env, self._cwd(container))
        for pod in self.deployments():
            self.wait_until(pod, "startupProbe", timeout)
            self.wait_until(pod, "readinessProbe", timeout)

    def probe_url(self, pod: Pod, probe: str) -> str:
        check = pod.containers[0][probe]["httpGet"]
        container_port = pod.container_port(check["port"])
        assert container_port is not None, f"{pod.name}: {probe} port is no container port"
        port = self.network.local_ports[pod.name, container_port]
        return f"http://127.0.0.1:{port}{check['path']}"

    def wait_until(self, pod: Pod, probe: str, timeout: float):
        """Poll a probe as the kubelet would, until it passes (or the process dies)."""
        name, url = f"{pod.name} ({probe})", self.probe_url(pod, probe)
        try:
            wait_until_answering(
                self.processes[pod.name], name, url, self.log_path(pod.name), timeout
            )
        except RuntimeError as failure:
            raise AssertionError(f"{failure}:\n{self.log_tail(pod.name)}") from None

    def manage(self, deployment: str, *args: str) -> str:
        """`python manage.py ...` with a Deployment's env, as `kubectl exec` would run it."""
        (container,) = self.deployment(deployment).containers
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            env=self.env(container),
            cwd=self._cwd(container),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert result.returncode == 0, f"{deployment}: manage.py {' '.join(args)}\n{result.stderr}"
        return result.stdout

    def manage_each(self, commands: dict[str, tuple[str, ...]]) -> dict[str, str]:
        """Several `manage` calls at once: {deployment: args} -> {deployment: stdout}."""
        with ThreadPoolExecutor(max_workers=len(commands)) as pool:
            futures = {
                name: pool.submit(self.manage, name, *args) for name, args in commands.items()
            }
            return {name: future.result() for name, future in futures.items()}

    def stop(self):
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
        self.network.close()
        if self.nats is not None:
            self.nats.stop()
