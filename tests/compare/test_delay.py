"""The comparison's per-hop delay proxy forwards bytes intact, delays each direction by the same
fixed time without making chunks wait for each other, and passes closes on."""

import os
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from project.bench.compare.delay import DelayProxy

TIMEOUT = 5.0  # no test waits longer on a socket


@dataclass
class Echo:
    """A loopback echo server; `stall` holds the answer to a b"stall" until it is set, `eof` is
    set when a connection's client has closed its side."""

    port: int
    stall: threading.Event = field(default_factory=threading.Event)
    eof: threading.Event = field(default_factory=threading.Event)


@contextmanager
def echo_server() -> Iterator[Echo]:
    echo = Echo(port=0)

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.settimeout(TIMEOUT)
            while data := self.request.recv(65536):
                if data == b"stall":
                    echo.stall.wait(TIMEOUT)
                self.request.sendall(data)
            echo.eof.set()

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    echo.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield echo
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def proxied(delay_ms: float) -> Iterator[tuple[Echo, DelayProxy]]:
    with echo_server() as echo, DelayProxy(echo.port, delay_ms) as proxy:
        yield echo, proxy


def connect(proxy: DelayProxy) -> socket.socket:
    client = socket.create_connection((proxy.host, proxy.port), timeout=TIMEOUT)
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # each send its own chunk
    return client


def receive(client: socket.socket, size: int) -> bytes:
    received = bytearray()
    while len(received) < size:
        chunk = client.recv(size - len(received))
        if not chunk:
            break
        received += chunk
    return bytes(received)


def round_trip(client: socket.socket, message: bytes) -> float:
    started = time.perf_counter()
    client.sendall(message)
    assert receive(client, len(message)) == message
    return time.perf_counter() - started


@pytest.mark.parametrize("delay_ms", [0, 5])
def test_bytes_arrive_intact_and_in_order_both_ways(delay_ms):
    payload = os.urandom(400_000)
    with proxied(delay_ms) as (_, proxy), connect(proxy) as client:
        # Sent from a thread while the answer is read, so that neither side's buffers fill up.
        sender = threading.Thread(target=client.sendall, args=(payload,), daemon=True)
        sender.start()
        echoed = receive(client, len(payload))
        sender.join(TIMEOUT)

    assert echoed == payload


def test_a_round_trip_takes_twice_the_delay():
    with proxied(20) as (_, proxy), connect(proxy) as client:
        seconds = [round_trip(client, b"ping %d" % i) for i in range(3)]

    assert all(0.038 <= s < 1.0 for s in seconds), seconds


def test_the_chunks_relayed_either_way_are_counted():
    with proxied(0) as (_, proxy), connect(proxy) as client:
        assert proxy.chunks == 0
        round_trip(client, b"one")
        assert proxy.chunks == 2  # there and back
        round_trip(client, b"two")
        assert proxy.chunks == 4


def test_a_delay_changed_while_running_holds_for_the_next_chunks():
    with proxied(0) as (_, proxy), connect(proxy) as client:
        round_trip(client, b"before")
        proxy.set_delay(20)
        delayed = round_trip(client, b"after")

    assert 0.038 <= delayed < 1.0, delayed


def test_chunks_in_flight_are_delayed_together_not_one_after_another():
    chunks = [b"chunk %d;" % i for i in range(10)]
    expected = b"".join(chunks)
    with proxied(20) as (_, proxy), connect(proxy) as client:
        started = time.perf_counter()
        for chunk in chunks:
            client.sendall(chunk)
            time.sleep(0.002)  # apart, so that the proxy reads them as separate chunks
        echoed = receive(client, len(expected))
        elapsed = time.perf_counter() - started

    assert echoed == expected
    # Serially, ten chunks through two 20 ms hops would take 400 ms; together about 60 ms.
    assert 0.038 <= elapsed < 0.150, elapsed


def test_a_stalled_connection_holds_up_no_other():
    with proxied(20) as (echo, proxy), connect(proxy) as stalled, connect(proxy) as other:
        stalled.sendall(b"stall")
        time.sleep(0.05)  # the stall has reached the server
        assert round_trip(other, b"ping") < 1.0
        echo.stall.set()
        assert receive(stalled, 5) == b"stall"
        assert proxy.accepted == 2


def test_closing_the_client_closes_the_upstream_connection():
    with proxied(20) as (echo, proxy):
        client = connect(proxy)
        round_trip(client, b"ping")
        client.close()

        assert echo.eof.wait(TIMEOUT)


def test_a_half_close_is_passed_on_after_the_data_and_the_answer_still_comes_back():
    with proxied(20) as (echo, proxy), connect(proxy) as client:
        client.sendall(b"last words")
        client.shutdown(socket.SHUT_WR)

        assert echo.eof.wait(TIMEOUT)
        assert receive(client, 100) == b"last words"  # then the server's close


def test_closing_the_upstream_closes_the_client_connection_after_its_data():
    class Goodbye(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.sendall(b"goodbye")  # and close

    server = socketserver.TCPServer(("127.0.0.1", 0), Goodbye)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        with DelayProxy(server.server_address[1], 20) as proxy, connect(proxy) as client:
            assert receive(client, 100) == b"goodbye"  # then the end of the stream
    finally:
        server.shutdown()
        server.server_close()


def test_a_refused_target_closes_the_client_connection():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # bound, never listening: connections are refused
        with DelayProxy(port, 0) as proxy, connect(proxy) as client:
            assert client.recv(1) == b""


def test_stop_closes_open_connections_and_ends_the_thread():
    with echo_server() as echo:
        proxy = DelayProxy(echo.port, 20)
        proxy.start()
        assert proxy.url == f"http://127.0.0.1:{proxy.port}"
        client = connect(proxy)
        round_trip(client, b"ping")
        started = time.perf_counter()
        proxy.stop()

        assert time.perf_counter() - started < TIMEOUT
        assert not any(t.name.startswith("delay-proxy-") for t in threading.enumerate())
        assert client.recv(1) == b""
        assert echo.eof.wait(TIMEOUT)
        client.close()
        proxy.stop()  # a second stop is a no-op


@pytest.mark.parametrize(
    "host", ["0.0.0.0", "10.0.0.1", "192.168.1.1", "::", "::ffff:127.0.0.1", "localhost"]
)
def test_a_host_off_loopback_is_refused(host):
    with pytest.raises(ValueError, match="loopback"):
        DelayProxy(8000, 10, host=host)


def test_loopback_hosts_are_accepted():
    assert DelayProxy(8000, 10, host="127.0.0.2").host == "127.0.0.2"
    assert DelayProxy(8000, 10, listen_port=8001, host="::1").url == "http://[::1]:8001"


@pytest.mark.parametrize("delay_ms", [-1, 1000.5, float("nan"), float("inf")])
def test_a_delay_out_of_range_is_refused(delay_ms):
    with pytest.raises(ValueError, match="delay_ms"):
        DelayProxy(8000, delay_ms)
