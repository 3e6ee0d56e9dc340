"""Plans (IPAP, IPCP, ITPP): one partner's agreed programme, linked to what it replaced."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Date,
    ForeignKey,
    Select,
    String,
    Text,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, Timestamped, enum_column
from store.enums import DatePrecision, PlanKind, PlanStatus
from store.pages import SortKey
from store.participants import ids_of_codes

FAR_FUTURE = date(9999, 12, 31)


class Plan(Timestamped, Base):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    kind: Mapped[PlanKind] = mapped_column(enum_column(PlanKind, "plan_kind"), index=True)
    status: Mapped[PlanStatus] = mapped_column(enum_column(PlanStatus, "plan_status"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    agreed_on: Mapped[date | None] = mapped_column(Date, index=True)
    agreed_on_precision: Mapped[DatePrecision] = mapped_column(
        enum_column(DatePrecision, "date_precision"), default=DatePrecision.DAY
    )
    starts_on: Mapped[date | None] = mapped_column(Date, index=True)
    ends_on: Mapped[date | None] = mapped_column(Date, index=True)
    predecessor_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id"), unique=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


ORDERINGS = {
    "AGREED_ON": SortKey.dated("AGREED_ON", func.coalesce(Plan.agreed_on, literal(FAR_FUTURE))),
    "CODE": SortKey("CODE", Plan.code),
    "CREATED_AT": SortKey.timed("CREATED_AT", Plan.created_at),
}


def active_on(day: date) -> list[ColumnElement[bool]]:
    """Plans in force on `day`: started by then (or agreed, if no period) and not yet ended."""
    start = func.coalesce(Plan.starts_on, Plan.agreed_on)
    return [start.is_not(None), start <= day, or_(Plan.ends_on.is_(None), Plan.ends_on >= day)]


@dataclass(frozen=True)
class PlanFilter:
    partner_codes: Sequence[str] = ()
    kinds: Sequence[PlanKind] = ()
    statuses: Sequence[PlanStatus] = ()
    active_on: date | None = None


def select_plans(criteria: PlanFilter) -> Select[Plan]:
    statement = select(Plan)
    if criteria.partner_codes:
        statement = statement.where(Plan.partner_id.in_(ids_of_codes(criteria.partner_codes)))
    if criteria.kinds:
        statement = statement.where(Plan.kind.in_(criteria.kinds))
    if criteria.statuses:
        statement = statement.where(Plan.status.in_(criteria.statuses))
    if criteria.active_on is not None:
        statement = statement.where(*active_on(criteria.active_on))
    return statement


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Plan]:
    rows = await session.scalars(select(Plan).where(Plan.id.in_(ids)))
    return {row.id: row for row in rows}


async def by_codes(session: AsyncSession, codes: Sequence[str]) -> dict[str, Plan]:
    rows = await session.scalars(select(Plan).where(Plan.code.in_(codes)))
    return {row.code: row for row in rows}


async def successors_of(session: AsyncSession, ids: Sequence[int]) -> dict[int, Plan]:
    rows = await session.scalars(select(Plan).where(Plan.predecessor_id.in_(ids)))
    return {row.predecessor_id: row for row in rows if row.predecessor_id is not None}


async def add(session: AsyncSession, row: Plan) -> Plan:
    session.add(row)
    await session.flush()
    return row
