"""The change feed: every write, in order, for systems that keep in sync by polling."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from resolvers import changes, ids
from resolvers.context import Context
from resolvers.errors import comparable
from resolvers.pagination import Listing, Slice
from resolvers.vocabulary import ChangeAction
from schema.connection import Connection, connection

if TYPE_CHECKING:
    from schema.participant import Participant

Info = strawberry.Info[Context, None]

strawberry.enum(
    ChangeAction,
    description=(
        "What a write did: CREATED, UPDATED, WITHDRAWN, TRANSITIONED (to an ITPP), "
        "OVERLAP_DETECTED, or CONFIRMED or DISPUTED (by the recipient partner)."
    ),
)


@strawberry.type(
    description=(
        "One write, as recorded in the same transaction. Positions grow by one with each write, "
        "in commit order, so a reader that resumes after the last position it saw misses nothing."
    )
)
class ChangeEvent:
    position: int = strawberry.field(description="Place in the feed, 1, 2, 3... without gaps.")
    occurred_at: datetime = strawberry.field(description="When the write committed.")
    action: ChangeAction = strawberry.field(description="What the write did.")
    entity_type: str = strawberry.field(description="The type written (Contribution, Plan...).")
    entity_id: strawberry.ID = strawberry.field(description="Global ID of the object written.")
    before: JSON | None = strawberry.field(description="The object before (null on creation).")
    after: JSON | None = strawberry.field(description="The object after the write.")
    redacted: bool = strawberry.field(
        description=(
            "True when its actor and the contribution's detail are withheld from you (restricted)."
        )
    )
    actor_id: strawberry.Private[int | None]

    @staticmethod
    def of(seen: changes.Presented) -> ChangeEvent:
        event = seen.event
        return ChangeEvent(
            position=event.id,
            occurred_at=event.occurred_at,
            action=event.action,
            entity_type=event.entity_type,
            entity_id=strawberry.ID(ids.encode(event.entity_type, event.entity_id)),
            before=JSON(seen.before) if seen.before is not None else None,
            after=JSON(seen.after) if seen.after is not None else None,
            redacted=seen.redacted,
            actor_id=seen.actor_id,
        )

    @strawberry.field(description="Who wrote it; null when withheld from you.")
    async def actor(
        self, info: Info
    ) -> Annotated[Participant, strawberry.lazy("schema.participant")] | None:
        from schema.participant import Participant

        return await Participant.by_id(info, self.actor_id)


@strawberry.input(description="Narrows the change feed.")
class ChangeFilter:
    entity_types: list[str] | None = strawberry.field(
        default=None, description="Only writes to these types (Contribution, Plan, Objective...)."
    )
    since: datetime | None = strawberry.field(
        default=None,
        description="Only writes made at or after this moment: what changed since a meeting.",
    )

    @staticmethod
    def of(value: ChangeFilter | None) -> changes.ChangeFilter:
        return changes.ChangeFilter(
            entity_types=tuple(
                comparable("filter.entityTypes", name)
                for name in (value or ChangeFilter()).entity_types or ()
            ),
            since=None if value is None else value.since,
        )


async def events(info: Info, listing: Listing[changes.ChangeEvent]) -> Connection[ChangeEvent]:
    shown = await changes.present(info.context, listing.page.rows)
    return connection(listing, lambda row: ChangeEvent.of(shown[row.id]))


async def history_of(
    info: Info, entity_type: str, pk: int, slice_: Slice
) -> Connection[ChangeEvent]:
    return await events(info, await changes.history(info.context, entity_type, pk, slice_))
