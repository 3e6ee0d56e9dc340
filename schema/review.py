"""Reviews: periodic assessments of a plan, objective by objective."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import objectives, plans, review_commands, reviews
from resolvers.context import Context
from resolvers.errors import require
from schema.analysis import CoverageFigures
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


@strawberry.type(
    description=(
        "A plan's figures as they stood when a review was recorded, in the base currency (EUR): "
        "kept with the review and never changed by later writes. Only totals are kept, and "
        "restricted support counts in them for everyone, as it does in `coverage`, so it is "
        "shown to everyone who may read the review, without redaction."
    )
)
class PlanSnapshot:
    taken_at: datetime = strawberry.field(description="When the figures were read.")
    total: CoverageFigures = strawberry.field(
        description="The plan's coverage then, as `coverage` filtered to the plan answered."
    )
    by_category: list[CoverageFigures] = strawberry.field(
        description="The same figures per category (categories with objectives only)."
    )
    gaps: int = strawberry.field(
        description=(
            "How many of its objectives had nothing committed to them then (`aidGaps` with "
            "threshold 0)."
        )
    )
    overlaps: int = strawberry.field(
        description=(
            "How many of its objectives had support from several contributors at once then "
            "(`aidOverlaps` over all time)."
        )
    )

    @staticmethod
    def of(found: review_commands.PlanSnapshot) -> PlanSnapshot:
        return PlanSnapshot(
            taken_at=found.taken_at,
            total=CoverageFigures.of(None, found.total),
            by_category=[CoverageFigures.of(c, value) for c, value in found.by_category],
            gaps=found.gaps,
            overlaps=found.overlaps,
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
        description=(
            "The plan's figures as they stood when the review was recorded, whatever changed "
            "since; null for reviews recorded before snapshots were kept."
        ),
        metadata=resolved("kept on the record itself (resolvers/review_commands.py)"),
    )
    def snapshot(self) -> PlanSnapshot | None:
        stored = self.row.snapshot
        if stored is None:
            return None
        return PlanSnapshot.of(review_commands.PlanSnapshot.parse(stored))

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
