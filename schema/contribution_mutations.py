"""Mutations on contributions: register, update, withdraw."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import strawberry

from resolvers import contribution_commands as commands
from resolvers.context import Context
from schema.contribution import Contribution, seen_by
from schema.enums import ContributionKind, ContributionStatus, Visibility
from schema.user_errors import MoneyInput, UserError, provided, user_errors

if TYPE_CHECKING:
    from resolvers.commands import Outcome
    from resolvers.contributions import Contribution as ContributionRow

Info = strawberry.Info[Context, None]


@strawberry.input(description="Support to register, from you, towards one objective.")
class RegisterContributionInput:
    objective_id: strawberry.ID = strawberry.field(description="The objective supported.")
    kind: ContributionKind = strawberry.field(description="What is given.")
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
    )
    outcome = await commands.register(info.context, entry, input.idempotency_key)
    shown = None if outcome.result is None else seen_by(info.context.caller)(outcome.result)
    return RegisterContributionPayload(
        contribution=shown, replayed=outcome.replayed, user_errors=user_errors(outcome)
    )


async def update(info: Info, input: UpdateContributionInput) -> ContributionPayload:
    fields = provided(input, "id", "expected_version")
    outcome = await commands.update(info.context, input.id, input.expected_version, fields)
    return _payload(info, outcome)


async def withdraw(info: Info, input: WithdrawContributionInput) -> ContributionPayload:
    outcome = await commands.withdraw(info.context, input.id, input.expected_version, input.reason)
    return _payload(info, outcome)


def _payload(info: Info, outcome: Outcome[ContributionRow]) -> ContributionPayload:
    shown = None if outcome.result is None else seen_by(info.context.caller)(outcome.result)
    return ContributionPayload(contribution=shown, user_errors=user_errors(outcome))
