"""Contributions: one contributor's support towards one objective."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import confirmations, contributions, objectives, participants
from resolvers.context import Context
from resolvers.errors import require
from resolvers.viewer import Viewer
from schema.change import ChangeEvent, history_of
from schema.confirmation import Confirmation
from schema.connection import After, Before, Connection, First, Last, Node, page_slice
from schema.enums import ContributionKind, ContributionStatus, Visibility
from schema.fields import build, column, money, redaction, reference, referenced, resolved
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
    kind: ContributionKind = column("What is given.")
    status: ContributionStatus = column("Where it stands.")
    amount: Money | None = money(
        "Amount, or estimated value for in-kind support; null when withheld from you.",
        "amount",
        "currency",
    )
    valued_on: date = column("Date whose exchange rate values the amount.")
    starts_on: date = column("First day of the support period.")
    ends_on: date | None = column("Last day of the support period, if set.")
    description: str | None = column("What the support consists of; null when withheld from you.")
    external_reference: str | None = column(
        "The contributor's own reference, unique per contributor; null when withheld."
    )
    visibility: Visibility = column(
        "Who may see its detail: contributor, amount, currency, reference, description."
    )
    redaction: str | None = redaction(
        "Why contributor, amount, reference and description are withheld from you; null "
        "when you see them.",
        RESTRICTED,
    )
    withdrawn_at: datetime | None = column("When it was withdrawn, if so.")
    version: int = column("Incremented by every change.")
    created_at: datetime = column("When it was registered.")
    updated_at: datetime = column("When it last changed.")
    row: strawberry.Private[contributions.Contribution]
    # Whether the viewer it was built for may see its detail (store/visibility.py decides).
    shown: strawberry.Private[bool]

    @staticmethod
    def from_row(row: contributions.Contribution, viewer: Viewer) -> Contribution:
        return build(Contribution, row, viewer.sees_detail(row))

    @strawberry.field(
        description="Who gives it; null when withheld from you.",
        metadata=reference(
            "contributor_id", participants.Participant, lambda load: load.participant
        ),
    )
    async def contributor(
        self, info: Info
    ) -> Annotated[Participant, strawberry.lazy("schema.participant")] | None:
        from schema.participant import Participant

        row = await referenced(self, info.context, "contributor")
        return None if row is None else Participant.from_row(row)

    @strawberry.field(
        description="The objective it supports.",
        metadata=reference("objective_id", objectives.Objective, lambda load: load.objective),
    )
    async def objective(
        self, info: Info
    ) -> Annotated[Objective, strawberry.lazy("schema.objective")]:
        from schema.objective import Objective

        row = await referenced(self, info.context, "objective")
        return Objective.from_row(require(row, "objective"))

    @strawberry.field(
        description=(
            "The recipient partner's current account of it (the latest confirmation or "
            "dispute; earlier ones are in its history); null when none, or when withheld from you."
        ),
        metadata=resolved("the latest confirmation, by a loader (resolvers/loaders.py)"),
    )
    async def confirmation(self, info: Info) -> Confirmation | None:
        row = await confirmations.current(info.context, self.row)
        return None if row is None else Confirmation.of(row)

    @strawberry.field(
        description="Every write to this object, oldest first.",
        metadata=resolved("the change feed shapes its own events (resolvers/changes.py)"),
    )
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
