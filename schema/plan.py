"""Plans: a partner's IPAP, IPCP or ITPP, its objectives, reviews and lineage."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import contributions, objectives, participants, plans, reviews
from resolvers.context import Context
from resolvers.errors import require
from schema.change import ChangeEvent, history_of
from schema.connection import After, Before, Connection, First, Last, Node, connection, page_slice
from schema.enums import DatePrecision, PlanKind, PlanStatus
from schema.fields import build, column, listed, page, reference, referenced, resolved
from schema.filters import (
    ContributionFilter,
    ContributionOrder,
    ObjectiveFilter,
    ObjectiveOrder,
    ReviewOrder,
)

if TYPE_CHECKING:
    from schema.contribution import Contribution
    from schema.objective import Objective
    from schema.participant import Participant
    from schema.review import Review

Info = strawberry.Info[Context, None]


@strawberry.type(
    description=(
        "One partner's individual plan with NATO: objectives in broad categories, reviewed "
        "periodically; an ITPP links back to the IPAP or IPCP it replaced."
    )
)
class Plan(Node):
    code: str = column("Human-readable unique code, e.g. GE-IPAP-2004.")
    title: str = column("Title of the plan.")
    summary: str | None = column("What the plan is about.")
    kind: PlanKind = column("IPAP, IPCP or ITPP.")
    status: PlanStatus = column("Where the plan is in its lifecycle.")
    agreed_on: date | None = column("When NATO and the partner agreed it; see `agreedOnPrecision`.")
    agreed_on_precision: DatePrecision = column(
        "How much of `agreedOn` is known (MONTH: only the month, the day reads 01)."
    )
    starts_on: date | None = column("First day of the plan's period.")
    ends_on: date | None = column("Last day of the plan's period.")
    version: int = column("Incremented by every change.")
    created_at: datetime = column("When the record was created.")
    updated_at: datetime = column("When the record last changed.")
    row: strawberry.Private[plans.Plan]

    @staticmethod
    def from_row(row: plans.Plan) -> Plan:
        return build(Plan, row)

    @strawberry.field(
        description="The partner whose plan this is.",
        metadata=reference("partner_id", participants.Participant, lambda load: load.participant),
    )
    async def partner(
        self, info: Info
    ) -> Annotated[Participant, strawberry.lazy("schema.participant")]:
        from schema.participant import Participant

        row = await referenced(self, info.context, "partner")
        return Participant.from_row(require(row, "partner"))

    @strawberry.field(
        description="The plan this one replaced (an ITPP's IPAP or IPCP).",
        metadata=resolved("lineage is asked of one plan at a time"),
    )
    async def predecessor(self, info: Info) -> Plan | None:
        row = await plans.predecessor(info.context, self.row)
        return None if row is None else Plan.from_row(row)

    @strawberry.field(
        description="The plan that replaced this one.",
        metadata=resolved("lineage is asked of one plan at a time"),
    )
    async def successor(self, info: Info) -> Plan | None:
        row = await plans.successor(info.context, self.row)
        return None if row is None else Plan.from_row(row)

    @strawberry.field(
        description="The plan's objectives, CRITICAL first by default.",
        metadata=listed(objectives.OBJECTIVES_OF_PLAN, ObjectiveFilter, ObjectiveOrder),
    )
    async def objectives(
        self,
        info: Info,
        filter: ObjectiveFilter | None = None,
        order_by: ObjectiveOrder | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Objective, strawberry.lazy("schema.objective")]]:
        from schema.objective import Objective

        slice_ = page_slice(first, after, last, before)
        item = Objective.from_row
        return await page(self, info.context, "objectives", filter, order_by, slice_, item)

    @strawberry.field(
        description=(
            "Support for the plan: what reached any of its objectives (and their earlier or "
            "later versions in other plans), and pooled support earmarked to the plan, a "
            "category of it or one of its objectives. An allocation is listed beside the pooled "
            "support it draws on (`drawsOn`): count with `coverage`, which counts each euro once."
        ),
        metadata=listed(contributions.CONTRIBUTIONS_OF_PLAN, ContributionFilter, ContributionOrder),
    )
    async def contributions(
        self,
        info: Info,
        filter: ContributionFilter | None = None,
        order_by: ContributionOrder | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Contribution, strawberry.lazy("schema.contribution")]]:
        from schema.contribution import seen_by

        slice_ = page_slice(first, after, last, before)
        item = seen_by(info.context.caller)
        return await page(self, info.context, "contributions", filter, order_by, slice_, item)

    @strawberry.field(
        description="Periodic reviews of the plan, newest first by default.",
        metadata=resolved("reviews are few and read one plan at a time"),
    )
    async def reviews(
        self,
        info: Info,
        order_by: ReviewOrder | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Annotated[Review, strawberry.lazy("schema.review")]]:
        from schema.review import Review

        listing = await reviews.of_plan(
            info.context,
            self.row.id,
            ReviewOrder.of(order_by),
            page_slice(first, after, last, before),
        )
        return connection(listing, Review.from_row)

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
        return await history_of(info, "Plan", self.row.id, page_slice(first, after, last, before))
