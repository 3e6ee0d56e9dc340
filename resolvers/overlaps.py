"""Where aid overlaps: objectives on which several contributors give support at the same time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from resolvers import analysis, as_of
from resolvers.context import Context
from resolvers.errors import invalid_argument
from resolvers.listing import ListSource, partners_exist
from resolvers.pagination import Listing, Slice, window_for
from resolvers.tallying import entries, rate_order, rates_of, requirement_of
from store import draws, tallies
from store import rates as stored_rates
from store.contributions import Contribution
from store.objectives import Objective
from store.pages import Ordering, SortKey, Window, count, fetch_page, page_of
from store.plans import Plan
from store.rates import ExchangeRate
from store.tallies import LineFilter, ObjectiveTally, OverlapSpan

__all__ = ["LineFilter"]  # handed on to the schema's analysis arguments

ORDERING = Ordering(tallies.OVERLAP_ORDER, descending=True)
# The same order over the spans of one day.
SPAN_ORDERING = Ordering(SortKey(tallies.OVERLAP_ORDER.name, OverlapSpan.score), descending=True)
# The fewest and most contributors `minimumContributors` may ask for.
FEWEST, MOST = 2, 1000


@dataclass(frozen=True)
class Overlapping:
    """Which lines' overlaps a list holds: those `lines` covers with at least `minimum`
    contributors."""

    lines: LineFilter
    minimum: int = FEWEST

    @property
    def partner_codes(self) -> Sequence[str]:
        return self.lines.partner_codes


class ByScore:
    """The one order overlaps are listed in, as a list's order input gives it."""

    @staticmethod
    def of(_: object) -> Ordering:
        return ORDERING


def _lines(chosen: Overlapping) -> Select[Any]:
    statement = tallies.overlapping(tallies.select_lines(chosen.lines), chosen.minimum)
    return cast("Select[Any]", statement)


# The overlaps each write keeps with its line's tally (resolvers/tallying.py), over all time: the
# list both paths read. Its rows are tallies, looked up by no loader.
OVERLAPS: ListSource[Overlapping] = ListSource(
    "aid_overlaps",
    ObjectiveTally,
    lambda chosen: (_lines(chosen), ObjectiveTally),
    None,
    rules=[partners_exist],
)


@dataclass(frozen=True)
class FoundOverlap:
    """One objective's overlap with the rows behind it."""

    objective: Objective
    overlap: analysis.Overlap
    contributions: list[Contribution]
    # Every rate the total used, by id; which contribution used which (None: none needed), and
    # which the requirement used.
    rates: dict[int, ExchangeRate]
    rate_of: dict[int, int | None]
    requirement_rate: int | None
    # Where each contribution's money comes from (store/draws.origins).
    origins: dict[int, tuple[Contribution, ...]]


@dataclass(frozen=True)
class Figures:
    """An overlap's figures, in the base currency."""

    contributors: int
    total: Decimal
    requirement: Decimal | None
    excess: Decimal | None
    score: Decimal
    reasons: tuple[analysis.Reason, ...]

    @staticmethod
    def of_overlap(found: analysis.Overlap) -> Figures:
        return Figures(
            len(found.contributor_ids),
            found.total,
            found.requirement,
            found.excess,
            found.score,
            found.reasons,
        )

    @staticmethod
    def of_span(span: OverlapSpan, tally: ObjectiveTally) -> Figures:
        """The overlap of the one day its span covers."""
        return Figures(
            span.contributors,
            span.total.quantize(analysis.CENT),
            _cents(tally.requirement),
            _cents(span.excess),
            span.score,
            tuple(analysis.Reason[name] for name in span.reasons),
        )

    @staticmethod
    def of_days(days: Sequence[OverlapSpan], tally: ObjectiveTally) -> Figures:
        """The overlap within a period: the union of what its days flag."""
        members = (
            analysis.Member(member_id, Decimal(value), frozenset(givers))
            for span in days
            for member_id, value, givers in span.members
        )
        same_kind = any(analysis.Reason.SAME_KIND.name in span.reasons for span in days)
        return Figures.of_overlap(analysis.united(members, same_kind, _cents(tally.requirement)))

    @staticmethod
    def of_tally(tally: ObjectiveTally) -> Figures:
        """The overlap each write keeps with its line (resolvers/tallying.py), over all time."""
        assert tally.overlap_total is not None and tally.overlap_score is not None
        return Figures(
            tally.overlap_contributors,
            tally.overlap_total.quantize(analysis.CENT),
            _cents(tally.requirement),
            _cents(tally.overlap_excess),
            tally.overlap_score,
            tuple(analysis.Reason[name] for name in tally.overlap_reasons),
        )


def _cents(stored: Decimal | None) -> Decimal | None:
    """An amount the tally keeps (to four places, as every stored amount), written as the
    analysis writes it: to the cent, which is all it holds."""
    return None if stored is None else stored.quantize(analysis.CENT)


@dataclass(frozen=True)
class Listed:
    """An overlap as a list shows it: its objective and figures at once; the rows behind them
    (contributions, their givers and rates) only when a field asks, for the whole page at once."""

    objective: Objective
    figures: Figures
    details: Callable[[], Awaitable[FoundOverlap]]

    @staticmethod
    def of(found: FoundOverlap) -> Listed:
        async def known() -> FoundOverlap:
            return found

        return Listed(found.objective, Figures.of_overlap(found.overlap), known)


def period(active_on: date | None, start: date | None, end: date | None) -> analysis.Window:
    if active_on is not None and (start is not None or end is not None):
        raise invalid_argument("activeOn", "cannot be combined with `period`")
    if start is not None and end is not None and end < start:
        raise invalid_argument("period.end", f"({end}) is before period.start ({start})")
    if active_on is not None:
        return analysis.Window(active_on, active_on)
    return analysis.Window(start, end)


async def listing(
    context: Context,
    criteria: LineFilter,
    window: analysis.Window,
    minimum: int,
    slice_: Slice,
    day: date | None = None,
) -> Listing[Listed]:
    """Overlaps, highest score first. Stored tallies give the candidates in one indexed read; the
    overlaps are then worked out exactly from the candidates' contributions. As at a past `day`,
    from the record as it stood then (resolvers/as_of.py)."""
    if not FEWEST <= minimum <= MOST:
        raise invalid_argument("minimumContributors", f"must be at least 2, got {minimum}")
    chosen = await OVERLAPS.check(context, Overlapping(criteria, minimum))
    paging = window_for(slice_, ORDERING)
    day = as_of.checked_day(context, day)
    if day is not None:
        return await _then(context, criteria, window, minimum, paging, day)
    statement, _ = OVERLAPS.statement(chosen)
    if window == analysis.Window():
        # Over all time, the stored overlap is the overlap: page in SQL.
        async with context.session() as session:
            page = await fetch_page(
                session, statement, ObjectiveTally, ORDERING, paging, ObjectiveTally.line_id
            )
        later = _later(context, page.rows, window)
        page.rows = [
            Listed(head, Figures.of_tally(tally), later(tally.line_id))
            for tally, head, _ in page.rows
        ]

        async def total() -> int:
            async with context.session() as session:
                return await count(session, statement)

        return Listing(page, total)
    spanned = tallies.spans_within(statement, window.start, window.end)
    if window.start is not None and window.start == window.end:
        # On one day, a line's span that day is its overlap: page in SQL.
        on_day = spanned.where(OverlapSpan.contributors >= minimum)
        async with context.session() as session:
            page = await fetch_page(
                session, on_day, OverlapSpan, SPAN_ORDERING, paging, OverlapSpan.line_id
            )
        later = _later(context, [row[:3] for row in page.rows], window)
        page.rows = [
            Listed(head, Figures.of_span(span, tally), later(tally.line_id))
            for tally, head, _, span in page.rows
        ]

        async def on_day_total() -> int:
            async with context.session() as session:
                return await count(session, on_day)

        return Listing(page, on_day_total)
    # Within a period, a line's overlap is the union of its days' (analysis.spans).
    async with context.session() as session:
        rows = (await session.execute(spanned)).all()
    lines: dict[int, tuple[ObjectiveTally, Objective, Plan]] = {}
    days: dict[int, list[OverlapSpan]] = {}
    for tally, head, plan, span in rows:
        lines[tally.line_id] = (tally, head, plan)
        days.setdefault(tally.line_id, []).append(span)
    later = _later(context, list(lines.values()), window)
    kept = []
    for line, (tally, head, _) in lines.items():
        figures = Figures.of_days(days[line], tally)
        if figures.contributors >= minimum:
            kept.append((Listed(head, figures, later(line)), figures.score, line))
    everything = len(kept)

    async def counted() -> int:
        return everything

    return Listing(page_of(kept, ORDERING, paging), counted)


def _later(
    context: Context,
    rows: Sequence[tuple[ObjectiveTally, Objective, Plan]],
    window: analysis.Window,
) -> Callable[[int], Callable[[], Awaitable[FoundOverlap]]]:
    """For each line of a page, a way to read the rows behind its overlap within `window`: for
    every line of the page at once, the first time any of them is asked for."""
    lines = {tally.line_id: (tally, head, plan) for tally, head, plan in rows}
    for _, head, _ in rows:
        context.loaders.objective.prime(head.id, head)

    async def batch(keys: list[int]) -> list[FoundOverlap]:
        async with context.session() as session:
            found = await _details(context, session, [lines[key] for key in keys], window)
        return [found[key] for key in keys]

    details = DataLoader(batch)

    def later(line: int) -> Callable[[], Awaitable[FoundOverlap]]:
        return lambda: details.load(line)

    return later


def _paged(found: dict[int, FoundOverlap], minimum: int, paging: Window) -> Listing[Listed]:
    """Overlaps worked out in memory, those with enough contributors, paged by score."""
    kept = [
        (Listed.of(item), item.overlap.score, line)
        for line, item in found.items()
        if len(item.overlap.contributor_ids) >= minimum
    ]
    everything = len(kept)

    async def counted() -> int:
        return everything

    return Listing(page_of(kept, ORDERING, paging), counted)


async def _then(
    context: Context,
    criteria: LineFilter,
    window: analysis.Window,
    minimum: int,
    paging: Window,
    day: date,
) -> Listing[Listed]:
    """Overlaps as they stood at the end of a past day: each covered line's overlap worked out
    from its contributions then, paged in memory as a period's are. Over all time, the day's
    overlaps are worked out once and kept with its lines."""
    past = await as_of.past(context, day)
    chosen = past.chosen(criteria, await as_of.partner_ids(context, criteria))
    if window == analysis.Window():
        every = past.worked_out.get("overlaps")
        if every is None:
            crowded = [line for line in past.lines.values() if line.tally.overlap_contributors]
            every = past.worked_out["overlaps"] = await _past_overlaps(
                context, past, crowded, window
            )
        found = {
            line.tally.line_id: every[line.tally.line_id]
            for line in chosen
            if line.tally.line_id in every
        }
    else:
        found = await _past_overlaps(context, past, chosen, window)
    return _paged(found, minimum, paging)


async def _past_overlaps(
    context: Context, past: as_of.Past, lines: Sequence[as_of.Line], window: analysis.Window
) -> dict[int, FoundOverlap]:
    rows = [(line.tally, line.head, line.plan) for line in lines]
    support = {line.tally.line_id: line.support for line in lines}
    every = [row for line in lines for row in line.support]
    async with context.session() as session:
        origins = await draws.origins(session, every, past.drawn)
    # The objectives as they stood are not primed into the loaders: other fields of the request
    # read today's.
    return _worked_out(None, rows, support, past.rates, origins, window)


async def _details(
    context: Context,
    session: AsyncSession,
    rows: Sequence[tuple[ObjectiveTally, Objective, Plan]],
    window: analysis.Window,
) -> dict[int, FoundOverlap]:
    """Each line's overlap, from its contributions and what the allocations among them draw on
    (two statements for the whole page, one more for each level of funds that draw on funds)."""
    lines = [tally.line_id for tally, _, _ in rows]
    within = None if window == analysis.Window() else (window.start, window.end)
    read = await tallies.contributions_of_lines(session, lines, within)
    currencies = {row.currency for row in read.everything()}
    currencies |= {o.requirement_currency for _, o, _ in rows if o.requirement_currency}
    rate_rows = await stored_rates.of_currencies(session, currencies)
    origins = await draws.origins(session, read.everything(), read.drawn)
    return _worked_out(context, rows, read.rows, rate_rows, origins, window)


def _worked_out(
    context: Context | None,
    rows: Sequence[tuple[ObjectiveTally, Objective, Plan]],
    support: dict[int, list[Contribution]],
    rate_rows: Sequence[ExchangeRate],
    origins: dict[int, tuple[Contribution, ...]],
    window: analysis.Window,
) -> dict[int, FoundOverlap]:
    """Each line's overlap within `window`, from its contributions (`support`, by line); the
    head objectives primed into the `context`'s loaders, if given."""
    rates, by_id = rates_of(rate_rows), {rate.id: rate for rate in rate_rows}
    found = {}
    for tally, head, _ in rows:
        if context is not None:
            context.loaders.objective.prime(head.id, head)
        requirement, requirement_rate = requirement_of(head, rates)
        result = analysis.overlap(
            entries(support[tally.line_id], rates, origins), requirement, window
        )
        if result is None:
            continue
        rate_of = {entry.id: entry.rate_id for entry in result.entries}
        used = {*rate_of.values(), requirement_rate}
        found[tally.line_id] = FoundOverlap(
            objective=head,
            overlap=result,
            contributions=[row for row in support[tally.line_id] if row.id in rate_of],
            rates={i: by_id[i] for i in used if i is not None},
            rate_of=rate_of,
            requirement_rate=requirement_rate,
            origins={row.id: origins[row.id] for row in support[tally.line_id]},
        )
    return found


def visible_contributors(context: Context, found: FoundOverlap) -> list[int]:
    """The givers this caller may see named: of a contribution it sees in detail, the givers
    whose own contributions (into a fund, or earmarked) it also sees in detail."""
    viewer = context.caller
    return sorted(
        {
            leaf.contributor_id
            for row in found.contributions
            if viewer.sees_detail(row)
            for leaf in found.origins[row.id]
            if viewer.sees_detail(leaf)
        }
    )


def visible_rates(context: Context, found: FoundOverlap) -> list[ExchangeRate]:
    """The rates of the total this caller may see: the requirement's, and those of the
    contributions it sees in detail. A rate only withheld contributions use would tell their
    currency; the total counts them all the same."""
    viewer = context.caller
    used = {found.rate_of[row.id] for row in found.contributions if viewer.sees_detail(row)}
    used.add(found.requirement_rate)
    return sorted((found.rates[i] for i in used if i is not None), key=rate_order)


async def of_objective(
    context: Context, objective_id: int, partner_code: str | None
) -> FoundOverlap | None:
    """The overlap on one objective now, if it has one (and belongs to that partner)."""
    criteria = LineFilter(partner_codes=(partner_code,) if partner_code else ())
    statement = tallies.for_head(
        tallies.overlapping(tallies.select_lines(criteria), 2), objective_id
    )
    async with context.session() as session:
        rows = await tallies.rows(session, statement)
        found = await _details(context, session, rows, analysis.Window())
    return next(iter(found.values()), None)
