"""The relay: publishes a department's outbox to the department's stream, oldest event first,
each with its event id as `Nats-Msg-Id`, and marks events sent only once the broker has
acknowledged them. A relay stopped between the two re-sends on its next start, and the broker
drops the duplicates. Sent events are pruned after `OUTBOX_RETENTION_HOURS`.
"""

import asyncio
import functools
import logging
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from nats.js import JetStreamContext
from nats.js.errors import NoStreamResponseError

from project.kernel import metrics, tracing
from project.kernel.broker import (
    database_work,
    ensure_stream,
    stream_exists,
    with_backoff,
)
from project.kernel.outbox import OutboxEvent
from project.kernel.outbox_wakeup import OutboxWakeup

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
PRUNE_EVERY_SECONDS = 600.0
# How often the relay checks that its stream exists (a broker that lost its storage has none,
# and an idle relay would not find out by publishing).
STREAM_CHECK_SECONDS = 5.0


@database_work
def _unpublished(outbox: type[OutboxEvent]) -> list[OutboxEvent]:
    return list(outbox._default_manager.filter(published_at=None).order_by("version")[:BATCH_SIZE])


@database_work
def _mark_published(outbox: type[OutboxEvent], events: list[OutboxEvent]) -> None:
    versions = [event.version for event in events]
    outbox._default_manager.filter(version__in=versions).update(published_at=timezone.now())


@database_work
def _prune(outbox: type[OutboxEvent]) -> int:
    older = timezone.now() - timedelta(hours=settings.OUTBOX_RETENTION_HOURS)
    deleted, _ = outbox._default_manager.filter(published_at__lt=older).delete()
    return deleted


@database_work
def _announce_every_record(outbox: type[OutboxEvent]) -> int:
    return outbox.announce_every_record(using=outbox._default_manager.db)


async def _prepare_stream(js: JetStreamContext, outbox: type[OutboxEvent]) -> None:
    """The department's stream. Before one is made anew (a new broker, or one that lost its
    storage), the current state of every record goes into the outbox, to be published after
    what waits there: a replica rebuilt from the stream has every record. Announced first and
    committed, so that a relay failing in between announces again rather than never."""
    stream = outbox.stream
    if not await stream_exists(js, stream):
        announced = await _announce_every_record(outbox)
        logger.warning(
            "Stream %s is missing: making it anew, announcing the %d current %s records",
            stream.name,
            announced,
            stream.record_type,
        )
    await ensure_stream(js, stream)


async def _remake_lost_stream(js: JetStreamContext, outbox: type[OutboxEvent]) -> None:
    """One request while the stream is there: its configuration was set at start."""
    if not await stream_exists(js, outbox.stream):
        await _prepare_stream(js, outbox)


def _headers(event: OutboxEvent) -> dict[str, str]:
    headers = {"Nats-Msg-Id": str(event.event_id)}
    if event.trace_parent:
        headers[tracing.TRACEPARENT] = event.trace_parent
    return headers


async def _publish(
    js: JetStreamContext, outbox: type[OutboxEvent], events: Sequence[OutboxEvent]
) -> int:
    stream = outbox.stream
    for event in events:
        try:
            await js.publish(
                stream.subject(event.code),
                event.message(),
                stream=stream.name,
                headers=_headers(event),
            )
        except NoStreamResponseError:
            # No stream takes the subject: the broker lost it. Made anew, then the batch is
            # sent again (the broker drops what it has already).
            await _prepare_stream(js, outbox)
            raise
    return len(events)


async def relay(js: JetStreamContext, outbox: type[OutboxEvent], stop: asyncio.Event) -> None:
    """Publish `outbox` until `stop` is set; waits out a broker or database that is down."""
    wakeup = OutboxWakeup(outbox.stream.department, outbox._default_manager.db)
    try:
        await _relay(js, outbox, wakeup, stop)
    finally:
        await wakeup.close()


async def _relay(
    js: JetStreamContext, outbox: type[OutboxEvent], wakeup: OutboxWakeup, stop: asyncio.Event
) -> None:
    stream = outbox.stream
    next_prune = next_stream_check = 0.0
    check_stream = _prepare_stream  # at start; then every few seconds, that it is still there
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        if loop.time() >= next_stream_check:
            await with_backoff(
                functools.partial(check_stream, js, outbox),
                what=f"Preparing {stream.name}",
                stop=stop,
            )
            check_stream = _remake_lost_stream
            next_stream_check = loop.time() + STREAM_CHECK_SECONDS
        if loop.time() >= next_prune:  # also while there is always something to send
            pruned = await with_backoff(lambda: _prune(outbox), what="Pruning", stop=stop)
            if pruned:
                logger.info("Pruned %d sent %s events", pruned, stream.record_type)
            next_prune = loop.time() + PRUNE_EVERY_SECONDS
        events = await with_backoff(
            lambda: _unpublished(outbox), what=f"Reading the {stream.department} outbox", stop=stop
        )
        if events:
            published = await with_backoff(
                functools.partial(_publish, js, outbox, events),
                what=f"Publishing to {stream.name}",
                stop=stop,
            )
            if published is None:
                return  # stopped before the broker acknowledged: sent again next time
            await with_backoff(
                functools.partial(_mark_published, outbox, events),
                what="Marking events sent",
                stop=stop,
            )
            metrics.EVENTS_PUBLISHED.labels(settings.TOPOLOGY.service, stream.department).inc(
                len(events)
            )
            logger.info("Published %d %s events", len(events), stream.record_type)
        else:
            await wakeup.wait(stop)
