"""A per-hop network delay for the comparison. On loopback the split topology's calls between
services cost no network time, which flatters it against the monolith; a `DelayProxy` in front
of a service adds a fixed one-way delay to every byte on the hop, as a network would.

It listens on a loopback port and forwards each connection to a loopback target port. Every
chunk read from either side is written to the other side `delay_ms` after it arrived, so a
request and its answer cost 2 x delay_ms more. The delay is a pipeline delay (as netem's): chunks
in flight are delayed together, not one after another, and each connection has its own queues,
so a slow connection holds up no other. A half-close is passed on after the data before it.

Loopback only: it is a measuring tool, not a proxy to put on a network. One asyncio loop in a
background thread of this process, started by `start()` and ended by `stop()`."""

import asyncio
import contextlib
import ipaddress
import socket
import threading
from types import TracebackType
from typing import Self

MAX_DELAY_MS = 1000.0
CHUNK = 64 * 1024
# Chunks queued per direction before reading from the sender pauses (TCP's window does the rest).
QUEUE_CHUNKS = 64
CONNECT_TIMEOUT = 3.0
STOP_TIMEOUT = 5.0

# The proxy's own signal, queued after a direction's last chunk: the sender closed its side.
_EOF = b""


def _loopback(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"not a loopback address: {host!r}") from None
    loopback = (
        address in ipaddress.ip_network("127.0.0.0/8")
        if address.version == 4
        else address == ipaddress.IPv6Address("::1")
    )
    if not loopback:
        raise ValueError(f"not a loopback address: {host!r}")
    return address


class DelayProxy:
    """Forwards host:listen_port to host:target_port, each direction delayed by delay_ms.
    listen_port 0 takes a free port; `port` and `url` name it once `start()` has returned."""

    def __init__(
        self, target_port: int, delay_ms: float, listen_port: int = 0, host: str = "127.0.0.1"
    ) -> None:
        self._address = _loopback(host)
        self.set_delay(delay_ms)
        if not 0 < target_port < 65536 or not 0 <= listen_port < 65536:
            raise ValueError(f"no such port: target {target_port}, listen {listen_port}")
        self.host = str(self._address)
        self.target_port = target_port
        self.port = listen_port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()  # touched in the loop's thread only
        self.accepted = 0  # connections accepted so far: the hop is in use
        self.chunks = 0  # chunks received so far, either way, each delayed by `delay`

    def set_delay(self, delay_ms: float) -> None:
        """The one-way delay from now on, also while running: chunks stamped before keep
        theirs."""
        if not 0.0 <= delay_ms <= MAX_DELAY_MS:  # NaN fails it too
            raise ValueError(f"delay_ms must be within 0..{MAX_DELAY_MS:g}, not {delay_ms}")
        self.delay = delay_ms / 1000.0

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if self._address.version == 6 else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        if self._loop is not None:
            raise RuntimeError("the proxy has been started already")
        # Bind in the caller's thread, so that a taken port fails the caller.
        family = socket.AF_INET if self._address.version == 4 else socket.AF_INET6
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, self.port))
            listener.listen(128)
        except OSError:
            listener.close()
            raise
        self.port = listener.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._run, name=f"delay-proxy-{self.port}", daemon=True
        )
        self._thread.start()
        serving = asyncio.run_coroutine_threadsafe(self._serve(listener), self._loop)
        try:
            serving.result(timeout=STOP_TIMEOUT)
        except BaseException:
            self.stop()
            listener.close()
            raise

    def stop(self) -> None:
        """Closes the listener and every connection, then ends the loop and its thread. Waits a
        bounded time; the thread is a daemon, so a stuck one still ends with the process."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or not thread.is_alive():
            return
        closing = asyncio.run_coroutine_threadsafe(self._close(), loop)
        with contextlib.suppress(Exception):
            closing.result(timeout=STOP_TIMEOUT)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=STOP_TIMEOUT)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        assert self._loop is not None
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    async def _serve(self, listener: socket.socket) -> None:
        self._server = await asyncio.start_server(self._connection, sock=listener)

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _connection(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        self.accepted += 1
        writers = [client_writer]
        try:
            upstream_reader, upstream_writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.target_port), CONNECT_TIMEOUT
            )
            writers.append(upstream_writer)
            # Per direction, a reader that stamps each chunk with its due time and a writer that
            # sleeps until it: chunks in flight are delayed together. The group ends when both
            # directions have closed; a reset or a failed write anywhere cancels the rest.
            async with asyncio.TaskGroup() as group:
                for reader, writer in (
                    (client_reader, upstream_writer),
                    (upstream_reader, client_writer),
                ):
                    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue(QUEUE_CHUNKS)
                    group.create_task(self._receive(reader, queue))
                    group.create_task(self._deliver(queue, writer))
        except* (OSError, TimeoutError):
            pass  # the target refused or a side reset: the client sees its connection close
        finally:
            for writer in writers:
                writer.close()
            with contextlib.suppress(Exception):
                await asyncio.gather(*(writer.wait_closed() for writer in writers))
            self._connections.discard(task)

    async def _receive(
        self, reader: asyncio.StreamReader, queue: asyncio.Queue[tuple[float, bytes]]
    ) -> None:
        loop = asyncio.get_running_loop()
        while True:
            chunk = await reader.read(CHUNK)
            self.chunks += chunk != _EOF
            await queue.put((loop.time() + self.delay, chunk))  # stamped on arrival
            if chunk == _EOF:
                return

    @staticmethod
    async def _deliver(
        queue: asyncio.Queue[tuple[float, bytes]], writer: asyncio.StreamWriter
    ) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due, chunk = await queue.get()
            if (wait := due - loop.time()) > 0:
                await asyncio.sleep(wait)
            if chunk == _EOF:
                break
            writer.write(chunk)
            await writer.drain()
        # The sender closed its side: close ours towards the receiver, which may still answer.
        if writer.can_write_eof():
            writer.write_eof()
        else:
            writer.close()
