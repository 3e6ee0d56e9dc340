"""Per-objective tallies: each objective line's support, kept current by every write.

A line is an objective and the copies carried over from it to successor plans; support given to
any of them counts once, on the line, and shows under its current objective (the head). Reading
overlaps, coverage and gaps then touches one small row per objective, never every contribution.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    ForeignKey,
    Index,
    Select,
    and_,
    case,
    delete,
    false,
    func,
    insert,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, aliased, mapped_column, synonym

from store.base import Base, utcnow
from store.columns import ScaledDecimal, UTCDateTime
from store.contributions import Contribution
from store.draws import Draw
from store.enums import (
    Category,
    ContributionStatus,
    ObjectiveStatus,
    PlanKind,
    PlanStatus,
    Priority,
)
from store.objectives import MONEY_SCALE, Objective
from store.pages import SortKey
from store.participants import ids_of_codes
from store.plans import Plan


class ObjectiveTally(Base):
    __tablename__ = "objective_tally"

    line_id: Mapped[int] = mapped_column(ForeignKey("objective.id"), primary_key=True)
    head_id: Mapped[int] = mapped_column(ForeignKey("objective.id"), unique=True)
    requirement: Mapped[Decimal | None] = mapped_column(ScaledDecimal(MONEY_SCALE))
    requirement_rate_id: Mapped[int | None]
    pledged: Mapped[Decimal] = mapped_column(ScaledDecimal(MONEY_SCALE))
    committed: Mapped[Decimal] = mapped_column(ScaledDecimal(MONEY_SCALE), index=True)
    disbursed: Mapped[Decimal] = mapped_column(ScaledDecimal(MONEY_SCALE))
    contributions: Mapped[int]
    contributors: Mapped[int]
    rate_ids: Mapped[list[int]] = mapped_column(JSON)
    # The overlap as of today's data, over all periods (0 contributors: none).
    overlap_contributors: Mapped[int]
    overlap_total: Mapped[Decimal | None] = mapped_column(ScaledDecimal(MONEY_SCALE))
    overlap_excess: Mapped[Decimal | None] = mapped_column(ScaledDecimal(MONEY_SCALE))
    overlap_score: Mapped[Decimal | None] = mapped_column(ScaledDecimal(MONEY_SCALE))
    overlap_reasons: Mapped[list[str]] = mapped_column(JSON)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # A tally is known by its line, as every listed row is known by its id (pages and compiled
    # reads key rows by `id`).
    id: Mapped[int] = synonym("line_id")


Index(
    "ix_objective_tally_overlap",
    ObjectiveTally.overlap_score,
    ObjectiveTally.line_id,
    postgresql_where=ObjectiveTally.overlap_contributors > 1,
    sqlite_where=ObjectiveTally.overlap_contributors > 1,
)


class OverlapSpan(Base):
    """Days over which a line's running support overlaps one way (resolvers/analysis.spans), kept
    with its tally by every write: the overlaps on a day, or within a period, are read from here
    without their contributions."""

    __tablename__ = "overlap_span"

    line_id: Mapped[int] = mapped_column(ForeignKey("objective.id"), primary_key=True)
    starts_on: Mapped[date] = mapped_column(primary_key=True)
    # None: it goes on (support without an end runs in it).
    ends_on: Mapped[date | None]
    contributors: Mapped[int]
    total: Mapped[Decimal] = mapped_column(ScaledDecimal(MONEY_SCALE))
    excess: Mapped[Decimal | None] = mapped_column(ScaledDecimal(MONEY_SCALE))
    score: Mapped[Decimal] = mapped_column(ScaledDecimal(MONEY_SCALE))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    # The contributions flagged in it, as [id, value in the base currency, [givers]]: what the
    # union over the days of a period is made of.
    members: Mapped[list[list[Any]]] = mapped_column(JSON)


Index("ix_overlap_span_days", OverlapSpan.starts_on, OverlapSpan.ends_on)
# Rows in one INSERT: nine values each, well within either back end's limit on parameters.
SPANS_AT_ONCE = 500
Index("ix_overlap_span_score", OverlapSpan.score, OverlapSpan.line_id)

OPEN_OBJECTIVES = (
    ObjectiveStatus.NOT_STARTED,
    ObjectiveStatus.IN_PROGRESS,
    ObjectiveStatus.DEFERRED,
)
PLANS_IN_FORCE = (PlanStatus.AGREED, PlanStatus.ACTIVE, PlanStatus.UNDER_REVIEW)

# A tally with its head objective and that objective's plan.
Lines = Select[ObjectiveTally, Objective, Plan]

# Overlapping lines always have a score, and the partial index below serves this order.
OVERLAP_ORDER = SortKey("SCORE", ObjectiveTally.overlap_score)
GAP_ORDER = SortKey("PRIORITY", Objective.priority)


def line_of(objective: Objective) -> int:
    return objective.origin_id or objective.id


@dataclass(frozen=True)
class LineFilter:
    """Which objectives (current heads of their lines) an analysis covers."""

    partner_codes: Sequence[str] = ()
    plan_ids: Sequence[int] = ()
    plan_kinds: Sequence[PlanKind] = ()
    categories: Sequence[Category] = ()
    priorities: Sequence[Priority] = ()


def select_lines(criteria: LineFilter) -> Lines:
    """Tallies joined to their head objective and its plan, filtered (`admits` says the same in
    Python)."""
    statement: Lines = (
        select(ObjectiveTally, Objective, Plan)
        .join(Objective, Objective.id == ObjectiveTally.head_id)
        .join(Plan, Plan.id == Objective.plan_id)
    )
    if criteria.partner_codes:
        statement = statement.where(Plan.partner_id.in_(ids_of_codes(criteria.partner_codes)))
    if criteria.plan_ids:
        statement = statement.where(Objective.plan_id.in_(criteria.plan_ids))
    if criteria.plan_kinds:
        statement = statement.where(Plan.kind.in_(criteria.plan_kinds))
    if criteria.categories:
        statement = statement.where(Objective.category.in_(criteria.categories))
    if criteria.priorities:
        statement = statement.where(Objective.priority.in_([p.value for p in criteria.priorities]))
    return statement


def admits(criteria: LineFilter, head: Objective, plan: Plan, partner_ids: frozenset[int]) -> bool:
    """`select_lines`'s filter, in Python, for lines rebuilt in memory (a past day's):
    `partner_ids` are the ids of `criteria.partner_codes`."""
    return (
        (not criteria.partner_codes or plan.partner_id in partner_ids)
        and (not criteria.plan_ids or head.plan_id in criteria.plan_ids)
        and (not criteria.plan_kinds or plan.kind in criteria.plan_kinds)
        and (not criteria.categories or head.category in criteria.categories)
        and (not criteria.priorities or head.priority in [p.value for p in criteria.priorities])
    )


def may_lack(head: Objective, plan: Plan) -> bool:
    """`gaps`'s first condition, in Python: only open objectives of plans in force can lack."""
    return head.status in OPEN_OBJECTIVES and plan.status in PLANS_IN_FORCE


def for_head(statement: Lines, objective_id: int) -> Lines:
    return statement.where(ObjectiveTally.head_id == objective_id)


def overlapping(statement: Lines, minimum: int) -> Lines:
    return statement.where(ObjectiveTally.overlap_contributors >= max(minimum, 2))


def gaps(statement: Lines, threshold: Decimal) -> Lines:
    """Lines whose committed support is below `threshold` of their requirement (0: none at all),
    compared exactly: a line is listed if and only if it lacks something."""
    # Only open objectives of plans in force can lack support; the rest is history (`may_lack`
    # says the same in Python).
    statement = statement.where(
        Objective.status.in_(OPEN_OBJECTIVES), Plan.status.in_(PLANS_IN_FORCE)
    )
    nothing = ObjectiveTally.committed == 0
    if threshold <= 0:
        return statement.where(nothing)
    below = and_(
        ObjectiveTally.requirement.is_not(None),
        _below_share(
            _units(ObjectiveTally.committed), _units(ObjectiveTally.requirement), threshold
        ),
    )
    return statement.where(or_(nothing, below))


# The finest share a threshold may name: its denominator squared must fit in a 64-bit integer.
SHARE_PLACES = 9


def _below_share(part: Any, whole: Any, share: Decimal) -> ColumnElement[bool]:
    """`part < share * whole` for non-negative whole numbers, exactly, on both back ends.

    With share = p/q, the plain test part*q < whole*p overflows SQLite's 64-bit integers (which
    then turn into floats) for large amounts. Writing whole = a*q + b, it becomes
    (part - a*p)*q < b*p, where every product stays below q**2 whenever it is worked out at all.
    """
    p, q = share.as_integer_ratio()
    assert q <= 10**SHARE_PLACES, "the threshold was checked against SHARE_PLACES"
    rest = part - (whole // q) * p
    return case(
        (rest < 0, true()),
        (rest >= p, false()),
        else_=rest * q < (whole % q) * p,
    )


def _units(column: Any) -> Any:
    """A ScaledDecimal column as the integer it is stored as."""
    return type_coerce(column, BigInteger)


async def rows(
    session: AsyncSession, statement: Lines
) -> list[tuple[ObjectiveTally, Objective, Plan]]:
    return [(tally, objective, plan) for tally, objective, plan in await session.execute(statement)]


async def categorised(
    session: AsyncSession, statement: Lines
) -> list[tuple[ObjectiveTally, Category]]:
    """The tallies of `statement` with their objective's category, and nothing else to build."""
    result = await session.execute(statement.with_only_columns(ObjectiveTally, Objective.category))
    return [(tally, category) for tally, category in result]


async def by_lines(session: AsyncSession, line_ids: Sequence[int]) -> dict[int, ObjectiveTally]:
    found = await session.scalars(
        select(ObjectiveTally).where(ObjectiveTally.line_id.in_(line_ids))
    )
    return {row.line_id: row for row in found}


async def by_heads(session: AsyncSession, head_ids: Sequence[int]) -> dict[int, ObjectiveTally]:
    found = await session.scalars(
        select(ObjectiveTally).where(ObjectiveTally.head_id.in_(head_ids))
    )
    return {row.head_id: row for row in found}


def _running(start: date | None, end: date | None) -> list[ColumnElement[bool]]:
    """Live contributions whose period meets [start, end] (an open end is unbounded)."""
    conditions = [Contribution.status != ContributionStatus.WITHDRAWN]
    if end is not None:
        conditions.append(Contribution.starts_on <= end)
    if start is not None:
        conditions.append(or_(Contribution.ends_on.is_(None), Contribution.ends_on >= start))
    return conditions


@dataclass(frozen=True)
class LineSupport:
    """The contributions to each line, and what each allocation among them draws on (the
    pooled contributions and the amounts, store/draws.py), read in one statement."""

    rows: dict[int, list[Contribution]]
    drawn: dict[int, list[tuple[Contribution, Decimal]]]

    def everything(self) -> list[Contribution]:
        return [row for rows in self.rows.values() for row in rows]


async def contributions_of_lines(
    session: AsyncSession,
    line_ids: Sequence[int],
    within: tuple[date | None, date | None] | None = None,
) -> LineSupport:
    """The contributions to each line: all of them (withdrawn too: the maths decides what
    counts), or `within` a period only the live ones that meet it; with the draws of those that
    are allocations, so that whose money they are costs no statement of its own."""
    line = func.coalesce(Objective.origin_id, Objective.id).label("line_id")
    conditions = [] if within is None else _running(*within)
    source = aliased(Contribution)
    result = await session.execute(
        select(Contribution, line, Draw.amount, source)
        .join(Objective, Objective.id == Contribution.objective_id)
        .outerjoin(Draw, Draw.allocation_id == Contribution.id)
        .outerjoin(source, source.id == Draw.source_id)
        .where(or_(Objective.id.in_(line_ids), Objective.origin_id.in_(line_ids)), *conditions)
        .order_by(Contribution.id, Draw.id)
    )
    found: dict[int, list[Contribution]] = {key: [] for key in line_ids}
    drawn: dict[int, list[tuple[Contribution, Decimal]]] = {}
    for contribution, line_id, amount, drawn_on in result:
        rows = found[line_id]
        if not rows or rows[-1] is not contribution:
            rows.append(contribution)
        if drawn_on is not None:
            drawn.setdefault(contribution.id, []).append((drawn_on, Decimal(amount)))
    return LineSupport(found, drawn)


def heads(objectives: Iterable[Objective]) -> dict[int, Objective]:
    """`heads_of_lines` in Python, for objectives already read (a past day's): each line's
    objective not carried over further; a line whose every objective was carried over has none."""
    return {
        line_of(objective): objective
        for objective in objectives
        if objective.status is not ObjectiveStatus.CARRIED_OVER
    }


async def heads_of_lines(session: AsyncSession, line_ids: Sequence[int]) -> dict[int, Objective]:
    """The current objective of each line: the one not carried over further (`heads` says the
    same in Python)."""
    result = await session.scalars(
        select(Objective).where(
            or_(Objective.id.in_(line_ids), Objective.origin_id.in_(line_ids)),
            Objective.status != ObjectiveStatus.CARRIED_OVER,
        )
    )
    return {line_of(objective): objective for objective in result}


async def all_line_ids(session: AsyncSession) -> list[int]:
    result = await session.scalars(
        select(Objective.id).where(Objective.origin_id.is_(None)).order_by(Objective.id)
    )
    return list(result)


async def replace(session: AsyncSession, rows_: Sequence[dict[str, Any]]) -> None:
    """Store fresh tallies for their lines (one delete and one executemany insert)."""
    if not rows_:
        return
    lines = [row["line_id"] for row in rows_]
    for start in range(0, len(lines), 500):
        part = lines[start : start + 500]
        await session.execute(delete(ObjectiveTally).where(ObjectiveTally.line_id.in_(part)))
    await session.execute(insert(ObjectiveTally), list(rows_))


async def replace_spans(
    session: AsyncSession, line_ids: Sequence[int], rows_: Sequence[dict[str, Any]]
) -> None:
    """Store the fresh spans of these lines, in place of their old ones: a write's few spans in
    one statement of several rows, a rebuild's in statements of SPANS_AT_ONCE rows."""
    for start in range(0, len(line_ids), 500):
        part = list(line_ids[start : start + 500])
        await session.execute(delete(OverlapSpan).where(OverlapSpan.line_id.in_(part)))
    for start in range(0, len(rows_), SPANS_AT_ONCE):
        await session.execute(
            insert(OverlapSpan).values(list(rows_[start : start + SPANS_AT_ONCE]))
        )


def spans_within(statement: Lines, start: date | None, end: date | None) -> Any:
    """The spans of the lines `statement` selects that meet [start, end], with the line's tally,
    head and plan."""
    conditions = []
    if end is not None:
        conditions.append(OverlapSpan.starts_on <= end)
    if start is not None:
        conditions.append(or_(OverlapSpan.ends_on.is_(None), OverlapSpan.ends_on >= start))
    return (
        statement.add_columns(OverlapSpan)
        .join(OverlapSpan, OverlapSpan.line_id == ObjectiveTally.line_id)
        .where(*conditions)
    )


async def any_overlap_without_spans(session: AsyncSession) -> bool:
    """Whether tallies hold overlaps whose spans were never worked out (a database from before
    spans were kept): every overlap has at least one day on which it runs, so one span."""
    overlapping = await session.scalar(
        select(ObjectiveTally.line_id).where(ObjectiveTally.overlap_contributors > 1).limit(1)
    )
    spanned = await session.scalar(select(OverlapSpan.line_id).limit(1))
    return overlapping is not None and spanned is None


async def pooled_for(session: AsyncSession, criteria: LineFilter) -> list[Contribution]:
    """Live support earmarked to the plans (and categories) `criteria` names but not yet at an
    objective: given into a fund for them, or pooled for them. Priorities do not apply: pooled
    support is not earmarked to a priority."""
    plans = select(Plan.id)
    if criteria.partner_codes:
        plans = plans.where(Plan.partner_id.in_(ids_of_codes(criteria.partner_codes)))
    if criteria.plan_ids:
        plans = plans.where(Plan.id.in_(criteria.plan_ids))
    if criteria.plan_kinds:
        plans = plans.where(Plan.kind.in_(criteria.plan_kinds))
    conditions = [
        Contribution.objective_id.is_(None),
        Contribution.plan_id.in_(plans.scalar_subquery()),
        Contribution.status != ContributionStatus.WITHDRAWN,
    ]
    if criteria.categories:
        conditions.append(Contribution.category.in_(criteria.categories))
    found = await session.scalars(select(Contribution).where(*conditions).order_by(Contribution.id))
    return list(found)
