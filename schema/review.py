"""Reviews: periodic assessments of a plan, objective by objective."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import objectives, plans, reviews
from resolvers.context import Context
from resolvers.errors import require
from schema.change import ChangeEvent, history_of
from schema.connection import After, Before, Connection, First, Last, Node, page_slice
from schema.enums import Assessment
from schema.fields import build, column, reference, referenced, resolved

if TYPE_CHECKING:
    from schema.objective import Objective
    from schema.plan import Plan

Info = strawberry.Info[Context, None]


@strawberry.type(description="A review's assessment of one objective.")
class ObjectiveAssessment:
    assessment: Assessment = column("The verdict.")
    comment: str | None = column("Why.")
    row: strawberry.Private[reviews.ObjectiveAssessment]

    @strawberry.field(description="The objective assessed.")
    async def objective(
        self, info: Info
    ) -> Annotated[Objective, strawberry.lazy("schema.objective")]:
        from schema.objective import Objective

        return Objective.from_row(
            require(await objectives.by_id(info.context, self.row.objective_id), "objective")
        )


@strawberry.type(description="A periodic review of a plan by NATO and the partner.")
class Review(Node):
    reviewed_on: date = column("When the review took place.")
    summary: str = column("What the review concluded.")
    row: strawberry.Private[reviews.Review]

    @staticmethod
    def from_row(row: reviews.Review) -> Review:
        return build(Review, row)

    @strawberry.field(
        description="The plan reviewed.",
        metadata=reference("plan_id", plans.Plan, lambda load: load.plan),
    )
    async def plan(self, info: Info) -> Annotated[Plan, strawberry.lazy("schema.plan")]:
        from schema.plan import Plan

        return Plan.from_row(require(await referenced(self, info.context, "plan"), "plan"))

    @strawberry.field(
        description="Per-objective assessments recorded by the review.",
        metadata=resolved("assessments are read one review at a time"),
    )
    async def assessments(self, info: Info) -> list[ObjectiveAssessment]:
        rows = await reviews.assessments(info.context, self.row)
        return [
            ObjectiveAssessment(assessment=row.assessment, comment=row.comment, row=row)
            for row in rows
        ]

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
        return await history_of(info, "Review", self.row.id, page_slice(first, after, last, before))
