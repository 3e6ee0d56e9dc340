"""Whole answers built as JSON by PostgreSQL, in one statement, the way PostGraphile builds them.

The pieces below are composed by resolvers/direct_json.py into one expression per root field: a
row's fields with json_build_object, a page with json_agg over a LATERAL subquery, nested pages and
referenced rows as correlated subqueries. PostgreSQL does the per-row work in C, and Python gets
one string to parse. Every value must come out exactly as the GraphQL serializers write it (the
differential test in tests/test_fast_path.py holds both to the same bytes), so each piece names the
serializer it stands for.

PostgreSQL only: SQLite has no LATERAL and no json_agg(… ORDER BY …).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Text,
    and_,
    any_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from store.columns import ScaledDecimal
from store.enums import Visibility
from store.pages import AnySelect, Ordering, Window, counting, keyset_bounds, keyset_order

Json = ColumnElement[Any]
# Where a row's columns are read from: a subquery whose columns carry the model's attribute names.
Row = FromClause
# A page of rows and its window.
ORDINAL = "page_ordinal"
# json_build_object takes at most 100 arguments.
MOST_PAIRS = 50


class TooWide(Exception):
    """An object with more fields than one json_build_object can hold."""


def columns_of(model: Any, names: Sequence[str]) -> list[Any]:
    return [getattr(model, name).label(name) for name in names]


def json_object(pairs: Sequence[tuple[str, Json]]) -> Json:
    if len(pairs) > MOST_PAIRS:
        raise TooWide
    return func.json_build_object(*(part for key, value in pairs for part in (key, value)))


def text(value: str) -> Json:
    return literal(value, Text)


def as_is(row: Row, name: str) -> Json:
    """Strings, integers and dates (JSON writes a date as ISO 8601, as `date.isoformat`)."""
    return row.c[name]


def named(row: Row, name: str, names: Mapping[Any, str]) -> Json:
    """A value shown by name (an enum member, a priority's rank); null stays null."""
    column = row.c[name]
    # Enum columns store the member's name (store/base.py's enum_column).
    stored = {_stored(value): shown for value, shown in names.items()}
    if all(value == shown for value, shown in stored.items()):
        return column
    return case({value: literal(shown, Text) for value, shown in stored.items()}, value=column)


def _stored(value: Any) -> Any:
    return value.name if isinstance(value, enum.Enum) else value


def instant(row: Row, name: str) -> Json:
    """A timestamp as the DateTime scalar writes it: UTC, `Z`, microseconds only when any."""
    column = row.c[name]
    utc = func.timezone("UTC", column)
    whole = func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    fraction = func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    return case((func.date_part("microseconds", column) % 1_000_000 == 0, whole), else_=fraction)


def node_id(type_name: str, row: Row) -> Json:
    """`ids.encode`: URL-safe base64 of `Type:key`, without padding."""
    raw = func.convert_to(text(f"{type_name}:") + cast(row.c.id, Text), "UTF8")
    return func.rtrim(func.translate(func.encode(raw, "base64"), "+/", "-_"), "=")


def amount(
    row: Row, amount_name: str, currency_name: str, digits: Mapping[int, Sequence[str]]
) -> Json:
    """`in_minor_units` as the Decimal scalar writes it: the currency's minor digits, or every
    stored digit when rounding would lose one. `digits` lists the currencies with other than two
    minor digits by their count. The column (a ScaledDecimal) holds the amount in 10^-scale
    units."""
    column, currency = row.c[amount_name], row.c[currency_name]
    assert isinstance(column.type, ScaledDecimal)
    exact = column.op("*")(literal_column(f"1e-{column.type.scale}::numeric"))
    codes = ARRAY(Text)
    minor = case(
        *(
            (currency == any_(literal(list(named), codes)), count)
            for count, named in digits.items()
        ),
        else_=2,
    )
    rounded = func.round(exact, minor)
    return case((rounded == exact, cast(rounded, Text)), else_=cast(func.trim_scale(exact), Text))


def unless_null(row: Row, names: Sequence[str], value: Json) -> Json:
    """`value`, or null when any of the columns is."""
    return case((and_(*(row.c[name].is_not(None) for name in names)), value), else_=null())


def sees(row: Row, participant_id: int | None) -> ColumnElement[bool] | None:
    """`Viewer.sees` over a contribution row; None when the viewer sees everything."""
    if participant_id is None:
        return None
    return or_(
        row.c.visibility == Visibility.PUBLIC.name,
        row.c.contributor_id == participant_id,
        row.c.recipient_id == participant_id,
    )


def if_shown(shown: ColumnElement[bool] | None, value: Json) -> Json:
    """Null where a restricted contribution's detail is withheld."""
    return value if shown is None else case((shown, value), else_=null())


def withheld(shown: ColumnElement[bool] | None, reason: str) -> Json:
    """Why detail is withheld, or null."""
    return null() if shown is None else case((shown, null()), else_=text(reason))


def one(model: Any, names: Sequence[str], key: Any, build: Callable[[Row], Json]) -> Json:
    """The object built from the row of `model` whose id is `key` (a value or a column of an
    enclosing row), null when there is none."""
    row = select(*columns_of(model, names)).subquery()
    return select(build(row)).where(row.c.id == key).correlate_except(row).scalar_subquery()


def page(
    statement: AnySelect,
    model: Any,
    names: Sequence[str],
    ordering: Ordering,
    window: Window,
    parent: Any = None,
    enclosing: Row | None = None,
) -> Row:
    """One page of `statement` as `fetch_page` reads it (for a nested list: the rows whose
    `parent` is the `enclosing` row's id), plus one row to tell whether more follow, numbered."""
    order = keyset_order(ordering, model.id, window)
    query = (
        statement.with_only_columns(
            *columns_of(model, names), func.row_number().over(order_by=order).label(ORDINAL)
        )
        .where(*keyset_bounds(ordering, model.id, window))
        .order_by(*order)
        .limit(window.size + 1)
    )
    if enclosing is not None:
        query = query.where(parent == enclosing.c.id).correlate(enclosing)
    return query.lateral()


def items(rows: Row, window: Window, item: Json) -> Json:
    """The page's items in order, without the extra row: a JSON array, never null."""
    ordinal = rows.c[ORDINAL]
    ordered = aggregate_order_by(item, ordinal.desc() if window.backwards else ordinal)
    found = func.json_agg(ordered).filter(ordinal <= window.size)
    return func.coalesce(found, func.json_build_array())


def more(rows: Row, window: Window) -> tuple[Json, Json]:
    """hasNextPage and hasPreviousPage, as `_trimmed` decides them."""
    beyond = func.count() > window.size
    if window.backwards:
        return (true() if window.before is not None else false()), beyond
    return beyond, (true() if window.after is not None else false())


def total(statement: AnySelect, parent: Any = None, enclosing: Row | None = None) -> Json:
    """How many rows the whole list holds (for a nested list: those whose `parent` is the
    `enclosing` row's id), as `count` and `count_by` count them."""
    if enclosing is None:
        return counting(statement).scalar_subquery()
    counted = statement.with_only_columns(func.count()).where(parent == enclosing.c.id)
    return counted.correlate(enclosing).scalar_subquery()


def aggregate(rows: Row, value: Json) -> Json:
    """`value` computed over a page's rows: one JSON value."""
    return select(value).select_from(rows).scalar_subquery()


def statement(value: Json) -> Select[str]:
    """The statement that gives `value` as text: to be run (and run again) by `fetch`."""
    return select(cast(value, Text))


async def fetch(session: AsyncSession, query: Select[str]) -> Any:
    """The JSON a `statement` gives, as Python objects."""
    found = (await (await session.connection()).execute(query)).scalar_one()
    return None if found is None else orjson.loads(found)
