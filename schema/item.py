"""In-kind line items of a contribution: what is given, how much of it, and what it is worth."""

from __future__ import annotations

from decimal import Decimal

import strawberry

import schema.enums  # noqa: F401  (publishes ItemCategory and Valuation as GraphQL enums)
from resolvers import items
from resolvers.vocabulary import ItemCategory, Valuation
from schema.money import Money


@strawberry.type(
    description=(
        "One line of in-kind support: so many units of one kind of thing, each valued the same "
        "way. Its value is quantity times unit value, rounded half-even to the currency's minor "
        "units; an itemised contribution's amount is exactly the sum of its items' values."
    )
)
class ContributionItem:
    category: ItemCategory = strawberry.field(description="What the item is.")
    description: str | None = strawberry.field(description="What exactly is given, if said.")
    quantity: Decimal = strawberry.field(
        description="How many units are given: more than 0, at most 4 decimal places."
    )
    unit: str | None = strawberry.field(
        description='What one unit is ("vehicles", "course places", "adviser-months"), if said.'
    )
    unit_value: Money = strawberry.field(
        description="The value of one unit, in the contribution's currency."
    )
    value: Money = strawberry.field(
        description=(
            "Quantity times unit value, rounded half-even to the currency's minor units, in the "
            "contribution's currency."
        )
    )
    valuation: Valuation = strawberry.field(description="How the unit value was set.")

    @classmethod
    def of(cls, item: items.Item, currency: str) -> ContributionItem:
        """The item of a contribution in `currency`."""
        return cls(
            category=item.category,
            description=item.description,
            quantity=item.quantity,
            unit=item.unit,
            unit_value=Money.exactly(item.unit_value, currency),
            value=Money.exactly(items.value(item, currency), currency),
            valuation=item.valuation,
        )


@strawberry.input(
    description=(
        "One line of in-kind support (not FUNDING): so many units of one kind of thing, each "
        "valued the same way, in the contribution's currency. At most 200 items; the "
        "contribution's amount must equal the sum of their values (quantity times unit value, "
        "rounded half-even to the currency's minor units), and is that sum when left out."
    )
)
class ContributionItemInput:
    category: ItemCategory = strawberry.field(description="What the item is.")
    description: str | None = strawberry.field(
        default=None, description="What exactly is given (at most 500 characters)."
    )
    quantity: Decimal = strawberry.field(
        description="How many units: more than 0, below 10^9, at most 4 decimal places."
    )
    unit: str | None = strawberry.field(
        default=None,
        description=(
            'What one unit is ("vehicles", "course places", "adviser-months"; at most 40 '
            "characters)."
        ),
    )
    unit_value: Decimal = strawberry.field(
        description=(
            "The value of one unit in the contribution's currency: 0 or more, below 10^12, no "
            "more decimal places than the currency's minor units."
        )
    )
    valuation: Valuation = strawberry.field(description="How the unit value was set.")
