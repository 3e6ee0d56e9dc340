"""Wake-ups when the change feed grows, within one process and across instances.

A signal carries no data: a woken subscriber reads the feed after the last position it saw, so a
lost or duplicated signal can delay an event but never lose or repeat one. On PostgreSQL every
write sends NOTIFY inside its own transaction (delivered on commit, never for a rollback), and
each instance LISTENs on one connection of its own; on SQLite one process serves, in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from store.bearers import Verified
from store.database import is_sqlite

CHANNEL = "coordination_feed"
# Revocations: every instance forgets the tokens it had verified (store/bearers.py).
TOKENS = "coordination_tokens"
RECONNECT_SECONDS = 1.0
log = logging.getLogger("store.signals")


class Listener:
    """One subscriber's wake-up: set by any signal, cleared when it wakes."""

    def __init__(self, signals: Signals) -> None:
        self._signals = signals
        self._event = asyncio.Event()

    def wake(self) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> None:
        """Until a signal, or `seconds` (a poll, in case a signal was lost)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)
        self._event.clear()

    def close(self) -> None:
        self._signals.listeners.discard(self)


class Signals:
    """Signals within this process; `announce` wakes every listener here."""

    def __init__(self) -> None:
        self.listeners: set[Listener] = set()

    def listener(self) -> Listener:
        found = Listener(self)
        self.listeners.add(found)
        return found

    def announce(self) -> None:
        for listener in list(self.listeners):
            listener.wake()

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        for listener in list(self.listeners):
            listener.wake()


class PostgresSignals(Signals):
    """Signals from every instance: a LISTEN connection that reconnects by itself. While it is
    up, the tokens this process verified are kept (`bearers`), and forgotten at each revocation."""

    def __init__(self, url: str, bearers: Verified[Any]) -> None:
        super().__init__()
        self._bearers = bearers
        self._dsn = make_url(url).set(drivername="postgresql").render_as_string(False)
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await super().stop()

    async def _listen(self) -> None:
        while True:
            attempt = asyncio.ensure_future(asyncpg.connect(self._dsn, timeout=5))
            try:
                connection = await asyncio.shield(attempt)
            except asyncio.CancelledError:
                # Stopped while connecting: the connection it was making is closed when made,
                # not left for the garbage collector to find open.
                attempt.add_done_callback(_terminate)
                raise
            except (OSError, asyncpg.PostgresError, TimeoutError) as problem:
                log.warning("LISTEN connection failed (%s); retrying", problem)
                await asyncio.sleep(RECONNECT_SECONDS)
                continue
            closed = asyncio.Event()
            connection.add_termination_listener(lambda _, ended=closed: ended.set())
            try:
                await connection.add_listener(CHANNEL, self._notified)
                await connection.add_listener(TOKENS, self._revoked)
                self._bearers.trust()
                self.connected.set()
                # Whatever happened while disconnected, subscribers catch up from the feed.
                self.announce()
                await closed.wait()
                log.warning("LISTEN connection lost; reconnecting")
            finally:
                self._bearers.distrust()
                self.connected.clear()
                with contextlib.suppress(Exception):
                    await connection.close(timeout=1)
            await asyncio.sleep(RECONNECT_SECONDS)

    def _notified(self, *_: Any) -> None:
        self.announce()

    def _revoked(self, *_: Any) -> None:
        self._bearers.changed()


def _terminate(attempt: asyncio.Future[asyncpg.Connection]) -> None:
    if not attempt.cancelled() and attempt.exception() is None:
        attempt.result().terminate()


def signals_for(url: str, bearers: Verified[Any]) -> Signals:
    return Signals() if is_sqlite(url) else PostgresSignals(url, bearers)


async def notify(session: AsyncSession) -> None:
    """Tell every instance, when this transaction commits, that the feed has grown."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        await session.execute(select(func.pg_notify(CHANNEL, "")))


async def revoked(session: AsyncSession) -> None:
    """Tell every instance, when this transaction commits, to forget the tokens it verified."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_notify(TOKENS, "")))
