"""A rendered overlay run as containers: a fresh PostgreSQL database, NATS where the overlay
has it, the migration Jobs to completion, then every Deployment, each pod on its own loopback
address. The PostgreSQL and NATS StatefulSets' images cannot be pulled here: the test run's
PostgreSQL server and a local nats-server stand in for them."""

import http.client
import re
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from project.bench.compare.servers import fresh_postgres_database
from project.bench.nats import LocalNats
from tests.deploy.image.docker import Container, Docker, container_name, service_hosts
from tests.deploy.manifests import Manifest, Pod, ingress_backend, ingress_hosts

# A /16 of loopback per overlay, a pod per address in it.
OVERLAY_NETWORKS = {"monolith": "127.0.10", "microservices": "127.0.20"}


def answer(address: str, port: int, path: str, headers: dict, timeout: float = 15):
    """(status, headers, body) of a GET to address:port, with these headers (Host included)."""
    connection = http.client.HTTPConnection(address, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class RunningOverlay:
    def __init__(self, name: str, manifest: Manifest, docker: Docker, image: str):
        self.name, self.manifest, self.docker, self.image = name, manifest, docker, image
        pods = sorted(
            (p for p in manifest.pods() if p.kind in ("Deployment", "Job")),
            key=lambda p: p.name,
        )
        stateful = manifest.of_kind("StatefulSet")
        network = OVERLAY_NETWORKS[name]
        self.addresses = {
            workload["metadata"]["name"]: f"{network}.{index}"
            for index, workload in enumerate([*(p.workload for p in pods), *stateful], start=1)
        }
        self.hosts = service_hosts(manifest, self.addresses)
        self.jobs = [p for p in pods if p.kind == "Job"]
        self.deployments = [p for p in pods if p.kind == "Deployment"]
        self.job_output: dict[str, list[str]] = {}

    def container(self, pod: Pod, database_url: str) -> Container:
        (spec,) = pod.containers
        env = self.manifest.env(spec)
        # What differs from a cluster: the pod's address to bind (its "IP"; all pods share the
        # host's network here), and the test's database.
        env.update(HOST=self.addresses[pod.name], DATABASE_URL=database_url)
        return Container(pod, self.hosts, env)

    def run_jobs(self, database_url: str) -> None:
        for job in self.jobs:
            container = self.container(job, database_url)
            self.docker.run("rm", "--force", container.name, check=False)
            self.docker.run("run", *container.run_arguments(self.image), timeout=300)
            self.job_output.setdefault(job.name, []).append(self.docker.run("logs", container.name))
            self.docker.run("rm", container.name)

    def start_deployments(self, database_url: str) -> None:
        for pod in self.deployments:
            self.docker.run(
                "run", "--detach", *self.container(pod, database_url).run_arguments(self.image)
            )

    def probe(self, pod: Pod, probe: str) -> tuple[int, bytes]:
        """A kubelet's probe: GET the path on the pod's address and the named port."""
        check = pod.containers[0][probe]["httpGet"]
        port = pod.container_port(check["port"])
        assert port is not None
        address = self.addresses[pod.name]
        status, _headers, body = answer(
            address, port, check["path"], {"Host": f"{address}:{port}"}, timeout=2
        )
        return status, body

    def wait_until_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        for pod in self.deployments:
            for probe in ("startupProbe", "readinessProbe"):
                while True:
                    try:
                        if self.probe(pod, probe)[0] == 200:
                            break
                    except OSError:
                        pass
                    if time.monotonic() > deadline:
                        raise AssertionError(f"{pod.name} {probe} did not pass:\n{self.logs(pod)}")
                    time.sleep(0.5)

    def logs(self, pod: Pod) -> str:
        return self.docker.run("logs", "--tail", "40", container_name(pod), check=False)

    def through_ingress(self, path: str) -> tuple[int, dict, bytes]:
        """What a browser gets at https://<Ingress host><path>: routed by the rendered rules to
        a pod of the Service, with the headers the TLS-terminating controller adds."""
        (host,) = ingress_hosts(self.manifest.of_kind("Ingress"))
        backend = ingress_backend(self.manifest.of_kind("Ingress"), host, path)
        assert backend is not None, f"no Ingress rule for {path}"
        service_name, service_port = backend
        pod, port = next(
            (pod, port)
            for pod, port in self.manifest.endpoints(service_name, service_port)
            if pod.name in self.addresses
        )
        headers = {"Host": host, "X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}
        return answer(self.addresses[pod.name], port, path, headers)

    def manage(self, deployment: str, *args: str, timeout: float = 300) -> str:
        """`kubectl exec deploy/<name> -- python manage.py ...`."""
        pod = next(p for p in self.deployments if p.name == deployment)
        return self.docker.run(
            "exec", container_name(pod), "python", "manage.py", *args, timeout=timeout
        )


@contextmanager
def running_overlay(name, manifest, docker, image, postgres_url, nats_dir: Path):
    overlay = RunningOverlay(name, manifest, docker, image)
    with ExitStack() as stack:
        database_url = stack.enter_context(
            fresh_postgres_database(postgres_url, f"country_provider_image_{name}")
        )
        for statefulset in manifest.of_kind("StatefulSet"):
            if statefulset["metadata"]["name"] == "nats":
                nats = LocalNats(4222, nats_dir, host=overlay.addresses["nats"])
                nats.start()
                stack.callback(nats.stop)
        stack.callback(docker.remove_labelled_containers)
        overlay.run_jobs(database_url)
        overlay.run_jobs(database_url)  # as the next `kubectl apply -k` runs them again
        overlay.start_deployments(database_url)
        overlay.wait_until_ready()
        yield overlay


def stylesheets(page: bytes) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.decode())
