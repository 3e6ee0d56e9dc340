"""The root subscription: changes pushed over graphql-transport-ws as they commit."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from resolvers import subscriptions
from resolvers.context import Context
from resolvers.overlaps import Listed
from schema.analysis import AidOverlap
from schema.change import ChangeEvent
from schema.contribution import Contribution, seen_by
from schema.enums import Category
from schema.tranche import Tranche

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


@strawberry.type(description="A planned tranche that is overdue.")
class OverdueTranche:
    contribution: Contribution = strawberry.field(description="The contribution it is part of.")
    tranche: Tranche = strawberry.field(
        description="The tranche, with what has been delivered of it and what is outstanding."
    )


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
            yield OverlapDetected(
                cursor=change.cursor, overlap=AidOverlap.of(Listed.of(change.overlap))
            )

    @strawberry.subscription(
        description=(
            "Tranches overdue: due before today and not delivered in full, of the contributions "
            "whose detail you see (a tranche's date and amount are detail of a restricted "
            "contribution). Those overdue already come first, then each as it falls overdue (a "
            "day passing, or a write that leaves one short); each once while it stays overdue."
        )
    )
    async def tranche_overdue(
        self, info: Info, partner: Partner = None
    ) -> AsyncGenerator[OverdueTranche, None]:
        viewer = info.context.caller
        async for found in subscriptions.overdue_tranches(info.context, partner):
            currency = found.contribution.currency
            yield OverdueTranche(
                contribution=seen_by(viewer)(found.contribution),
                tranche=Tranche.of(found.tranche, currency),
            )
