"""No client can starve a service: 50 connections sending their request head a line at a
time, 50 sending their body a byte at a time, and 50 idle connections against each service of
the split topology, while a normal client's requests keep being answered. Bounded: the attack
stops after ATTACK_SECONDS."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress

import pytest
import requests

from tests.topology.conftest import split_of_its_own

pytestmark = pytest.mark.topology

SLOW = 50
SLOW_BODIES = 50
IDLE = 50
ATTACK_SECONDS = 8.0
LINE_EVERY = 1.0  # seconds between two header lines (or body bytes) of a slow client
ANSWER_WITHIN = 3.0  # seconds: generous, the point is an answer, not its speed
BODY_TIMEOUT = 2.0  # REQUEST_BODY_TIMEOUT of these services


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    with split_of_its_own(
        tmp_path_factory, "slow_clients", REQUEST_BODY_TIMEOUT=str(BODY_TIMEOUT)
    ) as split:
        yield split


def slow_body_head(host: str, path: str) -> bytes:
    """The head of a POST whose 1,000-byte body is still to come."""
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000\r\n\r\n"
    ).encode()


@contextmanager
def attack(host: str, port: int, path: str) -> Iterator[None]:
    """SLOW clients dribbling a request head, SLOW_BODIES dribbling a POST body to `path`,
    and IDLE silent connections, until the block ends or ATTACK_SECONDS pass, whichever is
    first."""
    stop = threading.Event()
    with ExitStack() as sockets:

        def connect() -> socket.socket:
            return sockets.enter_context(socket.create_connection((host, port)))

        slow = [connect() for _ in range(SLOW)]
        slow_bodies = [connect() for _ in range(SLOW_BODIES)]
        for _ in range(IDLE):
            connect()
        for connection in slow:
            connection.sendall(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n".encode())
        for connection in slow_bodies:
            connection.sendall(slow_body_head(host, path))
        deadline = time.monotonic() + ATTACK_SECONDS

        def dribble() -> None:
            while not stop.is_set() and time.monotonic() < deadline:
                for connection, sent in [(c, b"X-Slow: 1\r\n") for c in slow] + [
                    (c, b" ") for c in slow_bodies
                ]:
                    with suppress(OSError):  # the server closed it: what it should do
                        connection.sendall(sent)
                stop.wait(LINE_EVERY)

        dribbler = threading.Thread(target=dribble, daemon=True)
        dribbler.start()
        try:
            time.sleep(0.5)  # let the server take every connection in
            yield
        finally:
            stop.set()
            dribbler.join(timeout=ATTACK_SECONDS)


@pytest.mark.parametrize("service", ["portal", "countries", "currencies", "languages"])
def test_slow_and_idle_clients_do_not_starve_a_service(services, service):
    path = "/" if service == "portal" else f"/api/{service}/?page_size=1"
    url = f"{services.url(service)}{path}"
    assert requests.get(url, timeout=10).status_code == 200

    with attack(services.host, services.ports[service], path):
        answers = []
        for _ in range(5):
            started = time.monotonic()
            with requests.get(url, timeout=ANSWER_WITHIN, headers={"Connection": "close"}) as r:
                answers.append((r.status_code, time.monotonic() - started))
            time.sleep(0.5)

    assert [status for status, _ in answers] == [200] * 5, answers


@pytest.mark.parametrize("service", ["portal", "currencies"])
def test_a_body_slower_than_its_deadline_is_a_408(services, service):
    path = "/" if service == "portal" else f"/api/{service}/"
    started = time.monotonic()
    with socket.create_connection((services.host, services.ports[service])) as connection:
        connection.sendall(slow_body_head(services.host, path))
        connection.settimeout(LINE_EVERY)
        answer = b""
        while not answer and time.monotonic() - started < ATTACK_SECONDS:
            connection.sendall(b" ")
            with suppress(TimeoutError):
                answer = connection.recv(4096)
    waited = time.monotonic() - started

    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert BODY_TIMEOUT <= waited < ATTACK_SECONDS
