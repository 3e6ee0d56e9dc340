"""How well support is delivered: per contributor or per partner, what was pledged, committed and
delivered, what is overdue, and the shares between them, ranked.

Every figure comes from the one set of counting rules: `tallying.entries` values each
contribution in the base currency with the rate of its valuation date, and `analysis.stages` says
what it counts at each stage (a withdrawn one only what it delivered). The contributions are the
ones `Query.contributions` lists for the same filter, read in one statement, their rates in a
second, and the named participants in a third, whatever the data.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from resolvers import analysis, stages
from resolvers.context import Context
from resolvers.contributions import CONTRIBUTIONS
from resolvers.errors import invalid_argument
from resolvers.pagination import MAX_PAGE_SIZE
from resolvers.tallying import entries, rates_of
from resolvers.viewer import Viewer
from store import contributions
from store import rates as stored_rates
from store.contributions import ContributionFilter, Staged
from store.participants import Participant

__all__ = ["Grouping", "Measure", "Performance", "Ranked", "fulfilment"]

# A ranked table is read whole: one page of at most this many groups, no cursors.
MAX_ROWS = MAX_PAGE_SIZE
DEFAULT_ROWS = 50


class Grouping(enum.Enum):
    """Whom the figures are grouped by."""

    # Who gave: contributions whose detail the viewer may not see are credited together.
    CONTRIBUTOR = "CONTRIBUTOR"
    # Who receives: the partner whose plan it supports, or the fund it goes into.
    PARTNER = "PARTNER"


class Measure(enum.Enum):
    """What the groups are ranked by."""

    DELIVERED_SHARE = "DELIVERED_SHARE"
    COMMITTED_SHARE = "COMMITTED_SHARE"
    OVERDUE = "OVERDUE"
    PLEDGED = "PLEDGED"
    COMMITTED = "COMMITTED"
    DELIVERED = "DELIVERED"


@dataclass
class Performance:
    """One group's figures in the base currency (participant None: the contributors withheld
    from the viewer, together)."""

    participant_id: int | None
    contributions: int = 0
    pledged: Decimal = analysis.ZERO
    committed: Decimal = analysis.ZERO
    delivered: Decimal = analysis.ZERO
    overdue: Decimal = analysis.ZERO

    def add(self, counted: analysis.Stages, overdue: Decimal) -> None:
        self.contributions += 1
        self.pledged += counted.pledged
        self.committed += counted.committed
        self.delivered += counted.delivered
        self.overdue += overdue

    @property
    def delivered_share(self) -> Decimal | None:
        """Delivered over committed; None when nothing is committed."""
        return analysis.share(self.delivered, self.committed)

    @property
    def committed_share(self) -> Decimal | None:
        """Committed over pledged; None when nothing is pledged."""
        return analysis.share(self.committed, self.pledged)

    def measured(self, measure: Measure) -> Decimal | None:
        """The figure `measure` names."""
        return {
            Measure.DELIVERED_SHARE: self.delivered_share,
            Measure.COMMITTED_SHARE: self.committed_share,
            Measure.OVERDUE: self.overdue,
            Measure.PLEDGED: self.pledged,
            Measure.COMMITTED: self.committed,
            Measure.DELIVERED: self.delivered,
        }[measure]


@dataclass(frozen=True)
class Ranked:
    """A group at its place in the chosen order, with its participant's row (None: withheld)."""

    rank: int
    figures: Performance
    participant: Participant | None


def overdue_of(row: Staged, rates: analysis.Rates, today: date) -> Decimal:
    """What of a contribution's schedule was due before `today` and is not delivered, in the
    base currency with the contribution's one rate (as `tallying.entries` values its stages).
    A withdrawn contribution is owed no more: only what it delivered counts (analysis.stages),
    so nothing of it is overdue."""
    late = stages.overdue(row, today)
    if not late:
        return analysis.ZERO
    value, _ = rates.convert(late, row.currency, row.valued_on)
    return value


def group_of(row: Staged, grouping: Grouping, viewer: Viewer) -> int | None:
    """The participant a contribution is credited to; None for a contributor the viewer may not
    see (the recipient is never withheld)."""
    if grouping is Grouping.PARTNER:
        return row.recipient_id
    return row.contributor_id if viewer.sees_detail(row) else None


def grouped(
    rows: Sequence[Staged],
    rates: analysis.Rates,
    grouping: Grouping,
    viewer: Viewer,
    today: date,
) -> list[Performance]:
    """Each group's figures: every contribution that counts for anything, once, in its group."""
    groups: dict[int | None, Performance] = {}
    for entry, row in zip(entries(rows, rates, {}), rows, strict=True):
        counted = analysis.stages(entry)
        if counted is None:
            continue
        key = group_of(row, grouping, viewer)
        found = groups.setdefault(key, Performance(key))
        found.add(counted, overdue_of(row, rates, today))
    return list(groups.values())


def ranked(
    groups: Sequence[Performance],
    codes: dict[int, str],
    measure: Measure,
    descending: bool,
) -> list[tuple[int, Performance]]:
    """The groups in order of `measure` (a group without it, a share of nothing, after those
    with one either way), ties by participant code, the withheld group last; numbered from 1."""

    def order(group: Performance) -> tuple[bool, Decimal, bool, str]:
        value = group.measured(measure)
        key = analysis.ZERO if value is None else -value if descending else value
        withheld = group.participant_id is None
        code = "" if group.participant_id is None else codes[group.participant_id]
        return value is None, key, withheld, code

    return list(enumerate(sorted(groups, key=order), start=1))


def checked_first(first: int) -> int:
    """How many rows to return: 1 to MAX_ROWS, or an error naming `first`."""
    if not 1 <= first <= MAX_ROWS:
        raise invalid_argument("first", f"must be between 1 and {MAX_ROWS}, got {first}")
    return first


async def fulfilment(
    context: Context,
    criteria: ContributionFilter,
    grouping: Grouping = Grouping.CONTRIBUTOR,
    measure: Measure = Measure.DELIVERED_SHARE,
    descending: bool = False,
    first: int = DEFAULT_ROWS,
) -> list[Ranked]:
    """The first `first` groups of the contributions `criteria` selects (checked by the
    contributions list's own rules), ranked by `measure`."""
    limit = checked_first(first)
    criteria = await CONTRIBUTIONS.check(context, criteria)
    statement, _ = CONTRIBUTIONS.statement(criteria)
    async with context.session() as session:
        rows = await contributions.staged(session, statement)
        currencies = {row.currency for row in rows}
        rates = rates_of(await stored_rates.of_currencies(session, currencies))
    groups = grouped(rows, rates, grouping, context.caller, context.today)
    named = [group.participant_id for group in groups if group.participant_id is not None]
    found = await context.loaders.participant.load_many(named)
    participants = {row.id: row for row in found if row is not None}
    codes = {key: row.code for key, row in participants.items()}
    return [
        Ranked(
            rank,
            group,
            None if group.participant_id is None else participants[group.participant_id],
        )
        for rank, group in ranked(groups, codes, measure, descending)[:limit]
    ]
