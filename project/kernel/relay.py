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

from project.kernel import metrics
from project.kernel.broker import database_work, ensure_stream, pause, with_backoff
from project.kernel.outbox import OutboxEvent

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
PRUNE_EVERY_SECONDS = 600.0


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


async def _publish(
    js: JetStreamContext, outbox: type[OutboxEvent], events: Sequence[OutboxEvent]
) -> int:
    stream = outbox.stream
    # Each time, in case the broker lost its storage: the stream is then made anew.
    await ensure_stream(js, stream)
    for event in events:
        await js.publish(
            stream.subject(event.code),
            event.message(),
            stream=stream.name,
            headers={"Nats-Msg-Id": str(event.event_id)},
        )
    return len(events)


async def relay(js: JetStreamContext, outbox: type[OutboxEvent], stop: asyncio.Event) -> None:
    """Publish `outbox` until `stop` is set; waits out a broker or database that is down."""
    stream = outbox.stream
    next_prune = 0.0
    loop = asyncio.get_running_loop()
    while not stop.is_set():
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
            await pause(settings.EVENTS_POLL_SECONDS, stop)
