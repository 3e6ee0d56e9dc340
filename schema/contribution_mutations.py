"""Mutations on contributions: register, allocate, update, record a delivery, withdraw."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import strawberry

from resolvers import allocation_commands as allocating
from resolvers import contribution_commands as commands
from resolvers import delivery_commands as delivering
from resolvers.context import Context
from schema.contribution import Contribution, seen_by
from schema.enums import Category, ContributionKind, ContributionStatus, Visibility
from schema.item import ContributionItemInput
from schema.tranche import TrancheInput
from schema.user_errors import MoneyInput, UserError, provided, user_errors

if TYPE_CHECKING:
    from resolvers.commands import Outcome
    from resolvers.contributions import Contribution as ContributionRow

Info = strawberry.Info[Context, None]


@strawberry.input(
    description=(
        "Support to register, from you (or, for the secretariat, on a contributor's behalf). It "
        "goes to one objective, or is pooled: given into a fund (`fund`), or earmarked to a plan "
        "(`planId`, optionally a `category` of it) and allocated to objectives later "
        "(allocateContribution)."
    )
)
class RegisterContributionInput:
    kind: ContributionKind = strawberry.field(description="What is given.")
    objective_id: strawberry.ID | None = strawberry.field(
        default=None, description="The objective supported (leave out for pooled support)."
    )
    fund: str | None = strawberry.field(
        default=None,
        description=(
            "Give into this fund (its participant code). The fund's allocations carry the money "
            "on to objectives; it counts once, where it arrives."
        ),
    )
    plan_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "Earmark to this plan: without `fund`, the support waits to be allocated to the "
            "plan's objectives; with it, the fund may allocate it only there."
        ),
    )
    category: Category | None = strawberry.field(
        default=None, description="Earmark to this category of the plan (with planId)."
    )
    earmarked_objective_id: strawberry.ID | None = strawberry.field(
        default=None, description="With `fund`: the fund may allocate it to this objective only."
    )
    on_behalf_of: str | None = strawberry.field(
        default=None,
        description=(
            "Secretariat only: the participant (by code) whose support this is, reported on its "
            "behalf (`reportedBy` records who reported it; the contributor may take it over by "
            "updating it)."
        ),
    )
    amount: MoneyInput = strawberry.field(
        description="Amount, or the estimated value of in-kind support."
    )
    starts_on: date = strawberry.field(description="First day of the support.")
    ends_on: date | None = strawberry.field(default=None, description="Last day, if known.")
    valued_on: date | None = strawberry.field(
        default=None, description="Date whose exchange rate values the amount (default startsOn)."
    )
    status: ContributionStatus = strawberry.field(
        default=ContributionStatus.PLEDGED, description="PLEDGED unless already further along."
    )
    visibility: Visibility = strawberry.field(
        default=Visibility.PUBLIC,
        description=(
            "RESTRICTED hides its detail (contributor, amount, currency, reference, "
            "description) from all but the contributor, the recipient and the secretariat."
        ),
    )
    description: str | None = strawberry.field(default=None, description="What it consists of.")
    external_reference: str | None = strawberry.field(
        default=None, description="Your own reference: registering it twice is refused."
    )
    pledged_on: date | None = strawberry.field(
        default=None, description="The day it was pledged, if before today (default today)."
    )
    committed: MoneyInput | None = strawberry.field(
        default=None,
        description=(
            "Part of the amount already committed, in its currency (status COMMITTED commits "
            "all of it)."
        ),
    )
    committed_on: date | None = strawberry.field(
        default=None, description="When `committed` was committed (default today)."
    )
    schedule: list[TrancheInput] | None = strawberry.field(
        default=None,
        description="Planned tranches, in its currency: together no more than the amount.",
    )
    items: list[ContributionItemInput] | None = strawberry.field(
        default=None,
        description=(
            "In-kind line items (not for FUNDING): their values must add up to the amount."
        ),
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description=(
            "Any unique string of yours (a UUID). Retrying with the same key and input returns "
            "the first result and writes nothing; the same key with other input is refused."
        ),
    )


@strawberry.type(description="The result of registerContribution.")
class RegisterContributionPayload:
    contribution: Contribution | None = strawberry.field(
        description="The contribution registered (or, on a retry, registered the first time)."
    )
    replayed: bool = strawberry.field(
        description="True when this is the stored result of an earlier call with the same key."
    )
    user_errors: list[UserError] = strawberry.field(description="Why it was not registered.")


@strawberry.input(
    description="Changes to one of your contributions; absent fields stay as they are."
)
class UpdateContributionInput:
    id: strawberry.ID = strawberry.field(description="The contribution.")
    expected_version: int = strawberry.field(
        description="The version you read: if it changed since, nothing is written."
    )
    kind: ContributionKind | None = strawberry.field(default=strawberry.UNSET, description="Kind.")
    amount: MoneyInput | None = strawberry.field(default=strawberry.UNSET, description="Amount.")
    status: ContributionStatus | None = strawberry.field(
        default=strawberry.UNSET, description="A later status (PLEDGED → COMMITTED → DISBURSED)."
    )
    visibility: Visibility | None = strawberry.field(
        default=strawberry.UNSET, description="Visibility."
    )
    starts_on: date | None = strawberry.field(default=strawberry.UNSET, description="Start.")
    ends_on: date | None = strawberry.field(default=strawberry.UNSET, description="End.")
    valued_on: date | None = strawberry.field(default=strawberry.UNSET, description="Valuation.")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="Description.")
    external_reference: str | None = strawberry.field(
        default=strawberry.UNSET, description="Your own reference."
    )
    pledged_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="The day it was pledged."
    )
    committed: MoneyInput | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "How much of the amount is committed, in its currency: no less than is delivered "
            "already (status COMMITTED commits all of it)."
        ),
    )
    committed_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="When it was committed."
    )
    schedule: list[TrancheInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="The planned tranches, replacing those planned before ([] for none).",
    )
    items: list[ContributionItemInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="The in-kind line items, replacing those listed before ([] for none).",
    )


@strawberry.type(description="The result of updateContribution or withdrawContribution.")
class ContributionPayload:
    contribution: Contribution | None = strawberry.field(
        description="The contribution as it now is."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


@strawberry.input(description="Withdraw one of your contributions. It stays on record.")
class WithdrawContributionInput:
    id: strawberry.ID = strawberry.field(description="The contribution.")
    expected_version: int = strawberry.field(description="The version you read.")
    reason: str | None = strawberry.field(default=None, description="Why, for the record.")


async def register(info: Info, input: RegisterContributionInput) -> RegisterContributionPayload:
    amount, currency = input.amount.pair()
    entry = commands.Registration(
        objective_id=input.objective_id,
        fund_code=input.fund,
        plan_id=input.plan_id,
        category=input.category,
        earmarked_objective_id=input.earmarked_objective_id,
        on_behalf_of=input.on_behalf_of,
        kind=input.kind,
        amount=amount,
        currency=currency,
        starts_on=input.starts_on,
        ends_on=input.ends_on,
        valued_on=input.valued_on,
        status=input.status,
        visibility=input.visibility,
        description=input.description,
        external_reference=input.external_reference,
        pledged_on=input.pledged_on,
        committed=None if input.committed is None else input.committed.pair(),
        committed_on=input.committed_on,
        schedule=input.schedule,
        items=input.items,
    )
    outcome = await commands.register(info.context, entry, input.idempotency_key)
    return _registered(info, outcome)


async def update(info: Info, input: UpdateContributionInput) -> ContributionPayload:
    fields = provided(input, "id", "expected_version")
    outcome = await commands.update(info.context, input.id, input.expected_version, fields)
    return _payload(info, outcome)


@strawberry.input(
    description=(
        "Record that part of a contribution's commitment was delivered (or, for funding, "
        "disbursed): by its contributor, or whoever reports for it."
    )
)
class RecordDeliveryInput:
    id: strawberry.ID = strawberry.field(description="The contribution.")
    expected_version: int = strawberry.field(
        description="The version you read: if it changed since, nothing is written."
    )
    amount: MoneyInput = strawberry.field(
        description=(
            "How much, in the contribution's currency: with what was delivered before, no more "
            "than is committed."
        )
    )
    delivered_on: date = strawberry.field(
        description="The day it was delivered: not before the commitment, not after today."
    )
    note: str | None = strawberry.field(default=None, description="What was delivered.")
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="As for registerContribution: a retry with the same key writes nothing.",
    )


@strawberry.type(description="The result of recordDelivery.")
class RecordDeliveryPayload:
    contribution: Contribution | None = strawberry.field(
        description="The contribution with the delivery (on a retry: as the first call left it)."
    )
    replayed: bool = strawberry.field(
        description="True when this is the stored result of an earlier call with the same key."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


async def record_delivery(info: Info, input: RecordDeliveryInput) -> RecordDeliveryPayload:
    amount, currency = input.amount.pair()
    record = delivering.DeliveryRecord(amount, currency, input.delivered_on, input.note)
    outcome = await delivering.record_delivery(
        info.context, input.id, input.expected_version, record, input.idempotency_key
    )
    return RecordDeliveryPayload(
        contribution=_shown(info, outcome),
        replayed=outcome.replayed,
        user_errors=user_errors(outcome),
    )


async def withdraw(info: Info, input: WithdrawContributionInput) -> ContributionPayload:
    outcome = await commands.withdraw(info.context, input.id, input.expected_version, input.reason)
    return _payload(info, outcome)


def _shown(info: Info, outcome: Outcome[ContributionRow]) -> Contribution | None:
    return None if outcome.result is None else seen_by(info.context.caller)(outcome.result)


def _payload(info: Info, outcome: Outcome[ContributionRow]) -> ContributionPayload:
    return ContributionPayload(contribution=_shown(info, outcome), user_errors=user_errors(outcome))


def _registered(info: Info, outcome: Outcome[ContributionRow]) -> RegisterContributionPayload:
    return RegisterContributionPayload(
        contribution=_shown(info, outcome),
        replayed=outcome.replayed,
        user_errors=user_errors(outcome),
    )


@strawberry.input(description="Part of one pooled contribution that an allocation draws on.")
class DrawInput:
    contribution_id: strawberry.ID = strawberry.field(
        description="A contribution given into the fund, or earmarked to the plan."
    )
    amount: Decimal = strawberry.field(
        description="How much of it, in its currency: no more than is left of it."
    )


@strawberry.input(
    description=(
        "Pass pooled support on: a fund allocates what donors gave it (by its manager or the "
        "secretariat), or support earmarked to a plan reaches one of its objectives (by its "
        "contributor, the partner or the secretariat). The allocation is a contribution from "
        "the fund (or that contributor) whose amount is the sum of its draws, in their currency."
    )
)
class AllocateContributionInput:
    draws: list[DrawInput] = strawberry.field(
        description="The pooled contributions it is paid from, all in one pool and currency."
    )
    starts_on: date = strawberry.field(description="First day of the support.")
    objective_id: strawberry.ID | None = strawberry.field(
        default=None, description="The objective it reaches (or give `fund`)."
    )
    fund: str | None = strawberry.field(
        default=None, description="Another fund it goes into (by code), for a fund's money only."
    )
    kind: ContributionKind | None = strawberry.field(
        default=None, description="What is given (by default that of what it draws on)."
    )
    ends_on: date | None = strawberry.field(default=None, description="Last day, if known.")
    valued_on: date | None = strawberry.field(
        default=None, description="Date whose exchange rate values it (default startsOn)."
    )
    status: ContributionStatus = strawberry.field(
        default=ContributionStatus.PLEDGED, description="PLEDGED unless already further along."
    )
    visibility: Visibility = strawberry.field(
        default=Visibility.PUBLIC, description="RESTRICTED hides its detail, as for any support."
    )
    description: str | None = strawberry.field(default=None, description="What it consists of.")
    external_reference: str | None = strawberry.field(
        default=None, description="The giver's own reference: unique per giver."
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="As for registerContribution: a retry with the same key writes nothing.",
    )


async def allocate(info: Info, input: AllocateContributionInput) -> RegisterContributionPayload:
    entry = allocating.Allocation(
        draws=tuple(allocating.Portion(draw.contribution_id, draw.amount) for draw in input.draws),
        starts_on=input.starts_on,
        objective_id=input.objective_id,
        fund_code=input.fund,
        kind=input.kind,
        ends_on=input.ends_on,
        valued_on=input.valued_on,
        status=input.status,
        visibility=input.visibility,
        description=input.description,
        external_reference=input.external_reference,
    )
    outcome = await allocating.allocate(info.context, entry, input.idempotency_key)
    return _registered(info, outcome)
