"""The append-only change log: every write, who made it, and the entity before and after.

Writers take the single feed counter row first. That serialises writes on every back end, and it
numbers events in commit order with no holes: a reader polling `id > last seen` never misses one,
because no event can commit later with a smaller number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Select, String, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from store import signals
from store.base import Base, enum_column, utcnow
from store.columns import UTCDateTime
from store.enums import ChangeAction
from store.pages import SortKey


class FeedCounter(Base):
    """One row: the position of the last change event."""

    __tablename__ = "feed_counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int]


class ChangeEvent(Base):
    """One write. Its id is its position in the feed: gap-free, in commit order."""

    __tablename__ = "change_event"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"), index=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int]
    action: Mapped[ChangeAction] = mapped_column(enum_column(ChangeAction, "change_action"))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


Index("ix_change_event_entity", ChangeEvent.entity_type, ChangeEvent.entity_id, ChangeEvent.id)

ORDERINGS = {"POSITION": SortKey("POSITION", ChangeEvent.id)}


async def claim(session: AsyncSession) -> None:
    """Make this transaction the only writer until it ends (call it first in every write)."""
    await session.execute(update(FeedCounter).values(position=FeedCounter.position))


async def record(
    session: AsyncSession,
    actor_id: int | None,
    entity: Any,
    action: ChangeAction,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> ChangeEvent:
    position = await session.scalar(
        update(FeedCounter)
        .values(position=FeedCounter.position + 1)
        .returning(FeedCounter.position)
    )
    event = ChangeEvent(
        id=position,
        actor_id=actor_id,
        entity_type=type(entity).__name__,
        entity_id=entity.id,
        action=action,
        before=before,
        after=after,
    )
    session.add(event)
    await session.flush()
    await signals.notify(session)
    return event


@dataclass(frozen=True)
class ChangeFilter:
    entity_types: Sequence[str] = ()
    since: datetime | None = None


def select_changes(criteria: ChangeFilter) -> Select[ChangeEvent]:
    statement = select(ChangeEvent)
    if criteria.entity_types:
        statement = statement.where(ChangeEvent.entity_type.in_(criteria.entity_types))
    if criteria.since is not None:
        statement = statement.where(ChangeEvent.occurred_at >= criteria.since)
    return statement


def select_history(entity_type: str) -> Select[ChangeEvent]:
    return select(ChangeEvent).where(ChangeEvent.entity_type == entity_type)


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, ChangeEvent]:
    rows = await session.scalars(select(ChangeEvent).where(ChangeEvent.id.in_(ids)))
    return {row.id: row for row in rows}


async def after(
    session: AsyncSession, position: int, limit: int, entity_types: Sequence[str]
) -> list[ChangeEvent]:
    """The next events of the feed after `position`, in order."""
    statement = select(ChangeEvent).where(ChangeEvent.id > position)
    if entity_types:
        statement = statement.where(ChangeEvent.entity_type.in_(entity_types))
    return list(await session.scalars(statement.order_by(ChangeEvent.id).limit(limit)))


async def last_position(session: AsyncSession) -> int:
    position = await session.scalar(select(FeedCounter.position))
    return int(position or 0)
