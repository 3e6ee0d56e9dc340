"""Funds: trust funds, pooled funds and executing agencies through which support passes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import funds, participants
from resolvers.context import Context
from resolvers.errors import require
from schema.enums import FundForm
from schema.money import Money

if TYPE_CHECKING:
    from schema.participant import Participant

Info = strawberry.Info[Context, None]


@strawberry.type(
    description=(
        "What a fund holds in one currency: received from donors, passed on by its live "
        "allocations, and left to allocate. Counted over the contributions into it whose detail "
        "you may see (all of them for its manager and the secretariat)."
    )
)
class FundHolding:
    currency: str = strawberry.field(description="ISO 4217 currency code.")
    received: Money = strawberry.field(description="Given into the fund, not withdrawn.")
    allocated: Money = strawberry.field(
        description="Drawn by the fund's live allocations (to objectives or other funds)."
    )
    available: Money = strawberry.field(description="Received and not yet allocated.")

    @staticmethod
    def of(row: funds.Holding) -> FundHolding:
        def money(amount: Decimal) -> Money:
            found = Money.of(amount, row.currency)
            assert found is not None
            return found

        return FundHolding(
            currency=row.currency,
            received=money(row.received),
            allocated=money(row.allocated),
            available=money(row.available),
        )


@strawberry.type(
    description=(
        "A fund's details: how it works, who manages it and leads it, whom it serves, and what "
        "it holds. Donors contribute into it; its manager allocates what it received to "
        "objectives, and each euro counts once, where it arrives."
    )
)
class Fund:
    form: FundForm = strawberry.field(description="Trust fund, pooled fund or executing agency.")
    established_on: date | None = strawberry.field(description="When it was set up, if known.")
    purpose: str | None = strawberry.field(description="What it is for.")
    reference: str | None = strawberry.field(description="Its reference in its manager's books.")
    row: strawberry.Private[funds.Fund]

    @staticmethod
    def from_row(row: funds.Fund) -> Fund:
        return Fund(
            form=row.form,
            established_on=row.established_on,
            purpose=row.purpose,
            reference=row.reference,
            row=row,
        )

    @strawberry.field(
        description="Whose tokens act for the fund: it allocates what the fund received."
    )
    async def manager(
        self, info: Info
    ) -> Annotated[Participant, strawberry.lazy("schema.participant")]:
        from schema.participant import Participant

        found = await participants.by_id(info.context, self.row.manager_id)
        return Participant.from_row(require(found, "manager"))

    @strawberry.field(description="The nations that lead it, in the order they were recorded.")
    async def lead_nations(
        self, info: Info
    ) -> list[Annotated[Participant, strawberry.lazy("schema.participant")]]:
        from schema.participant import Participant

        return [Participant.from_row(row) for row in await funds.leads(info.context, self.row)]

    @strawberry.field(description="The partner it serves, when it serves one.")
    async def beneficiary(
        self, info: Info
    ) -> Annotated[Participant, strawberry.lazy("schema.participant")] | None:
        from schema.participant import Participant

        if self.row.beneficiary_id is None:
            return None
        found = await participants.by_id(info.context, self.row.beneficiary_id)
        return None if found is None else Participant.from_row(found)

    @strawberry.field(description="What it holds, by currency, in the order of the codes.")
    async def holdings(self, info: Info) -> list[FundHolding]:
        return [FundHolding.of(row) for row in await funds.holdings(info.context, self.row)]
