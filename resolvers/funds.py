"""Funds: the list of them, their details and what each holds."""

from __future__ import annotations

from dataclasses import dataclass, field

from resolvers.context import Context
from resolvers.listing import check_codes, root_listing
from resolvers.pagination import Listing, Slice
from store import funds
from store.enums import FundForm
from store.funds import Fund, Holding
from store.pages import Ordering
from store.participants import Participant

__all__ = ["Fund", "FundCriteria", "Holding"]


@dataclass(frozen=True)
class FundCriteria:
    forms: tuple[FundForm, ...] = ()
    beneficiary_codes: tuple[str, ...] = field(default=())


async def listing(
    context: Context, criteria: FundCriteria, ordering: Ordering, slice_: Slice
) -> Listing[Participant]:
    await check_codes(context, "filter.beneficiaries", criteria.beneficiary_codes)
    statement = funds.select_funds(criteria.forms, criteria.beneficiary_codes)
    return await root_listing(
        context, statement, Participant, ordering, slice_, context.loaders.participant
    )


async def of(context: Context, participant: Participant) -> Fund | None:
    """The fund's details, or None for a participant that is not a fund."""
    return await context.loaders.fund.load(participant.id)


async def leads(context: Context, fund: Fund) -> list[Participant]:
    ids = await context.loaders.fund_leads.load(fund.participant_id)
    found = await context.loaders.participant.load_many(ids)
    return [row for row in found if row is not None]


async def holdings(context: Context, fund: Fund) -> list[Holding]:
    async with context.session() as session:
        return await funds.holdings(session, fund.participant_id, context.caller.restricted_scope())
