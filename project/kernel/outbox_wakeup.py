"""Wakes an idle relay when its department commits an event, instead of the relay asking the
outbox again and again.

On PostgreSQL, `OutboxEvent.record` notifies the department's channel (`outbox.channel`) in the
transaction of the change: PostgreSQL delivers the notification when that transaction commits,
and never for one that rolls back. The relay listens on a connection of its own, and still
looks at the outbox every LISTENING_POLL_SECONDS, for events no notification announces (a
migration's, or one committed while the listening connection was being made anew). Elsewhere
(SQLite), or while it cannot listen, the relay looks every EVENTS_POLL_SECONDS.
"""

import asyncio
import logging

import psycopg
from django.conf import settings
from django.db import connections
from psycopg import sql

from project.kernel.broker import pause
from project.kernel.outbox import channel

logger = logging.getLogger(__name__)

LISTENING_POLL_SECONDS = 1.0
RECONNECT_SECONDS = 5.0  # after a failed attempt to listen: polling meanwhile
STOP_CHECK_SECONDS = 0.1  # how soon a listening relay notices that it is to stop


def connection_parameters(alias: str) -> dict:
    """How Django connects to `alias`, less what only Django's own connections use (their
    cursor class and adapters): for a connection of one's own."""
    parameters = connections[alias].get_connection_params()
    for name in ("cursor_factory", "context", "prepare_threshold"):
        parameters.pop(name, None)
    return parameters


class OutboxWakeup:
    """What an idle relay of `department`, whose outbox is in database `alias`, waits on."""

    def __init__(self, department: str, alias: str):
        self._department = department
        self._alias = alias
        self._connection: psycopg.AsyncConnection | None = None
        self._next_attempt = 0.0

    async def wait(self, stop: asyncio.Event) -> None:
        """Until an event is committed, `stop` is set, or it is time to look anyway."""
        loop = asyncio.get_running_loop()
        if self._connection is None:
            if connections[self._alias].vendor != "postgresql" or loop.time() < self._next_attempt:
                await pause(settings.EVENTS_POLL_SECONDS, stop)
                return
            await self._listen()
            return  # listening now, or not: either way the outbox is looked at once more
        look_anyway = loop.time() + LISTENING_POLL_SECONDS
        try:
            while not stop.is_set() and loop.time() < look_anyway:
                async for _ in self._connection.notifies(timeout=STOP_CHECK_SECONDS, stop_after=1):
                    return
        except psycopg.Error as error:
            logger.warning("Stopped listening for %s events: %s", self._department, error)
            await self.close()

    async def _listen(self) -> None:
        listen = sql.SQL("LISTEN {}").format(sql.Identifier(channel(self._department)))
        try:
            connection = await psycopg.AsyncConnection.connect(
                autocommit=True, connect_timeout=2, **connection_parameters(self._alias)
            )
        except psycopg.Error as error:
            self._cannot_listen(error)
            return
        try:
            await connection.execute(listen)
        except psycopg.Error as error:
            await connection.close()
            self._cannot_listen(error)
            return
        self._connection = connection

    def _cannot_listen(self, error: psycopg.Error) -> None:
        logger.warning("Cannot listen for %s events, polling: %s", self._department, error)
        self._next_attempt = asyncio.get_running_loop().time() + RECONNECT_SECONDS

    async def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.close()
