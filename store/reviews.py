"""Periodic reviews of a plan, with an assessment of each objective reviewed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Select, Text, UniqueConstraint, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, Timestamped, enum_column
from store.enums import Assessment
from store.pages import SortKey


class Review(Timestamped, Base):
    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    reviewed_on: Mapped[date] = mapped_column(Date, index=True)
    summary: Mapped[str] = mapped_column(Text)
    # The plan's figures as they stood when the review was recorded (resolvers/review_commands.py
    # writes it, never changed after); null for reviews recorded before snapshots were kept.
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


class ObjectiveAssessment(Base):
    __tablename__ = "objective_assessment"
    __table_args__ = (UniqueConstraint("review_id", "objective_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objective.id"), index=True)
    assessment: Mapped[Assessment] = mapped_column(enum_column(Assessment, "assessment"))
    comment: Mapped[str | None] = mapped_column(Text)


ORDERINGS = {"REVIEWED_ON": SortKey.dated("REVIEWED_ON", Review.reviewed_on)}


def select_reviews() -> Select[Review]:
    return select(Review)


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Review]:
    rows = await session.scalars(select(Review).where(Review.id.in_(ids)))
    return {row.id: row for row in rows}


async def assessments_of(
    session: AsyncSession, review_ids: Sequence[int]
) -> dict[int, list[ObjectiveAssessment]]:
    rows = await session.scalars(
        select(ObjectiveAssessment)
        .where(ObjectiveAssessment.review_id.in_(review_ids))
        .order_by(ObjectiveAssessment.id)
    )
    found: dict[int, list[ObjectiveAssessment]] = {key: [] for key in review_ids}
    for row in rows:
        found[row.review_id].append(row)
    return found


async def add(
    session: AsyncSession, row: Review, assessments: Sequence[ObjectiveAssessment]
) -> Review:
    session.add(row)
    await session.flush()
    for assessment in assessments:
        assessment.review_id = row.id
        session.add(assessment)
    await session.flush()
    return row
