"""The rendered Kubernetes manifests, and the few Kubernetes rules the deploy tests reason with:
label selectors, env resolution, Ingress path matching, NetworkPolicy evaluation."""

import base64
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dockerfile
import yaml

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
DOCKERFILE = REPO / "deploy" / "Dockerfile"
OVERLAYS = ("monolith", "microservices")
APP_IMAGE = "country-provider"

# Every variable the settings (project/settings.py and the modules it uses) and the gunicorn
# configuration read. A container of the app image may be given these and no others; a test
# checks that each still appears in the code.
SETTINGS_ENV = {
    "SERVICE",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "HTTPS",
    "SECURE_HSTS_SECONDS",
    "MAX_REQUEST_BYTES",
    "DATABASE_URL",
    "DEFAULT_DATABASE_URL",
    "COUNTRIES_DATABASE_URL",
    "CURRENCIES_DATABASE_URL",
    "LANGUAGES_DATABASE_URL",
    "DATA_DIR",
    "DATABASE_POOL_SIZE",
    "DATABASE_POOL_TIMEOUT",
    "COUNTRY_SERVICE_URL",
    "CURRENCY_SERVICE_URL",
    "LANGUAGE_SERVICE_URL",
    "SERVICE_CONNECT_TIMEOUT",
    "SERVICE_READ_TIMEOUT",
    "STATIC_ROOT",
    "LOG_LEVEL",
    "WRITE_THROTTLE_RATE",
    "LOGIN_THROTTLE_RATE",
    "TRUSTED_PROXIES",
    "CORS_ALLOWED_ORIGINS",
    "V1_ALLOW_ANONYMOUS_WRITES",
    "READ_MODEL",
    "NATS_URL",
    "METRICS",
}
GUNICORN_ENV = {
    "HOST",
    "PORT",
    "GUNICORN_WORKERS",
    "GUNICORN_WORKER_CONNECTIONS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_LOG_LEVEL",
    "METRICS_PORT",  # bound by gunicorn, served by project/kernel/metrics.py
}
APP_ENV = SETTINGS_ENV | GUNICORN_ENV
# What the postgres image reads.
POSTGRES_ENV = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "PGDATA"}
SECRET_ENV = {
    "SECRET_KEY",
    "DATABASE_URL",
    "DEFAULT_DATABASE_URL",
    "COUNTRIES_DATABASE_URL",
    "CURRENCIES_DATABASE_URL",
    "LANGUAGES_DATABASE_URL",
    "POSTGRES_PASSWORD",
}


def find_kubectl() -> str | None:
    """kubectl on PATH, or the one scripts/ensure-kubectl put into the venv."""
    found = shutil.which("kubectl")
    if found:
        return found
    beside_python = Path(sys.executable).parent / "kubectl"
    return str(beside_python) if os.access(beside_python, os.X_OK) else None


def kustomize(kubectl: str, directory: Path) -> list[dict]:
    result = subprocess.run(
        [kubectl, "kustomize", str(directory)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if result.returncode:
        raise AssertionError(f"kubectl kustomize {directory} failed:\n{result.stderr}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


# --- label selectors ------------------------------------------------------------------------------


def selector_matches(selector: dict | None, labels: dict) -> bool:
    """A LabelSelector (matchLabels + matchExpressions); an empty one selects everything."""
    selector = selector or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression["key"], expression["operator"]
        values = expression.get("values") or []
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


# --- the rendered objects -------------------------------------------------------------------------

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "Job")


@dataclass
class Pod:
    """A pod as its template describes it."""

    workload: dict
    namespace: str
    labels: dict
    spec: dict

    @property
    def kind(self) -> str:
        return self.workload["kind"]

    @property
    def name(self) -> str:
        return self.workload["metadata"]["name"]

    @property
    def containers(self) -> list[dict]:
        return self.spec["containers"]

    def container_port(self, port: int | str) -> int | None:
        """The number of a container port given by number or by name, if a container has it."""
        for container in self.containers:
            for declared in container.get("ports") or []:
                if port in (declared["containerPort"], declared.get("name")):
                    return declared["containerPort"]
        return None


@dataclass
class Manifest:
    objects: list[dict]
    _by_kind: dict = field(init=False, repr=False)

    def __post_init__(self):
        self._by_kind = {}
        for obj in self.objects:
            self._by_kind.setdefault(obj["kind"], []).append(obj)

    def of_kind(self, kind: str) -> list[dict]:
        return self._by_kind.get(kind, [])

    def get(self, kind: str, name: str) -> dict | None:
        return next((o for o in self.of_kind(kind) if o["metadata"]["name"] == name), None)

    @property
    def namespace(self) -> str:
        (namespace,) = self.of_kind("Namespace")
        return namespace["metadata"]["name"]

    def pods(self) -> list[Pod]:
        return [
            Pod(
                workload=w,
                namespace=w["metadata"].get("namespace", ""),
                labels=w["spec"]["template"]["metadata"].get("labels", {}),
                spec=w["spec"]["template"]["spec"],
            )
            for kind in WORKLOAD_KINDS
            for w in self.of_kind(kind)
        ]

    def app_containers(self) -> Iterator[tuple[Pod, dict]]:
        """Every container that runs the app image (web pods and migration Jobs)."""
        for pod in self.pods():
            for container in pod.containers:
                if image_name(container["image"]) == APP_IMAGE:
                    yield pod, container

    def pods_selected_by(self, selector: dict | None, kinds=WORKLOAD_KINDS) -> list[Pod]:
        return [p for p in self.pods() if p.kind in kinds and selector_matches(selector, p.labels)]

    def service_pods(self, service: dict) -> list[Pod]:
        selector = {"matchLabels": service["spec"].get("selector") or {}}
        return self.pods_selected_by(selector)

    def config_map(self, name: str) -> dict[str, str]:
        found = self.get("ConfigMap", name)
        assert found is not None, f"ConfigMap {name} is referenced but not rendered"
        return found.get("data") or {}

    def secret(self, name: str) -> dict[str, str]:
        found = self.get("Secret", name)
        assert found is not None, f"Secret {name} is referenced but not rendered"
        decoded = {k: base64.b64decode(v).decode() for k, v in (found.get("data") or {}).items()}
        return {**decoded, **(found.get("stringData") or {})}

    def env_sources(self, container: dict) -> list[tuple[str, str, str]]:
        """(variable, "ConfigMap"/"Secret"/"value", where) for everything a container is given."""
        sources = []
        for source in container.get("envFrom") or []:
            prefix = source.get("prefix", "")
            if "configMapRef" in source:
                name = source["configMapRef"]["name"]
                sources += [(prefix + k, "ConfigMap", name) for k in self.config_map(name)]
            else:
                name = source["secretRef"]["name"]
                sources += [(prefix + k, "Secret", name) for k in self.secret(name)]
        for variable in container.get("env") or []:
            reference = variable.get("valueFrom") or {}
            if "configMapKeyRef" in reference:
                sources.append(
                    (variable["name"], "ConfigMap", reference["configMapKeyRef"]["name"])
                )
            elif "secretKeyRef" in reference:
                sources.append((variable["name"], "Secret", reference["secretKeyRef"]["name"]))
            else:
                sources.append((variable["name"], "value", ""))
        return sources

    def env(self, container: dict) -> dict[str, str]:
        """The environment Kubernetes gives a container: envFrom in order (a later source wins),
        then env, which wins over envFrom."""
        result = {}
        for source in container.get("envFrom") or []:
            prefix = source.get("prefix", "")
            if "configMapRef" in source:
                data = self.config_map(source["configMapRef"]["name"])
            else:
                data = self.secret(source["secretRef"]["name"])
            result.update({prefix + k: v for k, v in data.items()})
        for variable in container.get("env") or []:
            reference = variable.get("valueFrom")
            if reference is None:
                result[variable["name"]] = variable.get("value", "")
            elif "configMapKeyRef" in reference:
                ref = reference["configMapKeyRef"]
                result[variable["name"]] = self.config_map(ref["name"])[ref["key"]]
            elif "secretKeyRef" in reference:
                ref = reference["secretKeyRef"]
                result[variable["name"]] = self.secret(ref["name"])[ref["key"]]
            else:
                raise AssertionError(f"unsupported valueFrom for {variable['name']}: {reference}")
        return result

    def service_port(self, service: dict, port: int | str) -> dict | None:
        """A Service's port entry, given by number or by name."""
        for declared in service["spec"].get("ports") or []:
            if port in (declared["port"], declared.get("name")):
                return declared
        return None

    def endpoints(self, service_name: str, port: int | str) -> list[tuple[Pod, int]]:
        """(pod, container port) for every pod a Service sends its `port` to; LookupError when
        there is no such Service or port."""
        service = self.get("Service", service_name)
        if service is None:
            raise LookupError(f"no Service {service_name}")
        declared = self.service_port(service, port)
        if declared is None:
            raise LookupError(f"Service {service_name} has no port {port}")
        found = []
        for pod in self.service_pods(service):
            container_port = pod.container_port(declared["targetPort"])
            if container_port is not None:
                found.append((pod, container_port))
        return found


def image_name(image: str) -> str:
    """The repository of an image reference, without registry-less tag or digest."""
    without_digest = image.split("@", 1)[0]
    last = without_digest.rsplit("/", 1)[-1]
    return without_digest.rsplit(":", 1)[0] if ":" in last else without_digest


def image_tag(image: str) -> str | None:
    without_digest = image.split("@", 1)[0]
    last = without_digest.rsplit("/", 1)[-1]
    return last.rsplit(":", 1)[1] if ":" in last else None


# --- Ingress --------------------------------------------------------------------------------------


def _elements(path: str) -> list[str]:
    return [element for element in path.split("/") if element]


def path_matches(path_type: str, rule_path: str, request_path: str) -> bool:
    """Kubernetes Ingress path matching: Exact, or Prefix element by element (`/api/countries`
    matches `/api/countries/DE/`, not `/api/countriesx`)."""
    if path_type == "Exact":
        return request_path == rule_path
    rule = _elements(rule_path)
    return _elements(request_path)[: len(rule)] == rule


def ingress_backend(ingresses: list[dict], host: str, path: str) -> tuple[str, int | str] | None:
    """(service, port) the Ingress rules send `host` + `path` to: the longest matching path wins,
    an Exact path before a Prefix of the same length (as ingress-nginx orders them)."""
    candidates = []
    for ingress in ingresses:
        for rule in ingress["spec"].get("rules") or []:
            if rule.get("host") not in (None, host):
                continue
            for entry in rule["http"]["paths"]:
                if path_matches(entry["pathType"], entry["path"], path):
                    exact = entry["pathType"] == "Exact"
                    candidates.append((len(entry["path"].rstrip("/")), exact, entry["backend"]))
    if not candidates:
        return None
    backend = max(candidates, key=lambda c: (c[0], c[1]))[2]["service"]
    port = backend["port"]
    return backend["name"], port.get("number", port.get("name"))


def ingress_hosts(ingresses: list[dict]) -> set[str]:
    return {rule["host"] for i in ingresses for rule in i["spec"]["rules"] if rule.get("host")}


def tls_hosts(ingresses: list[dict]) -> set[str]:
    return {host for i in ingresses for tls in i["spec"].get("tls") or [] for host in tls["hosts"]}


# --- NetworkPolicy --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Peer:
    """One end of a connection: a pod template of the manifest, or a pod elsewhere."""

    name: str
    namespace: str
    labels: tuple = ()
    namespace_labels: tuple = ()
    pod: Pod | None = None

    @classmethod
    def of(cls, pod: Pod) -> "Peer":
        return cls(
            name=pod.name,
            namespace=pod.namespace,
            labels=tuple(sorted(pod.labels.items())),
            namespace_labels=(("kubernetes.io/metadata.name", pod.namespace),),
            pod=pod,
        )

    @classmethod
    def outside(cls, name: str, namespace: str, **labels: str) -> "Peer":
        return cls(
            name=name,
            namespace=namespace,
            labels=tuple(sorted(labels.items())),
            namespace_labels=(("kubernetes.io/metadata.name", namespace),),
        )


def _peer_matches(rule_peers: list[dict] | None, peer: Peer, policy_namespace: str) -> bool:
    if not rule_peers:  # no from/to: every peer
        return True
    for entry in rule_peers:
        if "ipBlock" in entry:
            continue  # the peers reasoned about here are pods
        if "namespaceSelector" in entry:
            in_namespace = selector_matches(entry["namespaceSelector"], dict(peer.namespace_labels))
        else:
            in_namespace = peer.namespace == policy_namespace
        if in_namespace and selector_matches(entry.get("podSelector"), dict(peer.labels)):
            return True
    return False


def _port_matches(rule_ports: list[dict] | None, port: int, protocol: str, target: Peer) -> bool:
    if not rule_ports:
        return True
    for entry in rule_ports:
        if entry.get("protocol", "TCP") != protocol:
            continue
        if "port" not in entry:
            return True
        wanted = entry["port"]
        if isinstance(wanted, str):  # a named port, resolved on the destination pod
            wanted = target.pod.container_port(wanted) if target.pod else None
        if wanted == port or (wanted is not None and wanted <= port <= entry.get("endPort", 0)):
            return True
    return False


def network_allows(
    policies: list[dict], source: Peer, target: Peer, port: int, protocol: str = "TCP"
) -> bool:
    """Whether the NetworkPolicies let `source` open a connection to `target` on `port`: allowed
    out of the source (unless no policy isolates it for egress) and into the target."""

    def allowed(direction: str, subject: Peer, other: Peer, destination: Peer) -> bool:
        policy_type = direction.capitalize()
        isolating = [
            p
            for p in policies
            if p["metadata"].get("namespace", "") == subject.namespace
            and policy_type in p["spec"].get("policyTypes", ["Ingress"])
            and selector_matches(p["spec"].get("podSelector"), dict(subject.labels))
        ]
        if subject.pod is None or not isolating:
            return True  # outside the manifest (assumed open), or not isolated
        peers_key = "to" if direction == "egress" else "from"
        return any(
            _peer_matches(rule.get(peers_key), other, subject.namespace)
            and _port_matches(rule.get("ports"), port, protocol, destination)
            for policy in isolating
            for rule in policy["spec"].get(direction) or []
        )

    return allowed("egress", source, target, target) and allowed("ingress", target, source, target)


# --- the Dockerfile -------------------------------------------------------------------------------


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list = field(default_factory=list)

    def all(self, cmd: str) -> list:
        return [i for i in self.instructions if i.cmd == cmd]

    def last(self, cmd: str):
        found = self.all(cmd)
        return found[-1] if found else None

    @property
    def workdir(self) -> str:
        last = self.last("WORKDIR")
        return last.value[0] if last else "/"

    @property
    def env(self) -> dict[str, str]:
        env: dict[str, str] = {}
        for instruction in self.all("ENV"):
            values = instruction.value
            env.update(zip(values[::2], values[1::2], strict=True))
        return env


def dockerfile_stages(path: Path = DOCKERFILE) -> list[Stage]:
    """The build stages, with global ARG defaults substituted into FROM."""
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for instruction in dockerfile.parse_file(str(path)):
        if instruction.cmd == "ARG" and not stages:
            name, _, default = instruction.value[0].partition("=")
            args[name] = default
        elif instruction.cmd == "FROM":
            image = instruction.value[0]
            for name, default in args.items():
                image = image.replace(f"${{{name}}}", default).replace(f"${name}", default)
            alias = instruction.value[2] if len(instruction.value) == 3 else None
            stages.append(Stage(image=image, name=alias))
        else:
            stages[-1].instructions.append(instruction)
    return stages
