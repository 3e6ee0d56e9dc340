"""Funds: trust funds, pooled funds and executing agencies through which support passes.

A fund is a participant of kind FUND with the details below. Donors contribute into it (a
contribution whose channel is the fund) and its manager allocates what it received to objectives
(store/draws.py); a token of the manager acts for the fund.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    ColumnElement,
    Date,
    ForeignKey,
    Select,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, aliased, mapped_column

from store.base import Base, Timestamped, enum_column
from store.contributions import Contribution, seen_by
from store.draws import Draw
from store.enums import ContributionStatus, FundForm
from store.pages import SortKey
from store.participants import Participant, ids_of_codes
from store.visibility import Scope


class Fund(Timestamped, Base):
    __tablename__ = "fund"

    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), primary_key=True)
    form: Mapped[FundForm] = mapped_column(enum_column(FundForm, "fund_form"), index=True)
    # Whose tokens act for the fund: allocate what it received, report on its behalf.
    manager_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    # The partner the fund serves, when it serves one (a trust fund for one partner's reform).
    beneficiary_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"), index=True)
    established_on: Mapped[date | None] = mapped_column(Date)
    purpose: Mapped[str | None] = mapped_column(Text)
    # The fund's own reference in its manager's books.
    reference: Mapped[str | None] = mapped_column(String(120))


class FundLead(Base):
    """A lead nation of a fund (NATO Trust Funds are led by one or more allies or partners)."""

    __tablename__ = "fund_lead"
    __table_args__ = (UniqueConstraint("fund_id", "nation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.participant_id"), index=True)
    nation_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)


ORDERINGS = {
    "CODE": SortKey("CODE", Participant.code),
    "NAME": SortKey("NAME", Participant.name),
}


def select_funds(
    forms: Sequence[FundForm] = (), beneficiary_codes: Sequence[str] = ()
) -> Select[Participant]:
    """Participants that are funds, of these forms, serving these partners."""
    statement = select(Participant).join(Fund, Fund.participant_id == Participant.id)
    if forms:
        statement = statement.where(Fund.form.in_(forms))
    if beneficiary_codes:
        statement = statement.where(Fund.beneficiary_id.in_(ids_of_codes(beneficiary_codes)))
    return statement


@dataclass(frozen=True)
class Holding:
    """What a fund holds in one currency: received into it, drawn by its live allocations (or
    passed on to another fund), and what is left to allocate."""

    currency: str
    received: Decimal
    allocated: Decimal

    @property
    def available(self) -> Decimal:
        return self.received - self.allocated


def inflows(fund_id: int) -> list[ColumnElement[bool]]:
    """Live contributions into the fund: pooled in it, from someone else."""
    return [
        Contribution.channel_id == fund_id,
        Contribution.objective_id.is_(None),
        Contribution.contributor_id != fund_id,
        Contribution.status != ContributionStatus.WITHDRAWN,
    ]


async def holdings(session: AsyncSession, fund_id: int, scope: Scope) -> list[Holding]:
    """The fund's holdings by currency, over the contributions into it whose detail the viewer
    sees (all of them for its manager and the secretariat): a currency or an amount only
    withheld contributions account for is not shown."""
    conditions = inflows(fund_id)
    if (shown := seen_by(scope)) is not None:
        conditions.append(shown)
    received = await session.execute(
        select(Contribution.currency, func.sum(Contribution.amount))
        .where(*conditions)
        .group_by(Contribution.currency)
    )
    allocation = aliased(Contribution)
    allocated = await session.execute(
        select(Contribution.currency, func.sum(Draw.amount))
        .join(Draw, Draw.source_id == Contribution.id)
        .join(allocation, allocation.id == Draw.allocation_id)
        .where(*conditions, allocation.status != ContributionStatus.WITHDRAWN)
        .group_by(Contribution.currency)
    )
    drawn = {currency: Decimal(total) for currency, total in allocated}
    return [
        Holding(currency, Decimal(total), drawn.get(currency, Decimal(0)))
        for currency, total in sorted(received)
    ]


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Fund]:
    rows = await session.scalars(select(Fund).where(Fund.participant_id.in_(ids)))
    return {row.participant_id: row for row in rows}


async def leads_of(session: AsyncSession, fund_ids: Sequence[int]) -> dict[int, list[int]]:
    """The lead nations of each fund, as participant ids in the order they were recorded."""
    rows = await session.execute(
        select(FundLead.fund_id, FundLead.nation_id)
        .where(FundLead.fund_id.in_(fund_ids))
        .order_by(FundLead.id)
    )
    found: dict[int, list[int]] = {key: [] for key in fund_ids}
    for fund_id, nation_id in rows:
        found[fund_id].append(nation_id)
    return found


async def managed_by(session: AsyncSession, participant_id: int) -> list[int]:
    """The funds a participant manages, whose tokens therefore act for them."""
    rows = await session.scalars(
        select(Fund.participant_id).where(Fund.manager_id == participant_id)
    )
    return list(rows)
