"""Confirmations: the recipient partner's own account of a contribution, beside the donor's.

A partner confirms that funding was received or in-kind support delivered (with the amount and
the day it records), or disputes a contribution (with a reason). Each is a new row, never updated
or deleted; the latest is the current one. The contribution itself is left as its contributor
reported it, so both accounts stay on record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    ForeignKey,
    Select,
    String,
    Text,
    and_,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, enum_column, utcnow
from store.columns import ScaledDecimal, UTCDateTime
from store.contributions import Contribution, ContributionFilter, select_contributions
from store.enums import (
    ConfirmationStage,
    ConfirmationVerdict,
    ContributionStatus,
    ReconciliationState,
)
from store.objectives import MONEY_SCALE
from store.pages import SortKey


class Confirmation(Base):
    """One confirmation or dispute of a contribution by its recipient."""

    __tablename__ = "confirmation"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contribution.id"), index=True)
    # The recipient partner who recorded it.
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    verdict: Mapped[ConfirmationVerdict] = mapped_column(
        enum_column(ConfirmationVerdict, "confirmation_verdict")
    )
    # RECEIVED (funding) or DELIVERED (in kind); null for a dispute.
    stage: Mapped[ConfirmationStage | None] = mapped_column(
        enum_column(ConfirmationStage, "confirmation_stage")
    )
    # What the recipient records; null for a dispute.
    amount: Mapped[Decimal | None] = mapped_column(ScaledDecimal(MONEY_SCALE))
    currency: Mapped[str | None] = mapped_column(String(3))
    # The day received or delivered, or the day disputed.
    on: Mapped[date] = mapped_column(Date)
    # Why it is disputed (required), or a note on a confirmation.
    reason: Mapped[str | None] = mapped_column(Text)
    # The contribution's version this answers.
    of_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# The confirmation is the latest row of its contribution: ids grow in commit order (writers
# take the change feed first, one at a time).
def _latest_ids() -> Select[Any]:
    return select(func.max(Confirmation.id).label("id")).group_by(Confirmation.contribution_id)


async def add(session: AsyncSession, row: Confirmation) -> Confirmation:
    session.add(row)
    await session.flush()
    return row


async def latest_of(
    session: AsyncSession, contribution_ids: Sequence[int]
) -> dict[int, Confirmation]:
    """The current confirmation of each contribution that has one, in one statement."""
    latest = _latest_ids().where(Confirmation.contribution_id.in_(contribution_ids))
    rows = await session.scalars(select(Confirmation).where(Confirmation.id.in_(latest)))
    return {row.contribution_id: row for row in rows}


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Confirmation]:
    rows = await session.scalars(select(Confirmation).where(Confirmation.id.in_(ids)))
    return {row.id: row for row in rows}


# Contributions that have reached the partner, or should have: a confirmation is expected.
LIVE = (ContributionStatus.COMMITTED, ContributionStatus.DISBURSED, ContributionStatus.DELIVERED)

ORDERING_KEY = SortKey.dated("STARTS_ON", Contribution.starts_on)


def reconciliation_state(cutoff: date) -> ColumnElement[Any]:
    """A contribution's reconciliation state, over the contribution joined to its current
    confirmation (null when none): null when its accounts agree or nothing is due yet."""
    return case(
        (
            and_(
                Confirmation.id.is_(None),
                Contribution.status.in_(LIVE),
                Contribution.starts_on < cutoff,
            ),
            ReconciliationState.UNCONFIRMED.name,
        ),
        (Confirmation.verdict == ConfirmationVerdict.DISPUTED, ReconciliationState.DISPUTED.name),
        (Confirmation.of_version != Contribution.version, ReconciliationState.OUTDATED.name),
        (
            or_(
                Confirmation.amount != Contribution.amount,
                Confirmation.currency != Contribution.currency,
            ),
            ReconciliationState.DIFFERS.name,
        ),
        else_=None,
    )


def select_reconciliation(
    criteria: ContributionFilter, states: Sequence[ReconciliationState], cutoff: date
) -> Select[Any]:
    """Contributions not withdrawn whose reported and confirmed accounts differ, are disputed,
    answer an older version, or have started before `cutoff` with nothing confirmed: each with its
    current confirmation (or None) and its state's name. `criteria` carries the viewer's scope:
    only contributions whose detail it sees (a discrepancy tells of the amount)."""
    latest = (
        select(Confirmation.contribution_id, func.max(Confirmation.id).label("id"))
        .group_by(Confirmation.contribution_id)
        .subquery()
    )
    state = reconciliation_state(cutoff)
    statement = (
        select_contributions(criteria)
        .outerjoin(latest, latest.c.contribution_id == Contribution.id)
        .outerjoin(Confirmation, Confirmation.id == latest.c.id)
        .add_columns(Confirmation, state.label("state"))
        .where(Contribution.status != ContributionStatus.WITHDRAWN, state.is_not(None))
    )
    if states:
        statement = statement.where(state.in_([value.name for value in states]))
    return statement
