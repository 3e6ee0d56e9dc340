"""Keyset pagination: stable cursors under inserts, one statement per page or per batch of pages.

A cursor records the ordering it belongs to, the row's sort value and its primary key, so the next
page starts strictly after that row whatever was inserted meanwhile (no offsets anywhere).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, QueryableAttribute, aliased

from store.base import MAX_KEY
from store.columns import ScaledDecimal

T = TypeVar("T")
# Any select, whatever it selects.
AnySelect = Select[*tuple[Any, ...]]


def _by_column_type(plain: Any) -> Any:
    """Placeholder: SortKey replaces it with a reader chosen by the expression's column type."""
    raise NotImplementedError


@dataclass(frozen=True)
class SortKey:
    """An orderable, never-null SQL expression and how its values travel inside cursors.

    `parse` reads a cursor's value back and raises ValueError or TypeError for any value this key
    could not have written: a cursor comes from the client, and a value of the wrong type or size
    would otherwise reach the database as a parameter and fail there, as a server error.
    """

    name: str
    expression: ColumnElement[Any] | QueryableAttribute[Any]
    parse: Callable[[Any], Any] = _by_column_type

    def __post_init__(self) -> None:
        if self.parse is _by_column_type:
            object.__setattr__(self, "parse", _reader_for(self.name, self.expression))

    @property
    def kind(self) -> str:
        """What its values are: `day`, `instant`, `integer`, `text` or `decimal`."""
        kinds: dict[Callable[[Any], Any], str] = {
            _day: "day",
            _instant: "instant",
            _integer: "integer",
            _text: "text",
        }
        return kinds.get(self.parse, "decimal")

    @staticmethod
    def dated(name: str, expression: ColumnElement[Any] | QueryableAttribute[Any]) -> SortKey:
        return SortKey(name, expression, _day)

    @staticmethod
    def timed(name: str, expression: ColumnElement[Any] | QueryableAttribute[Any]) -> SortKey:
        return SortKey(name, expression, _instant)


def _text(plain: Any) -> str:
    if not isinstance(plain, str):
        raise TypeError("not a string")
    if "\x00" in plain:
        raise ValueError("a NUL byte")  # no text column can hold one (PostgreSQL refuses it)
    return plain


def _integer(plain: Any) -> int:
    # JSON's true is an int to Python, not to a database; and integer columns have 32 bits.
    if not isinstance(plain, int) or isinstance(plain, bool):
        raise TypeError("not an integer")
    if not -MAX_KEY - 1 <= plain <= MAX_KEY:
        raise ValueError("out of range")
    return plain


def _day(plain: Any) -> date:
    return date.fromisoformat(_text(plain))


def _instant(plain: Any) -> datetime:
    value = datetime.fromisoformat(_text(plain))
    if value.tzinfo is None:
        raise ValueError("no time zone")  # every stored instant has one
    return value


def _scaled(scale: int) -> Callable[[Any], Decimal]:
    """A decimal that a ScaledDecimal(scale) column could hold: finite, at most `scale` places,
    small enough for its BIGINT."""

    def read(plain: Any) -> Decimal:
        try:
            value = Decimal(_text(plain))
            scaled = value.scaleb(scale)
            if not value.is_finite() or scaled != scaled.to_integral_value():
                raise ValueError("not a decimal of this scale")
        except ArithmeticError:  # decimal's InvalidOperation, Overflow...
            raise ValueError("not a decimal") from None
        if abs(scaled) >= 2**63:
            raise ValueError("out of range")
        return value

    return read


def _reader_for(
    name: str, expression: ColumnElement[Any] | QueryableAttribute[Any]
) -> Callable[[Any], Any]:
    kind = expression.type
    if isinstance(kind, ScaledDecimal):
        return _scaled(kind.scale)
    python_type = kind.python_type
    if python_type is str:
        return _text
    if python_type is int:
        return _integer
    # Fail at import, not on a client's cursor: a new kind of key needs its own reader.
    raise TypeError(f"sort key {name}: no cursor reader for {python_type.__name__} values")


@dataclass(frozen=True)
class Cursor:
    key: str
    value: Any
    pk: int


def encode_cursor(key: SortKey, value: Any, pk: int) -> str:
    plain = value.isoformat() if isinstance(value, date | datetime) else value
    plain = str(plain) if isinstance(plain, Decimal) else plain
    raw = json.dumps([key.name, plain, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str, key: SortKey) -> Cursor:
    """Parse a cursor issued for `key`; ValueError says what is wrong with it."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        name, plain, pk = json.loads(raw)
        pk = _integer(pk)
        if not isinstance(name, str):
            raise ValueError
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, RecursionError):
        raise ValueError("is not a valid cursor") from None
    if name != key.name:
        raise ValueError(f"belongs to the ordering {name[:40]}, not {key.name}")
    try:
        return Cursor(key.name, key.parse(plain), pk)
    except (ValueError, TypeError):
        raise ValueError("is not a valid cursor") from None


@dataclass(frozen=True)
class Window:
    """Which slice of an ordered list a caller asked for (already validated)."""

    first: int | None = None
    after: Cursor | None = None
    last: int | None = None
    before: Cursor | None = None

    @property
    def backwards(self) -> bool:
        return self.first is None and self.last is not None

    @property
    def size(self) -> int:
        size = self.last if self.backwards else self.first
        assert size is not None
        return size


@dataclass
class Page(Generic[T]):
    """Rows of one page, each with its cursor, and whether more lie on either side."""

    rows: list[T] = field(default_factory=list)
    cursors: list[str] = field(default_factory=list)
    has_next: bool = False
    has_previous: bool = False


@dataclass(frozen=True)
class Ordering:
    key: SortKey
    descending: bool = False


def keyset_bounds(ordering: Ordering, pk: InstrumentedAttribute[int], window: Window) -> list[Any]:
    position = tuple_(ordering.key.expression, pk)
    conditions = []
    for cursor, forward in ((window.after, True), (window.before, False)):
        if cursor is None:
            continue
        mark = tuple_(literal(cursor.value, ordering.key.expression.type), literal(cursor.pk))
        ahead = forward != ordering.descending
        conditions.append(position > mark if ahead else position < mark)
    return conditions


def keyset_order(ordering: Ordering, pk: InstrumentedAttribute[int], window: Window) -> list[Any]:
    descending = ordering.descending != window.backwards
    return [
        column.desc() if descending else column.asc() for column in (ordering.key.expression, pk)
    ]


def _trim(ordering: Ordering, window: Window, found: Sequence[tuple[T, Any, int]]) -> Page[T]:
    more = len(found) > window.size
    kept = list(found[: window.size])
    if window.backwards:
        kept.reverse()
    return Page(
        rows=[row for row, _, _ in kept],
        cursors=[encode_cursor(ordering.key, value, pk) for _, value, pk in kept],
        has_next=more if not window.backwards else window.before is not None,
        has_previous=more if window.backwards else window.after is not None,
    )


async def fetch_page(
    session: AsyncSession,
    statement: AnySelect,
    model: Any,
    ordering: Ordering,
    window: Window,
    pk: Any = None,
) -> Page[Any]:
    """One page of `statement` (a select of `model`, with its filters) in one statement.

    `pk` is the tie-breaking unique column (`model.id` by default). A statement that selects
    several entities gives rows as tuples of them.
    """
    pk = model.id if pk is None else pk
    query = (
        statement.add_columns(ordering.key.expression.label("sort_value"), pk.label("page_key"))
        .where(*keyset_bounds(ordering, pk, window))
        .order_by(*keyset_order(ordering, pk, window))
        .limit(window.size + 1)
    )
    found = []
    for *entities, value, key in (await session.execute(query)).all():
        found.append((entities[0] if len(entities) == 1 else tuple(entities), value, key))
    return _trim(ordering, window, found)


def page_of(items: Sequence[tuple[T, Any, int]], ordering: Ordering, window: Window) -> Page[T]:
    """The same page as `fetch_page`, over (item, sort value, key) already in memory."""

    def position(item: tuple[T, Any, int]) -> tuple[Any, int]:
        return item[1], item[2]

    def ahead(item: tuple[T, Any, int], cursor: Cursor) -> bool:
        mark = (cursor.value, cursor.pk)
        return position(item) < mark if ordering.descending else position(item) > mark

    chosen = [
        item
        for item in items
        if (window.after is None or ahead(item, window.after))
        and (
            window.before is None
            or (
                not ahead(item, window.before)
                and position(item) != (window.before.value, window.before.pk)
            )
        )
    ]
    chosen.sort(key=position, reverse=ordering.descending != window.backwards)
    return _trim(ordering, window, chosen[: window.size + 1])


async def fetch_pages(
    session: AsyncSession,
    statement: AnySelect,
    model: Any,
    parent: InstrumentedAttribute[int],
    parent_ids: Sequence[Hashable],
    ordering: Ordering,
    window: Window,
) -> dict[Hashable, Page[Any]]:
    """The same page for many parents in one statement, ranked per parent by a window function."""
    rank = (
        func.row_number()
        .over(partition_by=parent, order_by=keyset_order(ordering, model.id, window))
        .label("rank")
    )
    ranked = (
        statement.add_columns(
            ordering.key.expression.label("sort_value"), parent.label("parent_id"), rank
        )
        .where(parent.in_(parent_ids), *keyset_bounds(ordering, model.id, window))
        .subquery()
    )
    entity = aliased(model, ranked)
    query = (
        select(entity, ranked.c.sort_value, ranked.c.parent_id)
        .where(ranked.c.rank <= window.size + 1)
        .order_by(ranked.c.parent_id, ranked.c.rank)
    )
    grouped: dict[Hashable, list[tuple[Any, Any, int]]] = {key: [] for key in parent_ids}
    for row, value, parent_id in (await session.execute(query)).all():
        grouped[parent_id].append((row, value, row.id))
    return {key: _trim(ordering, window, found) for key, found in grouped.items()}


def counting(statement: AnySelect) -> Select[int]:
    """How many rows `statement` gives."""
    return select(func.count()).select_from(statement.order_by(None).subquery())


async def count(session: AsyncSession, statement: AnySelect) -> int:
    return int((await session.execute(counting(statement))).scalar_one())


async def count_by(
    session: AsyncSession,
    statement: AnySelect,
    parent: InstrumentedAttribute[int],
    parent_ids: Sequence[Hashable],
) -> dict[Hashable, int]:
    query = (
        statement.with_only_columns(parent, func.count())
        .where(parent.in_(parent_ids))
        .group_by(parent)
    )
    counts: dict[Hashable, int] = dict.fromkeys(parent_ids, 0)
    counts.update({key: int(n) for key, n in (await session.execute(query)).all()})
    return counts
