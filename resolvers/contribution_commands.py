"""Registering, updating and withdrawing contributions: each contributor its own, and only those."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolvers.commands import (
    Outcome,
    UserErrorCode,
    fingerprint,
    forward,
    global_id,
    input_text,
    log,
    money,
    not_null,
    period,
    reject,
    run,
    version,
)
from resolvers.context import Context
from resolvers.tallying import refresh_objectives
from store import contributions, idempotency
from store.base import get, save, snapshot
from store.contributions import Contribution
from store.enums import ChangeAction, ContributionKind, ContributionStatus, PlanStatus, Visibility
from store.objectives import Objective
from store.plans import Plan

REGISTER = "registerContribution"
OPEN_PLANS = (PlanStatus.AGREED, PlanStatus.ACTIVE, PlanStatus.UNDER_REVIEW)
LIFECYCLE = {
    ContributionStatus.PLEDGED: (
        ContributionStatus.COMMITTED,
        ContributionStatus.DISBURSED,
        ContributionStatus.DELIVERED,
    ),
    ContributionStatus.COMMITTED: (ContributionStatus.DISBURSED, ContributionStatus.DELIVERED),
}
DESCRIPTION_LIMIT = 2000
REFERENCE_LIMIT = 120
KEY_LIMIT = 200


@dataclass(frozen=True)
class Registration:
    objective_id: str
    kind: ContributionKind
    amount: Decimal
    currency: str
    starts_on: date
    ends_on: date | None = None
    valued_on: date | None = None
    status: ContributionStatus = ContributionStatus.PLEDGED
    visibility: Visibility = Visibility.PUBLIC
    description: str | None = None
    external_reference: str | None = None


def reached(row: Contribution) -> list[int]:
    """The objectives whose tallies a write to `row` changes: the one it reaches, if any (pooled
    support counts nowhere until it is allocated)."""
    return [] if row.objective_id is None else [row.objective_id]


def _status_fits_kind(path: str, kind: ContributionKind, status: ContributionStatus) -> None:
    if status is ContributionStatus.DISBURSED and kind is not ContributionKind.FUNDING:
        raise reject(path, "DISBURSED is for funding; in-kind support is DELIVERED")
    if status is ContributionStatus.DELIVERED and kind is ContributionKind.FUNDING:
        raise reject(path, "DELIVERED is for in-kind support; funding is DISBURSED")


async def register(
    context: Context, entry: Registration, idempotency_key: str | None
) -> Outcome[Contribution]:
    viewer = context.caller
    print_ = fingerprint(vars(entry))

    async def work(session: AsyncSession) -> Outcome[Contribution]:
        key = input_text("idempotencyKey", idempotency_key, KEY_LIMIT)
        if key is not None:
            seen = await idempotency.find(session, viewer.participant_id, REGISTER, key)
            if seen is not None:
                if seen.fingerprint != print_:
                    raise reject(
                        "idempotencyKey",
                        "was already used for a different registration",
                        UserErrorCode.IDEMPOTENCY_KEY_REUSED,
                    )
                return Outcome(await get(session, Contribution, seen.entity_id), replayed=True)
        row = await _new_contribution(session, context, entry)
        await log(context, session, row, ChangeAction.CREATED, None)
        await refresh_objectives(session, reached(row))
        if key is not None:
            await idempotency.remember(
                session, viewer.participant_id, REGISTER, key, print_, row.id
            )
        return Outcome(row)

    return await run(context, work)


async def _new_contribution(
    session: AsyncSession, context: Context, entry: Registration
) -> Contribution:
    objective_pk = global_id("objectiveId", entry.objective_id, "Objective")
    objective = await get(session, Objective, objective_pk)
    if objective is None:
        raise reject("objectiveId", "names no objective", UserErrorCode.NOT_FOUND)
    plan = await get(session, Plan, objective.plan_id)
    assert plan is not None
    if plan.status not in OPEN_PLANS:
        raise reject(
            "objectiveId",
            f"belongs to plan {plan.code}, which is {plan.status.name}: support goes to plans "
            "that are agreed, active or under review",
        )
    reference = input_text("externalReference", entry.external_reference, REFERENCE_LIMIT)
    viewer = context.caller
    if reference is not None:
        existing = await contributions.by_reference(session, viewer.participant_id, reference)
        if existing is not None:
            raise reject(
                "externalReference",
                "is already registered by you; change it with updateContribution",
                UserErrorCode.ALREADY_EXISTS,
                found=existing,
            )
    if entry.status is ContributionStatus.WITHDRAWN:
        raise reject("status", "cannot be WITHDRAWN at registration")
    _status_fits_kind("status", entry.kind, entry.status)
    period("startsOn", entry.starts_on, "endsOn", entry.ends_on)
    valued_on = entry.valued_on or entry.starts_on
    amount, currency = await money(session, "amount", entry.amount, entry.currency, valued_on)
    return await contributions.add(
        session,
        Contribution(
            objective_id=objective.id,
            contributor_id=viewer.participant_id,
            recipient_id=plan.partner_id,
            reported_by_id=viewer.participant_id,
            draws=False,
            kind=entry.kind,
            status=entry.status,
            amount=amount,
            currency=currency,
            valued_on=valued_on,
            starts_on=entry.starts_on,
            ends_on=entry.ends_on,
            description=input_text("description", entry.description, DESCRIPTION_LIMIT, prose=True),
            external_reference=reference,
            visibility=entry.visibility,
        ),
    )


async def _own(session: AsyncSession, context: Context, global_id_: str) -> Contribution:
    """The caller's own contribution, or a rejection that reveals nothing about anyone else's."""
    pk = global_id("id", global_id_, "Contribution")
    row = await get(session, Contribution, pk)
    if row is None:
        raise reject("id", "names no contribution", UserErrorCode.NOT_FOUND)
    if row.contributor_id != context.caller.participant_id:
        raise reject(
            "id",
            "is not one of your contributions: only its contributor may change it",
            UserErrorCode.FORBIDDEN,
        )
    return row


async def update(
    context: Context, global_id_: str, expected_version: int, fields: dict[str, Any]
) -> Outcome[Contribution]:
    """Change the given fields of one's own contribution, if it is still at `expected_version`."""

    async def work(session: AsyncSession) -> Outcome[Contribution]:
        row = await _own(session, context, global_id_)
        version("expectedVersion", row, expected_version)
        not_null(fields, "kind", "status", "visibility", "amount", "starts_on", "valued_on")
        if row.status is ContributionStatus.WITHDRAWN:
            raise reject(
                "id", "is withdrawn: it can no longer change", UserErrorCode.INVALID_TRANSITION
            )
        before = snapshot(row)
        if "status" in fields:
            forward("status", row.status, fields["status"], LIFECYCLE)
        for name in ("kind", "status", "visibility", "starts_on", "ends_on", "valued_on"):
            if name in fields:
                setattr(row, name, fields[name])
        if "description" in fields:
            row.description = input_text(
                "description", fields["description"], DESCRIPTION_LIMIT, prose=True
            )
        if "external_reference" in fields:
            reference = input_text(
                "externalReference", fields["external_reference"], REFERENCE_LIMIT
            )
            if reference is not None and reference != row.external_reference:
                taken = await contributions.by_reference(session, row.contributor_id, reference)
                if taken is not None:
                    raise reject(
                        "externalReference",
                        "is already used by another of your contributions",
                        UserErrorCode.ALREADY_EXISTS,
                    )
            row.external_reference = reference
        _status_fits_kind("status", row.kind, row.status)
        period("startsOn", row.starts_on, "endsOn", row.ends_on)
        if "amount" in fields or "valued_on" in fields:
            # A new amount, or a new valuation date, must still have a rate to be totalled with.
            amount, currency = fields.get("amount", (row.amount, row.currency))
            path = "amount" if "amount" in fields else "valuedOn"
            row.amount, row.currency = await money(session, path, amount, currency, row.valued_on)
        await save(session)
        await log(context, session, row, ChangeAction.UPDATED, before)
        await refresh_objectives(session, reached(row))
        return Outcome(row)

    return await run(context, work)


async def withdraw(
    context: Context, global_id_: str, expected_version: int, reason: str | None
) -> Outcome[Contribution]:
    async def work(session: AsyncSession) -> Outcome[Contribution]:
        row = await _own(session, context, global_id_)
        version("expectedVersion", row, expected_version)
        if row.status is ContributionStatus.WITHDRAWN:
            raise reject("id", "is already withdrawn", UserErrorCode.INVALID_TRANSITION)
        before = snapshot(row)
        row.status = ContributionStatus.WITHDRAWN
        row.withdrawn_at = datetime.now(UTC)
        await save(session)
        why = input_text("reason", reason, DESCRIPTION_LIMIT, prose=True)
        await log(context, session, row, ChangeAction.WITHDRAWN, before, {"reason": why})
        await refresh_objectives(session, reached(row))
        return Outcome(row)

    return await run(context, work)
