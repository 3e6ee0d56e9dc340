"""Per-request DataLoaders: every nested field is fetched in one statement per level."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from store import changes, contributions, objectives, participants, plans, reviews

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

SessionFactory = Callable[[], AbstractAsyncContextManager[AsyncSession]]
Batch = Callable[[AsyncSession, Sequence[Any]], Awaitable[dict[Any, Any]]]


class Loaders:
    """Loaders live for one request, so their caches never serve another caller's view."""

    def __init__(self, session: SessionFactory) -> None:
        self._session = session
        self._loaders: dict[Hashable, DataLoader[Any, Any]] = {}
        self.participant = self._keyed(participants.by_ids)
        self.participant_by_code = self._keyed(participants.by_codes)
        self.partnerships = self._keyed(participants.partnerships_of, default=list)
        self.plan = self._keyed(plans.by_ids)
        self.plan_by_code = self._keyed(plans.by_codes)
        self.successor = self._keyed(plans.successors_of)
        self.objective = self._keyed(objectives.by_ids)
        self.contribution = self._keyed(contributions.by_ids)
        self.review = self._keyed(reviews.by_ids)
        self.assessments = self._keyed(reviews.assessments_of, default=list)
        self.change = self._keyed(changes.by_ids)

    def _keyed(
        self, batch: Batch, default: Callable[[], Any] | None = None
    ) -> DataLoader[Any, Any]:
        async def load(keys: list[Any]) -> list[Any]:
            async with self._session() as session:
                found = await batch(session, keys)
            return [found.get(key, default() if default else None) for key in keys]

        return DataLoader(load_fn=load)

    def batched(self, name: Hashable, batch: Batch) -> DataLoader[Any, Any]:
        """A loader for one kind of nested page or count with one set of arguments.

        `name` must capture every argument: two fields asking for different pages get different
        loaders, the same field on many parents shares one.
        """
        loader = self._loaders.get(name)
        if loader is None:
            loader = self._loaders[name] = self._keyed(batch)
        return loader
