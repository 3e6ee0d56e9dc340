"""Contributions: filtered lists, an objective's support, a contributor's support."""

from __future__ import annotations

from dataclasses import replace

from resolvers.context import Context
from resolvers.listing import ListSource, check_codes
from store.contributions import (
    ORDERINGS,
    Contribution,
    ContributionFilter,
    select_contributions,
    select_under_objectives,
    select_under_plans,
)
from store.draws import Draw

__all__ = ["ORDERINGS", "Contribution", "ContributionFilter", "Draw"]


async def by_id(context: Context, pk: int) -> Contribution | None:
    return await context.loaders.contribution.load(pk)


async def _codes_exist(context: Context, criteria: ContributionFilter) -> ContributionFilter:
    await check_codes(context, "filter.partners", criteria.partner_codes)
    await check_codes(context, "filter.contributors", criteria.contributor_codes)
    return criteria


async def _in_scope(context: Context, criteria: ContributionFilter) -> ContributionFilter:
    """The viewer's scope, so that no condition on withheld detail (who gave, the currency...)
    tells what it may not see."""
    return replace(criteria, scope=context.caller.restricted_scope())


async def _unrestricted(context: Context, criteria: ContributionFilter) -> ContributionFilter:
    """A list grouped by its contributor would tell who gave restricted support: it holds only
    what the viewer may see."""
    return replace(criteria, hide_restricted=True)


# Every list of contributions, and its rules.
CONTRIBUTIONS: ListSource[ContributionFilter] = ListSource(
    "contributions",
    Contribution,
    lambda criteria: (select_contributions(criteria), Contribution),
    lambda context: context.loaders.contribution,
    rules=[_codes_exist, _in_scope],
)
CONTRIBUTIONS_OF_OBJECTIVE = CONTRIBUTIONS.under(
    "contributions.of_objective", lambda group: group, select_under_objectives
)
CONTRIBUTIONS_OF_PLAN = CONTRIBUTIONS.under(
    "contributions.of_plan", lambda group: group, select_under_plans
)
CONTRIBUTIONS_OF_CONTRIBUTOR = CONTRIBUTIONS.under(
    "contributions.of_contributor", lambda row: row.contributor_id, rules=[_unrestricted]
)
