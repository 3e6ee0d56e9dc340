"""Contributions: filtered lists, an objective's support, a contributor's support."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

from resolvers.context import Context
from resolvers.listing import check_codes, nested_listing, root_listing
from resolvers.pagination import Listing, Slice
from store.contributions import (
    ORDERINGS,
    Contribution,
    ContributionFilter,
    select_by_objective_line,
    select_contributions,
)
from store.pages import Ordering

__all__ = ["ORDERINGS", "Contribution", "ContributionFilter"]


async def by_id(context: Context, pk: int) -> Contribution | None:
    return await context.loaders.contribution.load(pk)


async def checked(
    context: Context, criteria: ContributionFilter, by_contributor: bool = False
) -> ContributionFilter:
    """Codes that exist, and the viewer's scope, so that no condition on withheld detail (who
    gave, the currency...) and no list of a contributor's support tells what it may not see."""
    await check_codes(context, "filter.partners", criteria.partner_codes)
    await check_codes(context, "filter.contributors", criteria.contributor_codes)
    return replace(
        criteria, scope=context.caller.restricted_scope(), hide_restricted=by_contributor
    )


async def listing(
    context: Context, criteria: ContributionFilter, ordering: Ordering, slice_: Slice
) -> Listing[Contribution]:
    criteria = await checked(context, criteria)
    return await root_listing(
        context,
        select_contributions(criteria),
        Contribution,
        ordering,
        slice_,
        context.loaders.contribution,
    )


async def _under(
    context: Context,
    name: str,
    statement: Select[Contribution],
    parent: InstrumentedAttribute[int],
    parent_id: int,
    criteria: ContributionFilter,
    ordering: Ordering,
    slice_: Slice,
) -> Listing[Contribution]:
    return await nested_listing(
        context,
        (name, criteria),
        statement,
        Contribution,
        parent,
        parent_id,
        ordering,
        slice_,
        context.loaders.contribution,
    )


async def of_objective(
    context: Context,
    objective_id: int,
    criteria: ContributionFilter,
    ordering: Ordering,
    slice_: Slice,
) -> Listing[Contribution]:
    criteria = await checked(context, criteria)
    statement, asked = select_by_objective_line(criteria)
    return await _under(
        context, "of_objective", statement, asked.id, objective_id, criteria, ordering, slice_
    )


async def of_contributor(
    context: Context,
    participant_id: int,
    criteria: ContributionFilter,
    ordering: Ordering,
    slice_: Slice,
) -> Listing[Contribution]:
    criteria = await checked(context, criteria, by_contributor=True)
    statement = select_contributions(criteria)
    parent = Contribution.contributor_id
    return await _under(
        context, "of_contributor", statement, parent, participant_id, criteria, ordering, slice_
    )


async def of_plan(
    context: Context, plan_id: int, criteria: ContributionFilter, ordering: Ordering, slice_: Slice
) -> Listing[Contribution]:
    criteria = await checked(context, criteria)
    statement, asked = select_by_objective_line(criteria)
    return await _under(
        context, "of_plan", statement, asked.plan_id, plan_id, criteria, ordering, slice_
    )
