"""Objectives: filtered lists, a plan's objectives, and the objective a contribution serves."""

from __future__ import annotations

from resolvers.context import Context
from resolvers.listing import check_codes, nested_listing, root_listing
from resolvers.pagination import Listing, Slice
from store.objectives import ORDERINGS, Objective, ObjectiveFilter, select_objectives
from store.pages import Ordering

__all__ = ["ORDERINGS", "Objective", "ObjectiveFilter"]


async def by_id(context: Context, pk: int) -> Objective | None:
    return await context.loaders.objective.load(pk)


async def listing(
    context: Context, criteria: ObjectiveFilter, ordering: Ordering, slice_: Slice
) -> Listing[Objective]:
    await check_codes(context, "filter.partners", criteria.partner_codes)
    return await root_listing(
        context, select_objectives(criteria), Objective, ordering, slice_, context.loaders.objective
    )


async def of_plan(
    context: Context, plan_id: int, criteria: ObjectiveFilter, ordering: Ordering, slice_: Slice
) -> Listing[Objective]:
    await check_codes(context, "filter.partners", criteria.partner_codes)
    return await nested_listing(
        context,
        ("objectives.of_plan", criteria),
        select_objectives(criteria),
        Objective,
        Objective.plan_id,
        plan_id,
        ordering,
        slice_,
        context.loaders.objective,
    )
