"""What every resolver of one request shares: a session factory, its loaders, and today's date."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from resolvers.loaders import Loaders


@dataclass
class Context:
    sessions: async_sessionmaker[AsyncSession]
    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.session)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A short session of its own: sibling fields run concurrently and must not share one."""
        async with self.sessions() as session:
            yield session
