"""What `/metrics` counts, in one process: requests by route template, SQL queries per alias,
calls to other departments by outcome, the outbox backlog; and where it is answered."""

import os

import pytest
from django.db import OperationalError
from django.test import override_settings
from prometheus_client.parser import text_string_to_metric_families

from currencies.models import CurrencyOutbox
from currencies.services import currency_create
from project.bench.split import BASE_DIR
from project.topology import Topology
from tests.factories import CountryFactory, LanguageFactory
from tests.loopback import closed_port_url, scripted_server
from tests.processes import manage

pytestmark = pytest.mark.django_db(databases="__all__")

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scraped(client, **extra) -> Samples:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_requests_are_counted_by_route_template_never_by_raw_path(client):
    CountryFactory(code="DE")
    CountryFactory(code="FR")
    route = {"service": "all", "route": "/api/countries/<str:code>/", "method": "GET"}
    before = scraped(client)

    for path in ("/api/countries/DE/", "/api/countries/fr/", "/api/countries/XX/", "/nothing/"):
        client.get(path)
    after = scraped(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("http_requests_total", **route, status="200") == 2
    assert grew("http_requests_total", **route, status="404") == 1
    unmatched = {"service": "all", "route": "<unmatched>", "method": "GET", "status": "404"}
    assert grew("http_requests_total", **unmatched) == 1
    assert grew("http_request_duration_seconds_count", **route) == 3
    assert not [labels for _, labels in after if ("route", "/api/countries/DE/") in labels]


def test_sql_queries_are_timed_per_database_alias(client):
    before = scraped(client)

    client.get("/api/languages/")
    after = scraped(client)

    name = "db_query_duration_seconds_count"
    assert value(after, name, service="all", alias="languages") > value(
        before, name, service="all", alias="languages"
    )
    assert value(after, name, service="all", alias="currencies") == value(
        before, name, service="all", alias="currencies"
    )


def test_calls_to_other_departments_are_counted_by_outcome(client):
    LanguageFactory(code="de")
    CountryFactory(code="DE", currency_code="EUR", language_code="de")
    calls = "department_calls_total"

    with scripted_server((200, {"results": [], "next": None}, 0.0), (503, None, 0.0)) as odd:
        topology = Topology(
            service="countries",
            service_urls={"currencies": closed_port_url(), "languages": odd.url},
        )
        before = scraped(client)
        with override_settings(TOPOLOGY=topology):
            client.get("/api/linked-countries/")  # currencies refuse; languages answer
            client.get("/api/linked-countries/")  # languages answer 503 (and 503 when retried)
        after = scraped(client)

    def grew(department: str, outcome: str) -> float:
        labels = {"service": "countries", "department": department, "outcome": outcome}
        return value(after, calls, **labels) - value(before, calls, **labels)

    assert grew("currencies", "cannot_connect") == 2
    assert grew("languages", "ok") == 1
    assert grew("languages", "http_error") == 1
    assert grew("currencies", "ok") == 0


def test_a_call_that_times_out_is_counted_as_a_timeout(client):
    CountryFactory(code="DE", currency_code="EUR", language_code="de")
    labels = {"service": "countries", "department": "currencies", "outcome": "timeout"}

    with scripted_server((200, {"results": [], "next": None}, 1.0)) as slow:
        topology = Topology(
            service="countries",
            service_urls={"currencies": slow.url, "languages": closed_port_url()},
        )
        before = scraped(client)
        with override_settings(TOPOLOGY=topology, SERVICE_READ_TIMEOUT=0.2):
            client.get("/api/linked-countries/")
        after = scraped(client)

    assert (
        value(after, "department_calls_total", **labels)
        - value(before, "department_calls_total", **labels)
        == 1
    )


def test_the_outbox_backlog_is_what_waits_to_be_published(client):
    currency_create(code="EUR", name="Euro")
    currency_create(code="USD", name="US dollar")
    waiting = CurrencyOutbox.objects.filter(published_at=None).count()

    backlog = value(scraped(client), "outbox_backlog", department="currencies")

    assert backlog == waiting >= 2


def test_metrics_are_answered_before_host_validation(client):
    # Prometheus knows a pod by its IP, which is not among the allowed hosts.
    assert (
        value(scraped(client, HTTP_HOST="10.1.2.3"), "outbox_backlog", department="countries") >= 0
    )


def test_with_a_metrics_port_only_that_port_serves_them(client, monkeypatch):
    monkeypatch.setenv("METRICS_PORT", "9100")

    assert client.get("/metrics").status_code == 404  # the main port: routed by the Ingress
    assert client.get("/api/countries/", SERVER_PORT="9100").status_code == 404
    assert "outbox_backlog" in client.get("/metrics", SERVER_PORT="9100").content.decode()


@pytest.mark.parametrize(("metrics", "installed"), [("", False), ("false", False), ("true", True)])
def test_metrics_are_off_unless_asked_for(metrics, installed):
    env = {k: v for k, v in os.environ.items() if k != "METRICS"}
    result = manage(BASE_DIR, {**env, "METRICS": metrics, "SECRET_KEY": "x"}, "diffsettings")

    assert result.returncode == 0, result.stderr
    assert ("project.kernel.metrics.MetricsMiddleware" in result.stdout) is installed


def test_an_unknown_method_is_counted_as_other(client):
    labels = {"service": "all", "route": "/api/countries/", "method": "other", "status": "405"}
    before = value(scraped(client), "http_requests_total", **labels)

    client.generic("BREW", "/api/countries/")
    after = scraped(client)

    assert value(after, "http_requests_total", **labels) == before + 1
    assert not [key for key in after if ("method", "BREW") in key[1]]


def test_a_scrape_still_answers_while_an_outbox_cannot_be_counted(client, monkeypatch):
    def database_down(*args, **kwargs):
        raise OperationalError("the database does not answer")

    monkeypatch.setattr(CurrencyOutbox._default_manager, "filter", database_down)

    samples = scraped(client)

    assert ("outbox_backlog", frozenset({("department", "currencies")})) not in samples
    assert ("outbox_backlog", frozenset({("department", "languages")})) in samples
