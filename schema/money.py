"""Money: an exact amount with its currency."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from resolvers.analysis import BASE_CURRENCY
from resolvers.money import in_minor_units


@strawberry.type(description="An exact amount of money in one currency.")
class Money:
    amount: Decimal = strawberry.field(description="The amount, as an exact decimal string.")
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. EUR.")

    @staticmethod
    def of(amount: Decimal | None, currency: str | None) -> Money | None:
        if amount is None or currency is None:
            return None
        return Money.exactly(amount, currency)

    @staticmethod
    def exactly(amount: Decimal, currency: str) -> Money:
        """An amount that is always there, in its currency's minor units."""
        return Money(amount=in_minor_units(amount, currency), currency=currency)

    @staticmethod
    def euros(amount: Decimal) -> Money:
        """An amount in the base currency, as every analysis totals."""
        return Money.exactly(amount, BASE_CURRENCY)
