"""The relay and the replica feed against a real NATS server (JetStream), in this process."""

import asyncio
import json
import shutil
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest
from asgiref.sync import sync_to_async
from prometheus_client import REGISTRY

from currencies.adapters import LocalCurrencyDirectory, ReplicaCurrencyDirectory
from currencies.models import Currency, CurrencyOutbox
from currencies.public import CURRENCY_EVENTS, DepartmentUnavailable
from currencies.services import currency_create, currency_delete, currency_update
from project.kernel import relay as relay_module
from project.kernel.broker import connect, ensure_stream
from project.kernel.models import ReplicaRecord
from project.kernel.relay import relay
from project.kernel.replica_feed import feed_replica
from tests.events.schemas import assert_published_as_documented

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

T = TypeVar("T")


def some_changes() -> None:
    currency_create(code="EUR", name="Euro")
    currency_create(code="USD", name="US dollar")
    currency_create(code="XTS", name="Testing")
    currency_update(currency=Currency.objects.get(code="EUR"), name="Euro (EU)")
    currency_delete(currency=Currency.objects.get(code="XTS"))


async def until(condition: Callable[[], bool], timeout: float = 20) -> None:
    check = sync_to_async(condition)
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "not within the time allowed"
        await asyncio.sleep(0.05)


def everything_sent() -> bool:
    return not CurrencyOutbox.objects.filter(published_at=None).exists()


def run(scenario: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(asyncio.wait_for(scenario, timeout=60))


def test_the_relay_publishes_each_event_once_with_its_id_even_when_it_sends_again(nats_server):
    some_changes()
    events = list(CurrencyOutbox.objects.order_by("version"))

    async def scenario():
        connection = await connect(nats_server.url, name="test")
        js = connection.jetstream()
        # A relay that was stopped after the broker's ack, before it marked the events sent:
        await ensure_stream(js, CURRENCY_EVENTS)
        await relay_module._publish(js, CurrencyOutbox, events)
        assert not await sync_to_async(everything_sent)()
        stop = asyncio.Event()
        worker = asyncio.create_task(relay(js, CurrencyOutbox, stop))
        await until(everything_sent)
        stop.set()
        await worker
        info = await js.stream_info(CURRENCY_EVENTS.name)
        newest = {
            code: await js.get_last_msg(CURRENCY_EVENTS.name, CURRENCY_EVENTS.subject(code))
            for code in ("EUR", "USD", "XTS")
        }
        await connection.close()
        return info, newest

    info, newest = run(scenario())
    # Sent twice, stored once: the second sending was dropped as a duplicate.
    assert info.state.last_seq == len(events) == 5
    assert info.state.messages == 3  # the newest event of each currency
    by_id = {str(event.event_id): event for event in events}
    for code, message in newest.items():
        assert_published_as_documented(CURRENCY_EVENTS, message.data)
        sent = by_id[message.headers["Nats-Msg-Id"]]
        assert json.loads(message.data) == json.loads(sent.message())
        assert sent.code == code
    assert [json.loads(m.data)["type"] for m in newest.values()] == [
        "currency.updated",
        "currency.created",
        "currency.deleted",
    ]


def test_a_new_or_emptied_replica_catches_up_from_the_stream(nats_server):
    labels = {"service": "all", "department": "currencies"}
    counted = (
        "events_published_total",
        "replica_events_applied_total",
        "replica_lag_seconds_count",
    )
    before = {name: REGISTRY.get_sample_value(name, labels) or 0.0 for name in counted}
    some_changes()

    def replica_matches_the_owner() -> bool:
        try:
            replicated = list(ReplicaCurrencyDirectory().list_all())
        except DepartmentUnavailable:  # nothing applied yet
            return False
        return replicated == list(LocalCurrencyDirectory().list_all())

    async def scenario():
        connection = await connect(nats_server.url, name="test")
        js = connection.jetstream()
        stop = asyncio.Event()
        publishing = asyncio.create_task(relay(js, CurrencyOutbox, stop))
        await until(everything_sent)

        reading = asyncio.create_task(feed_replica(js, CURRENCY_EVENTS, durable="test", stop=stop))
        await until(replica_matches_the_owner)
        stop.set()
        await asyncio.gather(publishing, reading)

        # Emptied, then started again with the same durable consumer: all of it comes back.
        await sync_to_async(ReplicaRecord.objects.all().delete)()
        stop.clear()
        reading = asyncio.create_task(feed_replica(js, CURRENCY_EVENTS, durable="test", stop=stop))
        await until(replica_matches_the_owner)
        await until(lambda: ReplicaRecord.objects.filter(state__isnull=True).count() == 1)  # XTS
        stop.set()
        await reading
        await connection.close()

    run(scenario())
    assert [c.code for c in ReplicaCurrencyDirectory().list_all()] == ["EUR", "USD"]
    # The worker's metrics: the 5 events, and the 2 the relay announced the currencies with
    # on the stream it made, published; the stream's newest of each of the 3 currencies
    # applied twice over (the replica was emptied in between).
    grew = {
        name: (REGISTRY.get_sample_value(name, labels) or 0.0) - before[name] for name in counted
    }
    assert grew == {
        "events_published_total": 7,
        "replica_events_applied_total": 6,
        "replica_lag_seconds_count": 6,
    }


def published(code: str, version: int, state: dict | None) -> bytes:
    """A currency event as a producer of another version might publish it."""
    change = "deleted" if state is None else "updated"
    message = {
        "id": f"00000000-0000-4000-8000-{version:012d}",
        "type": f"currency.{change}",
        "code": code,
        "version": version,
        "occurred_at": "2026-12-01T12:00:00+00:00",
        "state": state,
    }
    return json.dumps(message).encode()


def test_a_replica_reads_newer_producers_and_drops_only_what_it_cannot_read(nats_server, caplog):
    newer = {"code": "EUR", "name": "Euro", "name_de": "Euro", "symbol": "€"}  # fields to come
    incomplete = {"code": "USD"}  # no name: not an event this reader can apply
    replicated = {"code": "CHF", "name": "Swiss franc"}

    async def scenario():
        connection = await connect(nats_server.url, name="test")
        js = connection.jetstream()
        await ensure_stream(js, CURRENCY_EVENTS)
        messages = [("EUR", 1, newer), ("USD", 2, incomplete), ("CHF", 3, replicated)]
        for code, version, state in messages:
            await js.publish(CURRENCY_EVENTS.subject(code), published(code, version, state))
        stop = asyncio.Event()
        reading = asyncio.create_task(feed_replica(js, CURRENCY_EVENTS, durable="test", stop=stop))
        await until(lambda: ReplicaRecord.objects.filter(department="currencies").count() == 2)
        stop.set()
        await reading
        pending = (await js.consumer_info(CURRENCY_EVENTS.name, "test")).num_ack_pending
        await connection.close()
        return pending

    assert run(scenario()) == 0  # each message acknowledged or terminated: none comes again
    assert [(c.code, c.name) for c in ReplicaCurrencyDirectory().list_all()] == [
        ("CHF", "Swiss franc"),
        ("EUR", "Euro"),
    ]
    assert "Dropped an unreadable CURRENCIES message" in caplog.text


def test_after_the_broker_lost_its_storage_replicas_old_and_new_have_every_record(nats_server):
    some_changes()

    def replica_matches_the_owner() -> bool:
        try:
            return list(ReplicaCurrencyDirectory().list_all()) == list(
                LocalCurrencyDirectory().list_all()
            )
        except DepartmentUnavailable:  # nothing applied yet
            return False

    async def scenario():
        connection = await connect(nats_server.url, name="test")
        js = connection.jetstream()
        stop, stop_reading = asyncio.Event(), asyncio.Event()

        def feed() -> asyncio.Task:
            return asyncio.create_task(
                feed_replica(js, CURRENCY_EVENTS, durable="test", stop=stop_reading)
            )

        async def broker_loses_its_storage() -> None:
            # Long after the outbox pruned what it sent: the broker is stopped, its store
            # removed, and it starts again, empty, on the same port.
            await sync_to_async(CurrencyOutbox.objects.all().delete)()
            await asyncio.to_thread(nats_server.stop)
            await asyncio.to_thread(shutil.rmtree, nats_server.store_dir)
            await asyncio.to_thread(nats_server.start)

        publishing, reading = asyncio.create_task(relay(js, CurrencyOutbox, stop)), feed()
        await until(replica_matches_the_owner)

        await broker_loses_its_storage()
        # A change after it reaches the replica that was running: its feed subscribes again.
        dollar = await Currency.objects.aget(code="USD")
        await sync_to_async(currency_update)(currency=dollar, name="Dollar")
        await until(replica_matches_the_owner)

        await broker_loses_its_storage()
        # With nothing changed since, a replica rebuilt (emptied, or a new service's) gets
        # every record: the idle relay finds its stream missing, and makes it anew with the
        # current state of each.
        stop_reading.set()
        await reading
        await sync_to_async(ReplicaRecord.objects.all().delete)()
        stop_reading.clear()
        reading = feed()
        await until(replica_matches_the_owner)
        stop.set()
        stop_reading.set()
        await asyncio.gather(publishing, reading)
        await connection.close()

    run(scenario())
    assert [(c.code, c.name) for c in ReplicaCurrencyDirectory().list_all()] == [
        ("EUR", "Euro (EU)"),
        ("USD", "Dollar"),
    ]
