"""The append-only change log: every write, who made it, and the entity before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, enum_column, utcnow
from store.columns import UTCDateTime
from store.enums import ChangeAction


class ChangeEvent(Base):
    """One write. Its id orders the feed: it only grows, so a reader resumes after the last seen."""

    __tablename__ = "change_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id"), index=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int]
    action: Mapped[ChangeAction] = mapped_column(enum_column(ChangeAction, "change_action"))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


Index("ix_change_event_entity", ChangeEvent.entity_type, ChangeEvent.entity_id)
