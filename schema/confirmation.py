"""Confirmations: the recipient partner's account of a contribution, and reconciliation."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import confirmations
from resolvers.context import Context
from resolvers.contributions import ContributionFilter
from resolvers.errors import comparable
from schema.enums import ConfirmationStage, ConfirmationVerdict, ReconciliationState
from schema.money import Money

if TYPE_CHECKING:
    from schema.contribution import Contribution
    from schema.participant import Participant

Info = strawberry.Info[Context, None]


@strawberry.type(
    description=(
        "The recipient partner's own account of a contribution: confirmed (what it received or "
        "what was delivered, and when) or disputed (and why). The contributor's report stays as "
        "it is beside it."
    )
)
class Confirmation:
    verdict: ConfirmationVerdict = strawberry.field(description="Confirmed or disputed.")
    stage: ConfirmationStage | None = strawberry.field(
        description="RECEIVED (funding) or DELIVERED (in kind); null for a dispute."
    )
    amount: Money | None = strawberry.field(
        description="The amount the recipient records; null for a dispute."
    )
    on: date = strawberry.field(
        description="The day received or delivered, or the day it was disputed."
    )
    reason: str | None = strawberry.field(
        description="Why it is disputed, or the recipient's note on a confirmation."
    )
    of_version: int = strawberry.field(
        description="The contribution's version it answers: older than the current one when "
        "the contribution changed since."
    )
    recorded_at: datetime = strawberry.field(description="When it was recorded.")
    recorded_by_id: strawberry.Private[int]

    @staticmethod
    def of(row: confirmations.Confirmation) -> Confirmation:
        return Confirmation(
            verdict=row.verdict,
            stage=row.stage,
            amount=Money.of(row.amount, row.currency),
            on=row.on,
            reason=row.reason,
            of_version=row.of_version,
            recorded_at=row.created_at,
            recorded_by_id=row.recorded_by_id,
        )

    @strawberry.field(description="Who recorded it: the recipient partner, or a fund's manager.")
    async def recorded_by(
        self, info: Info
    ) -> Annotated[Participant, strawberry.lazy("schema.participant")] | None:
        from schema.participant import Participant

        return await Participant.by_id(info, self.recorded_by_id)


@strawberry.type(description="A contribution whose two accounts need reconciling, and why.")
class ReconciliationItem:
    contribution: Annotated[Contribution, strawberry.lazy("schema.contribution")] = (
        strawberry.field(description="The contribution.")
    )
    state: ReconciliationState = strawberry.field(description="Why it is listed.")
    reported: Money = strawberry.field(description="The amount its contributor reported.")
    confirmed: Money | None = strawberry.field(
        description="The amount its recipient confirmed; null when none is (or on a dispute)."
    )
    days_unconfirmed: int | None = strawberry.field(
        description="Days since its period started, while the recipient has recorded nothing; "
        "null once it has."
    )

    @staticmethod
    def of(info: Info, entry: confirmations.Entry) -> ReconciliationItem:
        from schema.contribution import Contribution

        row = entry.contribution
        confirmation = entry.confirmation
        reported = Money.of(row.amount, row.currency)
        assert reported is not None
        return ReconciliationItem(
            contribution=Contribution.from_row(row, info.context.caller),
            state=entry.state,
            reported=reported,
            confirmed=None
            if confirmation is None
            else Money.of(confirmation.amount, confirmation.currency),
            days_unconfirmed=entry.days_unconfirmed,
        )


@strawberry.input(description="Narrows the reconciliation list; every condition must hold.")
class ReconciliationFilter:
    partners: list[str] | None = strawberry.field(
        default=None, description="Support to these partners (recipients), by participant code."
    )
    contributors: list[str] | None = strawberry.field(
        default=None, description="Support from these contributors, by participant code."
    )
    states: list[ReconciliationState] | None = strawberry.field(
        default=None, description="Only contributions in these states (default: all four)."
    )

    @staticmethod
    def of(value: ReconciliationFilter | None) -> ContributionFilter:
        value = value or ReconciliationFilter()
        return ContributionFilter(
            partner_codes=_codes(value.partners, "filter.partners"),
            contributor_codes=_codes(value.contributors, "filter.contributors"),
        )

    @staticmethod
    def states_of(value: ReconciliationFilter | None) -> tuple[ReconciliationState, ...]:
        return tuple((value.states if value else None) or ())


def _codes(values: list[str] | None, argument: str) -> tuple[str, ...]:
    return tuple(comparable(argument, value).strip().upper() for value in values or ())
