"""Deliveries: the parts of a contribution's commitment delivered (or disbursed), one by one."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers.context import Context
from resolvers.errors import require
from schema.money import Money
from store.stages import Delivery as DeliveryRow

if TYPE_CHECKING:
    from schema.participant import Participant

Info = strawberry.Info[Context, None]


@strawberry.type(
    description=(
        "One delivery of a contribution, or one disbursement of funding: part of its commitment, "
        "as recorded (recordDelivery)."
    )
)
class Delivery:
    amount: Money = strawberry.field(description="How much, in the contribution's currency.")
    delivered_on: date = strawberry.field(description="The day it was delivered or disbursed.")
    note: str | None = strawberry.field(description="What was delivered, in the reporter's words.")
    recorded_at: datetime = strawberry.field(description="When it was recorded.")
    recorded_by_id: strawberry.Private[int | None]

    @staticmethod
    def of(row: DeliveryRow, currency: str) -> Delivery:
        return Delivery(
            amount=require(Money.of(row.amount, currency), "amount"),
            delivered_on=row.on,
            note=row.note,
            recorded_at=row.recorded_at,
            recorded_by_id=row.recorded_by_id,
        )

    @strawberry.field(description="Who recorded it: the contributor, or who reports for it.")
    async def recorded_by(
        self, info: Info
    ) -> Annotated[Participant, strawberry.lazy("schema.participant")] | None:
        from schema.participant import Participant

        return await Participant.by_id(info, self.recorded_by_id)
