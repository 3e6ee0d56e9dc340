"""Which currency a donor pays in on a date, and amounts in that currency's minor units."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import cache

from babel.numbers import get_currency_precision, get_territory_currencies

from seeds.reference import INSTITUTIONS
from store.enums import ParticipantKind
from store.participants import Participant
from store.rates import BASE_CURRENCY, ExchangeRate

BASE = BASE_CURRENCY
# Where a state's own currency on the day has no rate in the seed data (the lev, the kuna, a
# pre-euro currency...), a European donor is taken to pledge in euros and anyone else in dollars.
EUROPEAN_REGIONS = ("Europe", "Balkans")


@cache
def minor_unit(currency: str) -> Decimal:
    """The smallest amount of `currency`: 0.01 for EUR, 1 for JPY, 0.001 for KWD."""
    return Decimal(1).scaleb(-get_currency_precision(currency))


@cache
def _territory_currencies(code: str) -> tuple[tuple[str, date, date], ...]:
    # One babel look-up per state with the periods of each currency, rather than one per date.
    details = get_territory_currencies(
        code, date(1990, 1, 1), date(2100, 1, 1), tender=True, include_details=True
    )
    return tuple(
        (item["currency"], item["from"] or date.min, item["to"] or date.max) for item in details
    )


class Money:
    """Exchange rates by year, and the donor-side conventions that use them."""

    def __init__(self, rates: Iterable[ExchangeRate]) -> None:
        self.rates: dict[str, dict[int, Decimal]] = {}
        for rate in rates:
            self.rates.setdefault(rate.currency, {})[rate.valid_from.year] = rate.rate
        self.institutions = {institution.code: institution.currency for institution in INSTITUTIONS}

    def currency_of(self, participant: Participant, day: date) -> str:
        """The currency `participant` would denominate support in on `day`."""
        if participant.kind is ParticipantKind.INSTITUTION:
            return self.institutions.get(participant.code, BASE)
        for currency, start, end in _territory_currencies(participant.code):
            if start <= day < end and currency in self.rates:
                return currency
        region = participant.region or ""
        return BASE if any(part in region for part in EUROPEAN_REGIONS) else "USD"

    def from_euros(
        self, euros: Decimal, currency: str, year: int, *, round_figure: bool
    ) -> Decimal:
        """`euros` in `currency` at that year's rate, to the currency's minor unit.

        A pledge is a round figure in the donor's currency (three significant digits); an actual
        payment keeps every minor unit.
        """
        amount = euros if currency == BASE else euros / self.rate(currency, year)
        unit = minor_unit(currency)
        if round_figure and amount >= 1:
            amount = amount.quantize(Decimal(1).scaleb(amount.adjusted() - 2))
        return max(unit, amount.quantize(unit))

    def rate(self, currency: str, year: int) -> Decimal:
        """EUR per unit of `currency` in `year`: the latest annual rate up to it (the seed rates
        stop at the current year, while plans run a little into the future)."""
        by_year = self.rates[currency]
        if year in by_year:
            return by_year[year]
        earlier = [known for known in by_year if known <= year]
        return by_year[max(earlier) if earlier else min(by_year)]
