"""Contributions: filtered lists, an objective's contributions, a contributor's contributions."""

from __future__ import annotations

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

from resolvers.context import Context
from resolvers.listing import check_codes, nested_listing, root_listing
from resolvers.pagination import Listing, Slice
from store.contributions import ORDERINGS, Contribution, ContributionFilter, select_contributions
from store.objectives import Objective
from store.pages import Ordering

__all__ = ["ORDERINGS", "Contribution", "ContributionFilter"]


async def by_id(context: Context, pk: int) -> Contribution | None:
    return await context.loaders.contribution.load(pk)


async def _check(context: Context, criteria: ContributionFilter) -> None:
    await check_codes(context, "filter.partners", criteria.partner_codes)
    await check_codes(context, "filter.contributors", criteria.contributor_codes)


async def listing(
    context: Context, criteria: ContributionFilter, ordering: Ordering, slice_: Slice
) -> Listing[Contribution]:
    await _check(context, criteria)
    statement = select_contributions(criteria)
    return await root_listing(
        context, statement, Contribution, ordering, slice_, context.loaders.contribution
    )


async def _under(
    context: Context,
    name: str,
    parent: InstrumentedAttribute[int],
    parent_id: int,
    criteria: ContributionFilter,
    ordering: Ordering,
    slice_: Slice,
    statement: Select[Contribution] | None = None,
) -> Listing[Contribution]:
    await _check(context, criteria)
    return await nested_listing(
        context,
        (name, criteria),
        statement if statement is not None else select_contributions(criteria),
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
    return await _under(
        context, "of_objective", Contribution.objective_id, objective_id, criteria, ordering, slice_
    )


async def of_contributor(
    context: Context,
    participant_id: int,
    criteria: ContributionFilter,
    ordering: Ordering,
    slice_: Slice,
) -> Listing[Contribution]:
    return await _under(
        context,
        "of_contributor",
        Contribution.contributor_id,
        participant_id,
        criteria,
        ordering,
        slice_,
    )


async def of_plan(
    context: Context, plan_id: int, criteria: ContributionFilter, ordering: Ordering, slice_: Slice
) -> Listing[Contribution]:
    # Grouping by the objective's plan needs the join whatever the filter says.
    statement = select_contributions(criteria)
    if not (
        criteria.partner_codes or criteria.plan_ids or criteria.categories or criteria.plan_kinds
    ):
        statement = statement.join(Objective, Objective.id == Contribution.objective_id)
    return await _under(
        context, "of_plan", Objective.plan_id, plan_id, criteria, ordering, slice_, statement
    )
