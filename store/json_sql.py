"""Whole answers written as JSON by PostgreSQL, in one statement, the way PostGraphile builds them.

The pieces below are composed by resolvers/compiled.py into one expression per root field: a
row's fields as a JSON object, a page as an array over a LATERAL subquery (nested pages correlated
to their parent row), the rows they reference joined in. PostgreSQL does the per-row work, and the
text it returns goes into the response as it is (orjson.Fragment): no row, object or string of the
answer is made in Python.

Every piece is JSON text, written compactly and exactly as the response encoder and the GraphQL
serializers write it (PostgreSQL's to_json escapes strings as orjson does), so the answer is byte
for byte the resolver path's: tests/test_compiled_reads.py holds them to it. A piece may be SQL NULL
where the value is null; `json_object` writes those as `null`.

PostgreSQL only: SQLite has no LATERAL.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
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
    func,
    literal_column,
    null,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from store.columns import ScaledDecimal
from store.contributions import visible
from store.pages import AnySelect, Ordering, Window, counting, keyset_bounds, keyset_order

# A JSON value as text (or SQL NULL for null).
Json = ColumnElement[str]


@dataclass(frozen=True)
class Row:
    """Where one row's columns are read: a FROM clause whose columns carry the model's attribute
    names, after a prefix for a row joined into another's."""

    source: FromClause
    prefix: str = ""

    def __getitem__(self, name: str) -> Any:
        return self.source.c[self.prefix + name]


@dataclass(frozen=True)
class Joined:
    """A row referenced by a foreign key, read in the same pass as the row that references it
    (a join the planner can memoize, where a subquery per row would look it up every time)."""

    prefix: str  # what its columns' names begin with
    model: Any
    names: Sequence[str]
    key: str  # the foreign key, a column of the referencing row
    via: str = ""  # the referencing row's prefix: "" for the row itself


# Each row of a page is numbered in the page's order, and carries its sort key's value.
ORDINAL = "page_ordinal"
SORT_VALUE = "page_sort_value"
NULL = "null"


def columns_of(model: Any, names: Sequence[str]) -> list[Any]:
    return [getattr(model, name).label(name) for name in names]


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def json_object(pairs: Sequence[tuple[str, Json]]) -> Json:
    """`{"key":value,…}` in the order given."""
    parts: list[Any] = []
    for key, value in pairs:
        parts += [_sql_text(("{" if not parts else ",") + _json(key) + ":"), _or_null(value)]
    parts.append(_sql_text("}" if parts else "{}"))
    return _joined(parts)


def _joined(parts: Sequence[Any]) -> Json:
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.op("||")(part)
    return cast(joined, Text)


def _sql_text(value: str) -> Json:
    """Our own constant text (keys, punctuation, type names, messages), written into the
    statement rather than sent with it. Values that come from a client are always parameters;
    none of ours holds a backslash, so the literal reads the same under any
    standard_conforming_strings."""
    assert "\\" not in value
    return literal_column("'" + value.replace("'", "''") + "'", Text)


def _sql_int(value: int) -> Any:
    """An integer written into the statement (a page size, a key, a count of digits).

    A statement with no parameters is planned once per connection and then reused; with them,
    PostgreSQL may plan it again on every run, which costs more than running it."""
    return literal_column(str(int(value)))


def _or_null(value: Json) -> Json:
    return func.coalesce(value, _sql_text(NULL))


def string(value: str) -> Json:
    """A constant string."""
    return _sql_text(_json(value))


def _to_json(value: Any) -> Json:
    return cast(func.to_json(value), Text)


def _quoted(value: Any) -> Json:
    """Text that needs no escaping (digits, names, base64) as a JSON string; null stays null."""
    return _joined([_sql_text('"'), value, _sql_text('"')])


def as_is(row: Row, name: str) -> Json:
    """Strings and integers."""
    return _to_json(row[name])


def day(row: Row, name: str) -> Json:
    """A date as `date.isoformat` writes it."""
    return _quoted(_iso_day(row[name]))


# The driver reads PostgreSQL's infinite dates and instants as Python's largest and smallest
# (and writes those as infinite), so Python writes them as these.
_ENDS_OF_DAYS = {"infinity": "9999-12-31", "-infinity": "0001-01-01"}
_ENDS_OF_TIME = {"infinity": "9999-12-31T23:59:59.999999", "-infinity": "0001-01-01T00:00:00"}


def _iso_day(value: Any) -> Json:
    ends = [(value == _sql_text(end), _sql_text(shown)) for end, shown in _ENDS_OF_DAYS.items()]
    return case(*ends, else_=func.to_char(value, _sql_text("YYYY-MM-DD")))


def named(row: Row, name: str, names: Mapping[Any, str]) -> Json:
    """A value shown by name (an enum member, a priority's rank); null stays null."""
    column = row[name]
    # Enum columns store the member's name (store/base.py's enum_column).
    stored = {_stored(value): shown for value, shown in names.items()}
    if all(value == shown for value, shown in stored.items()):
        return _quoted(column)  # a name of capitals and underscores: nothing to escape
    return case(
        *(
            (column == _stored_sql(value), _sql_text(_json(shown)))
            for value, shown in stored.items()
        )
    )


def _stored(value: Any) -> Any:
    return value.name if isinstance(value, enum.Enum) else value


def _stored_sql(value: Any) -> Any:
    return _sql_int(value) if isinstance(value, int) else _sql_text(value)


def instant(row: Row, name: str) -> Json:
    """A timestamp as the DateTime scalar writes it: UTC, `Z`, microseconds only when any."""
    return _quoted(_utc(row[name], "Z"))


def _utc(instant: Any, zone: str) -> Json:
    """An instant in UTC as `isoformat` writes it (microseconds only when any), then `zone`."""
    utc = func.timezone(_sql_text("UTC"), instant)
    seconds = func.to_char(utc, _sql_text('YYYY-MM-DD"T"HH24:MI:SS'))
    micro = func.to_char(utc, _sql_text("US"))
    fraction = case((micro == _sql_text("000000"), _sql_text("")), else_=_sql_text(".") + micro)
    ends = [(instant == _sql_text(end), _sql_text(shown)) for end, shown in _ENDS_OF_TIME.items()]
    return _joined([case(*ends, else_=_joined([seconds, fraction])), _sql_text(zone)])


def _base64url(text: Json) -> Json:
    """URL-safe base64 of the text's UTF-8, without padding (as `base64.urlsafe_b64encode`
    then `rstrip("=")`; PostgreSQL breaks its base64 into lines, which are joined again)."""
    encoded = func.encode(func.convert_to(text, _sql_text("UTF8")), _sql_text("base64"))
    joined = func.replace(encoded, _sql_text("\n"), _sql_text(""))
    return func.rtrim(func.translate(joined, _sql_text("+/"), _sql_text("-_")), _sql_text("="))


def node_id(type_name: str, row: Row) -> Json:
    """`ids.encode`: URL-safe base64 of `Type:key`, without padding."""
    return _quoted(_base64url(_sql_text(f"{type_name}:") + cast(row["id"], Text)))


def amount(
    row: Row, amount_name: str, currency_name: str, digits: Mapping[int, Sequence[str]]
) -> Json:
    """`in_minor_units` as the Decimal scalar writes it: the currency's minor digits, or every
    stored digit when rounding would lose one. `digits` lists the currencies with other than two
    minor digits by their count. The column (a ScaledDecimal) holds the amount in 10^-scale
    units."""
    column, currency = row[amount_name], row[currency_name]
    assert isinstance(column.type, ScaledDecimal)
    scale = column.type.scale
    exact = column.op("*")(literal_column(f"1e-{scale}::numeric"))

    def written(minor: int) -> Any:
        # Exact in `minor` digits when the units below them are zero: integer arithmetic decides.
        rounded = cast(func.round(exact, _sql_int(minor)), Text)
        if minor >= scale:
            return rounded
        below = 10 ** (scale - minor)
        units = column.op("%")(literal_column(str(below)))  # in stored units, not as a Decimal
        return case(
            (units == literal_column("0"), rounded), else_=cast(func.trim_scale(exact), Text)
        )

    by_currency = [
        (currency == any_(_sql_codes(named)), written(count)) for count, named in digits.items()
    ]
    return _quoted(case(*by_currency, else_=written(2)) if by_currency else written(2))


def _sql_codes(codes: Sequence[str]) -> Any:
    """Currency codes written into the statement, not sent with it each time."""
    assert all(code.isascii() and code.isalpha() for code in codes)
    return literal_column("ARRAY[" + ",".join(f"'{code}'" for code in codes) + "]")


def unless_null(row: Row, names: Sequence[str], value: Json) -> Json:
    """`value`, or null when any of the columns is."""
    return case((and_(*(row[name].is_not(None) for name in names)), value), else_=null())


def sees(row: Row, participant_id: int | None) -> ColumnElement[bool] | None:
    """`Viewer.sees` over a contribution row; None when the viewer sees everything."""
    if participant_id is None:
        return None
    viewer = _sql_int(participant_id)
    return visible(row["visibility"], row["contributor_id"], row["recipient_id"], viewer)


def if_shown(shown: ColumnElement[bool] | None, value: Json) -> Json:
    """Null where a restricted contribution's detail is withheld."""
    return value if shown is None else case((shown, value), else_=null())


def withheld(shown: ColumnElement[bool] | None, reason: str) -> Json:
    """Why detail is withheld, or null."""
    if shown is None:
        return _sql_text(NULL)
    return case((shown, _sql_text(NULL)), else_=string(reason))


def one(
    model: Any,
    names: Sequence[str],
    key: int,
    build: Callable[[Row], Json],
    joins: Sequence[Joined] = (),
) -> Json:
    """The object built from the row of `model` whose id is `key`, null when there is none."""
    row = Row(_joining(select(*columns_of(model, names)), model, joins).subquery())
    return select(build(row)).where(row["id"] == _sql_int(key)).scalar_subquery()


def present(row: Row, value: Json) -> Json:
    """`value`, or null when the joined row is missing (a null or dangling key)."""
    return case((row["id"].is_(None), null()), else_=value)


def _joining(query: AnySelect, model: Any, joins: Sequence[Joined]) -> AnySelect:
    """`query` (of `model`) with the joined rows' columns."""
    rows = {"": model}
    for joined in joins:
        alias = aliased(joined.model)
        referencing = rows[joined.via]
        query = query.outerjoin_from(
            referencing, alias, alias.id == getattr(referencing, joined.key)
        )
        query = query.add_columns(
            *(getattr(alias, n).label(joined.prefix + n) for n in joined.names)
        )
        rows[joined.prefix] = alias
    return query


def page(
    statement: AnySelect,
    model: Any,
    names: Sequence[str],
    ordering: Ordering,
    window: Window,
    parent: Any = None,
    enclosing: Row | None = None,
    joins: Sequence[Joined] = (),
) -> Row:
    """One page of `statement` as `fetch_page` reads it (for a nested list: the rows whose
    `parent` is the `enclosing` row's id), plus one row to tell whether more follow, numbered,
    with the rows they reference joined in."""
    order = keyset_order(ordering, model.id, window)
    query = (
        statement.with_only_columns(
            *columns_of(model, names),
            ordering.key.expression.label(SORT_VALUE),
            func.row_number().over(order_by=order).label(ORDINAL),
        )
        .where(*keyset_bounds(ordering, model.id, window))
        .order_by(*order)
        .limit(_sql_int(window.size + 1))
    )
    query = _joining(query, model, joins)
    if enclosing is not None:
        query = query.where(parent == enclosing["id"]).correlate(enclosing.source)
    return Row(query.lateral())


def items(rows: Row, window: Window, item: Json) -> Json:
    """The page's items in order, without the extra row: a JSON array."""
    ordinal = rows[ORDINAL]
    order = ordinal.desc() if window.backwards else ordinal
    listed = func.string_agg(_or_null(item), aggregate_order_by(_sql_text(","), order))
    found = listed.filter(ordinal <= _sql_int(window.size))
    return func.coalesce(_joined([_sql_text("["), found, _sql_text("]")]), _sql_text("[]"))


def more(rows: Row, window: Window) -> tuple[Json, Json]:
    """hasNextPage and hasPreviousPage, as `_trimmed` decides them."""
    beyond = _to_json(func.count() > _sql_int(window.size))
    if window.backwards:
        return _flag(window.before is not None), beyond
    return beyond, _flag(window.after is not None)


def _flag(value: bool) -> Json:
    return _sql_text(_json(value))


def writes_cursors(ordering: Ordering) -> bool:
    """Whether `cursor` can write this ordering's cursors as `encode_cursor` does: dates,
    instants and integers; text (which json.dumps writes in ASCII) and decimals are Python's."""
    return ordering.key.kind in ("day", "instant", "integer")


def cursor(rows: Row, ordering: Ordering) -> Json:
    """A row's cursor, as `encode_cursor` writes it: URL-safe base64 of `["KEY",value,id]`,
    without padding."""
    value, kind = rows[SORT_VALUE], ordering.key.kind
    if kind == "day":
        plain = _quoted(_iso_day(value))
    elif kind == "instant":
        plain = _quoted(_utc(value, "+00:00"))
    else:
        assert kind == "integer", "see writes_cursors"
        plain = cast(value, Text)
    key = _sql_text(f"[{_json(ordering.key.name)},")
    raw = _joined([key, plain, _sql_text(","), cast(rows["id"], Text), _sql_text("]")])
    return _quoted(_base64url(raw))


def ends(rows: Row, window: Window, value: Json) -> tuple[Json, Json]:
    """`value` (a cursor) of the first and of the last item of the page, null when it is empty."""
    ordinal = rows[ORDINAL]
    ordered = func.array_agg(aggregate_order_by(value, ordinal)).filter(
        ordinal <= _sql_int(window.size)
    )
    kept = func.least(func.count(), _sql_int(window.size))
    first, last = ordered[_sql_int(1)], ordered[kept]
    return (last, first) if window.backwards else (first, last)


def total(statement: AnySelect, parent: Any = None, enclosing: Row | None = None) -> Json:
    """How many rows the whole list holds (for a nested list: those whose `parent` is the
    `enclosing` row's id), as `count` and `count_by` count them."""
    if enclosing is None:
        return _to_json(counting(statement).scalar_subquery())
    counted = statement.with_only_columns(func.count()).where(parent == enclosing["id"])
    return _to_json(counted.correlate(enclosing.source).scalar_subquery())


def aggregate(rows: Row, value: Json) -> Json:
    """`value` computed over a page's rows: one JSON value, whatever the number of rows.

    HAVING makes the query one group even when `value` holds no aggregate (a page asked only for
    `pageInfo { __typename }`, or a flag the window alone decides): without it the query gives a
    row per row of the page, an error for two or more and a null for none."""
    return select(value).select_from(rows.source).having(true()).scalar_subquery()


def statement(value: Json) -> Select[str]:
    """The statement that gives `value`: to be run (and run again) by `fetch`."""
    return select(value)


async def fetch(connection: AsyncConnection, query: Select[str]) -> orjson.Fragment | None:
    """The JSON a `statement` gives, to be written into a response as it is."""
    found = (await connection.execute(query)).scalar_one()
    return None if found is None else orjson.Fragment(found)
