"""Live updates: subscribers follow the change feed from a cursor, woken by signals.

A subscription never relies on a signal to carry an event: it reads the feed after the last
position it delivered. So a subscriber that reconnects with its last cursor misses nothing, and
events reach it in commit order, from whichever instance wrote them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from resolvers import changes, contributions, objectives, overlaps, schedules, stages
from resolvers.context import Context
from resolvers.errors import PublicError, comparable, invalid_argument, is_outage
from resolvers.listing import check_codes
from store import changes as feed_store
from store import contributions as stored_contributions
from store.changes import ORDERINGS, ChangeEvent
from store.contributions import Contribution
from store.enums import Category, ChangeAction, TrancheStatus
from store.pages import decode_cursor, encode_cursor

MAX_PER_CONNECTION = 10
POLL_SECONDS = 5.0
BATCH = 100
POSITION = ORDERINGS["POSITION"]


def cursor_of(event: ChangeEvent) -> str:
    return encode_cursor(POSITION, event.id, event.id)


async def _start(context: Context, after: str | None) -> int:
    if after is None:
        async with context.session() as session:
            return await feed_store.last_position(session)
    try:
        return int(decode_cursor(after, POSITION).pk)
    except ValueError as problem:
        raise invalid_argument("after", str(problem)) from None


async def follow(
    context: Context, after: str | None, entity_types: Sequence[str]
) -> AsyncIterator[ChangeEvent]:
    """Every event of these types after the cursor (or from now), as they commit."""
    if context.signals is None:
        raise PublicError("Subscriptions are not available here", "UNAVAILABLE")
    position = await _start(context, after)
    listener = context.signals.listener()
    try:
        while True:
            try:
                async with context.session() as session:
                    found = await feed_store.after(session, position, BATCH, entity_types)
            except Exception as problem:
                # The database is away: wait, then carry on from the same position.
                if not is_outage(problem):
                    raise
                await listener.wait(POLL_SECONDS)
                continue
            for event in found:
                position = event.id
                yield event
            if len(found) < BATCH:
                await listener.wait(POLL_SECONDS)
    finally:
        listener.close()


class Slot:
    """One of the connection's limited subscriptions, held while it runs."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def __enter__(self) -> Slot:
        if self.context.subscriptions >= MAX_PER_CONNECTION:
            raise PublicError(
                f"A connection may hold at most {MAX_PER_CONNECTION} subscriptions",
                "TOO_MANY_SUBSCRIPTIONS",
            )
        self.context.subscriptions += 1
        if self.context.gauge is not None:
            self.context.gauge.inc()
        return self

    def __exit__(self, *_: object) -> None:
        self.context.subscriptions -= 1
        if self.context.gauge is not None:
            self.context.gauge.dec()


@dataclass(frozen=True)
class ContributionChange:
    cursor: str
    event: changes.Presented
    contribution: Contribution


async def contribution_changes(
    context: Context, partner: str | None, category: Category | None, after: str | None
) -> AsyncIterator[ContributionChange]:
    code = None if partner is None else comparable("partner", partner).strip().upper()
    await check_codes(context, "partner", [code] if code else [])
    recipient = None if code is None else await context.loaders.participant_by_code.load(code)
    with Slot(context):
        async for event in follow(context, after, ["Contribution"]):
            # The payload's fields resolve with this context: each event reads afresh.
            context.forget()
            row = await contributions.by_id(context, event.entity_id)
            if row is None or (recipient is not None and row.recipient_id != recipient.id):
                continue
            if category is not None:
                # Pooled support names its category itself; support that reached an objective
                # has the objective's.
                found = row.category
                if row.objective_id is not None:
                    objective = await objectives.by_id(context, row.objective_id)
                    found = None if objective is None else objective.category
                if found is not category:
                    continue
            seen = (await changes.present(context, [event]))[event.id]
            yield ContributionChange(cursor_of(event), seen, row)


@dataclass(frozen=True)
class OverlapChange:
    cursor: str
    overlap: overlaps.FoundOverlap


async def overlap_detections(
    context: Context, partner: str | None, after: str | None
) -> AsyncIterator[OverlapChange]:
    code = None if partner is None else comparable("partner", partner).strip().upper()
    await check_codes(context, "partner", [code] if code else [])
    with Slot(context):
        async for event in follow(context, after, ["Objective"]):
            if event.action is not ChangeAction.OVERLAP_DETECTED:
                continue
            context.forget()
            found = await overlaps.of_objective(context, event.entity_id, code)
            if found is not None:
                yield OverlapChange(cursor_of(event), found)


@dataclass(frozen=True)
class OverdueTranche:
    contribution: Contribution
    tranche: schedules.TrancheState


async def overdue_tranches(context: Context, partner: str | None) -> AsyncIterator[OverdueTranche]:
    """Every tranche that is overdue (for one partner's support, or any), of the contributions
    whose detail the viewer sees: those overdue already first, then each as it falls overdue
    (a day passing, or a write that leaves one short), once while it stays overdue."""
    code = None if partner is None else comparable("partner", partner).strip().upper()
    await check_codes(context, "partner", [code] if code else [])
    recipient = None if code is None else await context.loaders.participant_by_code.load(code)
    if context.signals is None:
        raise PublicError("Subscriptions are not available here", "UNAVAILABLE")
    listener = context.signals.listener()
    told: set[tuple[int, date, Decimal, str]] = set()
    with Slot(context):
        try:
            while True:
                try:
                    found = await _overdue(context, None if recipient is None else recipient.id)
                except Exception as problem:
                    if not is_outage(problem):
                        raise
                    await listener.wait(POLL_SECONDS)
                    continue
                for key, item in found.items():
                    if key not in told:
                        yield item
                # One delivered in full since drops out; should it fall short again, it is told.
                told = set(found)
                await listener.wait(POLL_SECONDS)
        finally:
            listener.close()


async def _overdue(
    context: Context, recipient_id: int | None
) -> dict[tuple[int, date, Decimal, str], OverdueTranche]:
    # Today is asked afresh: a subscription outlives the day it started on.
    today = datetime.now(UTC).date()
    async with context.session() as session:
        rows = await stored_contributions.scheduled_for(session, recipient_id)
    viewer = context.caller
    found = {}
    for row in rows:
        if not viewer.sees_detail(row):  # a tranche's date and amount are detail
            continue
        for state in stages.tranches(row, today):
            if state.status is TrancheStatus.OVERDUE:
                tranche = state.tranche
                key = (row.id, tranche.due_on, tranche.amount, tranche.firmness.name)
                found[key] = OverdueTranche(row, state)
    return found
