"""Participants (states and institutions), their partnership frameworks, roles on a date."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Select,
    String,
    UniqueConstraint,
    and_,
    exists,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, Timestamped, enum_column
from store.enums import Framework, ParticipantKind, PlanKind, Role
from store.pages import SortKey


class Participant(Timestamped, Base):
    """A state or an international organisation. Its role is a function of time, never a column."""

    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ParticipantKind] = mapped_column(
        enum_column(ParticipantKind, "participant_kind"), index=True
    )
    allied_since: Mapped[date | None] = mapped_column(Date, index=True)
    region: Mapped[str | None] = mapped_column(String(80), index=True)
    is_secretariat: Mapped[bool] = mapped_column(default=False)


class Partnership(Base):
    """Membership of a partnership framework (Partnership for Peace, Mediterranean Dialogue...)."""

    __tablename__ = "partnership"
    __table_args__ = (UniqueConstraint("participant_id", "framework", "joined_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    framework: Mapped[Framework] = mapped_column(enum_column(Framework, "framework"), index=True)
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)


Index(
    "ix_partnership_active", Partnership.participant_id, Partnership.joined_on, Partnership.left_on
)

ORDERINGS = {
    "CODE": SortKey("CODE", Participant.code),
    "NAME": SortKey("NAME", Participant.name),
}


def role_on(participant: Participant, partnerships: Sequence[Partnership], day: date) -> Role:
    """The role held on `day`: history stays true after a partner joins the Alliance."""
    if participant.is_secretariat:
        return Role.SECRETARIAT
    # A fund speaks as an institution does: its tokens (and its manager's) act for it.
    if participant.kind in (ParticipantKind.INSTITUTION, ParticipantKind.FUND):
        return Role.INSTITUTION
    if participant.allied_since is not None and participant.allied_since <= day:
        return Role.ALLY
    if any(p.joined_on <= day and (p.left_on is None or p.left_on > day) for p in partnerships):
        return Role.PARTNER
    return Role.NONE


def _partner_on(day: date) -> list[ColumnElement[bool]]:
    active = and_(
        Partnership.participant_id == Participant.id,
        Partnership.joined_on <= day,
        or_(Partnership.left_on.is_(None), Partnership.left_on > day),
    )
    return [
        Participant.kind == ParticipantKind.STATE,
        or_(Participant.allied_since.is_(None), Participant.allied_since > day),
        exists().where(active),
    ]


@dataclass(frozen=True)
class ParticipantFilter:
    role: Role | None = None
    on: date | None = None
    frameworks: Sequence[Framework] = ()
    plan_kinds: Sequence[PlanKind] = ()
    regions: Sequence[str] = ()


def ids_of_codes(codes: Sequence[str]) -> Select[int]:
    """Participants named by code, as a subquery: a filter by code costs no extra round trip."""
    return select(Participant.id).where(Participant.code.in_(codes))


def select_participants(criteria: ParticipantFilter) -> Select[Participant]:
    from store.plans import Plan  # plans refer to participants; import late to avoid a cycle

    statement = select(Participant)
    day = criteria.on
    if criteria.role is Role.ALLY and day is not None:
        statement = statement.where(Participant.allied_since <= day)
    elif criteria.role is Role.PARTNER and day is not None:
        statement = statement.where(*_partner_on(day))
    elif criteria.role is Role.INSTITUTION:
        statement = statement.where(Participant.kind == ParticipantKind.INSTITUTION)
    if criteria.frameworks:
        statement = statement.where(
            exists().where(
                Partnership.participant_id == Participant.id,
                Partnership.framework.in_(criteria.frameworks),
            )
        )
    if criteria.plan_kinds:
        statement = statement.where(
            exists().where(Plan.partner_id == Participant.id, Plan.kind.in_(criteria.plan_kinds))
        )
    if criteria.regions:
        statement = statement.where(Participant.region.in_(criteria.regions))
    return statement


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Participant]:
    rows = await session.scalars(select(Participant).where(Participant.id.in_(ids)))
    return {row.id: row for row in rows}


async def by_codes(session: AsyncSession, codes: Sequence[str]) -> dict[str, Participant]:
    rows = await session.scalars(select(Participant).where(Participant.code.in_(codes)))
    return {row.code: row for row in rows}


async def partnerships_of(
    session: AsyncSession, participant_ids: Sequence[int]
) -> dict[int, list[Partnership]]:
    rows = await session.scalars(
        select(Partnership)
        .where(Partnership.participant_id.in_(participant_ids))
        .order_by(Partnership.joined_on, Partnership.id)
    )
    found: dict[int, list[Partnership]] = {key: [] for key in participant_ids}
    for row in rows:
        found[row.participant_id].append(row)
    return found
