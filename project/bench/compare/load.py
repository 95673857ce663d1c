"""A bounded closed-loop load generator: a fixed number of threads, each with its own keep-alive
`requests.Session`, sending one request after another until the time is up or the shared
request cap is reached. Each request is timed with `time.perf_counter`."""

import math
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import requests

# Seconds to connect and to wait for an answer; a request slower than this is an error.
REQUEST_TIMEOUT = (3.0, 30.0)


class Exhausted(Exception):
    """The scenario has nothing left to send (for example, no unused code to create)."""


# One request: sends it with the session and answers the response. Its status is checked
# against the one expected, and the first unexpected answer is kept to say what went wrong.
Send = Callable[[requests.Session], requests.Response]


@dataclass(frozen=True)
class Call:
    send: Send
    expected: int = 200


@dataclass(frozen=True)
class LoadResult:
    concurrency: int
    requests: int  # completed, successful or not
    errors: int  # an unexpected status or no answer
    seconds: float  # from the first request sent to the last answer received
    rps: float  # successful requests per second
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    first_error: str | None = None  # the first unexpected answer, for the report
    # What wrk read per answer, headers included (a 304 is headers alone); not counted by the
    # Python driver.
    bytes_per_response: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def percentile(ordered: list[float], q: float) -> float:
    """The nearest-rank percentile `q` (0-100) of an ascending list; 0 for an empty one."""
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summarize(
    latencies: list[float],
    errors: int,
    seconds: float,
    concurrency: int,
    first_error: str | None = None,
) -> LoadResult:
    """Latencies in seconds, all completed requests (errors included)."""
    ordered = sorted(latencies)
    ok = len(ordered) - errors
    return LoadResult(
        concurrency=concurrency,
        requests=len(ordered),
        errors=errors,
        seconds=round(seconds, 3),
        rps=round(ok / seconds, 1) if seconds > 0 else 0.0,
        p50_ms=round(percentile(ordered, 50) * 1000, 2),
        p95_ms=round(percentile(ordered, 95) * 1000, 2),
        p99_ms=round(percentile(ordered, 99) * 1000, 2),
        mean_ms=round(sum(ordered) / len(ordered) * 1000, 2) if ordered else 0.0,
        max_ms=round(ordered[-1] * 1000, 2) if ordered else 0.0,
        first_error=first_error,
    )


def drive(call: Call, *, concurrency: int, duration: float, max_requests: int) -> LoadResult:
    """Run `call` from `concurrency` threads for at most `duration` seconds and at most
    `max_requests` requests in all. Bounded in time and in count, whatever the server does."""
    if concurrency < 1 or duration <= 0 or max_requests < 1:
        raise ValueError("concurrency, duration and max_requests must be positive")
    lock = threading.Lock()
    issued = 0
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    failures = [0] * concurrency
    start = threading.Barrier(concurrency + 1)
    clock: dict[str, float] = {}
    first_error: list[str] = []

    def take_one() -> bool:
        nonlocal issued
        with lock:
            if issued >= max_requests or time.perf_counter() >= clock["deadline"]:
                return False
            issued += 1
            return True

    def worker(index: int) -> None:
        mine, session = latencies[index], requests.Session()
        try:
            start.wait()
            while take_one():
                began = time.perf_counter()
                try:
                    response = call.send(session)
                    error = None
                    if response.status_code != call.expected:
                        error = f"HTTP {response.status_code}: {response.text[:300]}"
                except Exhausted:
                    return
                except requests.RequestException as exception:
                    error = f"{type(exception).__name__}: {exception}"
                mine.append(time.perf_counter() - began)
                if error:
                    failures[index] += 1
                    if not first_error:
                        first_error.append(error)
        finally:
            session.close()

    threads = [
        threading.Thread(target=worker, args=(i,), name=f"load-{i}", daemon=True)
        for i in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    clock["deadline"] = began + duration
    start.wait()
    # A request never outlives its timeout; the join is bounded as well.
    for thread in threads:
        thread.join(timeout=duration + sum(REQUEST_TIMEOUT) + 5)
    seconds = time.perf_counter() - began
    return summarize(
        [value for values in latencies for value in values],
        sum(failures),
        seconds,
        concurrency,
        first_error[0] if first_error else None,
    )


def get(url: str | Callable[[], str], expected: int = 200) -> Call:
    """GET `url` (or the URL it answers, each time), expecting `expected`."""
    next_url = url if callable(url) else lambda: url
    return Call(lambda session: session.get(next_url(), timeout=REQUEST_TIMEOUT), expected)


def post_json(
    url: str, payloads: Callable[[], dict], expected: int = 201, headers: dict | None = None
) -> Call:
    """POST the next payload; `payloads` raises `Exhausted` when there is none left."""
    return Call(
        lambda session: session.post(
            url, json=payloads(), headers=headers, timeout=REQUEST_TIMEOUT
        ),
        expected,
    )
