"""Contributions: support from one contributor towards one objective. Withdrawn, never deleted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import (
    JSON,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Select,
    String,
    Text,
    UniqueConstraint,
    and_,
    cast,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, aliased, mapped_column

from store import visibility
from store.base import Base, Timestamped, enum_column
from store.columns import ScaledDecimal, UTCDateTime
from store.enums import Category, ContributionKind, ContributionStatus, PlanKind, Visibility
from store.objectives import MONEY_SCALE, Objective
from store.pages import SortKey
from store.participants import Participant, ids_of_codes
from store.plans import Plan
from store.visibility import Scope, visible

__all__ = ["Contribution", "ContributionFilter", "visible"]


def _today() -> date:
    """Unless said otherwise, support is pledged on the day it is registered (UTC)."""
    return datetime.now(UTC).date()


def _its_contributor(context: Any) -> Any:
    """Unless said otherwise, a contribution was reported by its contributor."""
    return context.get_current_parameters()["contributor_id"]


class Contribution(Timestamped, Base):
    __tablename__ = "contribution"
    # A donor system that resubmits its own record must never double-count it.
    __table_args__ = (UniqueConstraint("contributor_id", "external_reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The objective its money reaches. None while it is pooled: in a fund, or earmarked to a plan
    # and waiting to be allocated; an objective counts only what reaches it (store/draws.py).
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("objective.id"), index=True)
    contributor_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    # The partner whose plan it supports, or the fund it goes into. A plan never changes partner,
    # so this copy lets visibility be decided from the row alone, on every path.
    recipient_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    # The fund it passes through: a donor's contribution into a fund, and the fund's allocations.
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"), index=True)
    # What pooled support is earmarked to: a plan, a category of it, or one objective.
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id"), index=True)
    category: Mapped[Category | None] = mapped_column(enum_column(Category, "category"))
    earmarked_objective_id: Mapped[int | None] = mapped_column(ForeignKey("objective.id"))
    # Whether it draws on pooled support (store/draws.py): what a fund or a plan-earmarked
    # contribution passed on to an objective. Its givers are then those of what it draws on.
    draws: Mapped[bool] = mapped_column(default=False)
    # Who registered it: its contributor, or the secretariat or a fund's manager on its behalf.
    reported_by_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id"), index=True, default=_its_contributor
    )
    kind: Mapped[ContributionKind] = mapped_column(
        enum_column(ContributionKind, "contribution_kind"), index=True
    )
    status: Mapped[ContributionStatus] = mapped_column(
        enum_column(ContributionStatus, "contribution_status"), index=True
    )
    # What was pledged, in `currency`: the headline amount. Its stages (resolvers/stages.py)
    # are parts of it, in the same currency and valued on the same date.
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(MONEY_SCALE))
    currency: Mapped[str] = mapped_column(String(3), index=True)
    pledged_on: Mapped[date] = mapped_column(Date, default=_today)
    # What is committed (None while only pledged), and what has been delivered or disbursed
    # so far: the sum of `deliveries`, kept here so that totals are read without them.
    committed_amount: Mapped[Decimal | None] = mapped_column(ScaledDecimal(MONEY_SCALE))
    committed_on: Mapped[date | None] = mapped_column(Date)
    delivered_amount: Mapped[Decimal] = mapped_column(
        ScaledDecimal(MONEY_SCALE), default=Decimal(0)
    )
    delivered_on: Mapped[date | None] = mapped_column(Date)
    # Part of the record, versioned and logged with it (so its history and the figures as they
    # stood on a date come from the change log alone): each delivery as recorded
    # (resolvers/stages.py), the planned tranches (resolvers/schedules.py), and the in-kind line
    # items (resolvers/items.py). Decimals as strings, dates as ISO text.
    deliveries: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    schedule: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    valued_on: Mapped[date] = mapped_column(Date)
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date | None] = mapped_column(Date, index=True)
    description: Mapped[str | None] = mapped_column(Text)
    external_reference: Mapped[str | None] = mapped_column(String(120))
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility, "visibility"), default=Visibility.PUBLIC, index=True
    )
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


Index("ix_contribution_objective_created", Contribution.objective_id, Contribution.created_at)
Index("ix_contribution_contributor_created", Contribution.contributor_id, Contribution.created_at)
Index("ix_contribution_created_id", Contribution.created_at, Contribution.id)
Index("ix_contribution_updated_id", Contribution.updated_at, Contribution.id)

ORDERINGS = {
    "CREATED_AT": SortKey.timed("CREATED_AT", Contribution.created_at),
    "UPDATED_AT": SortKey.timed("UPDATED_AT", Contribution.updated_at),
    "STARTS_ON": SortKey.dated("STARTS_ON", Contribution.starts_on),
}


@dataclass(frozen=True)
class ContributionFilter:
    partner_codes: Sequence[str] = ()
    plan_ids: Sequence[int] = ()
    plan_kinds: Sequence[PlanKind] = ()
    objective_ids: Sequence[int] = ()
    contributor_codes: Sequence[str] = ()
    categories: Sequence[Category] = ()
    kinds: Sequence[ContributionKind] = ()
    statuses: Sequence[ContributionStatus] = ()
    currencies: Sequence[str] = ()
    visibilities: Sequence[Visibility] = ()
    active_on: date | None = None
    # Whose detail the asker sees (store/visibility.py): a condition on a withheld column (who
    # gave, the currency...) matches only rows whose detail it sees, so that no filter tells
    # what the detail of the others is. Public detail only unless given.
    scope: Scope = visibility.NO_ONE
    # Leave out the rows whose detail the asker may not see: for lists whose very membership
    # would say who gave (a contributor's contributions).
    hide_restricted: bool = False


def seen_by(scope: Scope) -> ColumnElement[bool] | None:
    """Contributions whose detail the viewer sees, in SQL; None when it sees all of them."""
    return visibility.seen(
        scope, Contribution.visibility, Contribution.contributor_id, Contribution.recipient_id
    )


def _matching(column: Any, values: Sequence[Any], scope: Scope) -> ColumnElement[bool]:
    """`column` is one of `values`; on a withheld column, only where the viewer sees it."""
    condition: ColumnElement[bool] = column.in_(values)
    shown = seen_by(scope) if visibility.withheld(column.key) else None
    return condition if shown is None else and_(condition, shown)


def select_contributions(criteria: ContributionFilter) -> Select[Contribution]:
    statement = select(Contribution)
    via_objective = criteria.partner_codes or criteria.plan_ids or criteria.categories
    via_plan = criteria.partner_codes or criteria.plan_kinds
    # Support that reached an objective is its objective's plan's and category's; pooled support
    # earmarked to a plan (and category) is that plan's: both answer a filter on them.
    plan_of = func.coalesce(Objective.plan_id, Contribution.plan_id)
    if via_objective or via_plan:
        statement = statement.outerjoin(Objective, Objective.id == Contribution.objective_id)
    if via_plan:
        statement = statement.join(Plan, Plan.id == plan_of)
    if criteria.partner_codes:
        statement = statement.where(Plan.partner_id.in_(ids_of_codes(criteria.partner_codes)))
    if criteria.plan_kinds:
        statement = statement.where(Plan.kind.in_(criteria.plan_kinds))
    if criteria.plan_ids:
        statement = statement.where(plan_of.in_(criteria.plan_ids))
    if criteria.categories:
        category = func.coalesce(Objective.category, Contribution.category)
        statement = statement.where(category.in_(criteria.categories))
    scope = criteria.scope
    # Conditions on the contribution's own columns: `_matching` decides for each whether it is
    # withheld detail.
    own: list[tuple[Any, Any]] = [
        (column, values)
        for column, values in (
            (Contribution.objective_id, criteria.objective_ids),
            (Contribution.kind, criteria.kinds),
            (Contribution.status, criteria.statuses),
            (Contribution.currency, criteria.currencies),
            (Contribution.visibility, criteria.visibilities),
        )
        if values
    ]
    if criteria.contributor_codes:
        own.append((Contribution.contributor_id, ids_of_codes(criteria.contributor_codes)))
    for column, values in own:
        statement = statement.where(_matching(column, values, scope))
    if criteria.hide_restricted and (shown := seen_by(scope)) is not None:
        statement = statement.where(shown)
    if criteria.active_on is not None:
        day = criteria.active_on
        statement = statement.where(
            Contribution.starts_on <= day,
            or_(Contribution.ends_on.is_(None), Contribution.ends_on >= day),
        )
    return statement


def _line_of(asked: Any) -> tuple[Any, ColumnElement[bool]]:
    """An objective that belongs to the line of `asked`: an objective carried over to a new plan
    keeps showing the support given before, and the old one shows support given since."""
    member = aliased(Objective)
    origin = func.coalesce(asked.origin_id, asked.id)
    return member, or_(member.id == origin, member.origin_id == origin)


def select_under_objectives(criteria: ContributionFilter) -> tuple[Select[Contribution], Any]:
    """Each objective's support: what reached its line. Returns the statement and the grouping
    column."""
    asked = aliased(Objective)
    member, in_line = _line_of(asked)
    statement = (
        select_contributions(criteria)
        .join(member, member.id == Contribution.objective_id)
        .join(asked, in_line)
    )
    return statement, asked.id


def select_under_plans(criteria: ContributionFilter) -> tuple[Select[Contribution], Any]:
    """Each plan's support, as the root list filtered by plan holds it: what reached its
    objectives' lines, and pooled support earmarked to the plan (to the plan, a category of it or
    one of its objectives). Returns the statement and the grouping column.

    The plan of each is a union of the two ways in, so that each is read through its own index.
    """
    given, asked = aliased(Contribution), aliased(Objective)
    member, in_line = _line_of(asked)
    reached = (
        select(given.id.label("contribution_id"), asked.plan_id.label("plan_id"))
        .join(member, member.id == given.objective_id)
        .join(asked, in_line)
    )
    pooled = select(Contribution.id, Contribution.plan_id).where(
        Contribution.objective_id.is_(None), Contribution.plan_id.is_not(None)
    )
    plans = union_all(reached, pooled).subquery("plan_of")
    statement = select_contributions(criteria).join(
        plans, plans.c.contribution_id == Contribution.id
    )
    return statement, plans.c.plan_id


async def every(session: AsyncSession, statement: Select[Contribution]) -> list[Contribution]:
    """Every contribution a list's statement selects, unpaged (for a figure over all of them)."""
    return list(await session.scalars(statement))


class Staged(Protocol):
    """What a figure over many contributions reads of each: its stages, what values them, what
    its schedule owes, and the three values that decide who sees its detail. A Contribution is
    one; so is a row of `staged`, read without the rest of the record."""

    @property
    def id(self) -> int: ...
    @property
    def contributor_id(self) -> int: ...
    @property
    def recipient_id(self) -> int: ...
    @property
    def visibility(self) -> Visibility: ...
    @property
    def kind(self) -> ContributionKind: ...
    @property
    def status(self) -> ContributionStatus: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def currency(self) -> str: ...
    @property
    def valued_on(self) -> date: ...
    @property
    def committed_amount(self) -> Decimal | None: ...
    @property
    def delivered_amount(self) -> Decimal: ...
    @property
    def schedule(self) -> list[dict[str, Any]]: ...
    @property
    def withdrawn_at(self) -> datetime | None: ...
    @property
    def starts_on(self) -> date: ...
    @property
    def ends_on(self) -> date | None: ...


# The columns `staged` reads: those of the protocol's names.
STAGED = tuple(
    getattr(Contribution, name)
    for name, member in vars(Staged).items()
    if isinstance(member, property)
)


async def staged(session: AsyncSession, statement: Select[Contribution]) -> list[Staged]:
    """`every`, each contribution read as `Staged` only: a figure over tens of thousands of them
    then neither builds their records nor decodes their deliveries and items."""
    narrow = statement.with_only_columns(*STAGED).order_by(None)
    return list((await session.execute(narrow)).all())


async def by_reference(
    session: AsyncSession, contributor_id: int, reference: str
) -> Contribution | None:
    found: Contribution | None = await session.scalar(
        select(Contribution).where(
            Contribution.contributor_id == contributor_id,
            Contribution.external_reference == reference,
        )
    )
    return found


async def add(session: AsyncSession, row: Contribution) -> Contribution:
    session.add(row)
    await session.flush()
    return row


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Contribution]:
    rows = await session.scalars(select(Contribution).where(Contribution.id.in_(ids)))
    return {row.id: row for row in rows}


async def recent_support(
    session: AsyncSession,
    pairs: Sequence[tuple[Category, str | None]],
    since: date,
    scope: Scope,
) -> list[tuple[Category, str | None, int, int]]:
    """For each (category, recipient region): who gave how many contributions since `since`,
    counting only those whose giver the viewer may see (a count of the others would name them)."""
    region = Participant.region
    statement = (
        select(Objective.category, region, Contribution.contributor_id, func.count())
        .join(Objective, Objective.id == Contribution.objective_id)
        .join(Participant, Participant.id == Contribution.recipient_id)
        .where(
            Objective.category.in_({category for category, _ in pairs}),
            region.in_({r for _, r in pairs if r is not None}),
            Contribution.starts_on >= since,
            Contribution.status != ContributionStatus.WITHDRAWN,
        )
        .group_by(Objective.category, region, Contribution.contributor_id)
    )
    if (shown := seen_by(scope)) is not None:
        statement = statement.where(shown)
    result = await session.execute(statement)
    return [(category, place, contributor, int(n)) for category, place, contributor, n in result]


def _live_on_lines(lines: Select[Any]) -> list[ColumnElement[bool]]:
    """Contributions counted in the totals of these objective lines (ids of their first
    objectives): not withdrawn, to the line's objective or any carried over from it."""
    line = func.coalesce(Objective.origin_id, Objective.id)
    return [
        line.in_(lines.scalar_subquery()),
        Contribution.status != ContributionStatus.WITHDRAWN,
    ]


async def valuations_withheld(
    session: AsyncSession, lines: Select[Any], scope: frozenset[int], base_currency: str
) -> list[tuple[str, date]]:
    """The (currency, valuation day) of every contribution counted on these lines whose detail
    the viewer may not see, but in the base currency (which needs no rate)."""
    withheld = visibility.hidden(
        Contribution.visibility, Contribution.contributor_id, Contribution.recipient_id, scope
    )
    result = await session.execute(
        select(Contribution.currency, Contribution.valued_on)
        .join(Objective, Objective.id == Contribution.objective_id)
        .where(withheld, Contribution.currency != base_currency, *_live_on_lines(lines))
        .distinct()
    )
    return [(currency, day) for currency, day in result]


async def valued_in_sight(
    session: AsyncSession,
    lines: Select[Any],
    scope: frozenset[int],
    spans: Sequence[tuple[str, date | None, date | None]],
) -> list[bool]:
    """For each (currency, from, before) span (None: open), whether a contribution counted on
    these lines whose detail the viewer sees is valued in that currency within it."""
    shown = seen_by(scope)
    assert shown is not None
    found: list[bool] = []
    for start in range(0, len(spans), 100):
        checks = []
        for currency, since, before in spans[start : start + 100]:
            conditions = [Contribution.currency == currency]
            if since is not None:
                conditions.append(Contribution.valued_on >= since)
            if before is not None:
                conditions.append(Contribution.valued_on < before)
            checks.append(
                select(Contribution.id)
                .join(Objective, Objective.id == Contribution.objective_id)
                .where(shown, *conditions, *_live_on_lines(lines))
                .exists()
            )
        found += [bool(value) for value in (await session.execute(select(*checks))).one()]
    return found


async def scheduled_for(session: AsyncSession, recipient_id: int | None) -> list[Contribution]:
    """The contributions (to one recipient, or to any) that are not withdrawn and plan tranches."""
    statement = select(Contribution).where(
        Contribution.withdrawn_at.is_(None), cast(Contribution.schedule, String) != "[]"
    )
    if recipient_id is not None:
        statement = statement.where(Contribution.recipient_id == recipient_id)
    rows = await session.scalars(statement.order_by(Contribution.id))
    return list(rows)
