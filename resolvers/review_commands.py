"""Recording a periodic review of a plan, with an assessment of each objective reviewed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from resolvers.commands import Outcome, global_id, input_text, log, reject, run
from resolvers.context import Context
from resolvers.plan_commands import IN_FORCE, editable_plan
from store import objectives, reviews
from store.base import snapshot
from store.enums import Assessment, ChangeAction
from store.reviews import ObjectiveAssessment, Review

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
        row = await reviews.add(
            session,
            Review(
                plan_id=plan.id,
                reviewed_on=entry.reviewed_on,
                summary=input_text("summary", entry.summary, SUMMARY_LIMIT, required=True),
            ),
            assessed,
        )
        detail = {"assessments": [snapshot(item) for item in assessed]}
        await log(context, session, row, ChangeAction.CREATED, None, detail)
        return Outcome(row)

    return await run(context, work)
