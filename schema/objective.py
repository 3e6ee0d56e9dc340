"""Objectives: what a plan aims at, and the support registered towards each."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import contributions, ids, objectives, plans
from resolvers.context import Context
from resolvers.errors import require
from schema.change import ChangeEvent, history_of
from schema.connection import After, Before, Connection, First, Last, Node, connection, page_slice
from schema.enums import Category, ObjectiveStatus, Priority
from schema.filters import ContributionFilter, ContributionOrder
from schema.money import Money

if TYPE_CHECKING:
    from schema.contribution import Contribution
    from schema.plan import Plan

Info = strawberry.Info[Context, None]


@strawberry.type(description="An objective of a plan, in one of the six categories.")
class Objective(Node):
    code: str = strawberry.field(description="Code, unique within its plan (e.g. 1.2).")
    title: str = strawberry.field(description="What the objective is.")
    description: str | None = strawberry.field(description="More detail.")
    category: Category = strawberry.field(description="Its category.")
    priority: Priority = strawberry.field(description="How urgent it is.")
    status: ObjectiveStatus = strawberry.field(description="Its progress.")
    requirement: Money | None = strawberry.field(
        description="Estimated need, when one was set: the yardstick for coverage and gaps."
    )
    target_date: date | None = strawberry.field(description="When it should be achieved.")
    version: int = strawberry.field(description="Incremented by every change.")
    created_at: datetime = strawberry.field(description="When the record was created.")
    updated_at: datetime = strawberry.field(description="When the record last changed.")
    row: strawberry.Private[objectives.Objective]

    @staticmethod
    def from_row(row: objectives.Objective) -> Objective:
        return Objective(
            id=strawberry.ID(ids.encode("Objective", row.id)),
            code=row.code,
            title=row.title,
            description=row.description,
            category=row.category,
            priority=Priority(row.priority),
            status=row.status,
            requirement=Money.of(row.requirement_amount, row.requirement_currency),
            target_date=row.target_date,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            row=row,
        )

    @strawberry.field(description="The plan the objective belongs to.")
    async def plan(self, info: Info) -> Annotated[Plan, strawberry.lazy("schema.plan")]:
        from schema.plan import Plan

        return Plan.from_row(require(await plans.by_id(info.context, self.row.plan_id), "plan"))

    @strawberry.field(description="The objective of an earlier plan this one carries over.")
    async def carried_over_from(self, info: Info) -> Objective | None:
        if self.row.carried_over_from_id is None:
            return None
        row = await objectives.by_id(info.context, self.row.carried_over_from_id)
        return None if row is None else Objective.from_row(row)

    @strawberry.field(description="Support registered towards this objective.")
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

        listing = await contributions.CONTRIBUTIONS_OF_OBJECTIVE.listing(
            info.context,
            ContributionFilter.of(filter),
            ContributionOrder.of(order_by),
            page_slice(first, after, last, before),
            self.row.id,
        )
        return connection(listing, seen_by(info.context.caller))

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
            info, "Objective", self.row.id, page_slice(first, after, last, before)
        )
