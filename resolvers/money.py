"""Amounts shown in their currency's minor units: 1250.5 EUR reads "1250.50", 1000 JPY "1000"."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from babel.numbers import get_currency_precision


@cache
def minor_digits(currency: str) -> int:
    return int(get_currency_precision(currency))


def in_minor_units(amount: Decimal, currency: str) -> Decimal:
    exact = amount.quantize(Decimal(1).scaleb(-minor_digits(currency)))
    # Never round away a digit that was stored: show more places rather than a wrong amount.
    return exact if exact == amount else amount.normalize()


def with_currency(amount: Decimal, currency: str) -> str:
    """An amount as messages show it: in its currency's minor units, then the currency."""
    return f"{in_minor_units(amount, currency)} {currency}"


def written(amount: Decimal, limit: int = 40) -> str:
    """A number as the client sent it, cut short: an input may hold thousands of digits."""
    text = str(amount)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def decimal_places(amount: Decimal) -> int:
    """The decimal places a finite `amount` needs: "10.50" needs 1, "1E+2" none. Counted on its
    digits, never through `normalize()`, which rounds to the context's 28 digits first and would
    take "1.0000000000000000000000000001" for a whole number."""
    _, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int), "finite amounts only"
    text = "".join(map(str, digits))
    return max(0, -(exponent + len(text) - len(text.rstrip("0"))))
