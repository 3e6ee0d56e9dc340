"""Objectives: what a plan aims at, in one of the six categories, with an optional requirement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Select,
    String,
    Text,
    UniqueConstraint,
    func,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, Timestamped, enum_column
from store.columns import ScaledDecimal
from store.enums import Category, ObjectiveStatus, PlanKind, Priority
from store.pages import SortKey
from store.participants import ids_of_codes
from store.plans import FAR_FUTURE, Plan

MONEY_SCALE = 4


class Objective(Timestamped, Base):
    __tablename__ = "objective"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    category: Mapped[Category] = mapped_column(enum_column(Category, "category"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(index=True)
    status: Mapped[ObjectiveStatus] = mapped_column(
        enum_column(ObjectiveStatus, "objective_status"), index=True
    )
    requirement_amount: Mapped[Decimal | None] = mapped_column(ScaledDecimal(MONEY_SCALE))
    requirement_currency: Mapped[str | None] = mapped_column(String(3))
    target_date: Mapped[date | None] = mapped_column(Date, index=True)
    carried_over_from_id: Mapped[int | None] = mapped_column(ForeignKey("objective.id"), index=True)
    # The first objective of a line carried over from plan to plan: support given to any of them
    # shows on all of them.
    origin_id: Mapped[int | None] = mapped_column(ForeignKey("objective.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


Index("ix_objective_plan_priority", Objective.plan_id, Objective.priority, Objective.id)

ORDERINGS = {
    "PRIORITY": SortKey("PRIORITY", Objective.priority),
    "CODE": SortKey("CODE", Objective.code),
    "TARGET_DATE": SortKey.dated(
        "TARGET_DATE", func.coalesce(Objective.target_date, literal(FAR_FUTURE))
    ),
    "CREATED_AT": SortKey.timed("CREATED_AT", Objective.created_at),
}


@dataclass(frozen=True)
class ObjectiveFilter:
    partner_codes: Sequence[str] = ()
    plan_ids: Sequence[int] = ()
    plan_kinds: Sequence[PlanKind] = ()
    categories: Sequence[Category] = ()
    priorities: Sequence[Priority] = ()
    statuses: Sequence[ObjectiveStatus] = ()


def select_objectives(criteria: ObjectiveFilter) -> Select[Objective]:
    statement = select(Objective)
    if criteria.partner_codes or criteria.plan_kinds:
        statement = statement.join(Plan, Plan.id == Objective.plan_id)
    if criteria.partner_codes:
        statement = statement.where(Plan.partner_id.in_(ids_of_codes(criteria.partner_codes)))
    if criteria.plan_kinds:
        statement = statement.where(Plan.kind.in_(criteria.plan_kinds))
    if criteria.plan_ids:
        statement = statement.where(Objective.plan_id.in_(criteria.plan_ids))
    if criteria.categories:
        statement = statement.where(Objective.category.in_(criteria.categories))
    if criteria.priorities:
        statement = statement.where(Objective.priority.in_([p.value for p in criteria.priorities]))
    if criteria.statuses:
        statement = statement.where(Objective.status.in_(criteria.statuses))
    return statement


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Objective]:
    rows = await session.scalars(select(Objective).where(Objective.id.in_(ids)))
    return {row.id: row for row in rows}


async def add(session: AsyncSession, row: Objective) -> Objective:
    session.add(row)
    await session.flush()
    return row


async def of_plan(session: AsyncSession, plan_id: int) -> list[Objective]:
    rows = await session.scalars(
        select(Objective).where(Objective.plan_id == plan_id).order_by(Objective.id)
    )
    return list(rows)
