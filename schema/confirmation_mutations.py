"""Mutations of the recipient partner: confirm or dispute a contribution to it."""

from __future__ import annotations

from datetime import date

import strawberry

from resolvers import confirmation_commands as commands
from resolvers.context import Context
from resolvers.vocabulary import ConfirmationVerdict
from schema.confirmation import Confirmation
from schema.contribution import Contribution
from schema.enums import ConfirmationStage
from schema.user_errors import MoneyInput, UserError, user_errors

Info = strawberry.Info[Context, None]

KEY = (
    "Any unique string of yours (a UUID). Retrying with the same key and input returns the first "
    "result and writes nothing; the same key with other input is refused."
)


@strawberry.input(
    description=(
        "Confirm, as its recipient (the partner, or a fund's manager), that support arrived: "
        "funding RECEIVED or in-kind support DELIVERED, with the amount and the day you record."
    )
)
class ConfirmContributionInput:
    id: strawberry.ID = strawberry.field(description="The contribution.")
    expected_version: int = strawberry.field(
        description="The contribution's version you read: if it changed since, nothing is written."
    )
    stage: ConfirmationStage = strawberry.field(
        description="RECEIVED for funding, DELIVERED for in-kind support."
    )
    amount: MoneyInput = strawberry.field(
        description="The amount you received, or the value delivered, as you record it."
    )
    on: date = strawberry.field(description="The day it was received or delivered (not later).")
    note: str | None = strawberry.field(default=None, description="A note for the record.")
    idempotency_key: str | None = strawberry.field(default=None, description=KEY)


@strawberry.input(
    description="Dispute, as its recipient (the partner, or a fund's manager), a contribution."
)
class DisputeContributionInput:
    id: strawberry.ID = strawberry.field(description="The contribution.")
    expected_version: int = strawberry.field(
        description="The contribution's version you read: if it changed since, nothing is written."
    )
    reason: str = strawberry.field(description="Why: what did not arrive, or differs.")
    on: date = strawberry.field(description="The day of the dispute (not later than today).")
    idempotency_key: str | None = strawberry.field(default=None, description=KEY)


@strawberry.type(description="The result of confirmContribution or disputeContribution.")
class ConfirmationPayload:
    confirmation: Confirmation | None = strawberry.field(
        description="What was recorded (or, on a retry, recorded the first time)."
    )
    contribution: Contribution | None = strawberry.field(
        description="The contribution, unchanged: its contributor's report stays as it was."
    )
    replayed: bool = strawberry.field(
        description="True when this is the stored result of an earlier call with the same key."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was recorded.")


async def confirm(info: Info, input: ConfirmContributionInput) -> ConfirmationPayload:
    amount, currency = input.amount.pair()
    account = commands.Account(
        contribution_id=input.id,
        expected_version=input.expected_version,
        verdict=ConfirmationVerdict.CONFIRMED,
        on=input.on,
        stage=input.stage,
        amount=amount,
        currency=currency,
        reason=input.note,
    )
    return await _payload(info, account, input.idempotency_key)


async def dispute(info: Info, input: DisputeContributionInput) -> ConfirmationPayload:
    account = commands.Account(
        contribution_id=input.id,
        expected_version=input.expected_version,
        verdict=ConfirmationVerdict.DISPUTED,
        on=input.on,
        reason=input.reason,
    )
    return await _payload(info, account, input.idempotency_key)


async def _payload(
    info: Info, account: commands.Account, idempotency_key: str | None
) -> ConfirmationPayload:
    outcome = await commands.record(info.context, account, idempotency_key)
    row = outcome.result
    contribution = None
    if row is not None:
        found = await info.context.loaders.contribution.load(row.contribution_id)
        contribution = None if found is None else Contribution.from_row(found, info.context.caller)
    return ConfirmationPayload(
        confirmation=None if row is None else Confirmation.of(row),
        contribution=contribution,
        replayed=outcome.replayed,
        user_errors=user_errors(outcome),
    )
