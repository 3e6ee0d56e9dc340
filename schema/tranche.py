"""Tranches: a contribution's planned deliveries, and where each stands."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

import schema.enums  # noqa: F401  (publishes Firmness and TrancheStatus as GraphQL enums)
from resolvers import schedules
from resolvers.vocabulary import Firmness, TrancheStatus
from schema.money import Money


@strawberry.type(
    description=(
        "A planned delivery of a contribution: an amount due on a date, firm or indicative. "
        "Deliveries fill a schedule's tranches in the order they fall due, so each tranche "
        "shows how much of it has been delivered and how much is still outstanding."
    )
)
class Tranche:
    number: int = strawberry.field(
        description="Its place in the schedule, from 1, in the order the tranches fall due."
    )
    due_on: date = strawberry.field(description="When it is due.")
    amount: Money = strawberry.field(
        description="The amount planned, in the contribution's currency."
    )
    firmness: Firmness = strawberry.field(
        description="FIRM (agreed) or INDICATIVE (planned, may move)."
    )
    delivered: Money = strawberry.field(
        description="How much of it has been delivered: deliveries fill the first due first."
    )
    outstanding: Money = strawberry.field(description="How much of it is still to be delivered.")
    status: TrancheStatus = strawberry.field(
        description="Delivered, partly delivered, pending (not yet due) or overdue."
    )

    @classmethod
    def of(cls, state: schedules.TrancheState, currency: str) -> Tranche:
        """The tranche as clients read it, its amounts in `currency`'s minor units."""

        def money(amount: Decimal) -> Money:
            return Money.exactly(amount, currency)

        return cls(
            number=state.number,
            due_on=state.tranche.due_on,
            amount=money(state.tranche.amount),
            firmness=state.tranche.firmness,
            delivered=money(state.delivered),
            outstanding=money(state.outstanding),
            status=state.status,
        )


@strawberry.input(
    description=(
        "One planned tranche of a contribution's schedule. Its amount is in the contribution's "
        "currency, and all the tranches together may not exceed the amount pledged."
    )
)
class TrancheInput:
    due_on: date = strawberry.field(
        description="When it is due. Several tranches may fall due on the same day."
    )
    amount: Decimal = strawberry.field(
        description=(
            "The amount, in the contribution's currency: positive, with no more decimal places "
            'than the currency has (e.g. "1250.50" EUR, "1000" JPY).'
        )
    )
    firmness: Firmness = strawberry.field(
        default=Firmness.FIRM,
        description="FIRM (agreed, the default) or INDICATIVE (planned, may move).",
    )
