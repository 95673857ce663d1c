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
import contextlib
import logging
from typing import Any

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


def connection_parameters(alias: str) -> dict[str, Any]:
    """How Django connects to `alias`, less what only Django's own connections use (their
    cursor class, adapters and prepared statements' threshold): for a connection of one's
    own."""
    parameters = connections[alias].get_connection_params()
    for name in ("cursor_factory", "context", "prepare_threshold"):
        parameters.pop(name, None)
    return parameters


class OutboxWakeup:
    """What an idle relay of `department`, whose outbox is in database `alias`, waits on. Holds
    one PostgreSQL connection of its own, outside the pool, while it listens."""

    def __init__(self, department: str, alias: str):
        self._department = department
        self._alias = alias
        self._connection: psycopg.AsyncConnection | None = None
        self._next_attempt = 0.0
        self._failing = False  # the last attempt to listen failed: said once, not every time

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
                notifies = self._connection.notifies(timeout=STOP_CHECK_SECONDS, stop_after=1)
                async with contextlib.aclosing(notifies):  # gives the connection back at once
                    async for _ in notifies:
                        return
        except psycopg.Error as error:
            logger.warning("Stopped listening for %s events: %s", self._department, error)
            await self.close()

    async def _listen(self) -> None:
        listen = sql.SQL("LISTEN {}").format(sql.Identifier(channel(self._department)))
        # A connect_timeout of the database URL's own comes first.
        parameters = {"connect_timeout": 2, **connection_parameters(self._alias)}
        try:
            # Held before LISTEN: the relay's `close` reaches it whatever happens next.
            self._connection = await psycopg.AsyncConnection.connect(autocommit=True, **parameters)
            await self._connection.execute(listen)
        except psycopg.Error as error:
            await self.close()
            self._next_attempt = asyncio.get_running_loop().time() + RECONNECT_SECONDS
            log = logger.debug if self._failing else logger.warning
            log("Cannot listen for %s events, polling: %s", self._department, error)
            self._failing = True
            return
        if self._failing:
            logger.info("Listening for %s events again", self._department)
        self._failing = False

    async def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.close()
