import asyncio
import functools
import logging
import os
import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from project.departments import department, event_stream
from project.kernel import metrics, tracing
from project.kernel.broker import connect, with_backoff
from project.kernel.relay import relay
from project.kernel.replica_feed import feed_replica

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "The service's event worker, until SIGTERM or SIGINT: publishes the outbox of each "
        "department it serves to NATS (NATS_URL), and with READ_MODEL=replica keeps its "
        "replicas of the departments it reads up to date. Waits out a broker that is down."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--health",
            action="store_true",
            help="answer /healthz and /readyz over HTTP on HOST:PORT (as gunicorn binds), for "
            "the kubelet's probes",
        )

    def handle(self, *args, health, **options):
        topology = settings.TOPOLOGY
        outboxes = [department(name).outbox for name in topology.local_departments]
        streams = [event_stream(name) for name in topology.replicated_departments]
        if not outboxes and not streams:
            nothing = (
                f"SERVICE={topology.service} with READ_MODEL={topology.read_model} neither "
                "publishes nor reads events."
            )
            if not health:
                raise CommandError(nothing)
            # A worker Deployment left in place when READ_MODEL is switched to live: it stays
            # healthy and idle rather than crash-looping.
            logger.warning("%s Idle until stopped.", nothing)
        logger.info(
            "Event worker of %s: publishing %s; replicating %s; broker %s",
            topology.service,
            ", ".join(o.stream.name for o in outboxes) or "nothing",
            ", ".join(s.name for s in streams) or "nothing",
            settings.NATS_URL,
        )
        tracing.start_exporting(topology.service)
        asyncio.run(self._run(outboxes, streams, health=health))

    async def _run(self, outboxes, streams, *, health: bool):
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        probes = await _probe_servers() if health else []
        name = f"{settings.TOPOLOGY.service}-events"
        connection = None
        if outboxes or streams:
            connection = await with_backoff(
                lambda: connect(settings.NATS_URL, name=name),
                what="Connecting to NATS",
                stop=stop,
            )
        else:
            await stop.wait()
        if connection is not None:
            js = connection.jetstream(timeout=5)
            durable = f"{settings.TOPOLOGY.service}-replica"
            await asyncio.gather(
                *(relay(js, outbox, stop) for outbox in outboxes),
                *(feed_replica(js, stream, durable=durable, stop=stop) for stream in streams),
            )
            await connection.close()
        for server in probes:
            server.close()
        logger.info("Event worker of %s stopped", settings.TOPOLOGY.service)


async def _probe_servers() -> list[asyncio.Server]:
    """The probes on HOST:PORT, as gunicorn binds; the metrics on METRICS_PORT if it is set
    (as for the web processes), else beside the probes."""
    host, port = os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "8000"))
    metrics_port = os.environ.get("METRICS_PORT")
    probes = {b"/healthz", b"/readyz"} | (set() if metrics_port else {METRICS_PATH})
    servers = [await asyncio.start_server(functools.partial(_answer, probes), host, port)]
    if metrics_port:
        answer_metrics = functools.partial(_answer, {METRICS_PATH})
        servers.append(await asyncio.start_server(answer_metrics, host, int(metrics_port)))
    logger.info("Answering probes on %s:%d, metrics on %s", host, port, metrics_port or port)
    return servers


METRICS_PATH = metrics.PATH.encode()


async def _answer(
    served: set[bytes], reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """200 to GET /healthz and /readyz while the worker's event loop runs, the worker's
    metrics at /metrics, each where it is `served`; 404 otherwise. The worker waits out a
    broker that is down, so that is no reason to restart it."""
    try:
        request_line = await asyncio.wait_for(reader.readline(), timeout=2)
        path = request_line.split(b" ")[1] if request_line.count(b" ") >= 2 else b""
        status, content_type, body = b"404 Not Found", b"text/plain", b""
        if path in served:
            status = b"200 OK"
        if path in served and path == METRICS_PATH:
            content_type, body = CONTENT_TYPE_LATEST.encode(), generate_latest(REGISTRY)
        head = b"HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n" % (
            status,
            content_type,
            len(body),
        )
        writer.write(head + b"Connection: close\r\n\r\n" + body)
        await writer.drain()
    except (TimeoutError, ConnectionError):
        pass
    finally:
        writer.close()
