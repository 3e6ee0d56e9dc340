"""A partner's expected inflow, month by month."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import inflow
from resolvers.context import Context
from resolvers.errors import require
from schema.money import Money

if TYPE_CHECKING:
    from schema.participant import Participant

Info = strawberry.Info[Context, None]


@strawberry.type(description="What a partner can expect in one month, in the base currency.")
class MonthlyInflow:
    month: date = strawberry.field(description="The month, by its first day.")
    firm: Money = strawberry.field(description="Still to come of the firm tranches due in it.")
    indicative: Money = strawberry.field(
        description="Still to come of the indicative tranches due in it (planned, may move)."
    )
    total: Money = strawberry.field(description="Firm and indicative together.")


@strawberry.type(
    description=(
        "What a partner can still expect: the undelivered part of the tranches planned for it, "
        "by the month they fall due, and what is overdue already. Deliveries fill a schedule's "
        "tranches in the order they fall due. Each contribution is valued as every analysis "
        "values it; restricted support counts, unnamed, as in every total."
    )
)
class ExpectedInflow:
    overdue: Money = strawberry.field(
        description="Still to come of tranches that were due before today."
    )
    months: list[MonthlyInflow] = strawberry.field(description="Month by month, in order.")
    partner_id: strawberry.Private[int]

    @strawberry.field(description="The partner.")
    async def partner(
        self, info: Info
    ) -> Annotated[Participant, strawberry.lazy("schema.participant")]:
        from schema.participant import Participant

        row = await info.context.loaders.participant.load(self.partner_id)
        return Participant.from_row(require(row, "partner"))

    @staticmethod
    def of(found: inflow.Inflow) -> ExpectedInflow:
        return ExpectedInflow(
            overdue=Money.euros(found.overdue),
            months=[
                MonthlyInflow(
                    month=month.month,
                    firm=Money.euros(month.firm),
                    indicative=Money.euros(month.indicative),
                    total=Money.euros(month.firm + month.indicative),
                )
                for month in found.months
            ],
            partner_id=found.partner_id,
        )
