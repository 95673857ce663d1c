"""On PostgreSQL a committed event wakes the idle relay at once (LISTEN/NOTIFY); a rolled-back
change wakes nothing. Elsewhere the relay polls, as the other event tests show."""

import asyncio

import psycopg
import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections, transaction

from currencies.models import Currency, CurrencyOutbox
from currencies.services import currency_create
from project.kernel import outbox_wakeup
from project.kernel.broker import connect
from project.kernel.outbox import channel
from project.kernel.relay import relay
from tests.events.test_broker import everything_sent, run, until

pytestmark = [
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="NOTIFY is PostgreSQL's"),
]


def listening_connection() -> psycopg.Connection:
    parameters = outbox_wakeup.connection_parameters(CurrencyOutbox._default_manager.db)
    listener = psycopg.connect(autocommit=True, **parameters)
    listener.execute(f"LISTEN {channel('currencies')}")
    return listener


def test_a_change_notifies_its_department_channel_when_it_commits_and_never_if_it_rolls_back():
    listener = listening_connection()
    alias = CurrencyOutbox._default_manager.db
    try:
        with pytest.raises(RuntimeError), transaction.atomic(using=alias):
            currency_create(code="EUR", name="Euro")
            raise RuntimeError("rolled back")
        assert list(listener.notifies(timeout=0.5)) == []

        currency_create(code="EUR", name="Euro")
        (notification,) = listener.notifies(timeout=5, stop_after=1)
        assert notification.channel == channel("currencies")
    finally:
        listener.close()
    assert Currency.objects.count() == 1


def listening_backends() -> list[int]:
    """The server processes listening on the currency department's channel."""
    with connections[CurrencyOutbox._default_manager.db].cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE query = %s",
            [f'LISTEN "{channel("currencies")}"'],
        )
        return [pid for (pid,) in cursor.fetchall()]


def test_an_idle_relay_publishes_a_committed_event_without_waiting_for_its_next_look(
    nats_server, monkeypatch
):
    # It would look at the outbox only after 60 s unless the commit woke it.
    monkeypatch.setattr(outbox_wakeup, "LISTENING_POLL_SECONDS", 60.0)

    async def scenario():
        nats = await connect(nats_server.url, name="test")
        stop = asyncio.Event()
        publishing = asyncio.create_task(relay(nats.jetstream(), CurrencyOutbox, stop))
        await until(lambda: len(listening_backends()) == 1)
        await asyncio.sleep(0.2)  # past its look after it began to listen: idle
        await sync_to_async(currency_create)(code="EUR", name="Euro")
        await until(everything_sent, timeout=5)

        # Its connection cut (a database restart, a proxy): it listens anew, and is woken again.
        (first,) = await sync_to_async(listening_backends)()
        await sync_to_async(terminate)(first)
        await until(lambda: len(backends := listening_backends()) == 1 and backends != [first])
        await asyncio.sleep(0.2)
        await sync_to_async(currency_create)(code="USD", name="US dollar")
        await until(everything_sent, timeout=5)

        stop.set()
        await publishing
        await nats.close()

    run(scenario())
    assert CurrencyOutbox.objects.filter(published_at=None).count() == 0
    assert CurrencyOutbox.objects.count() == 2
    assert listening_backends() == []  # a stopped relay leaves no connection behind


def terminate(pid: int) -> None:
    with connections[CurrencyOutbox._default_manager.db].cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
