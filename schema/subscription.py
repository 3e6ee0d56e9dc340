"""The root subscription: changes pushed over graphql-transport-ws as they commit."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from resolvers import subscriptions
from resolvers.context import Context
from schema.analysis import AidOverlap
from schema.change import ChangeEvent
from schema.contribution import Contribution, seen_by
from schema.enums import Category

Info = strawberry.Info[Context, None]

Partner = Annotated[
    str | None, strawberry.argument(description="Only this partner's objectives, by code.")
]
After = Annotated[
    str | None,
    strawberry.argument(
        description=(
            "Resume after this cursor (from an earlier event, or the `changes` feed): every "
            "event since is delivered first. Without it, events start from now."
        )
    ),
]


@strawberry.type(description="A contribution registered, updated or withdrawn.")
class ContributionChange:
    cursor: str = strawberry.field(description="Pass it as `after` to resume from here.")
    event: ChangeEvent = strawberry.field(description="The change, as the feed records it.")
    contribution: Contribution = strawberry.field(
        description="The contribution as it is now, redacted for you if restricted."
    )


@strawberry.type(description="An objective that has just come to have overlapping support.")
class OverlapDetected:
    cursor: str = strawberry.field(description="Pass it as `after` to resume from here.")
    overlap: AidOverlap = strawberry.field(description="The overlap as it is now.")


@strawberry.type(description="Live updates, in commit order, from every instance.")
class Subscription:
    @strawberry.subscription(
        description="Contributions registered, updated or withdrawn, optionally for one partner "
        "or one category."
    )
    async def contribution_changed(
        self,
        info: Info,
        partner: Partner = None,
        category: Annotated[
            Category | None, strawberry.argument(description="Only objectives of this category.")
        ] = None,
        after: After = None,
    ) -> AsyncGenerator[ContributionChange, None]:
        changes = subscriptions.contribution_changes(info.context, partner, category, after)
        async for change in changes:
            yield ContributionChange(
                cursor=change.cursor,
                event=ChangeEvent.of(change.event),
                contribution=seen_by(info.context.caller)(change.contribution),
            )

    @strawberry.subscription(
        description="Objectives crossing into overlap: a second contributor's support now runs "
        "at the same time as another's."
    )
    async def overlap_detected(
        self, info: Info, partner: Partner = None, after: After = None
    ) -> AsyncGenerator[OverlapDetected, None]:
        async for change in subscriptions.overlap_detections(info.context, partner, after):
            yield OverlapDetected(cursor=change.cursor, overlap=AidOverlap.of(info, change.overlap))
