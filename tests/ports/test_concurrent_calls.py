"""Calls to departments served elsewhere run at the same time; in-process calls stay on the
request's thread."""

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from project.kernel.ports import concurrently
from project.topology import Topology
from tests.factories import CountryFactory

pytestmark = pytest.mark.django_db(databases="__all__")


@contextmanager
def departments_that_answer_only_together(records: dict[str, dict]):
    """One server per department; each holds its answer until every department has been
    asked, and answers 503 if that does not happen within two seconds (calls made one after
    another). Yields their base URLs and the headers each received."""
    barrier = threading.Barrier(len(records), timeout=2)
    received: dict[str, list[dict]] = {department: [] for department in records}
    servers = []

    def handler_for(department: str):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                received[department].append(dict(self.headers))
                try:
                    barrier.wait()
                    status = 200
                    body: dict[str, object] = {
                        "count": 1,
                        "next": None,
                        "previous": None,
                        "results": [records[department]],
                    }
                except threading.BrokenBarrierError:
                    status, body = 503, {"detail": "asked alone"}
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        return Handler

    for department in records:
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(department))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    try:
        yield (
            {
                d: f"http://127.0.0.1:{s.server_address[1]}"
                for d, s in zip(records, servers, strict=True)
            },
            received,
        )
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def test_linked_countries_ask_both_departments_at_once_with_the_request_id(api):
    CountryFactory(code="DE", name="Germany", currency_code="EUR", language_code="de")
    records = {
        "currencies": {"code": "EUR", "name": "Euro", "names": {}},
        "languages": {"code": "de", "name": "German", "names": {}},
    }

    with departments_that_answer_only_together(records) as (urls, received):
        topology = Topology(service="countries", service_urls=urls)
        with override_settings(TOPOLOGY=topology):
            body = api.get("/api/linked-countries/", headers={"X-Request-ID": "together"}).json()

    assert body["unavailable"] == []
    assert body["results"][0]["currency"] == {"code": "EUR", "name": "Euro", "names": {}}
    assert body["results"][0]["language"] == {"code": "de", "name": "German", "names": {}}
    assert [h["X-Request-ID"] for h in received["currencies"]] == ["together"]
    assert [h["X-Request-ID"] for h in received["languages"]] == ["together"]


def test_in_process_calls_run_on_the_calling_thread():
    threads = concurrently(
        {
            "currencies": threading.get_ident,
            "languages": threading.get_ident,
        }
    )

    assert threads == {"currencies": threading.get_ident(), "languages": threading.get_ident()}


def test_replica_reads_run_on_the_calling_thread_too():
    replicated = Topology(
        service="portal",
        service_urls=dict.fromkeys(("countries", "currencies", "languages"), "http://127.0.0.1:9"),
        read_model="replica",
    )
    with override_settings(TOPOLOGY=replicated):
        threads = concurrently(
            {"currencies": threading.get_ident, "languages": threading.get_ident}
        )

    assert threads == {"currencies": threading.get_ident(), "languages": threading.get_ident()}
