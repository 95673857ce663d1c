"""NATS JetStream between the services: connecting with backoff, and the departments' streams.

The relay (`relay`) publishes each department's outbox to its stream; each service that keeps
a replica reads the streams of the departments it replicates (`replica_feed`).
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import nats
from asgiref.sync import sync_to_async
from django.db import InterfaceError, OperationalError, close_old_connections
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError

from project.kernel.events import EventStream

logger = logging.getLogger(__name__)

# A relay that re-sends what it published before it could mark it sent, within this window,
# has the duplicate dropped by the broker (Nats-Msg-Id). Longer than any restart takes.
DUPLICATE_WINDOW_SECONDS = 600.0
# Waiting for the broker: from a tenth of a second, doubling, to this at most.
MAX_BACKOFF_SECONDS = 5.0

T = TypeVar("T")
P = ParamSpec("P")

# What a lost or refused broker connection raises, in nats-py; and a database that does not
# answer, in Django: the worker waits for either to come back.
RETRIED_ERRORS = (NatsError, asyncio.TimeoutError, OSError, OperationalError, InterfaceError)


def database_work(function: Callable[P, T]) -> Callable[P, Awaitable[T]]:
    """`function` as a coroutine on the worker's one database thread, after the clean-up a
    request gets first: a connection that broke or grew too old is closed, and the next query
    opens a new one. Without it, one dropped connection would fail every retry."""

    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        close_old_connections()
        return function(*args, **kwargs)

    return sync_to_async(run)


async def connect(url: str, *, name: str) -> Client:
    """A connection that reconnects by itself for ever once made."""
    return await nats.connect(
        servers=[url],
        name=name,
        connect_timeout=2,
        reconnect_time_wait=0.5,
        max_reconnect_attempts=-1,
        allow_reconnect=True,
    )


async def with_backoff(
    attempt: Callable[[], Awaitable[T]], *, what: str, stop: asyncio.Event
) -> T | None:
    """`attempt()` until it succeeds or `stop` is set, waiting longer after each failure."""
    delay = 0.1
    while not stop.is_set():
        try:
            return await attempt()
        except RETRIED_ERRORS as error:
            logger.warning("%s failed, retrying in %.1f s: %r", what, delay, error)
            await pause(delay, stop)
            delay = min(delay * 2, MAX_BACKOFF_SECONDS)
    return None


async def pause(seconds: float, stop: asyncio.Event) -> None:
    """Wait `seconds`, or less if `stop` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def stream_config(stream: EventStream) -> StreamConfig:
    # One message per subject, that is per record: reading from the start gives each record's
    # newest event, however long the history.
    return StreamConfig(
        name=stream.name,
        subjects=[stream.subjects],
        storage=StorageType.FILE,
        max_msgs_per_subject=1,
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
    )


async def stream_exists(js: JetStreamContext, stream: EventStream) -> bool:
    try:
        await js.stream_info(stream.name)
    except NotFoundError:
        return False
    return True


async def ensure_stream(js: JetStreamContext, stream: EventStream) -> None:
    """Create the department's stream, or bring an existing one to this configuration."""
    config = stream_config(stream)
    if await stream_exists(js, stream):
        await js.update_stream(config)
    else:
        await js.add_stream(config)
