"""What every rendered object must hold to, and how the objects must fit together."""

import re
from urllib.parse import urlsplit

import pytest

from project.topology import DEPARTMENTS, SERVICE_URL_VARIABLES, SERVICES, build_topology
from tests.deploy.manifests import (
    APP_ENV,
    APP_IMAGE,
    POSTGRES_ENV,
    REPO,
    SECRET_ENV,
    Peer,
    image_name,
    image_tag,
    ingress_backend,
    ingress_hosts,
    network_allows,
    selector_matches,
    tls_hosts,
)

RECOMMENDED_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/component")
COMMON_LABELS = ("app.kubernetes.io/part-of", "app.kubernetes.io/instance")
SERVING_KINDS = ("Deployment", "StatefulSet")


def served(pod) -> bool:
    return pod.kind in SERVING_KINDS


def web_deployments(manifest):
    return [p for p in manifest.pods() if p.kind == "Deployment" and component(p) == "web"]


def event_workers(manifest):
    return [p for p in manifest.pods() if p.kind == "Deployment" and component(p) == "events"]


def component(pod) -> str:
    return pod.labels.get("app.kubernetes.io/component", "")


def service_of(manifest, pod) -> str:
    """The SERVICE a pod of the app image runs as."""
    return manifest.env(pod.containers[0])["SERVICE"]


def effective_min_replicas(manifest, workload: dict) -> int:
    replicas = workload["spec"].get("replicas", 1)
    for hpa in manifest.of_kind("HorizontalPodAutoscaler"):
        target = hpa["spec"]["scaleTargetRef"]
        if (target["kind"], target["name"]) == (workload["kind"], workload["metadata"]["name"]):
            replicas = max(replicas, hpa["spec"].get("minReplicas", 1))
    return replicas


# --- containers and pods --------------------------------------------------------------------------


def test_every_serving_container_has_startup_readiness_and_liveness_probes(overlay):
    for pod in filter(served, overlay.pods()):
        for container in pod.containers:
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                assert probe in container, f"{pod.name}/{container['name']}: no {probe}"


def test_web_probes_ask_readyz_and_healthz_on_the_http_port(overlay):
    for pod in web_deployments(overlay) + event_workers(overlay):
        (container,) = pod.containers
        paths = {p: container[p]["httpGet"]["path"] for p in ("startupProbe", "livenessProbe")}
        assert paths == {"startupProbe": "/healthz", "livenessProbe": "/healthz"}, pod.name
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", pod.name
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            port = container[probe]["httpGet"]["port"]
            assert port == "http" and pod.container_port(port) == 8000, pod.name


def test_web_and_event_pods_serve_metrics_on_their_own_port_for_the_scraper(overlay):
    for pod in web_deployments(overlay) + event_workers(overlay):
        (container,) = pod.containers
        port = int(overlay.env(container)["METRICS_PORT"])
        annotations = pod.workload["spec"]["template"]["metadata"]["annotations"]
        assert pod.container_port("metrics") == port == 9100, pod.name
        assert annotations["prometheus.io/scrape"] == "true", pod.name
        assert (annotations["prometheus.io/port"], annotations["prometheus.io/path"]) == (
            str(port),
            "/metrics",
        ), pod.name
    for service in overlay.of_kind("Service"):  # what the Ingress can route to
        for port in service["spec"]["ports"]:
            assert port["targetPort"] != "metrics" and port["port"] != 9100, service


def test_every_container_has_resource_requests_and_limits(overlay):
    for pod in overlay.pods():
        for container in pod.containers:
            resources = container.get("resources", {})
            for kind in ("requests", "limits"):
                assert set(resources.get(kind, {})) >= {"cpu", "memory"}, (
                    f"{pod.name}/{container['name']}: {kind}"
                )


def test_every_pod_runs_as_a_non_root_user_with_the_runtime_seccomp_profile(overlay):
    for pod in overlay.pods():
        context = pod.spec.get("securityContext", {})
        assert context.get("runAsNonRoot") is True, pod.name
        assert context.get("runAsUser", 0) > 0, pod.name
        assert context.get("runAsGroup", 0) > 0, pod.name
        assert context.get("seccompProfile") == {"type": "RuntimeDefault"}, pod.name


def test_every_container_is_locked_down(overlay):
    for pod in overlay.pods():
        for container in pod.containers:
            where = f"{pod.name}/{container['name']}"
            context = container.get("securityContext", {})
            assert context.get("runAsNonRoot") is True, where
            assert context.get("runAsUser", 0) > 0, where
            assert context.get("runAsGroup", 0) > 0, where
            assert context.get("allowPrivilegeEscalation") is False, where
            assert context.get("readOnlyRootFilesystem") is True, where
            assert context.get("capabilities") == {"drop": ["ALL"]}, where
            assert context.get("seccompProfile") == {"type": "RuntimeDefault"}, where


def test_every_container_can_write_to_tmp_only_on_an_empty_dir(overlay):
    for pod in overlay.pods():
        volumes = {v["name"]: v for v in pod.spec.get("volumes", [])}
        for container in pod.containers:
            mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
            assert "/tmp" in mounts, f"{pod.name}/{container['name']}"
            assert "emptyDir" in volumes[mounts["/tmp"]], f"{pod.name}/{container['name']}"


def test_gunicorn_heartbeats_go_to_memory(overlay):
    # deploy/gunicorn.conf.py: worker_tmp_dir = "/dev/shm"
    for pod in web_deployments(overlay):
        volumes = {v["name"]: v for v in pod.spec["volumes"]}
        mounts = {m["mountPath"]: m["name"] for m in pod.containers[0]["volumeMounts"]}
        assert volumes[mounts["/dev/shm"]]["emptyDir"]["medium"] == "Memory", pod.name


def test_every_pod_has_its_own_service_account_without_an_api_token(overlay):
    accounts = {a["metadata"]["name"]: a for a in overlay.of_kind("ServiceAccount")}
    used_by: dict[str, list[str]] = {}
    for pod in overlay.pods():
        name = pod.spec.get("serviceAccountName", "default")
        assert name in accounts, f"{pod.name}: ServiceAccount {name} is not rendered"
        assert accounts[name].get("automountServiceAccountToken") is False, name
        assert pod.spec.get("automountServiceAccountToken") is False, pod.name
        if served(pod):
            used_by.setdefault(name, []).append(pod.name)
    assert all(len(pods) == 1 for pods in used_by.values()), used_by


def test_deployments_roll_out_one_extra_pod_at_a_time_never_one_fewer(overlay):
    for deployment in overlay.of_kind("Deployment"):
        strategy = deployment["spec"]["strategy"]
        assert strategy["type"] == "RollingUpdate"
        assert strategy["rollingUpdate"] == {"maxUnavailable": 0, "maxSurge": 1}


def test_every_image_is_pinned_never_latest(overlay):
    for pod in overlay.pods():
        for container in pod.containers:
            tag = image_tag(container["image"])
            assert tag and tag != "latest" and re.search(r"\d", tag), container["image"]
            assert container.get("imagePullPolicy") == "IfNotPresent", container["image"]


def test_labels_follow_the_recommended_set(overlay):
    for obj in overlay.objects:
        labels = obj["metadata"].get("labels", {})
        for label in COMMON_LABELS:
            assert label in labels, f"{obj['kind']}/{obj['metadata']['name']}: {label}"
    for pod in overlay.pods():
        for labels in (pod.workload["metadata"]["labels"], pod.labels):
            for label in (*RECOMMENDED_LABELS, *COMMON_LABELS):
                assert label in labels, f"{pod.name}: {label}"


# --- env ------------------------------------------------------------------------------------------


def test_app_containers_get_only_variables_the_settings_read(overlay):
    for pod, container in overlay.app_containers():
        unknown = {name for name, _, _ in overlay.env_sources(container)} - APP_ENV
        assert not unknown, f"{pod.name}/{container['name']}: {sorted(unknown)}"


def test_postgres_gets_only_variables_its_image_reads(overlay):
    for pod in overlay.pods():
        for container in pod.containers:
            if image_name(container["image"]) == "postgres":
                env = {name for name, _, _ in overlay.env_sources(container)}
                assert env <= POSTGRES_ENV, sorted(env - POSTGRES_ENV)


def test_secrets_come_only_from_secrets(overlay):
    for pod in overlay.pods():
        for container in pod.containers:
            for name, kind, source in overlay.env_sources(container):
                if name in SECRET_ENV:
                    assert kind == "Secret", f"{pod.name}: {name} from {kind} {source}"


def test_every_app_container_has_what_its_service_needs(overlay):
    for pod, container in overlay.app_containers():
        env = overlay.env(container)  # resolving it also checks every reference exists
        assert env["SERVICE"] in SERVICES, pod.name
        assert env["DEBUG"] == "0", pod.name
        assert env["SECRET_KEY"], pod.name
        assert env["DATABASE_URL"].startswith("postgres://"), pod.name
        # The settings would stop the process at start without these.
        build_topology(env["SERVICE"], env)


def test_the_gunicorn_port_is_the_declared_container_port(overlay):
    for pod in web_deployments(overlay):
        env = overlay.env(pod.containers[0])
        assert pod.container_port("http") == int(env.get("PORT", "8000")), pod.name


def test_every_variable_allowed_is_one_the_code_reads():
    """The allowlist must not drift from the code: each name appears in the settings, the
    modules they use, or the gunicorn configuration (the per-alias database URLs are built from
    the alias names)."""
    sources = [
        *(REPO / "project").glob("*.py"),
        REPO / "deploy" / "gunicorn.conf.py",
    ]
    code = "\n".join(path.read_text() for path in sources)
    alias_urls = {f"{alias.upper()}_DATABASE_URL" for alias in ("default", *DEPARTMENTS)}
    assert '_DATABASE_URL"' in code
    for name in sorted(APP_ENV - alias_urls):
        assert f'"{name}"' in code or f"'{name}'" in code, name


# --- how the objects fit together -----------------------------------------------------------------


def test_services_select_serving_pods_and_target_their_ports(overlay):
    for service in overlay.of_kind("Service"):
        pods = overlay.service_pods(service)
        name = service["metadata"]["name"]
        assert pods, f"Service {name} selects no pod"
        assert all(served(p) for p in pods), f"Service {name} selects Job pods"
        for port in service["spec"]["ports"]:
            for pod in pods:
                assert pod.container_port(port["targetPort"]) is not None, (
                    f"Service {name}: {pod.name} has no port {port['targetPort']}"
                )


def test_tls_ends_at_the_ingress_and_the_app_knows_it(overlay):
    ingresses = overlay.of_kind("Ingress")
    assert ingress_hosts(ingresses) <= tls_hosts(ingresses)
    for pod, container in overlay.app_containers():
        assert overlay.env(container)["HTTPS"] == "true", pod.name


def test_every_ingress_backend_is_an_existing_service_port(overlay):
    (ingress,) = overlay.of_kind("Ingress")
    assert ingress["spec"]["ingressClassName"] == "nginx"
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            assert path["pathType"] == "Prefix"
            backend = path["backend"]["service"]
            service = overlay.get("Service", backend["name"])
            assert service is not None, backend["name"]
            port = backend["port"].get("number", backend["port"].get("name"))
            assert overlay.service_port(service, port) is not None, backend


def test_the_service_urls_name_services_that_serve_those_departments(overlay):
    for _, container in overlay.app_containers():
        env = overlay.env(container)
        for department, variable in SERVICE_URL_VARIABLES.items():
            if variable not in env:
                continue
            url = urlsplit(env[variable])
            service = overlay.get("Service", url.hostname)
            assert service is not None, f"{variable}={env[variable]}"
            assert overlay.service_port(service, url.port or 80) is not None, env[variable]
            served_by = {service_of(overlay, p) for p in overlay.service_pods(service)}
            assert served_by == {department}, f"{variable}={env[variable]}"


def test_allowed_hosts_has_the_ingress_host_and_the_names_services_call(overlay):
    hosts = ingress_hosts(overlay.of_kind("Ingress"))
    for pod, container in overlay.app_containers():
        env = overlay.env(container)
        allowed = set(env["ALLOWED_HOSTS"].split(","))
        called = {urlsplit(env[v]).hostname for v in SERVICE_URL_VARIABLES.values() if v in env}
        assert hosts | called <= allowed, pod.name


def test_every_web_deployment_autoscales_on_cpu_with_its_own_hpa(overlay):
    hpas = overlay.of_kind("HorizontalPodAutoscaler")
    targets = [
        (h["spec"]["scaleTargetRef"]["kind"], h["spec"]["scaleTargetRef"]["name"]) for h in hpas
    ]
    assert sorted(targets) == sorted(("Deployment", pod.name) for pod in web_deployments(overlay))
    for hpa in hpas:
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"]["apiVersion"] == "apps/v1"
        (metric,) = hpa["spec"]["metrics"]
        assert metric["type"] == "Resource" and metric["resource"]["name"] == "cpu"
        assert hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]


def test_a_disruption_budget_guards_every_workload_with_more_than_one_pod(overlay):
    budgets = overlay.of_kind("PodDisruptionBudget")
    for kind in SERVING_KINDS:
        for workload in overlay.of_kind(kind):
            replicas = effective_min_replicas(overlay, workload)
            labels = workload["spec"]["template"]["metadata"]["labels"]
            guarding = [b for b in budgets if selector_matches(b["spec"]["selector"], labels)]
            if replicas > 1:
                assert len(guarding) == 1, workload["metadata"]["name"]
                assert guarding[0]["spec"]["minAvailable"] < replicas
    for budget in budgets:
        assert overlay.pods_selected_by(budget["spec"]["selector"], SERVING_KINDS)


def test_every_web_deployment_has_a_migration_job_with_its_image_and_settings(overlay):
    jobs = overlay.of_kind("Job")
    assert len(jobs) == len(web_deployments(overlay))
    by_service = {}
    for pod in overlay.pods():
        if pod.kind == "Job":
            (container,) = pod.containers
            assert container["command"] == ["python", "manage.py", "migrate", "--noinput"]
            assert pod.spec["restartPolicy"] == "Never"
            assert pod.workload["spec"]["ttlSecondsAfterFinished"] > 0
            by_service[service_of(overlay, pod)] = container
    for pod in web_deployments(overlay):
        job = by_service[service_of(overlay, pod)]
        web = pod.containers[0]
        assert job["image"] == web["image"]
        assert job["envFrom"] == web["envFrom"]
        assert "command" not in web and "args" not in web  # the image's gunicorn entrypoint


def test_the_monolith_serves_everything_from_one_deployment(overlays):
    manifest = overlays["monolith"]
    assert [service_of(manifest, p) for p in web_deployments(manifest)] == ["all"]
    assert event_workers(manifest) == []  # one process: nothing to publish to


def test_the_microservices_run_one_event_worker_per_service_with_its_settings(overlays):
    manifest = overlays["microservices"]
    webs = {service_of(manifest, p): p.containers[0] for p in web_deployments(manifest)}
    workers = {service_of(manifest, p): p for p in event_workers(manifest)}
    assert sorted(workers) == sorted(webs) == sorted(("portal", *DEPARTMENTS))
    for service, pod in workers.items():
        (container,) = pod.containers
        assert container["command"] == ["python", "manage.py", "run_events", "--health"]
        assert container["image"] == webs[service]["image"]
        assert container["envFrom"] == webs[service]["envFrom"]
        assert pod.workload["spec"]["replicas"] == 1  # one relay publishes in order
        env = manifest.env(container)
        assert (env["READ_MODEL"], env["NATS_URL"]) == ("replica", "nats://nats:4222")
    (nats,) = [p for p in manifest.pods() if p.name == "nats"]
    assert nats.kind == "StatefulSet"
    assert nats.workload["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]
    assert manifest.get("Service", "nats")["spec"]["ports"][0]["port"] == 4222


def test_the_microservices_run_one_deployment_per_service(overlays):
    manifest = overlays["microservices"]
    services = sorted(service_of(manifest, p) for p in web_deployments(manifest))
    assert services == sorted((*DEPARTMENTS, "portal"))
    for pod in web_deployments(manifest):
        assert pod.name == service_of(manifest, pod)  # its Service is its cluster DNS name


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/api/countries/", "countries"),
        ("/api/countries/DE/", "countries"),
        ("/api/linked-countries/?search=de", "countries"),
        ("/api/v1/countries/", "countries"),
        ("/api/v1/countries-with-languages-and-currencies/", "countries"),
        ("/admin/countries/login/", "countries"),
        ("/api/schema/", "portal"),
        ("/api/schema/countries/", "portal"),
        ("/api/docs/", "portal"),
        ("/api/currencies/EUR/", "currencies"),
        ("/api/v1/currencies/", "currencies"),
        ("/admin/currencies/", "currencies"),
        ("/api/languages/", "languages"),
        ("/api/v1/languages/de/", "languages"),
        ("/admin/languages/", "languages"),
        ("/admin/", "portal"),
        ("/admin/auth/user/", "portal"),
        ("/admin/countriesx/", "portal"),
        ("/static/admin/css/base.css", "portal"),
        ("/i18n/setlang/", "portal"),
        ("/countries/DE/", "portal"),
        ("/", "portal"),
    ],
)
def test_the_ingress_sends_each_path_to_the_service_that_owns_it(overlays, path, service):
    manifest = overlays["microservices"]
    ingresses = manifest.of_kind("Ingress")
    (host,) = ingress_hosts(ingresses)

    assert ingress_backend(ingresses, host, path.split("?")[0]) == (service, "http")
    assert ingress_backend(overlays["monolith"].of_kind("Ingress"), host, path) == (
        "country-provider",
        "http",
    )


# --- network policies -----------------------------------------------------------------------------


def test_every_network_policy_selects_pods_that_exist(overlay):
    for policy in overlay.of_kind("NetworkPolicy"):
        name = policy["metadata"]["name"]
        assert overlay.pods_selected_by(policy["spec"]["podSelector"]), name
        for direction, key in (("ingress", "from"), ("egress", "to")):
            for rule in policy["spec"].get(direction) or []:
                for peer in rule.get(key) or []:
                    if "podSelector" in peer and "namespaceSelector" not in peer:
                        assert overlay.pods_selected_by(peer["podSelector"]), f"{name}: {peer}"


def test_every_namespace_starts_from_deny_all(overlay):
    assert any(
        p["spec"]["podSelector"] == {}
        and sorted(p["spec"]["policyTypes"]) == ["Egress", "Ingress"]
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
        for p in overlay.of_kind("NetworkPolicy")
    )


def test_network_policies_allow_the_calls_the_topology_makes_and_no_others(overlay):
    policies = overlay.of_kind("NetworkPolicy")
    controller = Peer.outside(
        "ingress-nginx", "ingress-nginx", **{"app.kubernetes.io/name": "ingress-nginx"}
    )
    dns = Peer.outside("kube-dns", "kube-system", **{"k8s-app": "kube-dns"})
    elsewhere = Peer.outside("other-app", "default", app="other")
    scraper = Peer.outside("prometheus", "monitoring", **{"app.kubernetes.io/name": "prometheus"})
    collector = Peer.outside("otel-collector", "monitoring", app="otel-collector")
    other_database = Peer.outside("other-database", "default", app="postgres")
    pods = [Peer.of(p) for p in overlay.pods()]
    web = [p for p in pods if p.pod is not None and p.pod in web_deployments(overlay)]
    workers = [p for p in pods if p.pod is not None and p.pod in event_workers(overlay)]
    (database,) = [p for p in pods if p.name == "postgres"]
    brokers = [p for p in pods if p.name == "nats"]  # in the microservices overlay only
    assert bool(brokers) == bool(workers)
    service = {p.name: service_of(overlay, p.pod) for p in web}
    all_urls = {variable: "http://x" for variable in SERVICE_URL_VARIABLES.values()}

    def allows(source, target, port, protocol="TCP"):
        return network_allows(policies, source, target, port, protocol)

    for pod in pods:
        assert allows(pod, dns, 53, "UDP") and allows(pod, dns, 53, "TCP"), pod.name
        assert not allows(pod, elsewhere, 443), pod.name
        assert not allows(elsewhere, pod, 8000), pod.name
        assert allows(pod, database, 5432) == (pod is not database and pod not in brokers), pod.name
        assert not allows(pod, other_database, 5432), pod.name
        for broker in brokers:  # only the event workers reach NATS
            assert allows(pod, broker, 4222) == (pod in workers), pod.name
        # Metrics: the scraper in "monitoring", on the metrics port only; no one else.
        assert allows(scraper, pod, 9100) == (pod in web or pod in workers), pod.name
        assert not allows(elsewhere, pod, 9100) and not allows(controller, pod, 9100), pod.name
        assert not allows(scraper, pod, 8000), pod.name
        # Traces: from the app's pods to a collector in "monitoring", on OTLP/HTTP's port only.
        app = pod in web or pod in workers
        assert allows(pod, collector, 4318) == app and not allows(pod, elsewhere, 4318), pod.name
        assert not allows(pod, collector, 9100), pod.name
    assert not allows(controller, database, 5432)
    for target in web:
        assert allows(controller, target, 8000), target.name
    for worker in workers:  # probes only: nothing routes to an event worker
        assert not allows(controller, worker, 8000), worker.name
        for source in pods:
            calls = (
                build_topology(service[source.name], all_urls).service_urls if source in web else {}
            )
            expected = service[target.name] in calls
            assert allows(source, target, 8000) == expected, f"{source.name} -> {target.name}"


def test_the_app_and_postgres_agree_on_the_database_credentials(overlay):
    database = overlay.get("StatefulSet", "postgres")
    credentials = overlay.env(database["spec"]["template"]["spec"]["containers"][0])
    service = overlay.get("Service", "postgres")
    for pod, container in overlay.app_containers():
        url = urlsplit(overlay.env(container)["DATABASE_URL"])
        assert (url.username, url.password, url.path) == (
            credentials["POSTGRES_USER"],
            credentials["POSTGRES_PASSWORD"],
            f"/{credentials['POSTGRES_DB']}",
        ), pod.name
        assert url.hostname == service["metadata"]["name"], pod.name
        assert overlay.service_port(service, url.port) is not None, pod.name


def test_the_app_image_is_the_one_deploy_dockerfile_builds(overlay):
    images = {c["image"] for _, c in overlay.app_containers()}
    assert len(images) == 1
    assert image_name(images.pop()) == APP_IMAGE
