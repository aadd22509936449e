"""PostgreSQL's feed, for subscriptions: it reads as every relational log's
feed does (the rows after the cursor, the chain checked), and waits on
LISTEN.

Every append to a log sends ``NOTIFY "timeline_<log id>"`` (a statement
trigger, so whoever writes); the feed LISTENs on a connection of its own
and uses a notification only as a wake-up: it then reads everything after
its cursor.  NOTIFY is not durable (a notification sent while the listener
is disconnected is lost), so the feed also reads again every ``poll``
seconds (1 s by default) and after every reconnection.  A lost connection
(a server restart) is not an error: reads find nothing until the server is
back, then go on from the cursor, so nothing is skipped or repeated.

The async form reads and listens through psycopg's ``AsyncConnection``
(made on first use, in the event loop); the blocking form through
``Connection``.  Each subscription has its own connections: two while
blocking (reads, LISTEN), two more if also read with ``async for``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import psycopg
from psycopg import sql

from timeline._events import Event
from timeline._storage.postgres import Connections, PostgresLog
from timeline._storage.subscribe import AFTER, RelationalFeed
from timeline._subscribe import Signal
from timeline.exceptions import StorageError

__all__ = ["PostgresFeed", "channel"]

_LAST: str = "SELECT max(seq) FROM events WHERE {log}"


def channel(log_id: int) -> str:
    """The NOTIFY channel of a log (see the trigger in postgres.SCHEMA_SQL)."""
    return f"timeline_{log_id}"


def _lost(conn: psycopg.Connection[Any] | psycopg.AsyncConnection[Any]) -> bool:
    return bool(conn.closed or conn.broken)


class PostgresFeed(RelationalFeed):
    """Reads through ``reader`` (a PostgresLog of its own) and waits on LISTEN."""

    wakes = True
    poll: ClassVar[float] = 1.0

    def __init__(self, reader: PostgresLog, after: int) -> None:
        super().__init__(reader, after)
        self._pg = reader
        self._listen = sql.SQL("LISTEN {}").format(
            sql.Identifier(channel(reader._log_id))
        )
        self._listener: psycopg.Connection[Any] | None = None
        self._alistener: psycopg.AsyncConnection[Any] | None = None
        self._areader: psycopg.AsyncConnection[Any] | None = None
        self._connections = Connections(self)
        # LISTEN before the first read: no append after it goes unheard.
        self._listening()

    def close(self) -> None:
        super().close()
        # Synchronously, from any thread: the async ones too (a task still
        # awaiting on one gets an error, and the subscription, closed, ends
        # quietly).
        self._connections.close_all()
        self._listener = self._alistener = self._areader = None

    # -- blocking -------------------------------------------------------

    def read(self, after: int, limit: int) -> Sequence[Event]:
        try:
            return super().read(after, limit)
        except StorageError:
            if _lost(self._pg._conn):  # reconnected on the next read
                return []
            raise

    def _listening(self) -> tuple[psycopg.Connection[Any] | None, bool]:
        """(the LISTEN connection, None while the server is unreachable;
        whether it is new: read before waiting on it)."""
        conn = self._listener
        if conn is not None and not _lost(conn):
            return conn, False
        self._listener = None
        self._connections.close(conn)
        conn = None
        try:
            conn = self._connections.hold(
                psycopg.connect(self._pg._conninfo, autocommit=True)
            )
            conn.execute(self._listen)
        except psycopg.Error:
            self._connections.close(conn)
            return None, False
        self._listener = conn
        return conn, True

    def _drain(self, conn: psycopg.Connection[Any]) -> bool:
        """Take the notifications that have come; True if any (or if the
        connection was lost: read again)."""
        try:
            return bool(list(conn.notifies(timeout=0)))
        except psycopg.Error:
            return True

    def wait(self, signal: Signal, generation: int, timeout: float | None) -> None:
        conn, new = self._listening()
        if new or (conn is not None and self._drain(conn)):
            return
        signal.wait(generation, timeout, None if conn is None else conn.fileno())
        if conn is not None:
            self._drain(conn)

    # -- asynchronous ---------------------------------------------------

    async def _connect(self) -> psycopg.AsyncConnection[Any] | None:
        conn = None
        try:
            conn = self._connections.hold(
                await psycopg.AsyncConnection.connect(
                    self._pg._conninfo, autocommit=True
                )
            )
            await conn.execute("SET search_path = timeline, public")
        except psycopg.Error:
            self._connections.close(conn)
            return None
        return conn

    async def aread(self, after: int, limit: int) -> Sequence[Event] | None:
        conn = self._areader
        if conn is None or _lost(conn):
            self._connections.close(conn)
            conn = self._areader = await self._connect()
            if conn is None:
                return []  # the server is unreachable: read again later
        reader = self._pg
        params = {"log": reader._log_id, "after": after, "limit": limit}
        last = None
        try:
            cursor = await conn.execute(reader._sql(AFTER), params, binary=True)
            rows = await cursor.fetchall()
            if not rows:
                cursor = await conn.execute(reader._sql(_LAST), params)
                found = await cursor.fetchone()
                last = int(found[0] or 0) if found else 0
        except psycopg.Error as error:
            if _lost(conn):
                return []
            raise reader._storage_error(error) from None
        return self._events(rows, after, limit, last)

    async def _alistening(self) -> tuple[psycopg.AsyncConnection[Any] | None, bool]:
        conn = self._alistener
        if conn is not None and not _lost(conn):
            return conn, False
        self._connections.close(conn)
        conn = self._alistener = await self._connect()
        if conn is None:
            return None, False
        try:
            await conn.execute(self._listen)
        except psycopg.Error:
            # Not listening: connect and LISTEN again on the next wait.
            self._connections.close(conn)
            self._alistener = None
            return None, False
        return conn, True

    async def _adrain(self, conn: psycopg.AsyncConnection[Any]) -> bool:
        try:
            return bool([n async for n in conn.notifies(timeout=0)])
        except psycopg.Error:
            return True

    async def await_change(
        self, signal: Signal, generation: int, timeout: float | None
    ) -> None:
        conn, new = await self._alistening()
        if new or (conn is not None and await self._adrain(conn)):
            return
        fd = None if conn is None else conn.fileno()
        await signal.await_change(generation, timeout, fd)
        if conn is not None:
            await self._adrain(conn)
