"""Feeding a service's replica of another department from the department's stream, through a
durable JetStream consumer with explicit acks: a batch is acknowledged only once it is applied
and committed, so a worker killed mid-batch has it delivered again, and applying it again
changes nothing (see `replica`).

A replica that is new or was emptied reads the stream from its start: the stream keeps each
record's newest event, so it catches up with every record, deleted ones included.
"""

import asyncio
import contextlib
import functools
import logging

from django.conf import settings
from django.utils import timezone
from nats.errors import TimeoutError as FetchTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from project.kernel import metrics
from project.kernel.broker import (
    RETRIED_ERRORS,
    database_work,
    ensure_stream,
    pause,
    with_backoff,
)
from project.kernel.events import Event, EventStream
from project.kernel.replica import apply_events, replica_is_empty

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
# How long a delivered batch may stay unacknowledged before the broker delivers it again.
ACK_WAIT_SECONDS = 10.0


_is_empty = database_work(replica_is_empty)
_apply = database_work(apply_events)


async def _subscribe(js: JetStreamContext, stream: EventStream, durable: str):
    await ensure_stream(js, stream)  # whichever of owner and reader starts first
    if await _is_empty(stream.department):
        # A consumer that has delivered everything would not deliver it again.
        with contextlib.suppress(NotFoundError):
            await js.delete_consumer(stream.name, durable)
    return await js.pull_subscribe(
        stream.subjects,
        durable=durable,
        stream=stream.name,
        config=ConsumerConfig(
            durable_name=durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=ACK_WAIT_SECONDS,
            max_ack_pending=10 * BATCH_SIZE,
        ),
    )


async def feed_replica(
    js: JetStreamContext, stream: EventStream, *, durable: str, stop: asyncio.Event
) -> None:
    """Apply `stream`'s events to this service's replica until `stop` is set."""
    what = f"Subscribing to {stream.name}"
    subscription = await with_backoff(lambda: _subscribe(js, stream, durable), what=what, stop=stop)
    if subscription is None:
        return
    department = stream.department
    while not stop.is_set():
        try:
            messages = await subscription.fetch(batch=BATCH_SIZE, timeout=1)
        except (FetchTimeout, TimeoutError):
            continue  # nothing new
        except RETRIED_ERRORS as error:
            logger.warning("Reading %s failed, retrying: %r", stream.name, error)
            await pause(1.0, stop)
            continue
        events, readable = [], []
        for message in messages:
            try:
                events.append(stream.decode(message.data))
                readable.append(message)
            except (ValueError, KeyError, TypeError) as error:
                # Not an event of this contract: never delivered again, and said so.
                logger.error("Dropped an unreadable %s message: %r", stream.name, error)
                await message.term()
        applied = await with_backoff(
            functools.partial(_apply, department, events), what="Applying events", stop=stop
        )
        if applied is None:
            return  # stopped before committing: the broker delivers the batch again
        for message in readable:
            await message.ack()
        if events:
            _count(department, events, applied)
            logger.info("Applied %d of %d %s events", applied, len(events), department)


def _count(department: str, events: list[Event], applied: int) -> None:
    service = settings.TOPOLOGY.service
    metrics.REPLICA_EVENTS_APPLIED.labels(service, department).inc(applied)
    now = timezone.now()
    lag = metrics.REPLICA_LAG_SECONDS.labels(service, department)
    for event in events:
        lag.observe(max((now - event.occurred_at).total_seconds(), 0.0))
