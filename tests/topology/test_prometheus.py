"""A real Prometheus (Debian's) scrapes the four services of the split topology on loopback;
what they did is then asked in PromQL."""

import os
import signal
import time
from collections.abc import Callable

import pytest
import requests

from project.bench.prometheus import LocalPrometheus
from project.bench.split import START_ORDER, free_ports
from tests.processes import process_tree
from tests.topology.conftest import split_of_its_own

pytestmark = pytest.mark.topology

READ_TIMEOUT = 0.5  # SERVICE_READ_TIMEOUT of these services: a frozen one times out fast


@pytest.fixture(scope="module")
def watched(tmp_path_factory):
    with split_of_its_own(
        tmp_path_factory, "prometheus", SERVICE_READ_TIMEOUT=str(READ_TIMEOUT)
    ) as split:
        prometheus = LocalPrometheus(
            port=free_ports(["prometheus"])["prometheus"],
            data_dir=tmp_path_factory.mktemp("prometheus"),
            targets={service: f"{split.host}:{split.ports[service]}" for service in START_ORDER},
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
