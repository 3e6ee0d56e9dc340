"""Keeping objective tallies current: recomputed from a line's contributions by every write to it,
in the write's own transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from resolvers import analysis
from store import changes, draws, tallies
from store import rates as stored_rates
from store.contributions import Contribution, Staged
from store.enums import ChangeAction
from store.objectives import Objective
from store.objectives import by_ids as get_objectives
from store.rates import ExchangeRate

BATCH = 500
ZERO = Decimal(0)


def rates_of(rows: Iterable[ExchangeRate]) -> analysis.Rates:
    return analysis.Rates(
        analysis.Rate(row.id, row.currency, row.valid_from, row.rate) for row in rows
    )


def rate_order(rate: ExchangeRate) -> tuple[str, date]:
    """Rates as reports list them: by currency, then date."""
    return rate.currency, rate.valid_from


Origins = Mapping[int, Sequence[Contribution]]


def entries(
    contributions: Iterable[Staged], rates: analysis.Rates, origins: Origins
) -> list[analysis.Entry]:
    """Contributions as the maths takes them, each with the givers of its money (`origins`, from
    store/draws.origins: a fund's allocation counts as its donors' money)."""
    found = []
    for row in contributions:
        value, rate = rates.convert(row.amount, row.currency, row.valued_on)
        # Each stage valued with the same rate, so a stage never exceeds the one before it.
        committed, _ = rates.convert(row.committed_amount or ZERO, row.currency, row.valued_on)
        delivered, _ = rates.convert(row.delivered_amount, row.currency, row.valued_on)
        found.append(
            analysis.Entry(
                id=row.id,
                contributor_id=row.contributor_id,
                kind=row.kind.name,
                status=analysis.Status[row.status.name],
                value=value,
                committed=committed,
                delivered=delivered,
                rate_id=None if rate is None else rate.id,
                starts_on=row.starts_on,
                ends_on=row.ends_on,
                sources=frozenset(leaf.contributor_id for leaf in origins.get(row.id, ())),
            )
        )
    return found


def requirement_of(head: Objective, rates: analysis.Rates) -> tuple[Decimal | None, int | None]:
    """The head objective's requirement in the base currency, valued when it was last set."""
    if head.requirement_amount is None or head.requirement_currency is None:
        return None, None
    value, rate = rates.convert(
        head.requirement_amount, head.requirement_currency, head.updated_at.date()
    )
    return value, None if rate is None else rate.id


def tally_row(
    line_id: int,
    head: Objective,
    support: Sequence[Contribution],
    rates: analysis.Rates,
    origins: Origins,
) -> dict[str, Any]:
    return line_rows(line_id, head, support, rates, origins)[0]


def line_rows(
    line_id: int,
    head: Objective,
    support: Sequence[Contribution],
    rates: analysis.Rates,
    origins: Origins,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A line's tally and its overlap day by day (analysis.spans), as they are stored, from its
    contributions valued once."""
    valued = entries(support, rates, origins)
    requirement, requirement_rate = requirement_of(head, rates)
    return (
        _tally(line_id, head, valued, requirement, requirement_rate),
        _spans(line_id, valued, requirement),
    )


def _tally(
    line_id: int,
    head: Objective,
    valued: list[analysis.Entry],
    requirement: Decimal | None,
    requirement_rate: int | None,
) -> dict[str, Any]:
    counted = analysis.tally(valued)
    found = analysis.overlap(valued, requirement)
    return {
        "line_id": line_id,
        "head_id": head.id,
        "requirement": requirement,
        "requirement_rate_id": requirement_rate,
        "pledged": counted.pledged,
        "committed": counted.committed,
        "disbursed": counted.disbursed,
        "contributions": counted.contributions,
        "contributors": counted.contributors,
        "rate_ids": sorted(counted.rate_ids),
        "overlap_contributors": 0 if found is None else len(found.contributor_ids),
        "overlap_total": None if found is None else found.total,
        "overlap_excess": None if found is None else found.excess,
        "overlap_score": None if found is None else found.score,
        "overlap_reasons": [] if found is None else [reason.name for reason in found.reasons],
    }


def _spans(
    line_id: int, valued: list[analysis.Entry], requirement: Decimal | None
) -> list[dict[str, Any]]:
    return [
        {
            "line_id": line_id,
            "starts_on": span.starts_on,
            "ends_on": span.ends_on,
            "contributors": len(span.overlap.contributor_ids),
            "total": span.overlap.total,
            "excess": span.overlap.excess,
            "score": span.overlap.score,
            "reasons": [reason.name for reason in span.overlap.reasons],
            "members": [
                [entry.id, str(entry.value), sorted(entry.givers)] for entry in span.overlap.entries
            ],
        }
        for span in analysis.spans(valued, requirement)
    ]


async def refresh(session: AsyncSession, line_ids: Iterable[int], detect: bool = False) -> None:
    """Recompute the tallies of these lines from their contributions, inside `session`'s
    transaction (so a tally is never out of step with the rows it sums). With `detect`, a line
    tipped into overlap is recorded as a change event too, for subscribers."""
    wanted = sorted(set(line_ids))
    for start in range(0, len(wanted), BATCH):
        part = wanted[start : start + BATCH]
        before = await tallies.by_lines(session, part) if detect else {}
        heads = await tallies.heads_of_lines(session, part)
        found = await tallies.contributions_of_lines(session, part)
        support = found.rows
        currencies = {row.currency for row in found.everything()} | {
            head.requirement_currency for head in heads.values() if head.requirement_currency
        }
        rates = rates_of(await stored_rates.of_currencies(session, currencies))
        sources = await draws.origins(session, found.everything(), found.drawn)
        worked = [
            line_rows(line, heads[line], support[line], rates, sources)
            for line in part
            if line in heads
        ]
        rows = [tally for tally, _ in worked]
        await tallies.replace(session, rows)
        await tallies.replace_spans(session, part, [span for _, spans in worked for span in spans])
        if detect:
            for row in rows:
                was = before.get(row["line_id"])
                if row["overlap_contributors"] > 1 and (
                    was is None or was.overlap_contributors < 2
                ):
                    await _detected(session, heads[row["line_id"]], row)


async def _detected(session: AsyncSession, head: Objective, row: dict[str, Any]) -> None:
    # No actor: the overlap is the system's finding, and naming whose write tipped it could name
    # the giver of a restricted contribution.
    detail = {
        "line_id": row["line_id"],
        "overlap_contributors": row["overlap_contributors"],
        "overlap_total": str(row["overlap_total"]),
        "overlap_score": str(row["overlap_score"]),
        "overlap_reasons": row["overlap_reasons"],
    }
    await changes.record(session, None, head, ChangeAction.OVERLAP_DETECTED, None, detail)


async def refresh_objectives(session: AsyncSession, objective_ids: Iterable[int]) -> None:
    """Recompute the tallies of the lines these objectives belong to."""
    objectives = await get_objectives(session, list(objective_ids))
    lines = [tallies.line_of(objective) for objective in objectives.values()]
    await refresh(session, lines, detect=True)


async def derive(sessions: async_sessionmaker[AsyncSession]) -> int:
    """After a migration: rebuild what the tallies keep if this release keeps more than the
    database holds (the overlap spans, first kept by revision 0007); the lines rebuilt."""
    async with sessions() as session:
        missing = await tallies.any_overlap_without_spans(session)
    return await rebuild(sessions) if missing else 0


async def rebuild(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Recompute every tally (after bulk loading, which bypasses the write path)."""
    async with sessions() as session, session.begin():
        lines = await tallies.all_line_ids(session)
        await refresh(session, lines)
    return len(lines)
