"""Draws: how an allocation is paid for by the pooled contributions it draws on.

An allocation is a contribution that reaches an objective with money that was pooled first: in a
fund (the fund allocates what donors put in) or earmarked to a plan (its contributor or the
partner allocates it later). Each draw takes part of one pooled contribution, in that
contribution's currency; the draws of an allocation add up exactly to its amount, and no pooled
contribution is drawn beyond its amount by the live allocations drawing on it. So every unit of
money is counted once: where it arrives, never also where it passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import ForeignKey, UniqueConstraint, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, aliased, mapped_column

from store.base import Base
from store.columns import ScaledDecimal
from store.contributions import Contribution
from store.enums import ContributionStatus
from store.objectives import MONEY_SCALE


class Draw(Base):
    __tablename__ = "contribution_draw"
    __table_args__ = (UniqueConstraint("allocation_id", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("contribution.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("contribution.id"), index=True)
    # In the currency of both the allocation and the source.
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(MONEY_SCALE))


async def drawn(session: AsyncSession, source_ids: Sequence[int]) -> dict[int, Decimal]:
    """How much of each pooled contribution live allocations have drawn (a withdrawn allocation's
    money is back in the pool)."""
    allocation = aliased(Contribution)
    rows = await session.execute(
        select(Draw.source_id, func.sum(Draw.amount))
        .join(allocation, allocation.id == Draw.allocation_id)
        .where(Draw.source_id.in_(source_ids), allocation.status != ContributionStatus.WITHDRAWN)
        .group_by(Draw.source_id)
    )
    found = {key: Decimal(0) for key in source_ids}
    for source_id, total in rows:
        found[source_id] = Decimal(total)
    return found


async def of_allocations(
    session: AsyncSession, allocation_ids: Sequence[int]
) -> dict[int, list[Draw]]:
    """The draws of each allocation, in the order they were made."""
    rows = await session.scalars(
        select(Draw).where(Draw.allocation_id.in_(allocation_ids)).order_by(Draw.id)
    )
    found: dict[int, list[Draw]] = {key: [] for key in allocation_ids}
    for row in rows:
        found[row.allocation_id].append(row)
    return found


async def on_sources(session: AsyncSession, source_ids: Sequence[int]) -> dict[int, list[Draw]]:
    """The draws made on each pooled contribution: where its money went."""
    rows = await session.scalars(
        select(Draw).where(Draw.source_id.in_(source_ids)).order_by(Draw.id)
    )
    found: dict[int, list[Draw]] = {key: [] for key in source_ids}
    for row in rows:
        found[row.source_id].append(row)
    return found


Drawn = Mapping[int, Sequence[tuple[Contribution, Decimal]]]


async def shares(
    session: AsyncSession, support: Iterable[Contribution], known: Drawn | None = None
) -> dict[int, list[tuple[Contribution, Fraction]]]:
    """Each contribution's money by where it comes from, as exact shares that add up to one: the
    contribution itself (all of it) when it draws on nothing, otherwise the contributions at the
    start of what it draws on, each in proportion to what was drawn, through any number of funds.
    `known` holds the draws already read with the contributions (store/tallies.py reads them in
    the same statement); one statement more for each level of funds beyond those."""
    asked = list(support)
    rows = {row.id: row for row in asked}
    parents: dict[int, list[tuple[int, Decimal]]] = {}
    for allocation_id, drawn in (known or {}).items():
        for given, amount in drawn:
            parents.setdefault(allocation_id, []).append((given.id, amount))
            rows.setdefault(given.id, given)
    pending = sorted(key for key, row in rows.items() if row.draws and key not in parents)
    while pending:
        source = aliased(Contribution)
        found = await session.execute(
            select(Draw.allocation_id, Draw.amount, source)
            .join(source, source.id == Draw.source_id)
            .where(Draw.allocation_id.in_(pending))
            .order_by(Draw.id)
        )
        pending = []
        for allocation_id, amount, row in found:
            parents.setdefault(allocation_id, []).append((row.id, Decimal(amount)))
            if row.id not in rows:
                rows[row.id] = row
                if row.draws:
                    pending.append(row.id)
    split: dict[int, dict[int, Fraction]] = {}

    def resolve(key: int) -> dict[int, Fraction]:
        # A draw names only contributions that existed before it, so the graph has no cycle.
        if key not in split:
            drawn = parents.get(key)
            if not drawn:
                split[key] = {key: Fraction(1)}
            else:
                whole = sum((Fraction(amount) for _, amount in drawn), Fraction(0))
                found: dict[int, Fraction] = {}
                for source_id, amount in drawn:
                    for leaf, part in resolve(source_id).items():
                        found[leaf] = found.get(leaf, Fraction(0)) + part * Fraction(amount) / whole
                split[key] = found
        return split[key]

    return {
        row.id: [(rows[leaf], part) for leaf, part in sorted(resolve(row.id).items())]
        for row in asked
    }


async def origins(
    session: AsyncSession, support: Iterable[Contribution], known: Drawn | None = None
) -> dict[int, tuple[Contribution, ...]]:
    """Where the money of each contribution comes from (`shares` without the proportions): its
    contributors are the original givers. Overlaps count givers, so a fund and the donor whose
    money it passes on are one source; who may see a giver named is decided on the giver's own
    row."""
    found = await shares(session, support, known)
    return {key: tuple(row for row, _ in parts) for key, parts in found.items()}


async def made_before(session: AsyncSession, moment: datetime) -> list[Draw]:
    """Every draw of an allocation registered before `moment` (a draw is made with its
    allocation and never changes)."""
    rows = await session.scalars(
        select(Draw)
        .join(Contribution, Contribution.id == Draw.allocation_id)
        .where(Contribution.created_at < moment)
        .order_by(Draw.id)
    )
    return list(rows)
