"""Where aid is missing: objectives whose committed support falls short, most urgent first, and
who has helped with such objectives before."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from resolvers import analysis, as_of
from resolvers.context import Context
from resolvers.errors import invalid_argument
from resolvers.listing import check_codes
from resolvers.money import decimal_places
from resolvers.pagination import Listing, Slice, window_for
from store import contributions, tallies
from store.enums import Category
from store.objectives import Objective
from store.pages import Ordering, Window, count, fetch_page, page_of
from store.participants import Participant
from store.plans import Plan
from store.tallies import LineFilter, ObjectiveTally

ORDERING = Ordering(tallies.GAP_ORDER)
SUGGESTION_YEARS = 5


@dataclass(frozen=True)
class Gap:
    tally: ObjectiveTally
    objective: Objective
    plan: Plan
    lacking: Decimal


async def listing(
    context: Context,
    criteria: LineFilter,
    threshold: Decimal,
    slice_: Slice,
    day: date | None = None,
) -> Listing[Gap]:
    """Gaps, most urgent first: today's from the stored tallies, paged in SQL; as at a past
    `day`, from the record as it stood then (resolvers/as_of.py), paged in memory."""
    if not 0 <= threshold <= 1:
        raise invalid_argument("threshold", f"must be a share from 0 to 1, got {threshold}")
    if decimal_places(threshold) > tallies.SHARE_PLACES:
        raise invalid_argument(
            "threshold", f"may have at most {tallies.SHARE_PLACES} decimal places, got {threshold}"
        )
    await check_codes(context, "filter.partners", criteria.partner_codes)
    paging = window_for(slice_, ORDERING)
    day = as_of.checked_day(context, day)
    if day is not None:
        return await _then(context, criteria, threshold, paging, day)
    statement = tallies.gaps(tallies.select_lines(criteria), threshold)
    async with context.session() as session:
        page = await fetch_page(
            session, statement, ObjectiveTally, ORDERING, paging, ObjectiveTally.line_id
        )
    found = []
    for tally, objective, plan in page.rows:
        context.loaders.objective.prime(objective.id, objective)
        context.loaders.plan.prime(plan.id, plan)
        lacking = analysis.shortfall(tally.committed, tally.requirement, threshold)
        found.append(Gap(tally, objective, plan, lacking or analysis.ZERO))
    page.rows = found

    async def total() -> int:
        async with context.session() as session:
            return await count(session, statement)

    return Listing(page, total)


def lacking(
    tally: ObjectiveTally, head: Objective, plan: Plan, threshold: Decimal
) -> Decimal | None:
    """What a line lacks, if it is a gap at `threshold`; None if it is not one. What
    store/tallies.gaps selects in SQL, in Python (for lines rebuilt in memory): an open objective
    of a plan in force with nothing committed, or committed below the share."""
    if not tallies.may_lack(head, plan):
        return None
    missing = analysis.shortfall(tally.committed, tally.requirement, threshold)
    if missing is None and tally.committed:
        return None
    return missing or analysis.ZERO


async def _then(
    context: Context, criteria: LineFilter, threshold: Decimal, paging: Window, day: date
) -> Listing[Gap]:
    past = await as_of.past(context, day)
    found = []
    for line in past.chosen(criteria, await as_of.partner_ids(context, criteria)):
        missing = lacking(line.tally, line.head, line.plan, threshold)
        if missing is not None:
            gap = Gap(line.tally, line.head, line.plan, missing)
            found.append((gap, line.head.priority, line.tally.line_id))
    everything = len(found)

    async def total() -> int:
        return everything

    return Listing(page_of(found, ORDERING, paging), total)


@dataclass(frozen=True)
class Suggestion:
    participant: Participant
    contributions: int
    reason: str


async def suggestions(context: Context, gap: Gap, limit: int) -> list[Suggestion]:
    """Participants most likely to help: those who supported the most objectives of the same
    category for partners of the same region in recent years (the partner itself excluded),
    counting only the support whose giver this caller may see: the ranking, the counts and the
    reasons say nothing of restricted support withheld from it."""
    if not 1 <= limit <= 20:
        raise invalid_argument("first", f"must be between 1 and 20, got {limit}")
    partner = await context.loaders.participant.load(gap.plan.partner_id)
    region = None if partner is None else partner.region
    key = (gap.objective.category, region)
    loader = context.loaders.batched(("suggestions", context.today), _support_since(context))
    ranked: list[tuple[int, int]] = await loader.load(key)
    chosen = [(who, n) for who, n in ranked if who != gap.plan.partner_id][:limit]
    people = await context.loaders.participant.load_many([who for who, _ in chosen])
    since = context.today.year - SUGGESTION_YEARS
    category = gap.objective.category.name.replace("_", " ").lower()
    return [
        Suggestion(
            participant=person,
            contributions=n,
            reason=f"{n} contribution{'s' if n > 1 else ''} to {category} objectives of "
            f"partners in {region or 'the same region'} since {since}",
        )
        for (_, n), person in zip(chosen, people, strict=True)
        if person is not None
    ]


Key = tuple[Category, str | None]


def _support_since(
    context: Context,
) -> Callable[[AsyncSession, Sequence[Key]], Awaitable[dict[Key, list[tuple[int, int]]]]]:
    since = context.today - timedelta(days=365 * SUGGESTION_YEARS)
    scope = context.caller.restricted_scope()

    async def batch(session: AsyncSession, keys: Sequence[Key]) -> dict[Key, list[tuple[int, int]]]:
        rows = await contributions.recent_support(session, keys, since, scope)
        found: dict[Key, list[tuple[int, int]]] = defaultdict(list)
        for category, region, contributor, n in rows:
            found[(category, region)].append((contributor, n))
        return {key: sorted(found[key], key=lambda item: (-item[1], item[0])) for key in keys}

    return batch
