"""Adding and changing a plan's objectives: the secretariat's and the partner's own work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolvers.commands import (
    Outcome,
    UserErrorCode,
    forward,
    global_id,
    input_text,
    log,
    money,
    not_null,
    reject,
    run,
    version,
)
from resolvers.context import Context
from resolvers.errors import shown
from resolvers.plan_commands import editable_plan, may_edit
from resolvers.tallying import refresh_objectives
from store import objectives
from store.base import get, save, snapshot
from store.enums import Category, ChangeAction, ObjectiveStatus, PlanStatus, Priority
from store.objectives import Objective
from store.plans import Plan

TITLE_LIMIT = 200
DESCRIPTION_LIMIT = 5000
CODE_LIMIT = 40
LIFECYCLE = {
    ObjectiveStatus.NOT_STARTED: (
        ObjectiveStatus.IN_PROGRESS,
        ObjectiveStatus.ACHIEVED,
        ObjectiveStatus.DEFERRED,
    ),
    ObjectiveStatus.IN_PROGRESS: (ObjectiveStatus.ACHIEVED, ObjectiveStatus.DEFERRED),
    ObjectiveStatus.DEFERRED: (ObjectiveStatus.IN_PROGRESS, ObjectiveStatus.ACHIEVED),
}
CLOSED_PLANS = (PlanStatus.SUPERSEDED, PlanStatus.CLOSED)


@dataclass(frozen=True)
class NewObjective:
    plan_id: str
    code: str
    category: Category
    title: str
    priority: Priority = Priority.MEDIUM
    description: str | None = None
    status: ObjectiveStatus = ObjectiveStatus.NOT_STARTED
    requirement: tuple[Decimal, str] | None = None
    target_date: date | None = None


async def add(context: Context, entry: NewObjective) -> Outcome[Objective]:
    async def work(session: AsyncSession) -> Outcome[Objective]:
        plan = await editable_plan(session, context, "planId", entry.plan_id)
        if plan.status in CLOSED_PLANS:
            raise reject("planId", f"is {plan.status.name}: it takes no new objectives")
        if entry.status is ObjectiveStatus.CARRIED_OVER:
            raise reject("status", "CARRIED_OVER is set by transitionPlan only")
        code = input_text("code", entry.code, CODE_LIMIT, required=True) or entry.code
        if any(existing.code == code for existing in await objectives.of_plan(session, plan.id)):
            raise reject(
                "code", f"{shown(code)} is taken in this plan", UserErrorCode.ALREADY_EXISTS
            )
        amount, currency = await _requirement(session, context, entry.requirement)
        row = await objectives.add(
            session,
            Objective(
                plan_id=plan.id,
                code=code,
                category=entry.category,
                title=input_text("title", entry.title, TITLE_LIMIT, required=True),
                description=input_text(
                    "description", entry.description, DESCRIPTION_LIMIT, prose=True
                ),
                priority=int(entry.priority),
                status=entry.status,
                requirement_amount=amount,
                requirement_currency=currency,
                target_date=entry.target_date,
            ),
        )
        await log(context, session, row, ChangeAction.CREATED, None)
        await refresh_objectives(session, [row.id])
        return Outcome(row)

    return await run(context, work)


async def _requirement(
    session: AsyncSession, context: Context, requirement: tuple[Decimal, str] | None
) -> tuple[Decimal | None, str | None]:
    if requirement is None:
        return None, None
    amount, currency = await money(session, "requirement", *requirement, context.today)
    return amount, currency


async def update(
    context: Context, objective_id: str, expected_version: int, fields: dict[str, Any]
) -> Outcome[Objective]:
    async def work(session: AsyncSession) -> Outcome[Objective]:
        row = await get(session, Objective, global_id("id", objective_id, "Objective"))
        if row is None:
            raise reject("id", "names no objective", UserErrorCode.NOT_FOUND)
        plan = await get(session, Plan, row.plan_id)
        assert plan is not None
        may_edit(context, plan, "id")
        version("expectedVersion", row, expected_version)
        not_null(fields, "title", "status", "category", "priority")
        if plan.status in CLOSED_PLANS or row.status is ObjectiveStatus.CARRIED_OVER:
            raise reject(
                "id", "belongs to a plan that is history now", UserErrorCode.INVALID_TRANSITION
            )
        before = snapshot(row)
        if "status" in fields:
            forward("status", row.status, fields["status"], LIFECYCLE)
            row.status = fields["status"]
        if "title" in fields:
            row.title = (
                input_text("title", fields["title"], TITLE_LIMIT, required=True) or row.title
            )
        if "description" in fields:
            row.description = input_text(
                "description", fields["description"], DESCRIPTION_LIMIT, prose=True
            )
        if "category" in fields:
            row.category = fields["category"]
        if "priority" in fields:
            row.priority = int(fields["priority"])
        if "target_date" in fields:
            row.target_date = fields["target_date"]
        if "requirement" in fields:
            amount, currency = await _requirement(session, context, fields["requirement"])
            row.requirement_amount, row.requirement_currency = amount, currency
        await save(session)
        await log(context, session, row, ChangeAction.UPDATED, before)
        await refresh_objectives(session, [row.id])
        return Outcome(row)

    return await run(context, work)
