"""Exchange rates into the base currency, dated, so every total can say which rate it used."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, String, UniqueConstraint, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, Timestamped
from store.columns import ScaledDecimal

BASE_CURRENCY = "EUR"
RATE_SCALE = 10


class ExchangeRate(Timestamped, Base):
    """How many units of the base currency one unit of `currency` was worth from `valid_from`."""

    __tablename__ = "exchange_rate"
    __table_args__ = (UniqueConstraint("currency", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    rate: Mapped[Decimal] = mapped_column(ScaledDecimal(RATE_SCALE))
    source: Mapped[str] = mapped_column(String(200))


async def currencies_rated_by(session: AsyncSession, day: date) -> set[str]:
    """Currencies with an exchange rate in force on `day` (so amounts in them can be totalled)."""
    rows = await session.scalars(
        select(ExchangeRate.currency).where(ExchangeRate.valid_from <= day).distinct()
    )
    return set(rows)


async def of_currencies(session: AsyncSession, currencies: set[str]) -> list[ExchangeRate]:
    """Every rate of these currencies (a couple of dozen each): converted with in memory."""
    if not currencies:
        return []
    return list(
        await session.scalars(
            select(ExchangeRate)
            .where(ExchangeRate.currency.in_(sorted(currencies)))
            .order_by(ExchangeRate.id)
        )
    )


async def by_ids(session: AsyncSession, ids: list[int]) -> dict[int, ExchangeRate]:
    found = await session.scalars(select(ExchangeRate).where(ExchangeRate.id.in_(ids)))
    return {row.id: row for row in found}
