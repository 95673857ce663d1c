"""Feeding a service's replica of another department from the department's stream, through a
durable JetStream consumer with explicit acks: a batch is acknowledged only once it is applied
and committed, so a worker killed mid-batch has it delivered again, and applying it again
changes nothing (see `replica`).

A replica that is new or was emptied reads the stream from its start: the stream keeps each
record's newest event, so it catches up with every record, deleted ones included. A broker
that lost its storage has lost the consumer too: the feed subscribes again, to the stream the
owner's relay made anew with every record's current state.
"""

import asyncio
import contextlib
import functools
import logging
from typing import Any

from django.conf import settings
from django.utils import timezone
from nats.errors import TimeoutError as FetchTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from project.kernel import metrics, tracing
from project.kernel.broker import RETRIED_ERRORS, database_work, pause, with_backoff
from project.kernel.events import Event, EventStream
from project.kernel.replica import apply_events, replica_is_empty

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
# How long a delivered batch may stay unacknowledged before the broker delivers it again.
ACK_WAIT_SECONDS = 10.0


# How often an idle feed checks that its consumer still exists (a broker that lost its storage
# has none, nor the stream: the relay makes it anew).
CONSUMER_CHECK_SECONDS = 2.0


_is_empty = database_work(replica_is_empty)


async def _consumer_exists(js: JetStreamContext, stream: EventStream, durable: str) -> bool:
    try:
        await js.consumer_info(stream.name, durable)
    except NotFoundError:
        return False
    except RETRIED_ERRORS:
        return True  # the broker does not answer: the fetches wait for it
    return True


_apply = database_work(apply_events)


async def _subscribe(js: JetStreamContext, stream: EventStream, durable: str):
    # The owner's relay makes the stream (and fills a new one with every record): until it
    # has, NotFoundError, and the caller tries again.
    await js.stream_info(stream.name)
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


async def _subscribed(
    js: JetStreamContext, stream: EventStream, durable: str, stop: asyncio.Event
) -> Any:
    """A pull subscription of `durable` to `stream`, waiting for the broker and the stream; None
    if stopped first."""
    what = f"Subscribing to {stream.name}"
    return await with_backoff(lambda: _subscribe(js, stream, durable), what=what, stop=stop)


async def feed_replica(
    js: JetStreamContext, stream: EventStream, *, durable: str, stop: asyncio.Event
) -> None:
    """Apply `stream`'s events to this service's replica until `stop` is set."""
    subscription = await _subscribed(js, stream, durable, stop)
    loop = asyncio.get_running_loop()
    check_consumer_at = loop.time() + CONSUMER_CHECK_SECONDS
    while subscription is not None and not stop.is_set():
        try:
            messages = await subscription.fetch(batch=BATCH_SIZE, timeout=1)
        except (FetchTimeout, TimeoutError):
            messages = []  # nothing new
        except RETRIED_ERRORS as error:
            logger.warning("Reading %s failed, retrying: %r", stream.name, error)
            await pause(1.0, stop)
            messages, check_consumer_at = [], loop.time()  # is the consumer still there?
        if messages:
            if not await _apply_batch(stream, messages, stop):
                return  # stopped before committing: the broker delivers the batch again
        elif loop.time() >= check_consumer_at:
            check_consumer_at = loop.time() + CONSUMER_CHECK_SECONDS
            if not await _consumer_exists(js, stream, durable):
                # A fetch from a consumer that is gone waits for ever: subscribe again.
                logger.warning("%s consumer %s is gone; subscribing again", stream.name, durable)
                with contextlib.suppress(*RETRIED_ERRORS):
                    await subscription.unsubscribe()
                subscription = await _subscribed(js, stream, durable, stop)


async def _apply_batch(stream: EventStream, messages: list, stop: asyncio.Event) -> bool:
    """Apply and then acknowledge `messages`; False if stopped before the commit."""
    events, readable = [], []
    for message in messages:
        try:
            events.append(stream.decode(message.data))
            readable.append(message)
        except (ValueError, KeyError, TypeError) as error:
            # Not an event of this contract: never delivered again, and said so.
            logger.error("Dropped an unreadable %s message: %r", stream.name, error)
            await message.term()
    department = stream.department
    with tracing.consuming(
        f"apply {stream.name} events", (tracing.traceparent_of(m.headers) for m in readable)
    ):
        applied = await with_backoff(
            functools.partial(_apply, department, events), what="Applying events", stop=stop
        )
    if applied is None:
        return False
    for message in readable:
        await message.ack()
    if events:
        _count(department, events, applied)
        logger.info("Applied %d of %d %s events", applied, len(events), department)
    return True


def _count(department: str, events: list[Event], applied: int) -> None:
    service = settings.TOPOLOGY.service
    metrics.REPLICA_EVENTS_APPLIED.labels(service, department).inc(applied)
    now = timezone.now()
    lag = metrics.REPLICA_LAG_SECONDS.labels(service, department)
    for event in events:
        lag.observe(max((now - event.occurred_at).total_seconds(), 0.0))
