"""What every resolver of one request shares: the caller, sessions, loaders, today's date."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolvers.budget import Budgets
from resolvers.loaders import Loaders
from resolvers.viewer import Viewer
from store.database import Database
from store.signals import Signals


@dataclass
class Context:
    database: Database
    # None only on a WebSocket between connecting and `connection_init`; HTTP requires a viewer.
    viewer: Viewer | None = None
    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    # Filled by the WebSocket protocol with the `connection_init` payload.
    connection_params: dict[str, Any] | None = None
    # Wake-ups for subscriptions when the change feed grows (None: nobody listens).
    signals: Signals | None = None
    # Subscriptions running on this WebSocket connection.
    subscriptions: int = 0
    # A gauge of the subscriptions running in this process (anything with inc() and dec()).
    gauge: Any = None
    # The query-cost budgets of this process's callers (None: unmetered).
    budgets: Budgets | None = None

    @cached_property
    def loaders(self) -> Loaders:
        """Made when a resolver first asks: a compiled read needs none."""
        return Loaders(self.session)

    def forget(self) -> None:
        """Empty the loaders' caches: a long-lived subscription must not serve rows it cached
        before later writes, in its own reads or in the fields of the events it yields."""
        self.__dict__.pop("loaders", None)

    @property
    def caller(self) -> Viewer:
        assert self.viewer is not None, "every operation runs for an authenticated viewer"
        return self.viewer

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A short read session of its own: sibling fields run concurrently, never share one."""
        async with self.database.reads() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """The one session and transaction of a mutation."""
        async with self.database.writing() as session:
            yield session
