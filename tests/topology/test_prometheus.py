"""A real Prometheus (Debian's) scrapes the four services of the split topology on loopback;
what they did is then asked in PromQL."""

import json
import os
import re
import signal
import time
from collections.abc import Callable

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from project.bench.prometheus import LocalPrometheus
from project.bench.split import BASE_DIR, START_ORDER, free_ports
from project.topology import DEPARTMENTS
from tests.processes import process_tree
from tests.topology.conftest import split_of_its_own

pytestmark = pytest.mark.topology

READ_TIMEOUT = 0.5  # SERVICE_READ_TIMEOUT of these services: a frozen one times out fast


@pytest.fixture(scope="module")
def watched(tmp_path_factory):
    """The split topology with the departments' event workers (they relay their outboxes), all
    scraped by Prometheus: each service, and each worker as "<service>-events"."""
    worker_ports = free_ports(DEPARTMENTS)
    inherited = tmp_path_factory.mktemp("inherited-metrics-dir")
    with split_of_its_own(
        tmp_path_factory,
        "prometheus",
        events=True,
        worker_ports=worker_ports,
        SERVICE_READ_TIMEOUT=str(READ_TIMEOUT),
        PROMETHEUS_MULTIPROC_DIR=str(inherited),
    ) as split:
        targets = {service: f"{split.host}:{split.ports[service]}" for service in START_ORDER}
        for service, port in worker_ports.items():
            targets[f"{service}-events"] = f"{split.host}:{port}"
        prometheus = LocalPrometheus(
            port=free_ports(["prometheus"])["prometheus"],
            data_dir=tmp_path_factory.mktemp("prometheus"),
            targets=targets,
        )
        prometheus.start()
        try:
            yield split, prometheus
        finally:
            prometheus.stop()


def by(label: str, result: list[dict]) -> dict[str, float]:
    return {series["metric"].get(label, ""): float(series["value"][1]) for series in result}


def eventually(
    prometheus: LocalPrometheus, promql: str, holds: Callable[[list[dict]], bool]
) -> list[dict]:
    """The answer to `promql` once `holds` is true of it (scrapes come every second)."""
    deadline = time.monotonic() + 30
    while True:
        result = prometheus.query(promql)
        if holds(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.5)


def test_prometheus_sees_each_services_requests_by_route(watched):
    split, prometheus = watched
    for _ in range(5):
        assert requests.get(f"{split.url('portal')}/", timeout=10).status_code == 200
    promql = 'sum by (service, route) (http_requests_total{route!="<unmatched>"})'

    def counted(result: list[dict]) -> dict[tuple[str, str], float]:
        return {
            (s["metric"]["service"], s["metric"]["route"]): float(s["value"][1]) for s in result
        }

    # Each home page: the portal asks countries for a page of linked countries, and
    # currencies and languages for their counts.
    each_home_page = [
        ("portal", "/"),
        ("countries", "/api/linked-countries/"),
        ("currencies", "/api/currencies/"),
        ("languages", "/api/languages/"),
    ]

    def all_scraped(result: list[dict]) -> bool:
        return all(counted(result).get(key, 0) >= 5 for key in each_home_page)

    requests_by_route = counted(eventually(prometheus, promql, all_scraped))

    assert all(requests_by_route.get(key, 0) >= 5 for key in each_home_page), requests_by_route
    assert not [route for _, route in requests_by_route if "?" in route or "DE" in route]
    rates = by(
        "service",
        eventually(
            prometheus,
            "sum by (service) (rate(http_requests_total[10s]))",
            lambda result: len(result) == 4,
        ),
    )
    assert set(rates) == set(START_ORDER)


def test_prometheus_sees_the_event_workers_publish(watched):
    split, prometheus = watched
    for department in ("currencies", "languages"):
        split.manage(department, "load_reference_data")  # each record's `created` event

    published = by(
        "department",
        eventually(
            prometheus,
            "sum by (department) (events_published_total)",
            lambda result: len(result) == 2,
        ),
    )

    assert set(published) == {"currencies", "languages"}
    assert min(published.values()) >= 100  # the ISO 4217 and ISO 639 records
    queries = by(
        "alias",
        prometheus.query('sum by (alias) (db_query_duration_seconds_count{service="countries"})'),
    )
    assert queries.get("countries", 0) > 0


def test_a_frozen_department_shows_as_counted_timeouts_and_a_failed_scrape(watched):
    split, prometheus = watched
    pids = process_tree(split.processes["currencies"].pid)
    timeouts = (
        'sum by (service) (department_calls_total{department="currencies",outcome="timeout"})'
    )
    before = by("service", prometheus.query(timeouts))
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        for _ in range(3):
            assert requests.get(f"{split.url('portal')}/", timeout=15).status_code == 200

        def grew(result: list[dict]) -> bool:
            now = by("service", result)
            return now.get("portal", 0) - before.get("portal", 0) >= 3

        after = by("service", eventually(prometheus, timeouts, grew))
        up = by("service", eventually(prometheus, 'up{service="currencies"} == 0', bool))
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)

    assert after["portal"] - before.get("portal", 0) >= 3  # its currency count, each page
    assert up == {"currencies": 0.0}  # Prometheus could not scrape it either


def metric_names(promql: str) -> set[str]:
    """The metrics a PromQL expression reads: what is left once label matchers, ranges,
    grouping labels, numbers and function names are taken out."""
    bare = re.sub(r"\{[^}]*\}|\[[^\]]*\]|\b(?:by|without)\s*\([^)]*\)", "", promql)
    functions = set(re.findall(r"([a-z_]+)\s*\(", bare))
    return set(re.findall(r"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b", bare)) - functions


SAMPLE_SUFFIXES = {
    "counter": ("_total",),
    "histogram": ("_bucket", "_count", "_sum"),
    "gauge": ("",),
}


def exposed_names(text: str) -> set[str]:
    """The sample names a /metrics answer declares, whether or not it has samples yet."""
    return {
        family.name + suffix
        for family in text_string_to_metric_families(text)
        for suffix in SAMPLE_SUFFIXES.get(family.type, ("",))
    }


def test_every_dashboard_query_reads_a_metric_the_services_expose(watched):
    split, _ = watched
    dashboard = json.loads((BASE_DIR / "deploy" / "grafana" / "country-provider.json").read_text())
    queries = [
        target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])
    ]
    scraped = [
        requests.get(f"{split.url(service)}/metrics", timeout=10).text for service in START_ORDER
    ] + [
        requests.get(f"http://{split.host}:{port}/metrics", timeout=10).text
        for port in split.worker_ports.values()
    ]
    exposed = set().union(*(exposed_names(text) for text in scraped))

    read = set().union(*(metric_names(query) for query in queries))

    assert len(queries) >= 10
    assert read <= exposed, sorted(read - exposed)
    assert {"http_requests_total", "department_calls_total", "replica_lag_seconds_bucket"} <= read


def test_each_service_serves_only_its_own_samples(watched):
    """The services were started with one PROMETHEUS_MULTIPROC_DIR in their environment (see
    `watched`), as from a shell that has one: each server still keeps its own."""
    split, _ = watched
    for service in START_ORDER:
        path = "/" if service == "portal" else f"/api/{service}/?page_size=1"
        assert requests.get(f"{split.url(service)}{path}", timeout=10).status_code == 200

    for service in START_ORDER:
        text = requests.get(f"{split.url(service)}/metrics", timeout=10).text
        labelled = {
            sample.labels["service"]
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if "service" in sample.labels
        }
        assert labelled == {service}, (service, labelled)
