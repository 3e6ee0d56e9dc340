"""What a partner can still expect, month by month: the undelivered part of the tranches planned
for it, firm and indicative apart, and what is already overdue. In the base currency, each
contribution valued as every analysis values it; restricted support counts, unnamed, as in every
total."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from resolvers import stages
from resolvers.context import Context
from resolvers.errors import comparable, invalid_argument
from resolvers.listing import check_codes
from resolvers.tallying import rates_of
from store import contributions
from store import rates as stored_rates
from store.enums import Firmness, TrancheStatus

MAX_MONTHS = 60
ZERO = Decimal("0.00")


@dataclass
class Month:
    """One month's expected inflow."""

    month: date  # its first day
    firm: Decimal = ZERO
    indicative: Decimal = ZERO


@dataclass
class Inflow:
    partner_id: int
    overdue: Decimal = ZERO
    months: list[Month] = field(default_factory=list)


def _month(day: date, ahead: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + ahead
    return date(index // 12, index % 12 + 1, 1)


async def expected(context: Context, partner: str, start: date | None, months: int) -> Inflow:
    """The partner's expected inflow from the month of `start` (default: this month), for
    `months` months, and what is overdue today."""
    if not 1 <= months <= MAX_MONTHS:
        raise invalid_argument("months", f"must be from 1 to {MAX_MONTHS}, got {months}")
    code = comparable("partner", partner).strip().upper()
    await check_codes(context, "partner", [code])
    found = await context.loaders.participant_by_code.load(code)
    assert found is not None  # checked above
    first = _month(start or context.today)
    inflow = Inflow(found.id, months=[Month(_month(first, n)) for n in range(months)])
    by_month = {month.month: month for month in inflow.months}
    async with context.session() as session:
        rows = await contributions.scheduled_for(session, found.id)
        currencies = {row.currency for row in rows}
        rates = rates_of(await stored_rates.of_currencies(session, currencies))
    for row in rows:
        for state in stages.tranches(row, context.today):
            if not state.outstanding:
                continue
            value, _ = rates.convert(state.outstanding, row.currency, row.valued_on)
            if state.status is TrancheStatus.OVERDUE:
                inflow.overdue += value
            elif (month := by_month.get(_month(state.tranche.due_on))) is not None:
                if state.tranche.firmness is Firmness.FIRM:
                    month.firm += value
                else:
                    month.indicative += value
    return inflow
