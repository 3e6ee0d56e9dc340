"""Objectives: filtered lists, a plan's objectives, and the objective a contribution serves."""

from __future__ import annotations

from resolvers.context import Context
from resolvers.listing import ListSource, partners_exist
from store.objectives import ORDERINGS, Objective, ObjectiveFilter, select_objectives

__all__ = ["ORDERINGS", "Objective", "ObjectiveFilter"]


async def by_id(context: Context, pk: int) -> Objective | None:
    return await context.loaders.objective.load(pk)


# Every list of objectives, and its rules.
OBJECTIVES: ListSource[ObjectiveFilter] = ListSource(
    "objectives",
    Objective,
    lambda criteria: (select_objectives(criteria), Objective),
    lambda context: context.loaders.objective,
    rules=[partners_exist],
)
OBJECTIVES_OF_PLAN = OBJECTIVES.under("objectives.of_plan", lambda objective: objective.plan_id)
