"""The declarative base shared by every table, with constraint names both back ends agree on."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Enum, MetaData, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from store.columns import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Primary keys are plain INTEGER columns: 32 bits on PostgreSQL. A key beyond this names no row,
# and sent to the database as a parameter it is an overflow error, not an empty result.
MAX_KEY = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_column(enum_class: type[enum.Enum], name: str) -> Enum:
    """A portable enum: VARCHAR plus a CHECK constraint, never a native PostgreSQL type."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.name) for member in enum_class),
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


M = TypeVar("M", bound=Base)


class Timestamped:
    """When a row was created and last changed."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def snapshot(row: Base) -> dict[str, Any]:
    """A row as plain JSON values, for the change log."""
    return {
        column.key: _plain(getattr(row, column.key)) for column in inspect(type(row)).column_attrs
    }


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


async def get(session: AsyncSession, model: type[M], pk: int) -> M | None:
    """One row by primary key, through the session's identity map."""
    return await session.get(model, pk)


async def save(session: AsyncSession) -> None:
    """Write pending changes now, inside the transaction (versions are checked here)."""
    await session.flush()
