"""Contributions: support from one contributor towards one objective. Withdrawn, never deleted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Select,
    String,
    Text,
    UniqueConstraint,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, aliased, mapped_column

from store.base import Base, Timestamped, enum_column
from store.columns import ScaledDecimal, UTCDateTime
from store.enums import Category, ContributionKind, ContributionStatus, PlanKind, Visibility
from store.objectives import MONEY_SCALE, Objective
from store.pages import SortKey
from store.participants import ids_of_codes
from store.plans import Plan


class Contribution(Timestamped, Base):
    __tablename__ = "contribution"
    # A donor system that resubmits its own record must never double-count it.
    __table_args__ = (UniqueConstraint("contributor_id", "external_reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objective.id"), index=True)
    contributor_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    # The partner whose plan the objective belongs to. A plan never changes partner, so this copy
    # lets visibility be decided from the row alone, on every path.
    recipient_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    kind: Mapped[ContributionKind] = mapped_column(
        enum_column(ContributionKind, "contribution_kind"), index=True
    )
    status: Mapped[ContributionStatus] = mapped_column(
        enum_column(ContributionStatus, "contribution_status"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(MONEY_SCALE))
    currency: Mapped[str] = mapped_column(String(3), index=True)
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
    # Leave out restricted contributions unless `viewer_id` gave or received them: for lists whose
    # very membership would say who gave (a contributor's contributions).
    hide_restricted: bool = False
    viewer_id: int | None = None


def visible(visibility: Any, contributor_id: Any, recipient_id: Any, viewer_id: Any) -> Any:
    """Whether a contribution's detail shows to a participant other than the secretariat:
    public, or given or received by them (`Viewer.sees`, in SQL)."""
    return or_(
        visibility == Visibility.PUBLIC,
        contributor_id == viewer_id,
        recipient_id == viewer_id,
    )


def select_contributions(criteria: ContributionFilter) -> Select[Contribution]:
    statement = select(Contribution)
    via_objective = criteria.partner_codes or criteria.plan_ids or criteria.categories
    via_plan = criteria.partner_codes or criteria.plan_kinds
    if via_objective or via_plan:
        statement = statement.join(Objective, Objective.id == Contribution.objective_id)
    if via_plan:
        statement = statement.join(Plan, Plan.id == Objective.plan_id)
    if criteria.partner_codes:
        statement = statement.where(Plan.partner_id.in_(ids_of_codes(criteria.partner_codes)))
    if criteria.plan_kinds:
        statement = statement.where(Plan.kind.in_(criteria.plan_kinds))
    if criteria.plan_ids:
        statement = statement.where(Objective.plan_id.in_(criteria.plan_ids))
    if criteria.categories:
        statement = statement.where(Objective.category.in_(criteria.categories))
    if criteria.objective_ids:
        statement = statement.where(Contribution.objective_id.in_(criteria.objective_ids))
    if criteria.contributor_codes:
        statement = statement.where(
            Contribution.contributor_id.in_(ids_of_codes(criteria.contributor_codes))
        )
    if criteria.kinds:
        statement = statement.where(Contribution.kind.in_(criteria.kinds))
    if criteria.statuses:
        statement = statement.where(Contribution.status.in_(criteria.statuses))
    if criteria.currencies:
        statement = statement.where(Contribution.currency.in_(criteria.currencies))
    if criteria.visibilities:
        statement = statement.where(Contribution.visibility.in_(criteria.visibilities))
    if criteria.hide_restricted:
        statement = statement.where(
            visible(
                Contribution.visibility,
                Contribution.contributor_id,
                Contribution.recipient_id,
                criteria.viewer_id,
            )
        )
    if criteria.active_on is not None:
        day = criteria.active_on
        statement = statement.where(
            Contribution.starts_on <= day,
            or_(Contribution.ends_on.is_(None), Contribution.ends_on >= day),
        )
    return statement


def select_by_objective_line(
    criteria: ContributionFilter,
) -> tuple[Select[Contribution], Any]:
    """Contributions to each asked objective's whole line: an objective carried over to a new plan
    keeps showing the support given before, and the old one shows support given since.

    Returns the statement and the asked objective (an alias: group by its `id`, or its `plan_id`
    for a plan's support).
    """
    member, asked = aliased(Objective), aliased(Objective)
    origin = func.coalesce(asked.origin_id, asked.id)
    statement = (
        select_contributions(criteria)
        .join(member, member.id == Contribution.objective_id)
        .join(asked, or_(member.id == origin, member.origin_id == origin))
    )
    return statement, asked


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
