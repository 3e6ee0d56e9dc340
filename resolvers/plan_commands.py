"""Creating, editing and transitioning plans (an ITPP replacing an IPAP or IPCP carries its open
objectives over), and who may do so.

The secretariat creates and transitions plans; the secretariat and the partner itself edit a
partner's plans. `editable_plan` and `may_edit` are the rule objectives and reviews are written
under too (resolvers/objective_commands.py, resolvers/review_commands.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolvers.commands import (
    Outcome,
    UserErrorCode,
    forward,
    global_id,
    input_text,
    log,
    not_null,
    period,
    reject,
    run,
    version,
)
from resolvers.context import Context
from resolvers.errors import shown
from resolvers.tallying import refresh_objectives
from store import objectives, participants, plans
from store.base import get, save, snapshot
from store.enums import ChangeAction, DatePrecision, ObjectiveStatus, PlanKind, PlanStatus, Role
from store.objectives import Objective
from store.plans import Plan

TITLE_LIMIT = 200
SUMMARY_LIMIT = 5000
CODE_LIMIT = 40
LIFECYCLE = {
    PlanStatus.DRAFT: (PlanStatus.AGREED, PlanStatus.ACTIVE, PlanStatus.CLOSED),
    PlanStatus.AGREED: (PlanStatus.ACTIVE, PlanStatus.UNDER_REVIEW, PlanStatus.CLOSED),
    PlanStatus.ACTIVE: (PlanStatus.UNDER_REVIEW, PlanStatus.CLOSED),
    PlanStatus.UNDER_REVIEW: (PlanStatus.ACTIVE, PlanStatus.CLOSED),
}
OPEN_OBJECTIVES = (
    ObjectiveStatus.NOT_STARTED,
    ObjectiveStatus.IN_PROGRESS,
    ObjectiveStatus.DEFERRED,
)
IN_FORCE = (PlanStatus.AGREED, PlanStatus.ACTIVE, PlanStatus.UNDER_REVIEW)


def secretariat_only(context: Context, what: str) -> None:
    if not context.caller.is_secretariat:
        raise reject(None, f"Only the secretariat {what}", UserErrorCode.FORBIDDEN)


async def editable_plan(session: AsyncSession, context: Context, path: str, value: str) -> Plan:
    """The plan named by a global ID, if the caller may edit it."""
    plan = await get(session, Plan, global_id(path, value, "Plan"))
    if plan is None:
        raise reject(path, "names no plan", UserErrorCode.NOT_FOUND)
    may_edit(context, plan, path)
    return plan


def may_edit(context: Context, plan: Plan, path: str) -> None:
    """A partner edits its own plans; the secretariat edits them all."""
    viewer = context.caller
    if not (viewer.is_secretariat or viewer.participant_id == plan.partner_id):
        raise reject(
            path,
            "belongs to another partner: only the secretariat and the partner edit it",
            UserErrorCode.FORBIDDEN,
        )


def _check_new(entry: NewPlan | Transition) -> None:
    """A new plan starts as a draft, or agreed (with its date), or already active."""
    if entry.status not in (PlanStatus.DRAFT, PlanStatus.AGREED, PlanStatus.ACTIVE):
        raise reject("status", "a new plan is DRAFT, AGREED or ACTIVE")
    if entry.status is not PlanStatus.DRAFT and entry.agreed_on is None:
        raise reject("agreedOn", f"is required for a plan that is {entry.status.name}")
    period("startsOn", entry.starts_on, "endsOn", entry.ends_on)


async def _unique_code(session: AsyncSession, path: str, code: str) -> str:
    if (await plans.by_codes(session, [code])).get(code) is not None:
        raise reject(path, f"{shown(code)} is taken by another plan", UserErrorCode.ALREADY_EXISTS)
    return code


@dataclass(frozen=True)
class NewPlan:
    partner: str
    kind: PlanKind
    title: str
    code: str | None = None
    summary: str | None = None
    status: PlanStatus = PlanStatus.DRAFT
    agreed_on: date | None = None
    agreed_on_precision: DatePrecision = DatePrecision.DAY
    starts_on: date | None = None
    ends_on: date | None = None


async def create(context: Context, entry: NewPlan) -> Outcome[Plan]:
    async def work(session: AsyncSession) -> Outcome[Plan]:
        secretariat_only(context, "creates plans")
        # Checked as text first: a control character (a NUL byte above all) must not reach the
        # database as a parameter.
        code = str(input_text("partner", entry.partner, CODE_LIMIT, required=True)).upper()
        partner = (await participants.by_codes(session, [code])).get(code)
        if partner is None:
            raise reject(
                "partner", f"no participant has the code {shown(code, 12)}", UserErrorCode.NOT_FOUND
            )
        history = (await participants.partnerships_of(session, [partner.id]))[partner.id]
        if participants.role_on(partner, history, context.today) is not Role.PARTNER:
            raise reject("partner", f"{partner.name} is not a NATO partner today")
        _check_new(entry)
        year = (entry.agreed_on or context.today).year
        plan_code = input_text("code", entry.code, CODE_LIMIT) or f"{code}-{entry.kind.name}-{year}"
        row = await plans.add(
            session,
            Plan(
                code=await _unique_code(session, "code", plan_code),
                partner_id=partner.id,
                kind=entry.kind,
                status=entry.status,
                title=input_text("title", entry.title, TITLE_LIMIT, required=True),
                summary=input_text("summary", entry.summary, SUMMARY_LIMIT, prose=True),
                agreed_on=entry.agreed_on,
                agreed_on_precision=entry.agreed_on_precision,
                starts_on=entry.starts_on,
                ends_on=entry.ends_on,
            ),
        )
        await log(context, session, row, ChangeAction.CREATED, None)
        return Outcome(row)

    return await run(context, work)


async def update(
    context: Context, plan_id: str, expected_version: int, fields: dict[str, Any]
) -> Outcome[Plan]:
    async def work(session: AsyncSession) -> Outcome[Plan]:
        row = await editable_plan(session, context, "id", plan_id)
        version("expectedVersion", row, expected_version)
        not_null(fields, "title", "status", "agreed_on_precision")
        if row.status in (PlanStatus.SUPERSEDED, PlanStatus.CLOSED):
            raise reject(
                "id", f"is {row.status.name}: it is history now", UserErrorCode.INVALID_TRANSITION
            )
        before = snapshot(row)
        if "status" in fields:
            forward("status", row.status, fields["status"], LIFECYCLE)
            row.status = fields["status"]
        if "title" in fields:
            row.title = (
                input_text("title", fields["title"], TITLE_LIMIT, required=True) or row.title
            )
        if "summary" in fields:
            row.summary = input_text("summary", fields["summary"], SUMMARY_LIMIT, prose=True)
        for name in ("agreed_on", "agreed_on_precision", "starts_on", "ends_on"):
            if name in fields:
                setattr(row, name, fields[name])
        if row.status is not PlanStatus.DRAFT and row.agreed_on is None:
            raise reject("agreedOn", f"is required for a plan that is {row.status.name}")
        period("startsOn", row.starts_on, "endsOn", row.ends_on)
        await save(session)
        await log(context, session, row, ChangeAction.UPDATED, before)
        return Outcome(row)

    return await run(context, work)


@dataclass(frozen=True)
class Transition:
    plan_id: str
    code: str | None = None
    title: str | None = None
    summary: str | None = None
    status: PlanStatus = PlanStatus.AGREED
    agreed_on: date | None = None
    agreed_on_precision: DatePrecision = DatePrecision.DAY
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True)
class Transitioned:
    plan: Plan
    predecessor: Plan
    carried_over: list[Objective]


async def transition(context: Context, entry: Transition) -> Outcome[Transitioned]:
    """IPAP or IPCP → ITPP: the old plan is superseded, its open objectives carried over."""

    async def work(session: AsyncSession) -> Outcome[Transitioned]:
        secretariat_only(context, "transitions plans")
        old = await editable_plan(session, context, "planId", entry.plan_id)
        if old.kind is PlanKind.ITPP:
            raise reject("planId", "is already an ITPP", UserErrorCode.INVALID_TRANSITION)
        if old.status not in IN_FORCE:
            raise reject(
                "planId",
                f"is {old.status.name}: only a plan in force moves to an ITPP",
                UserErrorCode.INVALID_TRANSITION,
            )
        _check_new(entry)
        partner = await get(session, participants.Participant, old.partner_id)
        assert partner is not None
        year = (entry.agreed_on or context.today).year
        code = input_text("code", entry.code, CODE_LIMIT) or f"{partner.code}-ITPP-{year}"
        title = input_text("title", entry.title, TITLE_LIMIT) or (
            f"{partner.name} Individually Tailored Partnership Programme"
        )
        before_old = snapshot(old)
        new = await plans.add(
            session,
            Plan(
                code=await _unique_code(session, "code", code),
                partner_id=old.partner_id,
                kind=PlanKind.ITPP,
                status=entry.status,
                title=title,
                summary=input_text("summary", entry.summary, SUMMARY_LIMIT, prose=True),
                agreed_on=entry.agreed_on,
                agreed_on_precision=entry.agreed_on_precision,
                starts_on=entry.starts_on,
                ends_on=entry.ends_on,
                predecessor_id=old.id,
            ),
        )
        await log(context, session, new, ChangeAction.CREATED, None)
        carried = await _carry_over(session, context, old, new)
        await refresh_objectives(session, [objective.id for objective in carried])
        old.status = PlanStatus.SUPERSEDED
        await save(session)
        await log(
            context, session, old, ChangeAction.TRANSITIONED, before_old, {"successorId": new.id}
        )
        return Outcome(Transitioned(new, old, carried))

    return await run(context, work)


async def _carry_over(
    session: AsyncSession, context: Context, old: Plan, new: Plan
) -> list[Objective]:
    carried = []
    for original in await objectives.of_plan(session, old.id):
        if original.status not in OPEN_OBJECTIVES:
            continue
        before = snapshot(original)
        copy = await objectives.add(
            session,
            Objective(
                plan_id=new.id,
                code=original.code,
                category=original.category,
                title=original.title,
                description=original.description,
                priority=original.priority,
                status=original.status,
                requirement_amount=original.requirement_amount,
                requirement_currency=original.requirement_currency,
                target_date=original.target_date,
                carried_over_from_id=original.id,
                origin_id=original.origin_id or original.id,
            ),
        )
        await log(context, session, copy, ChangeAction.CREATED, None)
        original.status = ObjectiveStatus.CARRIED_OVER
        await save(session)
        await log(context, session, original, ChangeAction.TRANSITIONED, before)
        carried.append(copy)
    return carried
