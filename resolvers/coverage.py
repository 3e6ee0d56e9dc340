"""How well objectives are covered: requirement against pledged, committed and disbursed support,
by category and in total, summed from the stored tallies."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from sqlalchemy.ext.asyncio import AsyncSession

from resolvers import analysis, as_of
from resolvers.context import Context
from resolvers.errors import invalid_argument
from resolvers.listing import check_codes
from resolvers.tallying import entries, rate_order, rates_of
from resolvers.viewer import Viewer
from store import confirmations, contributions, draws, tallies
from store import rates as stored_rates
from store.contributions import Contribution
from store.enums import Category, ConfirmationVerdict, ContributionKind, ContributionStatus
from store.rates import ExchangeRate, by_ids
from store.tallies import LineFilter, ObjectiveTally

__all__ = [
    "Attribution",
    "Basis",
    "Covered",
    "Credit",
    "ExchangeRate",
    "by_contributor",
    "coverage",
    "rates",
    "reported",
]


@dataclass(frozen=True)
class Covered:
    total: analysis.Coverage
    by_category: list[tuple[Category, analysis.Coverage]]
    criteria: LineFilter
    # The rates the totals used, and those of the requirements among them.
    rate_ids: frozenset[int]
    requirement_rate_ids: frozenset[int]
    # The objective lines counted.
    line_ids: tuple[int, ...] = ()
    # On the confirmed basis, the rates of the confirmations this viewer sees in detail (a
    # confirmation's currency is detail of its contribution), and as at a past day those of the
    # contributions it sees in detail; None otherwise, where `rates` works them out.
    seen_rate_ids: frozenset[int] | None = None
    # The record as it stood, for figures as at a past day (None: today's).
    past: as_of.Past | None = None


class Basis(enum.Enum):
    """Whose account of the support the figures count."""

    # The contributors' reports (or those made on their behalf).
    REPORTED = "REPORTED"
    # The recipients' own accounts: what they confirmed receiving or having delivered, at the
    # amount they recorded; support unconfirmed or disputed counts nothing.
    CONFIRMED = "CONFIRMED"


async def coverage(
    context: Context,
    criteria: LineFilter,
    basis: Basis = Basis.REPORTED,
    day: date | None = None,
) -> Covered:
    """The covered lines' figures: today's, or as they stood at the end of `day`."""
    await check_codes(context, "filter.partners", criteria.partner_codes)
    day = as_of.checked_day(context, day)
    if day is not None:
        return await _coverage_then(context, criteria, basis, day)
    async with context.session() as session:
        lines = await tallies.categorised(session, tallies.select_lines(criteria))
        if basis is not Basis.CONFIRMED:
            return reported(criteria, lines)
        line_ids = [tally.line_id for tally, _ in lines]
        counted, seen_rate_ids = await _confirmed(session, line_ids, context.caller)
    return _covered(criteria, lines, counted, seen_rate_ids)


def reported(criteria: LineFilter, lines: list[tuple[ObjectiveTally, Category]]) -> Covered:
    """Today's figures of tallies already read (`tallies.categorised`), as the contributors
    reported them: what `coverage` answers on the REPORTED basis, for a caller that holds its
    own session (a review's snapshot, taken in the review's transaction)."""
    counted = {tally.line_id: _as_tally(tally) for tally, _ in lines}
    return _covered(criteria, lines, counted, None)


async def _coverage_then(
    context: Context, criteria: LineFilter, basis: Basis, day: date
) -> Covered:
    """Coverage as it stood at the end of a past day (resolvers/as_of.py)."""
    if basis is Basis.CONFIRMED:
        raise invalid_argument(
            "basis", "CONFIRMED is today's only: the figures as they stood are those reported"
        )
    found = await as_of.past(context, day)
    chosen = found.chosen(criteria, await as_of.partner_ids(context, criteria))
    lines = [(line.tally, line.head.category) for line in chosen]
    counted = {line.tally.line_id: _as_tally(line.tally) for line in chosen}
    # The rates of the contributions this viewer sees in detail, as on the confirmed basis.
    viewer, known = context.caller, rates_of(found.rates)
    seen = frozenset(
        rate.id
        for line in chosen
        for row in line.support
        if viewer.sees_detail(row) and (rate := known.on(row.currency, row.valued_on))
    )
    covered = _covered(criteria, lines, counted, seen)
    return replace(covered, seen_rate_ids=seen & covered.rate_ids, past=found)


def _covered(
    criteria: LineFilter,
    lines: list[tuple[ObjectiveTally, Category]],
    counted: dict[int, analysis.Tally],
    seen_rate_ids: frozenset[int] | None,
) -> Covered:
    grouped: dict[Category, list[tuple[Decimal | None, analysis.Tally]]] = {}
    for tally, category in lines:
        grouped.setdefault(category, []).append((tally.requirement, counted[tally.line_id]))
    everything = [item for items in grouped.values() for item in items]
    return Covered(
        total=analysis.coverage(everything),
        by_category=[
            (category, analysis.coverage(grouped[category]))
            for category in Category
            if category in grouped
        ],
        criteria=criteria,
        rate_ids=frozenset(rate for line in counted.values() for rate in line.rate_ids),
        requirement_rate_ids=frozenset(
            tally.requirement_rate_id for tally, _ in lines if tally.requirement_rate_id
        ),
        line_ids=tuple(tally.line_id for tally, _ in lines),
        seen_rate_ids=seen_rate_ids,
    )


async def _confirmed(
    session: AsyncSession, line_ids: list[int], viewer: Viewer
) -> tuple[dict[int, analysis.Tally], frozenset[int]]:
    """Each line's support as its recipients confirmed it: the latest confirmation of each
    contribution, valued on the contribution's valuation date; received or delivered, it counts
    as such, and stays counted if the contribution is later withdrawn (the money arrived)."""
    support = (await tallies.contributions_of_lines(session, line_ids)).rows
    every = [row for rows in support.values() for row in rows]
    latest = await confirmations.latest_of(session, [row.id for row in every])
    currencies = {found.currency for found in latest.values() if found.currency}
    rates = rates_of(await stored_rates.of_currencies(session, currencies))
    found: dict[int, analysis.Tally] = {}
    seen: set[int] = set()
    for line, rows in support.items():
        entries_ = []
        for row in rows:
            account = latest.get(row.id)
            if (
                account is None
                or account.verdict is not ConfirmationVerdict.CONFIRMED
                or account.amount is None
                or account.currency is None
            ):
                continue
            # Valued as the report is, on the contribution's valuation date: the same support
            # is worth the same on either basis, and a rate tells no more than the report's.
            value, rate = rates.convert(account.amount, account.currency, row.valued_on)
            if rate is not None and viewer.sees_detail(row):
                seen.add(rate.id)
            done = (
                analysis.Status.WITHDRAWN
                if row.status is ContributionStatus.WITHDRAWN
                else analysis.Status.DISBURSED
                if row.kind is ContributionKind.FUNDING
                else analysis.Status.DELIVERED
            )
            entries_.append(
                analysis.Entry(
                    id=row.id,
                    contributor_id=row.contributor_id,
                    kind=row.kind.name,
                    status=done,
                    value=value,
                    committed=value,
                    delivered=value,
                    rate_id=None if rate is None else rate.id,
                    starts_on=row.starts_on,
                    ends_on=row.ends_on,
                )
            )
        found[line] = analysis.tally(entries_)
    return found, frozenset(seen)


async def unallocated(context: Context, covered: Covered) -> Decimal:
    """Support earmarked to the covered plans and not yet allocated, in the base currency: what
    is left of each pooled contribution after its live allocations, valued as it is."""
    if covered.past is not None:
        raise invalid_argument(
            "asOf", "is not available for `unallocated`: what is pooled is today's figure only"
        )
    async with context.session() as session:
        pooled = await tallies.pooled_for(session, covered.criteria)
        drawn = await draws.drawn(session, [row.id for row in pooled])
        currencies = {row.currency for row in pooled}
        rates = rates_of(await stored_rates.of_currencies(session, currencies))
    total = analysis.ZERO
    for row in pooled:
        value, _ = rates.convert(row.amount - drawn[row.id], row.currency, row.valued_on)
        total += value
    return total


class Attribution(enum.Enum):
    """To whom support is credited in a breakdown by contributor."""

    # Whoever gave it to the objective: a fund, for what it allocated.
    DIRECT = "DIRECT"
    # The donors whose money it is, pro rata through every fund it passed.
    ORIGINAL_DONORS = "ORIGINAL_DONORS"


@dataclass
class Credit:
    """What one contributor (None: those withheld from the viewer, together) is credited with."""

    participant_id: int | None
    pledged: Decimal = analysis.ZERO
    committed: Decimal = analysis.ZERO
    disbursed: Decimal = analysis.ZERO

    def add(self, pledged: Decimal, committed: Decimal, delivered: Decimal) -> None:
        self.pledged += pledged
        self.committed += committed
        self.disbursed += delivered


async def by_contributor(
    context: Context, covered: Covered, attribution: Attribution
) -> list[Credit]:
    """The covered support credited to each contributor: every euro of the totals once, so the
    credits add up to them exactly. Contributors withheld from this viewer are credited together
    (participant None); with ORIGINAL_DONORS a donor is named only where the viewer sees both
    the support that arrived and the donor's own contribution in detail."""
    viewer = context.caller
    async with context.session() as session:
        rows, drawn, rates = await _support(session, covered)
        parts = (
            await draws.shares(session, rows, drawn)
            if attribution is Attribution.ORIGINAL_DONORS
            else {row.id: [(row, Fraction(1))] for row in rows}
        )
    credits: dict[int | None, Credit] = {}
    for entry, row in zip(entries(rows, rates, {}), rows, strict=True):
        counted = analysis.stages(entry)
        if counted is None:
            continue
        shared = parts[row.id]
        shares = [share for _, share in shared]
        # Each stage split in the same shares, each to the cent: every stage's credits add up
        # to its total exactly.
        split = zip(
            analysis.apportion(counted.pledged, shares),
            analysis.apportion(counted.committed, shares),
            analysis.apportion(counted.delivered, shares),
            strict=True,
        )
        for (giver, _), values in zip(shared, split, strict=True):
            seen = viewer.sees_detail(row) and viewer.sees_detail(giver)
            key = giver.contributor_id if seen else None
            credits.setdefault(key, Credit(key)).add(*values)
    return sorted(
        credits.values(),
        key=lambda credit: (credit.participant_id is None, -credit.pledged, credit.participant_id),
    )


async def by_kind(context: Context, covered: Covered) -> list[tuple[ContributionKind, Credit]]:
    """The covered support by what is given (funding, equipment, training...), in the order of
    the kinds: every euro of the totals once, so the kinds add up to them exactly."""
    async with context.session() as session:
        rows, _, rates = await _support(session, covered)
    found: dict[ContributionKind, Credit] = {}
    for entry, row in zip(entries(rows, rates, {}), rows, strict=True):
        counted = analysis.stages(entry)
        if counted is not None:
            found.setdefault(row.kind, Credit(None)).add(
                counted.pledged, counted.committed, counted.delivered
            )
    return [(kind, found[kind]) for kind in ContributionKind if kind in found]


async def _support(
    session: AsyncSession, covered: Covered
) -> tuple[list[Contribution], draws.Drawn, analysis.Rates]:
    """The covered lines' contributions (as they stood, for a past day's figures), what the
    allocations among them draw on, and the rates to value them."""
    if covered.past is not None:
        lines = covered.past.lines
        rows = [row for line in covered.line_ids for row in lines[line].support]
        return rows, covered.past.drawn, rates_of(covered.past.rates)
    read = await tallies.contributions_of_lines(session, list(covered.line_ids))
    rows = read.everything()
    currencies = {row.currency for row in rows}
    return rows, read.drawn, rates_of(await stored_rates.of_currencies(session, currencies))


async def rates(context: Context, covered: Covered) -> list[ExchangeRate]:
    """The rates of the totals this caller may see: the requirements', and those of the
    contributions it sees in detail. A rate only withheld contributions use would tell their
    currency, so it is left out; the totals count them all the same."""
    scope = context.caller.restricted_scope()
    if covered.seen_rate_ids is not None:
        shown = covered.rate_ids if scope is None else covered.seen_rate_ids
        used = shown | covered.requirement_rate_ids
        scope = None  # already only what this viewer sees
    else:
        used = covered.rate_ids | covered.requirement_rate_ids
    async with context.session() as session:
        if scope is not None and used:
            used -= await _withheld_only(session, covered, scope)
        found = await by_ids(session, sorted(used)) if used else {}
    return sorted(found.values(), key=rate_order)


async def _withheld_only(
    session: AsyncSession, covered: Covered, scope: frozenset[int]
) -> set[int]:
    """The rates that, on the lines covered, only contributions withheld from this viewer use
    (two statements, however many lines: the tallies do not say whose each rate is)."""
    lines = tallies.select_lines(covered.criteria).with_only_columns(ObjectiveTally.line_id)
    withheld = await contributions.valuations_withheld(
        session, lines, scope, analysis.BASE_CURRENCY
    )
    if not withheld:
        return set()
    rows = await stored_rates.of_currencies(session, {currency for currency, _ in withheld})
    known = rates_of(rows)
    candidates = {
        rate.id
        for currency, day in withheld
        if (rate := known.on(currency, day)) is not None and rate.id in covered.rate_ids
    }
    candidates -= covered.requirement_rate_ids
    if not candidates:
        return set()
    spans = _spans(rows)
    chosen = sorted(candidates)
    in_sight = await contributions.valued_in_sight(
        session, lines, scope, [spans[rate] for rate in chosen]
    )
    return {rate for rate, seen in zip(chosen, in_sight, strict=True) if not seen}


def _spans(rows: list[ExchangeRate]) -> dict[int, tuple[str, date | None, date | None]]:
    """The days each rate values (analysis.Rates.on): from its own day (the first of a currency
    from any day) until the next one's."""
    by_currency: dict[str, list[ExchangeRate]] = {}
    for row in sorted(rows, key=rate_order):
        by_currency.setdefault(row.currency, []).append(row)
    spans = {}
    for currency, listed in by_currency.items():
        for position, row in enumerate(listed):
            since = None if position == 0 else row.valid_from
            until = listed[position + 1].valid_from if position + 1 < len(listed) else None
            spans[row.id] = (currency, since, until)
    return spans


def _as_tally(row: tallies.ObjectiveTally) -> analysis.Tally:
    return analysis.Tally(
        pledged=row.pledged,
        committed=row.committed,
        disbursed=row.disbursed,
        contributions=row.contributions,
        contributors=row.contributors,
        rate_ids=frozenset(row.rate_ids),
    )
