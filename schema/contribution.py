"""Contributions: one contributor's support towards one objective."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import contributions, ids, objectives, participants
from resolvers.context import Context
from resolvers.errors import require
from resolvers.viewer import Viewer
from schema.change import ChangeEvent, history_of
from schema.connection import After, Before, Connection, First, Last, Node, page_slice
from schema.enums import ContributionKind, ContributionStatus, Visibility
from schema.money import Money

if TYPE_CHECKING:
    from schema.objective import Objective
    from schema.participant import Participant

Info = strawberry.Info[Context, None]

RESTRICTED = (
    "Restricted: only the contributor, the recipient partner and the secretariat see who gave "
    "and how much, its reference and its description. It still counts in every total."
)


def seen_by(viewer: Viewer) -> Callable[[contributions.Contribution], Contribution]:
    """Contributions as this viewer may see them."""
    return lambda row: Contribution.from_row(row, viewer)


@strawberry.type(
    description=(
        "Support from one contributor towards one objective: funding, or in-kind support with its "
        "estimated value. Withdrawn, never deleted."
    )
)
class Contribution(Node):
    kind: ContributionKind = strawberry.field(description="What is given.")
    status: ContributionStatus = strawberry.field(description="Where it stands.")
    amount: Money | None = strawberry.field(
        description="Amount, or estimated value for in-kind support; null when withheld from you."
    )
    valued_on: date = strawberry.field(description="Date whose exchange rate values the amount.")
    starts_on: date = strawberry.field(description="First day of the support period.")
    ends_on: date | None = strawberry.field(description="Last day of the support period, if set.")
    description: str | None = strawberry.field(
        description="What the support consists of; null when withheld from you."
    )
    external_reference: str | None = strawberry.field(
        description="The contributor's own reference, unique per contributor; null when withheld."
    )
    visibility: Visibility = strawberry.field(
        description="Who may see its detail: contributor, amount, currency, reference, description."
    )
    redaction: str | None = strawberry.field(
        description=(
            "Why contributor, amount, reference and description are withheld from you; null "
            "when you see them."
        )
    )
    withdrawn_at: datetime | None = strawberry.field(description="When it was withdrawn, if so.")
    version: int = strawberry.field(description="Incremented by every change.")
    created_at: datetime = strawberry.field(description="When it was registered.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    row: strawberry.Private[contributions.Contribution]

    @staticmethod
    def from_row(row: contributions.Contribution, viewer: Viewer) -> Contribution:
        shown = viewer.sees_detail(row)
        return Contribution(
            id=strawberry.ID(ids.encode("Contribution", row.id)),
            kind=row.kind,
            status=row.status,
            amount=Money.of(row.amount, row.currency) if shown else None,
            valued_on=row.valued_on,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            description=row.description if shown else None,
            external_reference=row.external_reference if shown else None,
            visibility=row.visibility,
            redaction=None if shown else RESTRICTED,
            withdrawn_at=row.withdrawn_at,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            row=row,
        )

    @strawberry.field(description="Who gives it; null when withheld from you.")
    async def contributor(
        self, info: Info
    ) -> Annotated[Participant, strawberry.lazy("schema.participant")] | None:
        from schema.participant import Participant

        if self.redaction is not None:
            return None
        row = await participants.by_id(info.context, self.row.contributor_id)
        return None if row is None else Participant.from_row(row)

    @strawberry.field(description="The objective it supports.")
    async def objective(
        self, info: Info
    ) -> Annotated[Objective, strawberry.lazy("schema.objective")]:
        from schema.objective import Objective

        return Objective.from_row(
            require(await objectives.by_id(info.context, self.row.objective_id), "objective")
        )

    @strawberry.field(description="Every write to this object, oldest first.")
    async def history(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ChangeEvent]:
        return await history_of(
            info, "Contribution", self.row.id, page_slice(first, after, last, before)
        )
