"""Idempotency keys: a retried registration gets its first result back instead of a second row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, utcnow
from store.columns import UTCDateTime


class IdempotencyKey(Base):
    """A key a caller sent with a write, the fingerprint of that write's input, and its result."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("participant_id", "operation", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    operation: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


async def find(
    session: AsyncSession, participant_id: int, operation: str, key: str
) -> IdempotencyKey | None:
    found: IdempotencyKey | None = await session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.participant_id == participant_id,
            IdempotencyKey.operation == operation,
            IdempotencyKey.key == key,
        )
    )
    return found


async def remember(
    session: AsyncSession,
    participant_id: int,
    operation: str,
    key: str,
    fingerprint: str,
    entity_id: int,
) -> None:
    session.add(
        IdempotencyKey(
            participant_id=participant_id,
            operation=operation,
            key=key,
            fingerprint=fingerprint,
            entity_id=entity_id,
        )
    )
    await session.flush()
