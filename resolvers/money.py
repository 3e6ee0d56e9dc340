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
