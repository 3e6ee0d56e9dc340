"""Engines and sessions. Callers pass the URL in; nothing here reads the environment."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from store.bearers import Verified


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def copy_sqlite(source: str | Path, target: str | Path) -> None:
    """A consistent copy of an SQLite database file, what its write-ahead log holds included."""
    with (
        contextlib.closing(sqlite3.connect(source)) as origin,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        origin.backup(copy)


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    echo: bool = False,
    writer: bool = False,
    pool_timeout: float = 30.0,
) -> AsyncEngine:
    """An engine for `url`. On SQLite a `writer` engine opens its transactions with BEGIN
    IMMEDIATE: a write then waits for the file's write lock up front, instead of failing with
    "database is locked" when it upgrades from reading. `pool_size` and `pool_timeout` (seconds to
    wait for a free connection; 30 is SQLAlchemy's own default) shape the PostgreSQL pool."""
    if is_sqlite(url):
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_connect)
        begin = "BEGIN IMMEDIATE" if writer else "BEGIN"
        event.listen(engine.sync_engine, "begin", lambda conn: conn.exec_driver_sql(begin))
        return engine
    engine = create_async_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_timeout=pool_timeout
    )
    event.listen(engine.sync_engine, "checkout", _refuse_closed)
    return engine


def _refuse_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Checks a pooled connection before it is handed out, without a round trip: a server that
    restarted or dropped it closed the socket, and the driver knows. The pool then replaces it
    (a ping per checkout would cost a round trip on every request). A connection that dies
    unnoticed fails its statement, which callers report as an outage, and the pool drops it."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the connection was closed by the server")


async def ping(engine: AsyncEngine) -> None:
    """Raise unless the database answers a trivial query."""
    async with engine.connect() as connection:
        await connection.execute(select(1))


async def analyze(engine: AsyncEngine) -> None:
    """Refresh the query planner's statistics of every table."""
    async with engine.connect() as connection:
        await connection.execute(text("ANALYZE"))
        await connection.commit()


# SQLite has no base64, in which compiled reads write global IDs and cursors
# (store/json_values.py): a function of this name is registered on every SQLite connection.
BASE64URL = "base64url"


def _base64url(text: str | None) -> str | None:
    """As `ids.encode` and `encode_cursor` write their text: URL-safe base64 of its UTF-8,
    without padding."""
    if text is None:
        return None
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _sqlite_connect(connection: Any, _record: Any) -> None:
    # The driver's own implicit transactions start late and never for reads; SQLAlchemy's "begin"
    # event above starts them instead (the recipe of SQLAlchemy's SQLite documentation).
    connection.isolation_level = None
    # Deterministic (the same text, the same answer): SQLite may treat it as one of its own.
    connection.create_function(BASE64URL, 1, _base64url, deterministic=True)
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@dataclass
class Database:
    """Where reads and writes go: one engine on PostgreSQL, a reader and a writer on SQLite."""

    reader: AsyncEngine
    writer: AsyncEngine
    reads: async_sessionmaker[AsyncSession]
    writes: async_sessionmaker[AsyncSession]
    # Plain connections for short reads of rows, not entities (a session costs more than them).
    lookups: AsyncEngine
    # SQLite takes one writer at a time. This process's writers wait their turn here, first come
    # first served, instead of polling the file's lock, which on a busy machine lets some of them
    # lose again and again until their request times out. None: the server queues writers itself.
    turn: asyncio.Lock | None = field(default=None, compare=False)
    # Tokens already verified (store/bearers.py), kept while revocations are heard of.
    bearers: Verified[Any] = field(default_factory=Verified, compare=False)

    @classmethod
    def open(cls, url: str, *, pool_size: int = 10, pool_timeout: float = 30.0) -> Database:
        reader = create_engine(url, pool_size=pool_size, pool_timeout=pool_timeout)
        if is_sqlite(url):
            writer = create_engine(url, writer=True)
            reads, writes = create_sessionmaker(reader), create_sessionmaker(writer)
            return cls(reader, writer, reads, writes, reader, asyncio.Lock())
        # Reads on PostgreSQL run without BEGIN and ROLLBACK: under READ COMMITTED every statement
        # takes its own snapshot, inside a transaction or not, so the two round trips bought
        # nothing. Writes keep their transactions.
        lookups = reader.execution_options(isolation_level="AUTOCOMMIT")
        return cls(
            reader, reader, create_sessionmaker(lookups), create_sessionmaker(reader), lookups
        )

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncSession]:
        """A session for one write transaction, once it is this writer's turn."""
        if self.turn is None:
            async with self.writes() as session:
                yield session
            return
        async with self.turn, self.writes() as session:
            yield session

    def connect(self) -> AsyncConnection:
        """A connection for reads (use it as `async with`)."""
        return self.lookups.connect()

    async def dispose(self) -> None:
        await self.reader.dispose()
        if self.writer is not self.reader:
            await self.writer.dispose()
