"""A mutation's transaction is all or nothing: a rolled-back write leaves neither row nor event."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from resolvers.commands import Outcome, log, reject, run
from resolvers.context import Context
from resolvers.viewer import authenticate
from store import contributions
from store.changes import ChangeEvent
from store.contributions import Contribution
from store.enums import ChangeAction, ContributionKind, ContributionStatus
from store.objectives import Objective
from tests.conftest import Api


async def _counts(api: Api) -> tuple[int, int]:
    async with api.database.reads() as session:
        rows = await session.scalar(select(func.count()).select_from(Contribution))
        events = await session.scalar(select(func.count()).select_from(ChangeEvent))
    return rows or 0, events or 0


async def _context(api: Api) -> Context:
    viewer = await authenticate(api.database, api.tokens["ally"])
    return Context(api.database, viewer=viewer)


async def test_a_rejected_write_leaves_no_row_and_no_event(writable_api: Api) -> None:
    context = await _context(writable_api)
    before = await _counts(writable_api)

    outcome: Outcome[Contribution] = await run(context, _failing(context, reject("x", "no")))

    assert outcome.result is None and outcome.errors[0].message == "no"
    assert await _counts(writable_api) == before


async def test_an_unexpected_failure_after_writing_rolls_everything_back(writable_api: Api) -> None:
    context = await _context(writable_api)
    before = await _counts(writable_api)

    with pytest.raises(RuntimeError, match="disk on fire"):
        await run(context, _failing(context, RuntimeError("disk on fire")))

    assert await _counts(writable_api) == before


def _failing(
    context: Context, failure: Exception
) -> Callable[[AsyncSession], Awaitable[Outcome[Contribution]]]:
    """A command that writes a contribution and its change event, then fails with `failure`."""

    async def work(session: AsyncSession) -> Outcome[Contribution]:
        objective = await session.scalar(select(Objective).limit(1))
        assert objective is not None
        row = await contributions.add(
            session,
            Contribution(
                objective_id=objective.id,
                contributor_id=context.caller.participant_id,
                recipient_id=context.caller.participant_id,
                kind=ContributionKind.FUNDING,
                status=ContributionStatus.PLEDGED,
                amount=Decimal("10.00"),
                currency="EUR",
                valued_on=objective.created_at.date(),
                starts_on=objective.created_at.date(),
            ),
        )
        await log(context, session, row, ChangeAction.CREATED, None)
        # Both are written inside the transaction: the failure must take both back.
        assert (await session.scalar(select(func.count()).select_from(ChangeEvent)) or 0) >= 1
        raise failure

    return work
