"""How well objectives are covered: requirement against pledged, committed and disbursed support,
by category and in total, summed from the stored tallies."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from resolvers import analysis
from resolvers.context import Context
from resolvers.listing import check_codes
from resolvers.tallying import rate_order
from store import tallies
from store.enums import Category
from store.rates import ExchangeRate, by_ids
from store.tallies import LineFilter


@dataclass(frozen=True)
class Covered:
    total: analysis.Coverage
    by_category: list[tuple[Category, analysis.Coverage]]
    rates: list[ExchangeRate]


async def coverage(context: Context, criteria: LineFilter) -> Covered:
    await check_codes(context, "filter.partners", criteria.partner_codes)
    async with context.session() as session:
        lines = await tallies.categorised(session, tallies.select_lines(criteria))
        used = {rate for tally, _ in lines for rate in tally.rate_ids}
        used |= {tally.requirement_rate_id for tally, _ in lines if tally.requirement_rate_id}
        rates = await by_ids(session, sorted(used))
    grouped: dict[Category, list[tuple[Decimal | None, analysis.Tally]]] = {}
    for tally, category in lines:
        grouped.setdefault(category, []).append((tally.requirement, _as_tally(tally)))
    everything = [item for items in grouped.values() for item in items]
    return Covered(
        total=analysis.coverage(everything),
        by_category=[
            (category, analysis.coverage(grouped[category]))
            for category in Category
            if category in grouped
        ],
        rates=sorted(rates.values(), key=rate_order),
    )


def _as_tally(row: tallies.ObjectiveTally) -> analysis.Tally:
    return analysis.Tally(
        pledged=row.pledged,
        committed=row.committed,
        disbursed=row.disbursed,
        contributions=row.contributions,
        contributors=row.contributors,
        rate_ids=frozenset(row.rate_ids),
    )
