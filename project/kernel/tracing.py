"""Traces with OpenTelemetry, exported over OTLP/HTTP when the standard
OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set. Unset, nothing is
instrumented and nothing is exported.

A trace per incoming request (Django's instrumentation), a span per call to another service
(urllib3's, which also sends the W3C `traceparent` header, so the callee's spans join the
caller's trace) and per PostgreSQL query (psycopg's). The other standard OTEL_* variables apply
(sampler, batch processor, headers); the service name is `country-provider-<SERVICE>` unless
OTEL_SERVICE_NAME names another.

Two steps, because gunicorn loads the app in its master and then forks its workers:
`instrument()` wraps the libraries before the app is loaded (it starts no thread), and
`start_exporting()` runs in each worker after the fork (deploy/gunicorn.conf.py): the batch
span processor's thread would not survive a fork.
"""

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import propagate, trace

# The SDK, the exporter and the instrumentations are imported only where tracing is on: a
# process without it loads none of them.

REQUEST_ID_ATTRIBUTE = "request.id"


def enabled() -> bool:
    return any(
        os.environ.get(variable)
        for variable in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def instrument() -> None:
    """Wrap Django, urllib3 and psycopg; before Django loads its middleware."""
    if not enabled():
        return
    from django.conf import settings  # noqa: PLC0415
    from opentelemetry.instrumentation.django import DjangoInstrumentor  # noqa: PLC0415
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor  # noqa: PLC0415
    from opentelemetry.instrumentation.urllib3 import URLLib3Instrumentor  # noqa: PLC0415

    # After the probes and the metrics, which are answered before host validation (the
    # tracing middleware validates the Host when it names the span), and before the request
    # ID, which it puts on the request's span.
    position = settings.MIDDLEWARE.index("project.kernel.request_id.RequestIdMiddleware")
    DjangoInstrumentor().instrument(middleware_position=position)
    URLLib3Instrumentor().instrument()
    PsycopgInstrumentor().instrument()


def start_exporting(service: str) -> None:
    """Export this process's spans, in batches, from now on."""
    if not enabled():
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
        OTLPSpanExporter,
    )
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource  # noqa: PLC0415
    from opentelemetry.sdk.trace import TracerProvider  # noqa: PLC0415
    from opentelemetry.sdk.trace.export import BatchSpanProcessor  # noqa: PLC0415

    name = os.environ.get("OTEL_SERVICE_NAME") or f"country-provider-{service}"
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)


def note_request_id(request_id: str) -> None:
    """Put the request ID on the current request's span (a no-op while nothing is traced)."""
    trace.get_current_span().set_attribute(REQUEST_ID_ATTRIBUTE, request_id)


def current_ids() -> dict[str, str]:
    """The current trace and span IDs, as a log line carries them; none outside a span."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return {}
    return {"trace_id": f"{context.trace_id:032x}", "span_id": f"{context.span_id:016x}"}


TRACEPARENT = "traceparent"


def current_traceparent() -> str:
    """The W3C traceparent of the current span, to go with an event; "" outside a span."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get(TRACEPARENT, "")


@contextmanager
def consuming(name: str, traceparents: Iterable[str]) -> Iterator[None]:
    """A consumer span for applying a batch of events, linked to the spans of the requests
    that made the changes (those that were traced)."""
    links = []
    for traceparent in traceparents:
        context = trace.get_current_span(propagate.extract({TRACEPARENT: traceparent}))
        if context.get_span_context().is_valid:
            links.append(trace.Link(context.get_span_context()))
    tracer = trace.get_tracer(__name__)
    with tracer.start_as_current_span(name, kind=trace.SpanKind.CONSUMER, links=links):
        yield


def traceparent_of(headers: Mapping[str, str] | None) -> str:
    return (headers or {}).get(TRACEPARENT, "")
