"""Mutations on plans: create, update, transition to an ITPP, record a review."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import strawberry

from resolvers import plan_commands, review_commands
from resolvers.context import Context
from schema.enums import Assessment, DatePrecision, PlanKind, PlanStatus
from schema.objective import Objective
from schema.plan import Plan
from schema.review import Review
from schema.user_errors import UserError, provided, user_errors

if TYPE_CHECKING:
    from resolvers.commands import Outcome
    from resolvers.plans import Plan as PlanRow

Info = strawberry.Info[Context, None]


@strawberry.input(description="A new plan for a partner (secretariat only).")
class CreatePlanInput:
    partner: str = strawberry.field(description="The partner's code, e.g. GE.")
    kind: PlanKind = strawberry.field(description="IPAP, IPCP or ITPP.")
    title: str = strawberry.field(description="Title.")
    code: str | None = strawberry.field(
        default=None, description="Unique code; PARTNER-KIND-YEAR when omitted."
    )
    summary: str | None = strawberry.field(default=None, description="What the plan is about.")
    status: PlanStatus = strawberry.field(
        default=PlanStatus.DRAFT, description="DRAFT, AGREED or ACTIVE."
    )
    agreed_on: date | None = strawberry.field(default=None, description="Required unless DRAFT.")
    agreed_on_precision: DatePrecision = strawberry.field(
        default=DatePrecision.DAY, description="How much of agreedOn is known."
    )
    starts_on: date | None = strawberry.field(default=None, description="Start of the period.")
    ends_on: date | None = strawberry.field(default=None, description="End of the period.")


@strawberry.type(description="The result of createPlan or updatePlan.")
class PlanPayload:
    plan: Plan | None = strawberry.field(description="The plan as it now is.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


@strawberry.input(description="Changes to a plan; absent fields stay as they are.")
class UpdatePlanInput:
    id: strawberry.ID = strawberry.field(description="The plan.")
    expected_version: int = strawberry.field(description="The version you read.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="Title.")
    summary: str | None = strawberry.field(default=strawberry.UNSET, description="Summary.")
    status: PlanStatus | None = strawberry.field(
        default=strawberry.UNSET,
        description="Next status: DRAFT → AGREED → ACTIVE ⇄ UNDER_REVIEW → CLOSED.",
    )
    agreed_on: date | None = strawberry.field(default=strawberry.UNSET, description="Agreed on.")
    agreed_on_precision: DatePrecision | None = strawberry.field(
        default=strawberry.UNSET, description="Precision of agreedOn."
    )
    starts_on: date | None = strawberry.field(default=strawberry.UNSET, description="Start.")
    ends_on: date | None = strawberry.field(default=strawberry.UNSET, description="End.")


@strawberry.input(description="Move an IPAP or IPCP to an ITPP (secretariat only).")
class TransitionPlanInput:
    plan_id: strawberry.ID = strawberry.field(description="The IPAP or IPCP in force.")
    code: str | None = strawberry.field(
        default=None, description="Code of the new ITPP; PARTNER-ITPP-YEAR when omitted."
    )
    title: str | None = strawberry.field(default=None, description="Title of the new ITPP.")
    summary: str | None = strawberry.field(default=None, description="Summary of the new ITPP.")
    status: PlanStatus = strawberry.field(
        default=PlanStatus.AGREED, description="Status of the new ITPP."
    )
    agreed_on: date | None = strawberry.field(default=None, description="When it was agreed.")
    agreed_on_precision: DatePrecision = strawberry.field(
        default=DatePrecision.DAY, description="How much of agreedOn is known."
    )
    starts_on: date | None = strawberry.field(default=None, description="Start of its period.")
    ends_on: date | None = strawberry.field(default=None, description="End of its period.")


@strawberry.type(description="The result of transitionPlan.")
class TransitionPlanPayload:
    plan: Plan | None = strawberry.field(description="The new ITPP.")
    predecessor: Plan | None = strawberry.field(description="The plan it supersedes.")
    carried_over: list[Objective] = strawberry.field(
        description="The open objectives carried over, each linked to its original."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


@strawberry.input(description="One objective's assessment in a review.")
class AssessmentInput:
    objective_id: strawberry.ID = strawberry.field(description="An objective of the plan.")
    assessment: Assessment = strawberry.field(description="The verdict.")
    comment: str | None = strawberry.field(default=None, description="Why.")


@strawberry.input(description="A periodic review of a plan that took place.")
class RecordPlanReviewInput:
    plan_id: strawberry.ID = strawberry.field(description="The plan reviewed.")
    reviewed_on: date = strawberry.field(description="When.")
    summary: str = strawberry.field(description="What it concluded.")
    assessments: list[AssessmentInput] = strawberry.field(
        default_factory=list, description="Per-objective assessments."
    )


@strawberry.type(description="The result of recordPlanReview.")
class RecordPlanReviewPayload:
    review: Review | None = strawberry.field(description="The review recorded.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


def _plan(outcome: Outcome[PlanRow]) -> PlanPayload:
    plan = None if outcome.result is None else Plan.from_row(outcome.result)
    return PlanPayload(plan=plan, user_errors=user_errors(outcome))


async def create(info: Info, input: CreatePlanInput) -> PlanPayload:
    entry = plan_commands.NewPlan(**vars(input))
    return _plan(await plan_commands.create(info.context, entry))


async def update(info: Info, input: UpdatePlanInput) -> PlanPayload:
    fields = provided(input, "id", "expected_version")
    return _plan(await plan_commands.update(info.context, input.id, input.expected_version, fields))


async def transition(info: Info, input: TransitionPlanInput) -> TransitionPlanPayload:
    outcome = await plan_commands.transition(info.context, plan_commands.Transition(**vars(input)))
    done = outcome.result
    return TransitionPlanPayload(
        plan=None if done is None else Plan.from_row(done.plan),
        predecessor=None if done is None else Plan.from_row(done.predecessor),
        carried_over=[] if done is None else [Objective.from_row(o) for o in done.carried_over],
        user_errors=user_errors(outcome),
    )


async def record_review(info: Info, input: RecordPlanReviewInput) -> RecordPlanReviewPayload:
    entry = review_commands.NewReview(
        plan_id=input.plan_id,
        reviewed_on=input.reviewed_on,
        summary=input.summary,
        assessments=[
            review_commands.AssessmentEntry(item.objective_id, item.assessment, item.comment)
            for item in input.assessments
        ],
    )
    outcome = await review_commands.record(info.context, entry)
    review = None if outcome.result is None else Review.from_row(outcome.result)
    return RecordPlanReviewPayload(review=review, user_errors=user_errors(outcome))
