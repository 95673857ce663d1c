"""Prometheus metrics of a service, served at `/metrics` with METRICS=true (off by default:
nothing is counted then, and `/metrics` is not found).

Under gunicorn every worker process writes its samples to files in PROMETHEUS_MULTIPROC_DIR
(prometheus-client's multiprocess mode, set up in deploy/gunicorn.conf.py), and a scrape adds
them up, whichever worker answers it. Elsewhere (the development server, tests, the event
worker) the process's own registry is served.

With METRICS_PORT set, gunicorn listens on that port too and `/metrics` is answered there
only: the Service and the Ingress route the main port, so the metrics stay inside the cluster.
Without it, `/metrics` is answered on the main port. Either way before host validation (the
scraper knows a pod by its IP) and before the HTTPS redirect, as the probes are.
"""

import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from project.kernel.outbox import OutboxEvent

PATH = "/metrics"

# Seconds, from a query on an index to a portal page waiting on a slow department.
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "http_requests",
    "Requests answered, by route template (never the raw path), method and status.",
    ["service", "route", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "http_request_duration_seconds",
    "Time from a request's arrival in Django to its answer.",
    ["service", "route", "method"],
    buckets=_BUCKETS,
)
DEPARTMENT_CALLS = Counter(
    "department_calls",
    "Calls to another department's service, by outcome: ok, timeout, cannot_connect, "
    "http_error (an unexpected status), bad_answer (not JSON).",
    ["service", "department", "outcome"],
)
DEPARTMENT_CALL_SECONDS = Histogram(
    "department_call_duration_seconds",
    "Time a call to another department's service took, whatever its outcome.",
    ["service", "department"],
    buckets=_BUCKETS,
)
QUERY_SECONDS = Histogram(
    "db_query_duration_seconds",
    "Time of each SQL query a request runs, by database alias.",
    ["service", "alias"],
    buckets=_BUCKETS,
)

# The event worker's (served by its probe server, see run_events).
EVENTS_PUBLISHED = Counter(
    "events_published",
    "Outbox events the relay published and the broker acknowledged.",
    ["service", "department"],
)
REPLICA_EVENTS_APPLIED = Counter(
    "replica_events_applied",
    "Events that changed this service's replica (a repeated or older one changes nothing).",
    ["service", "department"],
)
REPLICA_LAG_SECONDS = Histogram(
    "replica_lag_seconds",
    "Time from a change in its department to its event reaching this service's replica.",
    ["service", "department"],
    buckets=_BUCKETS,
)

UNMATCHED = "<unmatched>"  # the route of a request answered before or without a URL pattern
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class OutboxBacklog(Collector):
    """`outbox_backlog{department}`: events not yet published, counted at each scrape of a
    service from its own outboxes (the composition root names them)."""

    def __init__(self, outboxes: Sequence[type["OutboxEvent"]]):
        self._outboxes = outboxes

    def collect(self) -> Iterator[GaugeMetricFamily]:
        backlog = GaugeMetricFamily(
            "outbox_backlog", "Outbox events waiting to be published.", labels=["department"]
        )
        for outbox in self._outboxes:
            try:
                waiting = outbox._default_manager.filter(published_at=None).count()
            except DatabaseError:
                continue  # its database is down: the other metrics are still worth a scrape
            backlog.add_metric([outbox.stream.department], waiting)
        yield backlog


_scraped_collectors: list[Collector] = []


def collect_at_scrape(collector: Collector) -> None:
    """Add `collector` to what `/metrics` serves (once, at start)."""
    _scraped_collectors.append(collector)


def _service() -> str:
    return settings.TOPOLOGY.service


def _route(request: HttpRequest) -> str:
    match = request.resolver_match
    return UNMATCHED if match is None else f"/{match.route}"


def scrape(accept: str) -> tuple[bytes, str]:
    """The samples of this service, in the format `accept` asks for, and its content type:
    every gunicorn worker's samples, or this process's, and what the collectors added with
    `collect_at_scrape` count now."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessSamples())
    for collector in _scraped_collectors:
        registry.register(collector)
    encode, content_type = choose_encoder(accept)
    return encode(registry), content_type


class _ProcessSamples(Collector):
    """This process's own registry, as a collector of another registry."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def _query_timer(alias: str) -> Callable[..., Any]:
    histogram = QUERY_SECONDS.labels(_service(), alias)

    def timed(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            histogram.observe(time.perf_counter() - started)

    return timed


@contextmanager
def _queries_timed() -> Iterator[None]:
    with ExitStack() as stack:
        for alias in settings.DATABASES:
            stack.enter_context(connections[alias].execute_wrapper(_query_timer(alias)))
        yield


class MetricsMiddleware:
    """Answers `/metrics` (see the module's docstring), and counts and times every other
    request, and its SQL queries."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        metrics_port = os.environ.get("METRICS_PORT", "")
        on_metrics_port = bool(metrics_port) and request.META.get("SERVER_PORT") == metrics_port
        if request.path == PATH and (on_metrics_port or not metrics_port):
            body, content_type = scrape(request.headers.get("Accept", ""))
            return HttpResponse(body, content_type=content_type)
        if on_metrics_port:
            return HttpResponseNotFound("Only /metrics is served on this port.")
        started = time.perf_counter()
        with _queries_timed():
            response = self.get_response(request)
        route, service = _route(request), _service()
        # Any method token reaches here: an unknown one would be a new series per token.
        method = request.method if request.method in _METHODS else "other"
        REQUESTS.labels(service, route, method, str(response.status_code)).inc()
        REQUEST_SECONDS.labels(service, route, method).observe(time.perf_counter() - started)
        return response


def observe_department_call(department: str, outcome: str, seconds: float) -> None:
    if not settings.METRICS:
        return
    DEPARTMENT_CALLS.labels(_service(), department, outcome).inc()
    DEPARTMENT_CALL_SECONDS.labels(_service(), department).observe(seconds)
