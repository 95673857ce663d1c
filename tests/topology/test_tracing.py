"""The split topology exports its traces over OTLP/HTTP to a receiver in the test, which
decodes them with opentelemetry-proto: one portal request is one trace across the four
services, each span under its caller's, every server span carrying the request ID."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span as SpanMessage

from project.bench.split import START_ORDER
from tests.topology.conftest import split_of_its_own

pytestmark = pytest.mark.topology

REQUEST_ID = "tracing-test-0123456789abcdef"


@dataclass(frozen=True)
class Span:
    service: str
    name: str
    kind: int
    trace_id: str
    span_id: str
    parent_id: str
    attributes: dict[str, str]


class OtlpReceiver(ThreadingHTTPServer):
    """Answers OTLP/HTTP trace exports (protobuf) and keeps their spans."""

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


def _span(service: str, span: SpanMessage) -> Span:
    return Span(
        service=service,
        name=span.name,
        kind=span.kind,
        trace_id=span.trace_id.hex(),
        span_id=span.span_id.hex(),
        parent_id=span.parent_span_id.hex(),
        attributes={a.key: a.value.string_value for a in span.attributes},
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


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    with (
        receiving() as receiver,
        split_of_its_own(
            tmp_path_factory,
            "tracing",
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
            OTEL_BSP_SCHEDULE_DELAY="100",  # ms: export soon after the request
        ) as split,
    ):
        yield split, receiver


SERVER, CLIENT = SpanMessage.SPAN_KIND_SERVER, SpanMessage.SPAN_KIND_CLIENT


def test_one_portal_request_is_one_trace_across_the_four_services(traced):
    split, receiver = traced

    response = requests.get(
        f"{split.url('portal')}/", headers={"X-Request-ID": REQUEST_ID}, timeout=10
    )
    assert response.status_code == 200

    def servers_of_the_request() -> list[Span]:
        with receiver.lock:
            return [
                s
                for s in receiver.spans
                if s.kind == SERVER and s.attributes.get("request.id") == REQUEST_ID
            ]

    deadline = time.monotonic() + 30
    while len({s.service for s in servers_of_the_request()}) < 4:
        assert time.monotonic() < deadline, [s.service for s in servers_of_the_request()]
        time.sleep(0.2)
    time.sleep(1)  # the client spans of the same requests, in the same or the next batch
    servers = servers_of_the_request()
    (trace_id,) = {s.trace_id for s in servers}
    with receiver.lock:
        spans = {s.span_id: s for s in receiver.spans if s.trace_id == trace_id}

    services = {s.service for s in spans.values()}
    assert services == {f"country-provider-{service}" for service in START_ORDER}
    (root,) = [s for s in spans.values() if not s.parent_id]
    assert (root.service, root.kind) == ("country-provider-portal", SERVER)
    for server in servers:
        if server is root:
            continue
        # Each department's answer hangs under the call that asked for it, in the caller.
        call = spans[server.parent_id]
        assert call.kind == CLIENT
        assert call.service != server.service
        assert call.trace_id == trace_id
    called_by = {(spans[s.parent_id].service, s.service) for s in servers if s is not root}
    assert called_by >= {
        ("country-provider-portal", "country-provider-countries"),
        ("country-provider-portal", "country-provider-currencies"),
        ("country-provider-portal", "country-provider-languages"),
    }


def test_log_lines_carry_the_trace_and_span_ids(traced):
    split, _ = traced

    requests.get(f"{split.url('countries')}/api/countries/", timeout=10)

    lines = split.log_path("countries").read_text().splitlines()
    logged = [line for line in lines if '"path": "/api/countries/"' in line]
    assert logged and '"trace_id": "' in logged[-1] and '"span_id": "' in logged[-1]
