"""The analyses as they stood at the end of a past day (`asOf`), rebuilt from the change log.

The plans, objectives and contributions of that moment (store/history.py), each line's tally
worked out by the same maths as today's stored tallies (resolvers/tallying.py), filtered by the
same filter (store/tallies.py). A past day's record no longer changes, so what is rebuilt for one
is kept for the next request about it (per process; a handful of days at most). Today or later
is today's record: the stored tallies answer.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from resolvers.context import Context
from resolvers.errors import invalid_argument
from resolvers.lru import LRU
from resolvers.tallying import rates_of, tally_row
from store import draws, history, tallies
from store import objectives as stored_objectives
from store import plans as stored_plans
from store import rates as stored_rates
from store.contributions import Contribution
from store.database import Database
from store.objectives import Objective
from store.plans import Plan
from store.rates import ExchangeRate
from store.tallies import LineFilter, ObjectiveTally

# Past days kept per database, in this process.
KEPT_DAYS = 8
EARLIEST = date(1990, 1, 1)


@dataclass(frozen=True)
class Line:
    """One objective line as it stood: its tally, its head objective and plan then, and its
    contributions then."""

    tally: ObjectiveTally
    head: Objective
    plan: Plan
    support: list[Contribution]


@dataclass(frozen=True)
class Past:
    day: date
    lines: dict[int, Line]
    # The draws of the allocations then, by allocation, with the states of what they drew on.
    drawn: dict[int, list[tuple[Contribution, Decimal]]]
    rates: list[ExchangeRate]
    # What the analyses work out from the lines, by analysis, kept with them (the day no
    # longer changes).
    worked_out: dict[str, Any] = field(default_factory=dict)

    def chosen(self, criteria: LineFilter, partner_ids: frozenset[int]) -> list[Line]:
        """The lines `criteria` covers, in line order."""
        return [
            line
            for _, line in sorted(self.lines.items())
            if tallies.admits(criteria, line.head, line.plan, partner_ids)
        ]


# By database: a test run, or a process serving several, keeps each one's apart. An entry goes
# with its database.
_kept: dict[int, LRU[date, asyncio.Task[Past]]] = {}


def _days_of(database: Database) -> LRU[date, asyncio.Task[Past]]:
    key = id(database)
    if key not in _kept:
        _kept[key] = LRU(KEPT_DAYS)
        weakref.finalize(database, _kept.pop, key, None)
    return _kept[key]


def checked_day(context: Context, day: date | None) -> date | None:
    """The past day asked for, or None for today's figures (today, or a day not yet over)."""
    if day is None or day >= context.today:
        return None
    if day < EARLIEST:
        raise invalid_argument("asOf", f"({day}) is before any record ({EARLIEST})")
    return day


async def partner_ids(context: Context, criteria: LineFilter) -> frozenset[int]:
    """The ids of the partners `criteria` names, through the request's loader (the codes were
    checked through it already)."""
    found = await context.loaders.participant_by_code.load_many(list(criteria.partner_codes))
    return frozenset(row.id for row in found if row is not None)


async def past(context: Context, day: date) -> Past:
    """The record's lines at the end of `day` (UTC), rebuilt once per process and day."""
    kept = _days_of(context.database)
    # The rebuild itself is kept: requests about the same day at once wait for one rebuild.
    found = kept.get(day)
    if found is None or (found.done() and found.exception() is not None):
        found = kept.put(day, asyncio.ensure_future(_rebuilt(context, day)))
    return await asyncio.shield(found)


async def _rebuilt(context: Context, day: date) -> Past:
    moment = datetime.combine(day + timedelta(days=1), time(), UTC)
    async with context.session() as session:
        plans = {row.id: row for row in await history.states_at(session, Plan, moment)}
        objectives = await history.states_at(session, Objective, moment)
        support = await history.states_at(session, Contribution, moment)
        # Data loaded in bulk may date a row before what it refers to: the referenced rows are
        # then taken as they are now, rather than leave support without its objective.
        known = {row.id for row in objectives}
        later = {row.objective_id for row in support if row.objective_id is not None} - known
        if later:
            objectives += (await stored_objectives.by_ids(session, sorted(later))).values()
            objectives.sort(key=lambda row: row.id)
        later = {row.plan_id for row in objectives} - plans.keys()
        if later:
            plans |= await stored_plans.by_ids(session, sorted(later))
        made = await draws.made_before(session, moment)
        currencies = {row.currency for row in support}
        currencies |= {row.requirement_currency for row in objectives if row.requirement_currency}
        rate_rows = await stored_rates.of_currencies(session, currencies)
        by_id = {row.id: row for row in support}
        drawn: dict[int, list[tuple[Contribution, Decimal]]] = {}
        for found in made:
            if found.source_id in by_id:
                pair = (by_id[found.source_id], found.amount)
                drawn.setdefault(found.allocation_id, []).append(pair)
        origins = await draws.origins(session, support, drawn)
    rates = rates_of(rate_rows)
    heads = tallies.heads(objectives)
    line_of_objective = {row.id: tallies.line_of(row) for row in objectives}
    by_line: dict[int, list[Contribution]] = {line: [] for line in heads}
    for row in support:
        line = None if row.objective_id is None else line_of_objective[row.objective_id]
        # Support to a line with no head counts nowhere, as in today's tallies.
        if line in by_line:
            by_line[line].append(row)
    lines = {
        line: Line(
            tally=ObjectiveTally(**tally_row(line, head, by_line[line], rates, origins)),
            head=head,
            plan=plans[head.plan_id],
            support=by_line[line],
        )
        for line, head in heads.items()
    }
    return Past(day, lines, drawn, rate_rows)
