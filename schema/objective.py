"""Objectives: what a plan aims at, and the support registered towards each."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import contributions, objectives, plans
from resolvers.context import Context
from resolvers.errors import require
from schema.change import ChangeEvent, history_of
from schema.connection import After, Before, Connection, First, Last, Node, page_slice
from schema.enums import Category, ObjectiveStatus, Priority
from schema.fields import build, column, listed, money, page, reference, referenced, resolved
from schema.filters import ContributionFilter, ContributionOrder
from schema.money import Money

if TYPE_CHECKING:
    from schema.contribution import Contribution
    from schema.plan import Plan

Info = strawberry.Info[Context, None]


@strawberry.type(description="An objective of a plan, in one of the six categories.")
class Objective(Node):
    code: str = column("Code, unique within its plan (e.g. 1.2).")
    title: str = column("What the objective is.")
    description: str | None = column("More detail.")
    category: Category = column("Its category.")
    priority: Priority = column("How urgent it is.", convert=Priority)
    status: ObjectiveStatus = column("Its progress.")
    requirement: Money | None = money(
        "Estimated need, when one was set: the yardstick for coverage and gaps.",
        "requirement_amount",
        "requirement_currency",
    )
    target_date: date | None = column("When it should be achieved.")
    version: int = column("Incremented by every change.")
    created_at: datetime = column("When the record was created.")
    updated_at: datetime = column("When the record last changed.")
    row: strawberry.Private[objectives.Objective]

    @staticmethod
    def from_row(row: objectives.Objective) -> Objective:
        return build(Objective, row)

    @strawberry.field(
        description="The plan the objective belongs to.",
        metadata=reference("plan_id", plans.Plan, lambda load: load.plan),
    )
    async def plan(self, info: Info) -> Annotated[Plan, strawberry.lazy("schema.plan")]:
        from schema.plan import Plan

        return Plan.from_row(require(await referenced(self, info.context, "plan"), "plan"))

    @strawberry.field(
        description="The objective of an earlier plan this one carries over.",
        metadata=reference(
            "carried_over_from_id", objectives.Objective, lambda load: load.objective
        ),
    )
    async def carried_over_from(self, info: Info) -> Objective | None:
        row = await referenced(self, info.context, "carried_over_from")
        return None if row is None else Objective.from_row(row)

    @strawberry.field(
        description=(
            "Support that reached this objective (or its earlier or later versions in other "
            "plans). Support given into a fund earmarked to it, and not yet passed on, is "
            "listed by its plan's `contributions` and counted by `coverage` as unallocated."
        ),
        metadata=listed(
            contributions.CONTRIBUTIONS_OF_OBJECTIVE, ContributionFilter, ContributionOrder
        ),
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
            info, "Objective", self.row.id, page_slice(first, after, last, before)
        )
