"""Registering, updating and withdrawing contributions: each contributor its own, and only those."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from resolvers import items as kind_items
from resolvers import schedules
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
    remember,
    replayed,
    run,
    version,
)
from resolvers.context import Context
from resolvers.errors import shown
from resolvers.money import with_currency
from resolvers.stages import advance, commit, in_its_currency, pledged, restage
from resolvers.tallying import refresh_objectives
from store import contributions, draws, participants
from store.base import get, save, snapshot
from store.contributions import Contribution
from store.enums import (
    Category,
    ChangeAction,
    ContributionKind,
    ContributionStatus,
    ParticipantKind,
    PlanStatus,
    Visibility,
)
from store.objectives import Objective
from store.participants import Participant
from store.plans import Plan
from store.stages import given_at

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
    kind: ContributionKind
    amount: Decimal
    currency: str
    starts_on: date
    # Where it goes: an objective; or a fund (by code), optionally earmarked to a plan, a
    # category of it, or an objective; or a plan (and category), to be allocated later.
    objective_id: str | None = None
    fund_code: str | None = None
    plan_id: str | None = None
    category: Category | None = None
    earmarked_objective_id: str | None = None
    # Reported by the secretariat for another contributor (by code).
    on_behalf_of: str | None = None
    ends_on: date | None = None
    valued_on: date | None = None
    status: ContributionStatus = ContributionStatus.PLEDGED
    visibility: Visibility = Visibility.PUBLIC
    description: str | None = None
    external_reference: str | None = None
    pledged_on: date | None = None
    # Part of the pledge committed (amount, currency), and when; the planned tranches and the
    # in-kind line items (as the schema's inputs give them: resolvers/schedules.py, items.py).
    committed: tuple[Decimal, str] | None = None
    committed_on: date | None = None
    schedule: Sequence[Any] | None = None
    items: Sequence[Any] | None = None


class Terms(Protocol):
    """The terms support is given on, as registering and allocating both take them."""

    @property
    def starts_on(self) -> date: ...
    @property
    def ends_on(self) -> date | None: ...
    @property
    def valued_on(self) -> date | None: ...
    @property
    def status(self) -> ContributionStatus: ...
    @property
    def visibility(self) -> Visibility: ...
    @property
    def description(self) -> str | None: ...
    @property
    def external_reference(self) -> str | None: ...
    @property
    def pledged_on(self) -> date | None: ...


@dataclass(frozen=True)
class Destination:
    """Where registered support goes, as the contribution's columns record it."""

    objective_id: int | None
    recipient_id: int
    channel_id: int | None = None
    plan_id: int | None = None
    category: Category | None = None
    earmarked_objective_id: int | None = None


def _open(path: str, plan: Plan, relation: str) -> Plan:
    """`plan`, if support may go to it."""
    if plan.status not in OPEN_PLANS:
        raise reject(
            path,
            f"{relation} plan {plan.code}, which is {plan.status.name}: support goes to plans "
            "that are agreed, active or under review",
        )
    return plan


async def _open_plan(session: AsyncSession, path: str, plan_id: int) -> Plan:
    plan = await get(session, Plan, plan_id)
    if plan is None:
        raise reject(path, "names no plan", UserErrorCode.NOT_FOUND)
    return _open(path, plan, "names")


async def objective_of_open_plan(
    session: AsyncSession, path: str, global_id_: str
) -> tuple[Objective, Plan]:
    """An objective of an open plan, and its plan."""
    objective = await get(session, Objective, global_id(path, global_id_, "Objective"))
    if objective is None:
        raise reject(path, "names no objective", UserErrorCode.NOT_FOUND)
    plan = await get(session, Plan, objective.plan_id)
    assert plan is not None
    return objective, _open(path, plan, "belongs to")


# A participant code is 2 to 8 letters; anything longer names nothing.
CODE_LIMIT = 8


async def participant_named(session: AsyncSession, path: str, code: str) -> Participant | None:
    """The participant with this code, once the code is checked as text (a control character
    never reaches the database)."""
    cleaned = input_text(path, code, CODE_LIMIT, required=True)
    assert cleaned is not None
    return (await participants.by_codes(session, [cleaned.upper()])).get(cleaned.upper())


async def fund_named(session: AsyncSession, path: str, code: str) -> Participant:
    """The participant of kind FUND with this code."""
    found = await participant_named(session, path, code)
    if found is None or found.kind is not ParticipantKind.FUND:
        raise reject(path, f"{shown(code)} names no fund", UserErrorCode.NOT_FOUND)
    return found


async def _destination(session: AsyncSession, entry: Registration) -> Destination:
    """Exactly one destination: an objective, a fund, or a plan; the earmarks only where they
    mean something."""
    if entry.objective_id is not None:
        for path, given in (
            ("fund", entry.fund_code),
            ("planId", entry.plan_id),
            ("category", entry.category),
            ("earmarkedObjectiveId", entry.earmarked_objective_id),
        ):
            if given is not None:
                raise reject(
                    path, "is for pooled support: support to an objective reaches it directly"
                )
        objective, of_plan = await objective_of_open_plan(
            session, "objectiveId", entry.objective_id
        )
        return Destination(objective.id, of_plan.partner_id)
    plan: Plan | None = None
    if entry.plan_id is not None:
        plan = await _open_plan(session, "planId", global_id("planId", entry.plan_id, "Plan"))
    if entry.category is not None and plan is None:
        raise reject("category", "earmarks a category of a plan: give planId too")
    earmark = None
    if entry.earmarked_objective_id is not None:
        if entry.fund_code is None:
            raise reject(
                "earmarkedObjectiveId",
                "is for support given into a fund; to support an objective, give objectiveId",
            )
        earmark, its_plan = await objective_of_open_plan(
            session, "earmarkedObjectiveId", entry.earmarked_objective_id
        )
        if plan is not None and its_plan.id != plan.id:
            raise reject("earmarkedObjectiveId", f"is not an objective of plan {plan.code}")
        if entry.category is not None and earmark.category is not entry.category:
            raise reject(
                "earmarkedObjectiveId", f"is not an objective of category {entry.category.name}"
            )
        plan = its_plan
    if entry.fund_code is not None:
        fund = await fund_named(session, "fund", entry.fund_code)
        return Destination(
            objective_id=None,
            recipient_id=fund.id,
            channel_id=fund.id,
            plan_id=None if plan is None else plan.id,
            category=entry.category,
            earmarked_objective_id=None if earmark is None else earmark.id,
        )
    if plan is None:
        raise reject(
            "objectiveId",
            "is required unless the support goes into a fund (fund) or is earmarked to a plan "
            "(planId)",
        )
    return Destination(None, plan.partner_id, plan_id=plan.id, category=entry.category)


async def _contributor(
    session: AsyncSession, context: Context, entry: Registration, destination: Destination
) -> int:
    """Who gives: the caller, or for the secretariat the participant it reports for."""
    viewer = context.caller
    if entry.on_behalf_of is None:
        contributor = viewer.participant_id
    else:
        if not viewer.is_secretariat:
            raise reject(
                "onBehalfOf",
                "is for the secretariat, which reports support for contributors that do not "
                "report it themselves",
                UserErrorCode.FORBIDDEN,
            )
        found = await participant_named(session, "onBehalfOf", entry.on_behalf_of)
        if found is None:
            raise reject("onBehalfOf", f"{shown(entry.on_behalf_of)} names no participant")
        contributor = found.id
    if contributor == destination.channel_id:
        raise reject(
            "fund",
            "is the contributor itself: a fund passes its money on with allocateContribution",
        )
    return contributor


def reached(row: Contribution) -> list[int]:
    """The objectives whose tallies a write to `row` changes: the one it reaches, if any (pooled
    support counts nowhere until it is allocated)."""
    return [] if row.objective_id is None else [row.objective_id]


def status_fits_kind(path: str, kind: ContributionKind, status: ContributionStatus) -> None:
    if status is ContributionStatus.DISBURSED and kind is not ContributionKind.FUNDING:
        raise reject(path, "DISBURSED is for funding; in-kind support is DELIVERED")
    if status is ContributionStatus.DELIVERED and kind is ContributionKind.FUNDING:
        raise reject(path, "DELIVERED is for in-kind support; funding is DISBURSED")


async def register(
    context: Context, entry: Registration, idempotency_key: str | None
) -> Outcome[Contribution]:
    print_ = fingerprint(vars(entry))

    async def work(session: AsyncSession) -> Outcome[Contribution]:
        key = input_text("idempotencyKey", idempotency_key, KEY_LIMIT)
        earlier = await replayed(
            session, context, REGISTER, key, print_, Contribution, "registration"
        )
        if earlier is not None:
            return earlier
        row = await _new_contribution(session, context, entry)
        await log(context, session, row, ChangeAction.CREATED, None)
        await refresh_objectives(session, reached(row))
        await remember(session, context, REGISTER, key, print_, row.id)
        return Outcome(row)

    return await run(context, work)


async def _new_contribution(
    session: AsyncSession, context: Context, entry: Registration
) -> Contribution:
    destination = await _destination(session, entry)
    contributor = await _contributor(session, context, entry, destination)
    reference = await checked_terms(session, entry, entry.kind, contributor)
    valued_on = entry.valued_on or entry.starts_on
    amount, currency = await money(session, "amount", entry.amount, entry.currency, valued_on)

    async def staged(row: Contribution) -> None:
        await _staged(session, row, entry)

    return await add_support(
        session,
        context,
        entry,
        entry.kind,
        contributor,
        destination,
        (amount, currency),
        reference,
        staged=staged,
    )


async def _staged(session: AsyncSession, row: Contribution, entry: Registration) -> None:
    """A new contribution's commitment, schedule and items, as registered."""
    if entry.committed is not None:
        committed = await in_its_currency(session, "committed", row, entry.committed)
        commit(row, committed, entry.committed_on, datetime.now(UTC).date())
    elif entry.committed_on is not None:
        raise reject("committedOn", "dates a commitment: give `committed` with it")
    _planned(row, entry.schedule, entry.items)


def _planned(
    row: Contribution, schedule: Sequence[Any] | None, items: Sequence[Any] | None
) -> None:
    """The schedule and items given (None: as they are), and the rules they keep with the
    pledge whichever changed: tranches within it, items adding up to it."""
    if schedule is not None:
        row.schedule = schedules.stored(
            schedules.checked("schedule", schedule, row.currency, row.amount)
        )
    planned = schedules.parse(row.schedule)
    if sum((tranche.amount for tranche in planned), Decimal(0)) > row.amount:
        raise reject(
            "amount.amount",
            "is less than the tranches planned for it: change the schedule with it",
        )
    if items is not None:
        row.items = kind_items.stored(kind_items.checked("items", items, row.kind, row.currency))
    listed = kind_items.parse(row.items)
    if listed:
        if row.kind is ContributionKind.FUNDING:
            raise reject("kind", "cannot be FUNDING while in-kind items are listed")
        kind_items.matching_amount("items", listed, row.currency, row.amount)


async def checked_terms(
    session: AsyncSession, terms: Terms, kind: ContributionKind, contributor_id: int
) -> str | None:
    """The rules every support's terms pass, whoever gives it: a reference of the
    contributor's own, a status it can start in and that fits its kind, a period in order.
    Returns the reference, cleaned."""
    reference = input_text("externalReference", terms.external_reference, REFERENCE_LIMIT)
    if reference is not None:
        existing = await contributions.by_reference(session, contributor_id, reference)
        if existing is not None:
            raise reject(
                "externalReference",
                "is already registered for this contributor; change it with updateContribution",
                UserErrorCode.ALREADY_EXISTS,
                found=existing,
            )
    if terms.status is ContributionStatus.WITHDRAWN:
        raise reject("status", "cannot be WITHDRAWN when support is given")
    status_fits_kind("status", kind, terms.status)
    period("startsOn", terms.starts_on, "endsOn", terms.ends_on)
    return reference


async def add_support(
    session: AsyncSession,
    context: Context,
    terms: Terms,
    kind: ContributionKind,
    contributor_id: int,
    destination: Destination,
    money_: tuple[Decimal, str],
    reference: str | None,
    *,
    draws: bool = False,
    staged: Callable[[Contribution], Awaitable[None]] | None = None,
) -> Contribution:
    """The support row, given on checked `terms`, reported by the caller; `staged` sets its
    stages, schedule and items before it is written, so that it is written once, at version 1."""
    amount, currency = money_
    now = datetime.now(UTC)
    pledged_on = terms.pledged_on or now.date()
    if pledged_on > now.date():
        raise reject("pledgedOn", f"({pledged_on}) is after today ({now.date()})")
    by = context.caller.participant_id
    row = Contribution(
        pledged_on=pledged_on,
        **given_at(terms.status, amount, pledged_on, by, now),
        objective_id=destination.objective_id,
        contributor_id=contributor_id,
        recipient_id=destination.recipient_id,
        channel_id=destination.channel_id,
        plan_id=destination.plan_id,
        category=destination.category,
        earmarked_objective_id=destination.earmarked_objective_id,
        reported_by_id=by,
        draws=draws,
        kind=kind,
        status=terms.status,
        amount=amount,
        currency=currency,
        valued_on=terms.valued_on or terms.starts_on,
        starts_on=terms.starts_on,
        ends_on=terms.ends_on,
        description=input_text("description", terms.description, DESCRIPTION_LIMIT, prose=True),
        external_reference=reference,
        visibility=terms.visibility,
        schedule=[],
        items=[],
    )
    if staged is not None:
        await staged(row)
    return await contributions.add(session, row)


async def own(session: AsyncSession, context: Context, global_id_: str) -> Contribution:
    """A contribution the caller may change, or a rejection that reveals nothing about anyone
    else's: its contributor's (a fund's manager acts for the fund), or one the caller reported
    on the contributor's behalf and the contributor has not taken over."""
    pk = global_id("id", global_id_, "Contribution")
    row = await get(session, Contribution, pk)
    if row is None:
        raise reject("id", "names no contribution", UserErrorCode.NOT_FOUND)
    viewer = context.caller
    on_behalf = row.reported_by_id != row.contributor_id
    if row.contributor_id not in viewer.acting_for and not (
        on_behalf and row.reported_by_id == viewer.participant_id
    ):
        raise reject(
            "id",
            "is not one of your contributions: only its contributor (or whoever reported it on "
            "its behalf, until the contributor takes it over) may change it",
            UserErrorCode.FORBIDDEN,
        )
    return row


async def _still_covers_its_draws(
    session: AsyncSession, row: Contribution, before: dict[str, Any]
) -> None:
    """An allocation is what it draws, and pooled support never holds less than was drawn on it:
    a change of amount or currency that breaks either is refused."""
    changed = row.amount != Decimal(before["amount"]) or row.currency != before["currency"]
    if row.draws and changed:
        raise reject(
            "amount",
            "of an allocation is the sum of what it draws: withdraw it and allocate anew",
        )
    passed_on = (await draws.drawn(session, [row.id]))[row.id]
    if passed_on and row.currency != before["currency"]:
        raise reject("amount.currency", "cannot change: part of it has been allocated")
    if passed_on > row.amount:
        raise reject(
            "amount.amount",
            f"cannot fall below the {with_currency(passed_on, row.currency)} "
            "already allocated from it",
        )


def _still_covers_its_stages(row: Contribution, before: dict[str, Any]) -> None:
    """A pledge holds its commitment: it cannot fall below it, nor change currency once part of
    it is committed or delivered (those parts are in its currency)."""
    committed = row.committed_amount
    if committed is not None and row.currency != before["currency"]:
        raise reject("amount.currency", "cannot change: part of it is committed")
    if committed is not None and row.amount < committed:
        raise reject(
            "amount.amount",
            f"cannot fall below the {with_currency(committed, row.currency)} committed",
        )


async def _restaged(
    session: AsyncSession, context: Context, row: Contribution, fields: dict[str, Any]
) -> None:
    """An update's stages: the pledge's date, a commitment, a later status (one word for its
    stages), the schedule and the items."""
    now = datetime.now(UTC)
    pledged(row, fields.get("pledged_on"), now.date())
    if fields.get("committed") is not None:
        committed = await in_its_currency(session, "committed", row, fields["committed"])
        commit(row, committed, fields.get("committed_on"), now.date())
    elif fields.get("committed_on") is not None:
        if row.committed_amount is None:
            raise reject("committedOn", "dates a commitment: give `committed` with it")
        commit(row, row.committed_amount, fields["committed_on"], now.date())
    if "status" in fields:
        advance(row, fields["status"], context.caller.participant_id, now)
    _planned(row, fields.get("schedule"), fields.get("items"))


def taken_over(context: Context, row: Contribution) -> None:
    """A write by the contributor itself makes a record reported on its behalf its own."""
    if context.caller.participant_id == row.contributor_id:
        row.reported_by_id = row.contributor_id


async def update(
    context: Context, global_id_: str, expected_version: int, fields: dict[str, Any]
) -> Outcome[Contribution]:
    """Change the given fields of one's own contribution, if it is still at `expected_version`."""

    async def work(session: AsyncSession) -> Outcome[Contribution]:
        row = await own(session, context, global_id_)
        version("expectedVersion", row, expected_version)
        not_null(fields, "kind", "status", "visibility", "amount", "starts_on", "valued_on")
        if row.status is ContributionStatus.WITHDRAWN:
            raise reject(
                "id", "is withdrawn: it can no longer change", UserErrorCode.INVALID_TRANSITION
            )
        before = snapshot(row)
        taken_over(context, row)
        if "status" in fields:
            forward("status", row.status, fields["status"], LIFECYCLE)
        for name in ("kind", "visibility", "starts_on", "ends_on", "valued_on"):
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
        status_fits_kind("status", row.kind, fields.get("status", row.status))
        period("startsOn", row.starts_on, "endsOn", row.ends_on)
        if "amount" in fields or "valued_on" in fields:
            # A new amount, or a new valuation date, must still have a rate to be totalled with.
            amount, currency = fields.get("amount", (row.amount, row.currency))
            path = "amount" if "amount" in fields else "valuedOn"
            row.amount, row.currency = await money(session, path, amount, currency, row.valued_on)
            await _still_covers_its_draws(session, row, before)
            _still_covers_its_stages(row, before)
        await _restaged(session, context, row, fields)
        await save(session)
        await log(context, session, row, ChangeAction.UPDATED, before)
        await refresh_objectives(session, reached(row))
        return Outcome(row)

    return await run(context, work)


async def withdraw(
    context: Context, global_id_: str, expected_version: int, reason: str | None
) -> Outcome[Contribution]:
    async def work(session: AsyncSession) -> Outcome[Contribution]:
        row = await own(session, context, global_id_)
        version("expectedVersion", row, expected_version)
        if row.status is ContributionStatus.WITHDRAWN:
            raise reject("id", "is already withdrawn", UserErrorCode.INVALID_TRANSITION)
        passed_on = (await draws.drawn(session, [row.id]))[row.id]
        if passed_on:
            raise reject(
                "id",
                f"has {with_currency(passed_on, row.currency)} allocated from "
                "it: withdraw those allocations "
                "first (see its `allocations`)",
                UserErrorCode.INVALID_TRANSITION,
            )
        before = snapshot(row)
        # What was delivered before stays delivered (store/stages.py).
        row.withdrawn_at = datetime.now(UTC)
        restage(row)
        await save(session)
        why = input_text("reason", reason, DESCRIPTION_LIMIT, prose=True)
        await log(context, session, row, ChangeAction.WITHDRAWN, before, {"reason": why})
        await refresh_objectives(session, reached(row))
        return Outcome(row)

    return await run(context, work)
