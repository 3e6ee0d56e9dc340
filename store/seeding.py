"""Bulk and idempotent writes for loading seed data, and the few reads the loaders need.

Reference rows are few and curated: each is inserted when its natural key is absent and left alone
when present, because once loaded a row belongs to the record (the API may have changed it since,
with an audit trail), so a second load writes nothing.

Generated rows are many and new: they go in as Core executemany batches, which skip the ORM unit of
work (an order of magnitude cheaper at 60,000 rows) but still pass every value
through the column types, so money stays `Decimal` and timestamps must carry a time zone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, insert, inspect, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from store.base import Base

M = TypeVar("M", bound=Base)
T = TypeVar("T")

# Keys per IN list: composite keys bind two or three parameters each, and SQLite caps a statement's
# parameters; a few hundred keys keeps every back end well inside its limits.
KEYS_PER_QUERY = 300
# Rows per executemany call: large enough to amortise the round trip, small enough to bound memory.
ROWS_PER_BATCH = 5_000


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Loaded(Generic[M]):
    """The rows named by natural key, and how many of them were new."""

    rows: dict[tuple[Any, ...], M] = field(default_factory=dict)
    inserted: int = 0


async def insert_missing(
    session: AsyncSession,
    model: type[M],
    key: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
) -> Loaded[M]:
    """Insert each row whose natural `key` is absent; return every row, new or already there."""
    columns: list[Any] = [getattr(model, name) for name in key]
    wanted = [tuple(row[name] for name in key) for row in rows]
    found: dict[tuple[Any, ...], M] = {}
    for part in chunks(wanted, KEYS_PER_QUERY):
        if len(columns) == 1:
            where = columns[0].in_([values[0] for values in part])
        else:
            where = tuple_(*columns).in_(list(part))
        for row in await session.scalars(select(model).where(where)):
            found[tuple(getattr(row, name) for name in key)] = row
    outcome: Loaded[M] = Loaded()
    for natural_key, values in zip(wanted, rows, strict=True):
        existing = found.get(natural_key)
        if existing is None:
            existing = model(**values)
            session.add(existing)
            found[natural_key] = existing
            outcome.inserted += 1
        outcome.rows[natural_key] = existing
    await session.flush()
    return outcome


async def insert_many(
    session: AsyncSession,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    *,
    batch_size: int = ROWS_PER_BATCH,
) -> int:
    """Insert `rows` (dicts keyed by column name, all with the same keys) in executemany batches."""
    connection = await session.connection()
    statement = insert(model)
    for part in chunks(rows, batch_size):
        await connection.execute(statement, [dict(row) for row in part])
    return len(rows)


async def insert_many_returning_ids(
    session: AsyncSession,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    *,
    batch_size: int = ROWS_PER_BATCH,
) -> list[int]:
    """Like `insert_many`, and the new primary keys in the order of `rows`."""
    primary_key = inspect(model).primary_key[0]
    statement = insert(model).returning(primary_key, sort_by_parameter_order=True)
    connection = await session.connection()
    ids: list[int] = []
    for part in chunks(rows, batch_size):
        result = await connection.execute(statement, [dict(row) for row in part])
        ids.extend(int(value) for value in result.scalars())
    return ids


async def fetch_all(session: AsyncSession, model: type[M]) -> list[M]:
    return list(await session.scalars(select(model)))


async def fetch_in(
    session: AsyncSession,
    model: type[M],
    column: InstrumentedAttribute[Any],
    values: Sequence[Any],
) -> list[M]:
    """Rows of `model` whose `column` is one of `values`."""
    found: list[M] = []
    for part in chunks(values, KEYS_PER_QUERY):
        found.extend(await session.scalars(select(model).where(column.in_(list(part)))))
    return found


async def fetch_columns(
    session: AsyncSession, columns: Sequence[InstrumentedAttribute[Any]]
) -> list[tuple[Any, ...]]:
    """Every row's values of `columns`: a cheap way to map natural keys to ids."""
    return [tuple(row) for row in await session.execute(select(*columns))]


async def keys_with_prefix(
    session: AsyncSession,
    key: Sequence[InstrumentedAttribute[Any]],
    marker: InstrumentedAttribute[Any],
    prefix: str,
) -> set[tuple[Any, ...]]:
    """The `key` of every row whose `marker` column starts with `prefix`.

    Seeds mark the rows they generate with a prefix on a natural key, which is how a second run
    recognises its own rows without a bookkeeping table.
    """
    where: ColumnElement[bool] = marker.startswith(prefix, autoescape=True)
    result = await session.execute(select(*key).where(where))
    return {tuple(row) for row in result}
