"""An OTLP/HTTP trace receiver on loopback (protobuf, decoded with opentelemetry-proto), and
where a traced request's time went: in each service's own code, in PostgreSQL, and between the
services (a call's time in the caller minus the callee's server span: connecting, sending,
queueing in gunicorn, reading the answer)."""

import statistics
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span as SpanMessage

SERVER, CLIENT = SpanMessage.SPAN_KIND_SERVER, SpanMessage.SPAN_KIND_CLIENT
CONSUMER = SpanMessage.SPAN_KIND_CONSUMER
SERVICE_PREFIX = "country-provider-"  # tracing.py names each service country-provider-<SERVICE>


@dataclass(frozen=True)
class Span:
    service: str
    name: str
    kind: int
    trace_id: str
    span_id: str
    parent_id: str
    attributes: dict[str, str]
    links: tuple[tuple[str, str], ...]  # (trace ID, span ID) of each linked span
    start_ns: int = 0
    end_ns: int = 0

    @property
    def duration_ms(self) -> float:
        return (self.end_ns - self.start_ns) / 1e6

    @property
    def target(self) -> str:
        """A server span's request path and query (old or stable HTTP conventions)."""
        path, query = self.attributes.get("url.path"), self.attributes.get("url.query")
        if path is not None:
            return f"{path}?{query}" if query else path
        return self.attributes.get("http.target", "")

    @property
    def is_database_call(self) -> bool:
        return self.kind == CLIENT and "db.system" in self.attributes


class OtlpReceiver(ThreadingHTTPServer):
    """Answers OTLP/HTTP trace exports and keeps their spans."""

    daemon_threads = True

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _ExportHandler)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def keep(self, export: ExportTraceServiceRequest) -> None:
        with self.lock:
            for resource_spans in export.resource_spans:
                service = next(
                    a.value.string_value
                    for a in resource_spans.resource.attributes
                    if a.key == "service.name"
                )
                for scope_spans in resource_spans.scope_spans:
                    self.spans.extend(_span(service, span) for span in scope_spans.spans)

    def take(self) -> list[Span]:
        """Every span received so far; the receiver starts over empty."""
        with self.lock:
            taken, self.spans = self.spans, []
        return taken


def _span(service: str, span: SpanMessage) -> Span:
    return Span(
        service=service,
        name=span.name,
        kind=span.kind,
        trace_id=span.trace_id.hex(),
        span_id=span.span_id.hex(),
        parent_id=span.parent_span_id.hex(),
        attributes={a.key: a.value.string_value for a in span.attributes},
        links=tuple((link.trace_id.hex(), link.span_id.hex()) for link in span.links),
        start_ns=span.start_time_unix_nano,
        end_ns=span.end_time_unix_nano,
    )


class _ExportHandler(BaseHTTPRequestHandler):
    server: OtlpReceiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/v1/traces":
            self.server.keep(ExportTraceServiceRequest.FromString(body))
        answer = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format, *args):
        pass


@contextmanager
def receiving() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        yield receiver
    finally:
        receiver.shutdown()
        receiver.server_close()


def trace_breakdown(spans: list[Span]) -> dict[str, float] | None:
    """One trace's milliseconds: `total` (the root server span), each service's own time (its
    server spans minus the time its calls were under way), `database` and `network`. Calls made
    in parallel overlap, so the parts may add up to more than the total. None for a trace
    whose root or whose callee spans have not all arrived."""
    by_id = {s.span_id: s for s in spans}
    roots = [s for s in spans if s.kind == SERVER and not s.parent_id]
    if len(roots) != 1:
        return None
    children: dict[str, list[Span]] = defaultdict(list)
    for span in spans:
        children[span.parent_id].append(span)
    parts: dict[str, float] = defaultdict(float)
    parts["total"] = roots[0].duration_ms
    for span in spans:
        if span.kind == SERVER:
            calls = [c for c in children[span.span_id] if c.kind == CLIENT]
            own = span.duration_ms - _covered_ms(calls)
            parts[span.service.removeprefix(SERVICE_PREFIX)] += own
        elif span.is_database_call:
            parts["database"] += span.duration_ms
        elif span.kind == CLIENT and span.parent_id in by_id:
            answered = [c for c in children[span.span_id] if c.kind == SERVER]
            if len(answered) != 1:
                return None
            parts["network"] += span.duration_ms - answered[0].duration_ms
    return dict(parts)


def _covered_ms(spans: list[Span]) -> float:
    """Milliseconds during which at least one of the spans ran (parallel calls count once)."""
    covered, reached = 0, 0
    for span in sorted(spans, key=lambda s: s.start_ns):
        start = max(span.start_ns, reached)
        if span.end_ns > start:
            covered += span.end_ns - start
            reached = span.end_ns
    return covered / 1e6


def time_breakdown(spans: list[Span], target: str, since_ns: int = 0) -> dict:
    """The median of each part over every complete trace among the spans whose request was
    for `target` and began at `since_ns` or later (see trace_breakdown), with the number of
    traces it is taken from."""
    traces: dict[str, list[Span]] = defaultdict(list)
    for span in spans:
        traces[span.trace_id].append(span)

    def asked(trace: list[Span]) -> bool:
        return any(not s.parent_id and s.target == target and s.start_ns >= since_ns for s in trace)

    complete = [b for b in map(trace_breakdown, filter(asked, traces.values())) if b is not None]
    names = sorted({name for breakdown in complete for name in breakdown})
    medians = {
        name: round(statistics.median(b.get(name, 0.0) for b in complete), 3) for name in names
    }
    return {"traces": len(complete), "median_ms": medians}
