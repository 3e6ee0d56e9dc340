"""Recording a periodic review of a plan, with an assessment of each objective reviewed and a
snapshot of the plan's figures as they stood then."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolvers import analysis, coverage, gaps
from resolvers.commands import Outcome, global_id, input_text, log, reject, run
from resolvers.context import Context
from resolvers.plan_commands import IN_FORCE, editable_plan
from store import objectives, reviews, tallies
from store.base import snapshot, utcnow
from store.enums import Assessment, Category, ChangeAction
from store.plans import Plan
from store.reviews import ObjectiveAssessment, Review
from store.tallies import LineFilter

SUMMARY_LIMIT = 10000
COMMENT_LIMIT = 2000


@dataclass(frozen=True)
class AssessmentEntry:
    objective_id: str
    assessment: Assessment
    comment: str | None = None


@dataclass(frozen=True)
class NewReview:
    plan_id: str
    reviewed_on: date
    summary: str
    assessments: list[AssessmentEntry] = field(default_factory=list)


async def record(context: Context, entry: NewReview) -> Outcome[Review]:
    async def work(session: AsyncSession) -> Outcome[Review]:
        plan = await editable_plan(session, context, "planId", entry.plan_id)
        if plan.status not in IN_FORCE:
            raise reject("planId", f"is {plan.status.name}: only a plan in force is reviewed")
        if entry.reviewed_on > context.today:
            raise reject("reviewedOn", "is in the future: record a review once it took place")
        own = {objective.id for objective in await objectives.of_plan(session, plan.id)}
        assessed: list[ObjectiveAssessment] = []
        for n, item in enumerate(entry.assessments):
            path = f"assessments.{n}.objectiveId"
            objective_id = global_id(path, item.objective_id, "Objective")
            if objective_id not in own:
                raise reject(path, "is not an objective of this plan")
            if any(done.objective_id == objective_id for done in assessed):
                raise reject(path, "is assessed twice")
            assessed.append(
                ObjectiveAssessment(
                    objective_id=objective_id,
                    assessment=item.assessment,
                    comment=input_text(
                        f"assessments.{n}.comment", item.comment, COMMENT_LIMIT, prose=True
                    ),
                )
            )
        summary = input_text("summary", entry.summary, SUMMARY_LIMIT, required=True)
        # Read in this transaction, so the figures are those the review was recorded against.
        now = utcnow()
        figures = await figures_of(session, plan, now)
        row = await reviews.add(
            session,
            Review(
                plan_id=plan.id,
                reviewed_on=entry.reviewed_on,
                summary=summary,
                snapshot=figures.stored(),
                created_at=now,
                updated_at=now,
            ),
            assessed,
        )
        detail = {"assessments": [snapshot(item) for item in assessed]}
        await log(context, session, row, ChangeAction.CREATED, None, detail)
        return Outcome(row)

    return await run(context, work)


@dataclass(frozen=True)
class PlanSnapshot:
    """A plan's figures as they stood at `taken_at`, in the base currency: its coverage in total
    and by category (as `coverage` with the plan as its only filter answers), and how many of its
    objectives were gaps (nothing committed, as `aidGaps` at threshold 0) and overlaps (as
    `aidOverlaps` over all time)."""

    taken_at: datetime
    total: analysis.Coverage
    by_category: list[tuple[Category, analysis.Coverage]]
    gaps: int
    overlaps: int

    def stored(self) -> dict[str, Any]:
        """As the review keeps it: plain JSON, amounts as decimal strings."""
        return {
            "takenAt": self.taken_at.isoformat(),
            "currency": analysis.BASE_CURRENCY,
            "total": _stored(self.total),
            "byCategory": [
                {"category": category.name, **_stored(value)}
                for category, value in self.by_category
            ],
            "gaps": self.gaps,
            "overlaps": self.overlaps,
        }

    @classmethod
    def parse(cls, stored: dict[str, Any]) -> PlanSnapshot:
        """A snapshot as `stored` wrote it."""
        return cls(
            taken_at=datetime.fromisoformat(stored["takenAt"]),
            total=_parsed(stored["total"]),
            by_category=[
                (Category[item["category"]], _parsed(item)) for item in stored["byCategory"]
            ],
            gaps=int(stored["gaps"]),
            overlaps=int(stored["overlaps"]),
        )


async def figures_of(session: AsyncSession, plan: Plan, taken_at: datetime) -> PlanSnapshot:
    """The plan's figures now, from its stored tallies (one statement), read in `session`."""
    criteria = LineFilter(plan_ids=[plan.id])
    lines = await tallies.rows(session, tallies.select_lines(criteria))
    covered = coverage.reported(criteria, [(tally, head.category) for tally, head, _ in lines])
    return PlanSnapshot(
        taken_at=taken_at,
        total=covered.total,
        by_category=covered.by_category,
        # What aidGaps lists at threshold 0, and tallies.overlapping at minimum 2.
        gaps=sum(
            1
            for tally, head, in_plan in lines
            if gaps.lacking(tally, head, in_plan, analysis.ZERO) is not None
        ),
        overlaps=sum(1 for tally, _, _ in lines if tally.overlap_contributors >= 2),
    )


def _stored(value: analysis.Coverage) -> dict[str, Any]:
    return {
        "requirement": str(value.requirement),
        "pledged": str(value.pledged),
        "committed": str(value.committed),
        "disbursed": str(value.disbursed),
        "objectives": value.objectives,
        "ratio": None if value.ratio is None else str(value.ratio),
    }


def _parsed(stored: dict[str, Any]) -> analysis.Coverage:
    ratio = stored["ratio"]
    return analysis.Coverage(
        requirement=Decimal(stored["requirement"]),
        pledged=Decimal(stored["pledged"]),
        committed=Decimal(stored["committed"]),
        disbursed=Decimal(stored["disbursed"]),
        objectives=int(stored["objectives"]),
        ratio=None if ratio is None else Decimal(ratio),
    )
