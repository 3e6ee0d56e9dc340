"""Per-request DataLoaders: every nested field is fetched in one statement per level."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from contextlib import AbstractAsyncContextManager
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from store import (
    changes,
    confirmations,
    contributions,
    draws,
    funds,
    objectives,
    participants,
    plans,
    reviews,
)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

SessionFactory = Callable[[], AbstractAsyncContextManager[AsyncSession]]
Batch = Callable[[AsyncSession, Sequence[Any]], Awaitable[dict[Any, Any]]]


class SharedLoader(DataLoader[K, V]):
    """A DataLoader whose results stay with everyone who asked for them.

    Strawberry's loader hands every caller of a key the same future, and a caller cancelled while
    it waits cancels that future: graphql-core cancels a failed field's siblings, so one branch's
    error would cancel a plan (say) that another branch of the same request still waits for, and
    the request would end in a CancelledError (HTTP 500) instead of its field error. Here each
    caller waits on its own shield; the shared future is cancelled only when nobody waits for it
    any more, so a batch nobody needs still stops, as Strawberry's own would.
    """

    def __init__(self, load_fn: Callable[[list[K]], Awaitable[Sequence[V]]]) -> None:
        super().__init__(load_fn=load_fn)
        # How many callers wait for each pending future, counted when `load` is called: a caller
        # that asked but has not yet begun to wait must keep the future alive too.
        self._waiting: dict[asyncio.Future[V], int] = {}

    def load(self, key: K) -> Awaitable[V]:
        future = super().load(key)
        assert isinstance(future, asyncio.Future)
        if future.done():
            return future  # cached: nothing left to cancel
        self._waiting[future] = self._waiting.get(future, 0) + 1
        return self._wait(future)

    async def _wait(self, future: asyncio.Future[V]) -> V:
        try:
            return await asyncio.shield(future)
        finally:
            left = self._waiting.pop(future, 1) - 1
            if left:
                self._waiting[future] = left
            elif not future.done():
                future.cancel()


class Loaders:
    """Loaders live for one request, so their caches never serve another caller's view."""

    def __init__(self, session: SessionFactory) -> None:
        self._session = session
        self._loaders: dict[Hashable, DataLoader[Any, Any]] = {}

    # Each loader is made when first asked for: most requests use two or three of them. Typed
    # here, where each batch is chosen: `_keyed` cannot tie a loader's types to its batch.
    @cached_property
    def participant(self) -> DataLoader[int, participants.Participant | None]:
        return self._keyed(participants.by_ids)

    @cached_property
    def participant_by_code(self) -> DataLoader[str, participants.Participant | None]:
        return self._keyed(participants.by_codes)

    @cached_property
    def partnerships(self) -> DataLoader[int, list[participants.Partnership]]:
        return self._keyed(participants.partnerships_of, default=list)

    @cached_property
    def draws_of(self) -> DataLoader[int, list[draws.Draw]]:
        return self._keyed(draws.of_allocations, default=list)

    @cached_property
    def draws_on(self) -> DataLoader[int, list[draws.Draw]]:
        return self._keyed(draws.on_sources, default=list)

    @cached_property
    def fund(self) -> DataLoader[int, funds.Fund | None]:
        return self._keyed(funds.by_ids)

    @cached_property
    def fund_leads(self) -> DataLoader[int, list[int]]:
        return self._keyed(funds.leads_of, default=list)

    @cached_property
    def plan(self) -> DataLoader[int, plans.Plan | None]:
        return self._keyed(plans.by_ids)

    @cached_property
    def plan_by_code(self) -> DataLoader[str, plans.Plan | None]:
        return self._keyed(plans.by_codes)

    @cached_property
    def successor(self) -> DataLoader[int, plans.Plan | None]:
        return self._keyed(plans.successors_of)

    @cached_property
    def objective(self) -> DataLoader[int, objectives.Objective | None]:
        return self._keyed(objectives.by_ids)

    @cached_property
    def contribution(self) -> DataLoader[int, contributions.Contribution | None]:
        return self._keyed(contributions.by_ids)

    @cached_property
    def review(self) -> DataLoader[int, reviews.Review | None]:
        return self._keyed(reviews.by_ids)

    @cached_property
    def assessments(self) -> DataLoader[int, list[reviews.ObjectiveAssessment]]:
        return self._keyed(reviews.assessments_of, default=list)

    @cached_property
    def change(self) -> DataLoader[int, changes.ChangeEvent | None]:
        return self._keyed(changes.by_ids)

    @cached_property
    def confirmation(self) -> DataLoader[int, confirmations.Confirmation | None]:
        """The current confirmation of each contribution (by contribution id)."""
        return self._keyed(confirmations.latest_of)

    def _keyed(
        self, batch: Batch, default: Callable[[], Any] | None = None
    ) -> DataLoader[Any, Any]:
        async def load(keys: list[Any]) -> list[Any]:
            async with self._session() as session:
                found = await batch(session, keys)
            return [found.get(key, default() if default else None) for key in keys]

        return SharedLoader(load)

    def batched(self, name: Hashable, batch: Batch) -> DataLoader[Any, Any]:
        """A loader for one kind of nested page or count with one set of arguments.

        `name` must capture every argument: two fields asking for different pages get different
        loaders, the same field on many parents shares one.
        """
        loader = self._loaders.get(name)
        if loader is None:
            loader = self._loaders[name] = self._keyed(batch)
        return loader
