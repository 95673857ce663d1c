"""An open-loop load generator: requests leave at a fixed rate whatever the server does, and
each one's latency is counted from the moment it was due to leave, not from when a connection
was free to send it, so a server that falls behind shows its queue (no coordinated omission).
GET only, HTTP/1.1 keep-alive, a pool of connections that grows up to a bound; bounded by time
and by count. One asyncio loop in this process: at the few hundred requests a second measured
here it needs a small share of a core, reported beside its figures."""

import asyncio
import time
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from project.bench.compare.load import percentile

CONNECT_TIMEOUT = 3.0
ANSWER_TIMEOUT = 30.0  # past it, a request is an error


@dataclass(frozen=True)
class OpenLoopResult:
    offered_rps: float
    achieved_rps: float  # answered with the expected status, per second of the run
    requests: int
    errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    connections: int  # opened in all: more than the minimum means requests queued for one
    client_cpu_share: float

    def as_dict(self) -> dict:
        return asdict(self)


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    async def get(self, path: str, host: str) -> int:
        """Send one GET and read its whole answer; its status."""
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readuntil(b"\r\n")
        if headers.get("connection", "").lower() == "close":
            raise ConnectionResetError("the server closed the connection")
        return int(status_line.split()[1])

    def close(self) -> None:
        self.writer.close()


async def _run(
    url: str, rate: float, duration: float, max_requests: int, max_connections: int
) -> OpenLoopResult:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    count = max(1, min(max_requests, int(rate * duration)))
    idle: list[_Connection] = []
    opened = 0
    slots = asyncio.Semaphore(max_connections)
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()

    async def new_connection() -> _Connection:
        nonlocal opened
        opened += 1
        streams = await asyncio.wait_for(asyncio.open_connection(host, port), CONNECT_TIMEOUT)
        return _Connection(*streams)

    async def one(due: float) -> None:
        nonlocal errors
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        async with slots:  # past the bound, a request waits here: counted in its latency
            connection = None
            try:
                # An idle connection the server has closed meanwhile (gunicorn's keepalive)
                # fails before any answer: the GET goes once more on a new one, as an HTTP
                # client sends an idempotent request again.
                for reused in (bool(idle), False):
                    connection = idle.pop() if reused else await new_connection()
                    try:
                        status = await asyncio.wait_for(
                            connection.get(path, parts.netloc), ANSWER_TIMEOUT
                        )
                        idle.append(connection)
                        break
                    except (ConnectionError, asyncio.IncompleteReadError):
                        connection.close()
                        connection = None
                        if not reused:
                            raise
                if status != 200:
                    errors += 1
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
                errors += 1
                if connection is not None:
                    connection.close()
        latencies.append(time.perf_counter() - due)

    cpu_before = time.process_time()
    await asyncio.gather(*(one(started + i / rate) for i in range(count)))
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    for connection in idle:
        connection.close()
    ordered = sorted(latencies)
    return OpenLoopResult(
        offered_rps=round(rate, 1),
        achieved_rps=round((len(ordered) - errors) / seconds, 1),
        requests=len(ordered),
        errors=errors,
        p50_ms=round(percentile(ordered, 50) * 1000, 2),
        p90_ms=round(percentile(ordered, 90) * 1000, 2),
        p99_ms=round(percentile(ordered, 99) * 1000, 2),
        max_ms=round(ordered[-1] * 1000, 2),
        connections=opened,
        client_cpu_share=round(cpu / seconds, 3),
    )


def drive(
    url: str, *, rate: float, duration: float, max_requests: int, max_connections: int = 64
) -> OpenLoopResult:
    """GET `url` at `rate` requests a second for `duration` seconds (at most `max_requests`),
    over at most `max_connections` connections."""
    if rate <= 0 or duration <= 0 or max_requests < 1 or max_connections < 1:
        raise ValueError("rate, duration, max_requests and max_connections must be positive")
    return asyncio.run(_run(url, rate, duration, max_requests, max_connections))
