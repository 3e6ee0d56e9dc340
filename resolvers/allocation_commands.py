"""Allocating pooled support: a fund passes on what donors gave it, or support earmarked to a plan
reaches its objectives. Each allocation draws on the pooled contributions it is paid from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from resolvers.commands import (
    Outcome,
    UserErrorCode,
    fingerprint,
    global_id,
    input_text,
    log,
    money,
    reject,
    remember,
    replayed,
    run,
)
from resolvers.context import Context
from resolvers.contribution_commands import (
    CODE_LIMIT,
    KEY_LIMIT,
    Destination,
    add_support,
    checked_terms,
    fund_named,
    reached,
)
from resolvers.contribution_commands import objective_of_open_plan as objective_named
from resolvers.money import with_currency
from resolvers.tallying import refresh_objectives
from store import contributions, draws
from store.contributions import Contribution
from store.draws import Draw
from store.enums import ChangeAction, ContributionKind, ContributionStatus, Visibility

ALLOCATE = "allocateContribution"
# More draws than any allocation needs; each is a row to check and write.
MAX_DRAWS = 100


@dataclass(frozen=True)
class Portion:
    """Part of one pooled contribution that an allocation draws on."""

    contribution_id: str
    amount: Decimal


@dataclass(frozen=True)
class Allocation:
    draws: tuple[Portion, ...]
    starts_on: date
    # Where it goes: an objective, or another fund (by code).
    objective_id: str | None = None
    fund_code: str | None = None
    kind: ContributionKind | None = None
    ends_on: date | None = None
    valued_on: date | None = None
    status: ContributionStatus = ContributionStatus.PLEDGED
    visibility: Visibility = Visibility.PUBLIC
    description: str | None = None
    external_reference: str | None = None
    pledged_on: date | None = None


@dataclass(frozen=True)
class Pool:
    """Where the drawn money waits: in a fund (`fund_id`), or earmarked to a plan by one
    contributor. The allocation is given by the fund, or by that contributor."""

    giver_id: int
    fund_id: int | None
    sources: list[Contribution]


async def allocate(
    context: Context, entry: Allocation, idempotency_key: str | None
) -> Outcome[Contribution]:
    print_ = fingerprint(vars(entry))

    async def work(session: AsyncSession) -> Outcome[Contribution]:
        key = input_text("idempotencyKey", idempotency_key, KEY_LIMIT)
        earlier = await replayed(
            session, context, ALLOCATE, key, print_, Contribution, "allocation"
        )
        if earlier is not None:
            return earlier
        row, made = await _new_allocation(session, context, entry)
        drawn = [{"source_id": draw.source_id, "amount": str(draw.amount)} for draw in made]
        await log(context, session, row, ChangeAction.CREATED, None, {"draws": drawn})
        await refresh_objectives(session, reached(row))
        await remember(session, context, ALLOCATE, key, print_, row.id)
        return Outcome(row)

    return await run(context, work)


async def _pool(session: AsyncSession, context: Context, entry: Allocation) -> Pool:
    """The pooled contributions drawn on, checked: they exist, wait in one pool, share one
    currency, and the caller may allocate from that pool."""
    if not entry.draws:
        raise reject("draws", "must name at least one pooled contribution to draw on")
    if len(entry.draws) > MAX_DRAWS:
        raise reject("draws", f"names {len(entry.draws)} contributions; at most {MAX_DRAWS}")
    ids = [
        global_id(f"draws.{n}.contributionId", portion.contribution_id, "Contribution")
        for n, portion in enumerate(entry.draws)
    ]
    if len(set(ids)) != len(ids):
        raise reject("draws", "names one contribution twice: draw on each once")
    found = await contributions.by_ids(session, ids)
    viewer = context.caller
    sources = []
    for n, pk in enumerate(ids):
        path = f"draws.{n}.contributionId"
        row = found.get(pk)
        # Support the caller may not see in detail is not named as existing either.
        if row is None or not viewer.sees_detail(row):
            raise reject(path, "names no contribution you may draw on", UserErrorCode.NOT_FOUND)
        if row.objective_id is not None:
            raise reject(path, "has reached its objective already: only pooled support is drawn on")
        if row.status is ContributionStatus.WITHDRAWN:
            raise reject(path, "is withdrawn: nothing is left to draw on")
        sources.append(row)
    first = sources[0]
    for n, row in enumerate(sources):
        path = f"draws.{n}.contributionId"
        same_fund = row.channel_id == first.channel_id
        same_earmark = row.contributor_id == first.contributor_id and row.plan_id == first.plan_id
        if not same_fund or (row.channel_id is None and not same_earmark):
            raise reject(
                path,
                "waits in another pool: one allocation draws on one fund, or on one "
                "contributor's support earmarked to one plan",
            )
        if row.currency != first.currency:
            raise reject(
                path,
                f"is in {row.currency}, the others in {first.currency}: an allocation draws in "
                "one currency (make one for each)",
            )
    if first.channel_id is not None:
        pool = Pool(first.channel_id, first.channel_id, sources)
        allowed = viewer.is_secretariat or pool.fund_id in viewer.acting_for
        who = "the fund's manager or the secretariat"
    else:
        pool = Pool(first.contributor_id, None, sources)
        allowed = (
            viewer.is_secretariat
            or first.contributor_id in viewer.acting_for
            or first.recipient_id == viewer.participant_id
        )
        who = "its contributor, the partner it is earmarked to, or the secretariat"
    if not allowed:
        raise reject("draws", f"may be allocated only by {who}", UserErrorCode.FORBIDDEN)
    return pool


async def _new_allocation(
    session: AsyncSession, context: Context, entry: Allocation
) -> tuple[Contribution, list[Draw]]:
    pool = await _pool(session, context, entry)
    currency = pool.sources[0].currency
    amounts = []
    for n, portion in enumerate(entry.draws):
        path = f"draws.{n}.amount"
        amount, _ = await money(
            session, path, portion.amount, currency, entry.valued_on or entry.starts_on
        )
        amounts.append(amount)
    held = await draws.drawn(session, [row.id for row in pool.sources])
    for n, (row, amount) in enumerate(zip(pool.sources, amounts, strict=True)):
        left = row.amount - held[row.id]
        if amount > left:
            raise reject(
                f"draws.{n}.amount",
                f"is {with_currency(amount, currency)}, but only "
                f"{with_currency(left, currency)} of that contribution is left to "
                "allocate",
            )
    destination = await _destination(session, entry, pool)
    kinds = {row.kind for row in pool.sources}
    kind = entry.kind or (kinds.pop() if len(kinds) == 1 else None)
    if kind is None:
        raise reject("kind", "is required: the contributions drawn on are of different kinds")
    reference = await checked_terms(session, entry, kind, pool.giver_id)
    money_ = (sum(amounts, Decimal(0)), currency)
    row = await add_support(
        session, context, entry, kind, pool.giver_id, destination, money_, reference, draws=True
    )
    made = [
        Draw(allocation_id=row.id, source_id=source.id, amount=amount)
        for source, amount in zip(pool.sources, amounts, strict=True)
    ]
    session.add_all(made)
    await session.flush()
    return row, made


async def _destination(session: AsyncSession, entry: Allocation, pool: Pool) -> Destination:
    """An objective the pool's earmarks allow, or another fund."""
    fund_code = input_text("fund", entry.fund_code, CODE_LIMIT)
    if (entry.objective_id is None) == (fund_code is None):
        raise reject("objectiveId", "give exactly one of objectiveId and fund")
    if fund_code is not None:
        if pool.fund_id is None:
            raise reject(
                "fund",
                "is for a fund passing money on: support earmarked to a plan reaches objectives",
            )
        fund = await fund_named(session, "fund", fund_code)
        if fund.id == pool.fund_id:
            raise reject("fund", "names the fund the money is in already")
        return Destination(None, fund.id, fund.id)
    assert entry.objective_id is not None
    objective, plan = await objective_named(session, "objectiveId", entry.objective_id)
    for n, row in enumerate(pool.sources):
        earmarks = (
            (row.plan_id, plan.id, "another plan"),
            (row.category, objective.category, "another category"),
            (row.earmarked_objective_id, objective.id, "another objective"),
        )
        for wanted, actual, what in earmarks:
            if wanted is not None and wanted != actual:
                raise reject(
                    "objectiveId",
                    f"is not what draws[{n}] is earmarked to: it is earmarked to {what}",
                )
    return Destination(objective.id, plan.partner_id, pool.fund_id)
