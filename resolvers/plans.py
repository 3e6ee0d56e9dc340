"""Plans: by ID or code, filtered lists, a partner's plans, predecessor and successor."""

from __future__ import annotations

from resolvers import ids
from resolvers.context import Context
from resolvers.errors import comparable, invalid_argument, not_found, shown
from resolvers.listing import ListSource, partners_exist
from store.plans import ORDERINGS, Plan, PlanFilter, select_plans

__all__ = ["ORDERINGS", "Plan", "PlanFilter"]


async def by_id(context: Context, pk: int) -> Plan | None:
    return await context.loaders.plan.load(pk)


async def named(context: Context, id: str | None = None, code: str | None = None) -> Plan | None:
    """The plan a global ID or a code names; the ID must name a plan."""
    return await one(context, None if id is None else ids.decode(id, "id", "Plan")[1], code)


async def one(context: Context, pk: int | None, code: str | None) -> Plan | None:
    if (pk is None) == (code is None):
        raise invalid_argument("id", "or `code` must be given, and only one of them")
    if code is not None:
        plan = await context.loaders.plan_by_code.load(comparable("code", code))
        if plan is None:
            raise not_found("code", f"No plan has the code {shown(code, 60)}")
        return plan
    assert pk is not None
    plan = await by_id(context, pk)
    if plan is None:
        raise not_found("id", "No plan has this ID")
    return plan


# Every list of plans, and its rules.
PLANS: ListSource[PlanFilter] = ListSource(
    "plans",
    Plan,
    lambda criteria: (select_plans(criteria), Plan),
    lambda context: context.loaders.plan,
    rules=[partners_exist],
)
PLANS_OF_PARTNER = PLANS.under("plans.of_partner", lambda plan: plan.partner_id)


async def predecessor(context: Context, plan: Plan) -> Plan | None:
    return None if plan.predecessor_id is None else await by_id(context, plan.predecessor_id)


async def successor(context: Context, plan: Plan) -> Plan | None:
    result: Plan | None = await context.loaders.successor.load(plan.id)
    return result
