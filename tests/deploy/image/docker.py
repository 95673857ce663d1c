"""A Docker engine of the test run's own (scripts/ensure-docker: Debian's docker.io, no bridge,
no iptables), and the rendered pods run on it as containers with host networking. Each pod gets
its own loopback address, as it would get its own IP in a cluster; the Service names resolve to
those addresses (`--add-host`). Nothing here talks to any address outside 127.0.0.0/8."""

import os
import subprocess
from dataclasses import dataclass

from tests.deploy.manifests import REPO, Manifest, Pod

DOCKER = "/usr/bin/docker"  # Debian's client, which matches the engine ensure-docker starts
LABEL = "country-provider.test=image"


class Docker:
    def __init__(self):
        started = subprocess.run(
            [REPO / "scripts" / "ensure-docker"], capture_output=True, text=True, check=False
        )
        assert started.returncode == 0, f"scripts/ensure-docker failed:\n{started.stderr}"
        self.env = {**os.environ, "DOCKER_HOST": started.stdout.strip(), "DOCKER_BUILDKIT": "1"}
        self.client = DOCKER

    def run(self, *args: str, timeout: float = 120, check: bool = True) -> str:
        result = subprocess.run(
            [DOCKER, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check:
            assert result.returncode == 0, f"docker {' '.join(args)}:\n{result.stderr}"
        return result.stdout

    def labelled_containers(self) -> list[str]:
        return self.run("ps", "--all", "--quiet", "--filter", f"label={LABEL}").split()

    def remove_labelled_containers(self) -> None:
        if ids := self.labelled_containers():
            self.run("rm", "--force", "--volumes", *ids)


def size_in_bytes(quantity: str) -> int:
    """A Kubernetes quantity such as 64Mi or 512Mi in bytes."""
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 10**3, "M": 10**6, "G": 10**9}
    for suffix, factor in units.items():
        if quantity.endswith(suffix):
            return int(float(quantity.removesuffix(suffix)) * factor)
    return int(quantity)


def cpus(quantity: str) -> str:
    return str(int(quantity[:-1]) / 1000) if quantity.endswith("m") else quantity


def container_name(pod: Pod) -> str:
    return f"cp-image-{pod.namespace}-{pod.name}"


@dataclass
class Container:
    """A pod's one container as `docker run` arguments: exactly its rendered command, env,
    user, security context, emptyDir mounts and limits, plus what the stand-in network needs."""

    pod: Pod
    hosts: dict[str, str]  # Service DNS name -> address
    env: dict[str, str]  # HOST is the pod's "IP": its own loopback address

    @property
    def name(self) -> str:
        return container_name(self.pod)

    @property
    def spec(self) -> dict:
        (container,) = self.pod.containers
        return container

    def security_options(self) -> list[str]:
        context = {**self.pod.spec.get("securityContext", {}), **self.spec["securityContext"]}
        options = ["--user", f"{context['runAsUser']}:{context['runAsGroup']}"]
        if context.get("readOnlyRootFilesystem"):
            options.append("--read-only")
        for capability in context.get("capabilities", {}).get("drop", []):
            options += ["--cap-drop", capability]
        if context.get("allowPrivilegeEscalation") is False:
            options += ["--security-opt", "no-new-privileges"]
        if "fsGroup" in context:
            options += ["--group-add", str(context["fsGroup"])]
        return options

    def mounts(self) -> list[str]:
        """A tmpfs per emptyDir; /dev/shm is the engine's own tmpfs, sized as the emptyDir."""
        volumes = {v["name"]: v for v in self.pod.spec.get("volumes", [])}
        options = []
        for mount in self.spec.get("volumeMounts", []):
            empty_dir = volumes[mount["name"]].get("emptyDir")
            assert empty_dir is not None, f"{self.pod.name}: only emptyDir volumes are run here"
            size = size_in_bytes(empty_dir.get("sizeLimit", "64Mi"))
            if mount["mountPath"] == "/dev/shm":
                options += ["--shm-size", str(size)]
            else:
                options += ["--tmpfs", f"{mount['mountPath']}:rw,size={size},mode=1777"]
        return options

    def limits(self) -> list[str]:
        limits = self.spec.get("resources", {}).get("limits", {})
        options = []
        if "memory" in limits:
            options += ["--memory", str(size_in_bytes(limits["memory"]))]
        if "cpu" in limits:
            options += ["--cpus", cpus(limits["cpu"])]
        return options

    def command(self, image: str) -> list[str]:
        """Kubernetes' rule: `command` replaces the entrypoint, `args` the image's CMD."""
        command, args = self.spec.get("command"), self.spec.get("args")
        if command:
            return ["--entrypoint", command[0], image, *command[1:], *(args or [])]
        return [image, *(args or [])]

    def run_arguments(self, image: str) -> list[str]:
        arguments = [
            "--name", self.name, "--label", LABEL, "--network", "host",
            *self.security_options(), *self.mounts(), *self.limits(),
        ]  # fmt: skip
        for host, address in sorted(self.hosts.items()):
            arguments += ["--add-host", f"{host}:{address}"]
        for key, value in sorted(self.env.items()):
            arguments += ["--env", f"{key}={value}"]
        if "workingDir" in self.spec:
            arguments += ["--workdir", self.spec["workingDir"]]
        return [*arguments, *self.command(image)]


def service_hosts(manifest: Manifest, addresses: dict[str, str]) -> dict[str, str]:
    """Every Service's DNS names -> the address of the pod it selects. With no kube-proxy in
    between, a Service port must be the container port it targets."""
    hosts = {}
    for service in manifest.of_kind("Service"):
        name = service["metadata"]["name"]
        for declared in service["spec"]["ports"]:
            for pod, container_port in manifest.endpoints(name, declared["port"]):
                assert container_port == declared["port"], f"{name}: {declared} -> {pod.name}"
                for host in (
                    name,
                    f"{name}.{manifest.namespace}",
                    f"{name}.{manifest.namespace}.svc.cluster.local",
                ):
                    hosts[host] = addresses[pod.name]
    return hosts
