"""Contributions: one contributor's support towards one objective."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import confirmations, contributions, objectives, participants, plans, stages
from resolvers import items as kind_items
from resolvers.context import Context
from resolvers.errors import require
from resolvers.viewer import Viewer
from schema.change import ChangeEvent, history_of
from schema.confirmation import Confirmation
from schema.connection import After, Before, Connection, First, Last, Node, page_slice
from schema.delivery import Delivery
from schema.enums import Category, ContributionKind, ContributionStatus, Visibility
from schema.fields import build, column, money, redaction, reference, referenced, resolved
from schema.item import ContributionItem
from schema.money import Money
from schema.tranche import Tranche
from store.stages import deliveries_of

if TYPE_CHECKING:
    from schema.objective import Objective
    from schema.participant import Participant
    from schema.plan import Plan

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
        "One draw of an allocation on pooled support: which contribution on the other side, and "
        "how much, in the currency both share."
    )
)
class Draw:
    amount: Money = strawberry.field(description="How much was drawn.")
    row: strawberry.Private[contributions.Contribution]

    @strawberry.field(description="The contribution on the other side of the draw.")
    def contribution(self, info: Info) -> Contribution:
        return Contribution.from_row(self.row, info.context.caller)

    @staticmethod
    async def each(
        info: Info, found: list[contributions.Draw], other: str, currency: str
    ) -> list[Draw]:
        rows = await info.context.loaders.contribution.load_many(
            [getattr(draw, other) for draw in found]
        )
        # A draw tells the other side's amount: one whose detail is withheld from the viewer
        # is left out, as a list grouped by withheld detail leaves such rows out.
        viewer = info.context.caller
        return [
            Draw(amount=require(Money.of(draw.amount, currency), "amount"), row=row)
            for draw, row in zip(found, rows, strict=True)
            if row is not None and viewer.sees_detail(row)
        ]


@strawberry.type(
    description=(
        "Support from one contributor: funding, or in-kind support with its estimated value. It "
        "reaches an objective, or is pooled first (given into a fund, or earmarked to a plan) "
        "and reaches objectives as allocations that draw on it. Withdrawn, never deleted."
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
    pledged_on: date | None = column("The day it was pledged; null when withheld from you.")
    committed: Money | None = money(
        "How much of it is committed (part or all of `amount`); null while it is only pledged, "
        "or when withheld from you.",
        "committed_amount",
        "currency",
    )
    committed_on: date | None = column(
        "When it was committed; null while it is only pledged, or when withheld from you."
    )
    delivered: Money | None = money(
        "How much of the commitment has been delivered (disbursed, for funding) so far: the sum "
        "of `deliveries`. Kept if it is withdrawn. Null when withheld from you.",
        "delivered_amount",
        "currency",
    )
    delivered_on: date | None = column(
        "The day of its latest delivery; null before the first, or when withheld from you."
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
        description=(
            "The objective its money reaches; null while it is pooled: given into a fund, or "
            "earmarked to a plan and not yet allocated (see `allocations`)."
        ),
        metadata=reference("objective_id", objectives.Objective, lambda load: load.objective),
    )
    async def objective(
        self, info: Info
    ) -> Annotated[Objective, strawberry.lazy("schema.objective")] | None:
        from schema.objective import Objective

        row = await referenced(self, info.context, "objective")
        return None if row is None else Objective.from_row(row)

    @strawberry.field(
        description=(
            "The fund it passes through: the fund a donor gave into, or the fund that allocated "
            "it; null when none, or when withheld from you."
        ),
        metadata=reference("channel_id", participants.Participant, lambda load: load.participant),
    )
    async def channel(
        self, info: Info
    ) -> Annotated[Participant, strawberry.lazy("schema.participant")] | None:
        from schema.participant import Participant

        row = await referenced(self, info.context, "channel")
        return None if row is None else Participant.from_row(row)

    @strawberry.field(
        description="The plan pooled support is earmarked to, if any.",
        metadata=reference("plan_id", plans.Plan, lambda load: load.plan),
    )
    async def earmarked_plan(
        self, info: Info
    ) -> Annotated[Plan, strawberry.lazy("schema.plan")] | None:
        from schema.plan import Plan

        row = await referenced(self, info.context, "earmarked_plan")
        return None if row is None else Plan.from_row(row)

    earmarked_category: Category | None = column(
        "The category of its plan that pooled support is earmarked to, if any.", name="category"
    )

    @strawberry.field(
        description="The objective support given into a fund is earmarked to, if any.",
        metadata=reference(
            "earmarked_objective_id", objectives.Objective, lambda load: load.objective
        ),
    )
    async def earmarked_objective(
        self, info: Info
    ) -> Annotated[Objective, strawberry.lazy("schema.objective")] | None:
        from schema.objective import Objective

        row = await referenced(self, info.context, "earmarked_objective")
        return None if row is None else Objective.from_row(row)

    @strawberry.field(
        description=(
            "Who registered it: its contributor, or the secretariat or a fund's manager on its "
            "behalf; null when withheld from you."
        ),
        metadata=reference(
            "reported_by_id", participants.Participant, lambda load: load.participant
        ),
    )
    async def reported_by(
        self, info: Info
    ) -> Annotated[Participant, strawberry.lazy("schema.participant")] | None:
        from schema.participant import Participant

        row = await referenced(self, info.context, "reported_by")
        return None if row is None else Participant.from_row(row)

    @strawberry.field(
        description=(
            "Where its money went, for pooled support: each allocation that draws on it and how "
            "much (those whose detail is withheld from you left out); empty when none, or when "
            "its own detail is withheld from you."
        ),
        metadata=resolved("draws are a table of their own (store/draws.py)"),
    )
    async def allocations(self, info: Info) -> list[Draw]:
        if not self.shown:
            return []
        found = await info.context.loaders.draws_on.load(self.row.id)
        return await Draw.each(info, found, "allocation_id", self.row.currency)

    @strawberry.field(
        description=(
            "For an allocation, the pooled support it draws on and how much of each (those whose "
            "detail is withheld from you left out); empty for support that draws on nothing, or "
            "when its own detail is withheld from you."
        ),
        metadata=resolved("draws are a table of their own (store/draws.py)"),
    )
    async def draws_on(self, info: Info) -> list[Draw]:
        if not self.shown:
            return []
        found = await info.context.loaders.draws_of.load(self.row.id)
        return await Draw.each(info, found, "source_id", self.row.currency)

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
        description=(
            "Each delivery (or disbursement) recorded, oldest first; null when withheld from you."
        ),
        metadata=resolved("kept on the record itself (store/stages.py)"),
    )
    def deliveries(self) -> list[Delivery] | None:
        if not self.shown:
            return None
        return [
            Delivery.of(found, self.row.currency) for found in deliveries_of(self.row.deliveries)
        ]

    @strawberry.field(
        description=(
            "The planned tranches, in the order they fall due, each with what has been delivered "
            "of it (deliveries fill the first due first) and whether it is overdue; empty when "
            "nothing is scheduled, null when withheld from you."
        ),
        metadata=resolved("kept on the record itself (resolvers/stages.py)"),
    )
    def tranches(self, info: Info) -> list[Tranche] | None:
        if not self.shown:
            return None
        found = stages.tranches(self.row, info.context.today)
        return [Tranche.of(state, self.row.currency) for state in found]

    @strawberry.field(
        description=(
            "What is overdue: the undelivered part of tranches due before today (nothing once "
            "it is withdrawn: the rest will not come); null when withheld from you."
        ),
        metadata=resolved("kept on the record itself (resolvers/stages.py)"),
    )
    def overdue(self, info: Info) -> Money | None:
        if not self.shown:
            return None
        late = stages.overdue(self.row, info.context.today)
        return Money.exactly(late, self.row.currency)

    @strawberry.field(
        description=(
            "The in-kind line items it consists of, whose values add up to its amount; empty "
            "when none are listed, null when withheld from you."
        ),
        metadata=resolved("kept on the record itself (resolvers/items.py)"),
    )
    def items(self) -> list[ContributionItem] | None:
        if not self.shown:
            return None
        listed = kind_items.parse(self.row.items)
        return [ContributionItem.of(item, self.row.currency) for item in listed]

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
