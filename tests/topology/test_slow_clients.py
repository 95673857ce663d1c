"""No client can starve a service: 50 connections sending their request head a line at a
time and 50 idle connections against each service of the split topology, while a normal
client's requests keep being answered. Bounded: the attack stops after ATTACK_SECONDS."""

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
IDLE = 50
ATTACK_SECONDS = 8.0
LINE_EVERY = 1.0  # seconds between two header lines of a slow client
ANSWER_WITHIN = 3.0  # seconds: generous, the point is an answer, not its speed


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    with split_of_its_own(tmp_path_factory, "slow_clients") as split:
        yield split


@contextmanager
def attack(host: str, port: int) -> Iterator[None]:
    """SLOW clients dribbling a request head and IDLE silent connections, until the block ends
    or ATTACK_SECONDS pass, whichever is first."""
    stop = threading.Event()
    with ExitStack() as sockets:
        slow = [sockets.enter_context(socket.create_connection((host, port))) for _ in range(SLOW)]
        for _ in range(IDLE):
            sockets.enter_context(socket.create_connection((host, port)))
        for connection in slow:
            connection.sendall(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n".encode())
        deadline = time.monotonic() + ATTACK_SECONDS

        def dribble() -> None:
            while not stop.is_set() and time.monotonic() < deadline:
                for connection in slow:
                    with suppress(OSError):  # the server closed it: what it should do
                        connection.sendall(b"X-Slow: 1\r\n")
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

    with attack(services.host, services.ports[service]):
        answers = []
        for _ in range(5):
            started = time.monotonic()
            with requests.get(url, timeout=ANSWER_WITHIN, headers={"Connection": "close"}) as r:
                answers.append((r.status_code, time.monotonic() - started))
            time.sleep(0.5)

    assert [status for status, _ in answers] == [200] * 5, answers
