"""The root mutation: every write entry point. Each takes one `input` and returns a payload whose
`userErrors` say, as data, why nothing was written."""

from __future__ import annotations

import strawberry

from resolvers.context import Context
from schema import confirmation_mutations as confirmations
from schema import contribution_mutations as contributions
from schema import objective_mutations as objectives
from schema import plan_mutations as plans

Info = strawberry.Info[Context, None]


@strawberry.type(description="Register and maintain contributions, plans, objectives and reviews.")
class Mutation:
    @strawberry.mutation(
        description=(
            "Register support towards an objective, into a fund, or earmarked to a plan "
            "(from you, or by the secretariat on a contributor's behalf)."
        )
    )
    async def register_contribution(
        self, info: Info, input: contributions.RegisterContributionInput
    ) -> contributions.RegisterContributionPayload:
        return await contributions.register(info, input)

    @strawberry.mutation(
        description=(
            "Pass pooled support on to an objective (or another fund), drawing on what was given "
            "into a fund or earmarked to a plan; each euro then counts once, where it arrives."
        )
    )
    async def allocate_contribution(
        self, info: Info, input: contributions.AllocateContributionInput
    ) -> contributions.RegisterContributionPayload:
        return await contributions.allocate(info, input)

    @strawberry.mutation(description="Change one of your contributions.")
    async def update_contribution(
        self, info: Info, input: contributions.UpdateContributionInput
    ) -> contributions.ContributionPayload:
        return await contributions.update(info, input)

    @strawberry.mutation(
        description=(
            "Record a delivery (or disbursement) of part of one of your contributions' commitment."
        )
    )
    async def record_delivery(
        self, info: Info, input: contributions.RecordDeliveryInput
    ) -> contributions.RecordDeliveryPayload:
        return await contributions.record_delivery(info, input)

    @strawberry.mutation(description="Withdraw one of your contributions (it stays on record).")
    async def withdraw_contribution(
        self, info: Info, input: contributions.WithdrawContributionInput
    ) -> contributions.ContributionPayload:
        return await contributions.withdraw(info, input)

    @strawberry.mutation(
        description=(
            "Confirm, as its recipient (the partner, or a fund's manager), that a contribution "
            "was received or delivered. The contribution stays as reported; both accounts are "
            "kept."
        )
    )
    async def confirm_contribution(
        self, info: Info, input: confirmations.ConfirmContributionInput
    ) -> confirmations.ConfirmationPayload:
        return await confirmations.confirm(info, input)

    @strawberry.mutation(
        description=(
            "Dispute, as its recipient (the partner, or a fund's manager), a contribution, "
            "with a reason."
        )
    )
    async def dispute_contribution(
        self, info: Info, input: confirmations.DisputeContributionInput
    ) -> confirmations.ConfirmationPayload:
        return await confirmations.dispute(info, input)

    @strawberry.mutation(description="Create a plan for a partner (secretariat only).")
    async def create_plan(self, info: Info, input: plans.CreatePlanInput) -> plans.PlanPayload:
        return await plans.create(info, input)

    @strawberry.mutation(description="Change a plan (the secretariat, or the partner's own).")
    async def update_plan(self, info: Info, input: plans.UpdatePlanInput) -> plans.PlanPayload:
        return await plans.update(info, input)

    @strawberry.mutation(description="Add an objective to a plan.")
    async def add_objective(
        self, info: Info, input: objectives.AddObjectiveInput
    ) -> objectives.ObjectivePayload:
        return await objectives.add(info, input)

    @strawberry.mutation(description="Change an objective.")
    async def update_objective(
        self, info: Info, input: objectives.UpdateObjectiveInput
    ) -> objectives.ObjectivePayload:
        return await objectives.update(info, input)

    @strawberry.mutation(description="Record a periodic review of a plan.")
    async def record_plan_review(
        self, info: Info, input: plans.RecordPlanReviewInput
    ) -> plans.RecordPlanReviewPayload:
        return await plans.record_review(info, input)

    @strawberry.mutation(
        description=(
            "Move an IPAP or IPCP to an ITPP (secretariat only): the old plan is superseded, its "
            "open objectives carried over and linked to their originals; contributions stay "
            "where they are and show on both."
        )
    )
    async def transition_plan(
        self, info: Info, input: plans.TransitionPlanInput
    ) -> plans.TransitionPlanPayload:
        return await plans.transition(info, input)
