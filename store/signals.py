"""Wake-ups when the change feed grows, and revocations, within one process and across instances.

A signal carries no data: a woken subscriber reads the feed after the last position it saw, so a
lost or duplicated signal can delay an event but never lose or repeat one. On PostgreSQL every
write sends NOTIFY inside its own transaction (delivered on commit, never for a rollback), and
each instance LISTENs on one connection of its own; on SQLite one process serves, in memory.

A revocation is different: it must take effect at the next request on every instance, and NOTIFY
reaches each instance a little later than the revoker's commit returns. So each instance confirms
every revocation it hears, once it has forgotten the tokens it kept, and the revoker returns only
when every instance listening has confirmed (`revocation`). An instance that stays silent past
the revoker's patience has its LISTEN connection ended, which makes it stop trusting what it kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncSession

from store.bearers import Verified
from store.database import is_sqlite

CHANNEL = "coordination_feed"
# Revocations: every instance forgets the tokens it had verified (store/bearers.py).
TOKENS = "coordination_tokens"
# Each instance's confirmation that it heard a revocation; the payload is the revocation's.
HEARD = "coordination_tokens_heard"
# How an instance's LISTEN connection is known to a revoker, in pg_stat_activity.
LISTENER = "coordination listener"
RECONNECT_SECONDS = 1.0
# How long a revoker waits for every instance to confirm, and how often it says it again (for an
# instance that began to listen after the revocation was first said).
PATIENCE_SECONDS = 5.0
REPEAT_SECONDS = 0.2
# Run on connections of their own, outside any transaction and the ORM.
_NOTIFY = "SELECT pg_notify($1, $2)"
_LISTENERS = (
    "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()"
)
_END = "SELECT pg_terminate_backend($1)"
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
        self._dsn = asyncpg_dsn(make_url(url))
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        # Confirmations go out one at a time: a connection runs one statement at once.
        self._confirming = asyncio.Lock()
        self._confirmations: set[asyncio.Task[None]] = set()

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
            attempt = asyncio.ensure_future(
                asyncpg.connect(
                    self._dsn, timeout=5, server_settings={"application_name": LISTENER}
                )
            )
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
            connection.add_termination_listener(lambda _, ended=closed: self._lost(ended))
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

    def _lost(self, closed: asyncio.Event) -> None:
        # At once, not when the listening task next runs: a revocation may be going unheard.
        self._bearers.distrust()
        closed.set()

    def _revoked(self, connection: asyncpg.Connection, _pid: int, _channel: str, said: str) -> None:
        self._bearers.changed()
        task = asyncio.create_task(self._confirm(connection, said))
        self._confirmations.add(task)
        task.add_done_callback(self._confirmations.discard)

    async def _confirm(self, connection: asyncpg.Connection, said: str) -> None:
        async with self._confirming:
            # A connection lost meanwhile confirms nothing; the revoker ends it or sees it gone.
            with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                await connection.execute(_NOTIFY, HEARD, said)


def _terminate(attempt: asyncio.Future[asyncpg.Connection]) -> None:
    if not attempt.cancelled() and attempt.exception() is None:
        attempt.result().terminate()


def asyncpg_dsn(url: URL) -> str:
    """The URL as asyncpg takes it, for a connection of its own outside the engine's pool."""
    return url.set(drivername="postgresql").render_as_string(False)


def signals_for(url: str, bearers: Verified[Any]) -> Signals:
    return Signals() if is_sqlite(url) else PostgresSignals(url, bearers)


async def notify(session: AsyncSession) -> None:
    """Tell every instance, when this transaction commits, that the feed has grown."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        await session.execute(select(func.pg_notify(CHANNEL, "")))


class Revocation:
    """One revocation's word to every instance, and their confirmations as they come."""

    def __init__(self) -> None:
        self.said = secrets.token_hex(8)
        self.announced = False
        self.heard: set[int] = set()
        self._woken = asyncio.Event()

    async def announce(self, session: AsyncSession) -> None:
        """Tell every instance, when this transaction commits, to forget the tokens it verified."""
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(select(func.pg_notify(TOKENS, self.said)))
            self.announced = True

    def _confirmed(self, _connection: Any, pid: int, _channel: str, said: str) -> None:
        if said == self.said:
            self.heard.add(pid)
            self._woken.set()

    async def _await_everyone(self, connection: asyncpg.Connection, patience: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + patience
        while True:
            listening = {row["pid"] for row in await connection.fetch(_LISTENERS, LISTENER)}
            silent = listening - self.heard
            if not silent:
                return
            if loop.time() >= deadline:
                break
            self._woken.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), REPEAT_SECONDS)
            if not self._woken.is_set():
                await connection.execute(_NOTIFY, TOKENS, self.said)
        log.warning(
            "instances listening on backends %s did not confirm a revocation in %s s; ending "
            "their LISTEN connections, so they stop trusting the tokens they kept",
            sorted(silent),
            patience,
        )
        for pid in silent:
            await connection.fetchval(_END, pid)


@contextlib.asynccontextmanager
async def revocation(url: URL, patience: float = PATIENCE_SECONDS) -> AsyncIterator[Revocation]:
    """A revocation to announce inside the transaction that makes it; on leaving, once that has
    committed, waits until every instance listening has confirmed that it heard."""
    said = Revocation()
    if is_sqlite(url):
        yield said
        return
    # Listening before the revocation commits, so that no confirmation comes too early to hear.
    connection = await asyncpg.connect(asyncpg_dsn(url), timeout=5)
    try:
        await connection.add_listener(HEARD, said._confirmed)
        yield said
        if said.announced:
            await said._await_everyone(connection, patience)
    finally:
        with contextlib.suppress(Exception):
            await connection.close(timeout=1)
