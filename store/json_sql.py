"""Whole answers written as JSON by the database, one statement each, as PostGraphile builds them.

The pieces below are composed by resolvers/compiled.py into one expression per root field: a
row's fields as a JSON object, a page as an array aggregated over its rows (a derived table read
by a scalar subquery, correlated to its parent row for a nested list), the rows they reference
joined in. The database does the per-row work, and the text it returns goes into the response as
it is (orjson.Fragment): no row, object or string of the answer is made in Python.

Every piece is JSON text, written compactly and exactly as the response encoder and the GraphQL
serializers write it (store/json_values.py), so the answer is byte for byte the resolver path's:
tests/test_compiled_reads.py holds them to it. A piece writes `null` itself where its value is
null, so that no piece is wrapped in another only to say so (see store/json_values.py's `Json`).

One statement serves PostgreSQL and SQLite: no LATERAL (SQLite has none; a correlated subquery
over a derived table says the same), no arrays, no aggregate ORDER BY that SQLite must write.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import orjson
from sqlalchemy import ColumnElement, FromClause, Select, and_, case, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from store import json_values as values
from store.json_values import (
    NULL,
    AsJson,
    InInputOrder,
    Json,
    Pieces,
    constant,
    flag,
    is_text,
    joined,
    json_text,
    merged,
    number,
    or_null,
    quoted,
    string,
    true_or_false,
    written,
)
from store.pages import AnySelect, Ordering, Window, counting, keyset_bounds, keyset_order
from store.visibility import DECIDED_BY, visible


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


@dataclass
class Page:
    """The rows of one page (and the one after it, which tells whether more follow), and whether
    anything asked is computed from them: a page asked only for its `totalCount`, `__typename`
    or a flag its window alone decides is not read at all."""

    rows: Row
    window: Window
    read: bool = False


# Each row of a page is numbered in the page's order, and carries its sort key's value; when the
# page's ends are asked, each also knows how many rows were fetched.
ORDINAL = "page_ordinal"
SORT_VALUE = "page_sort_value"
FETCHED = "page_fetched"


def columns_of(model: Any, names: Sequence[str]) -> list[Any]:
    return [getattr(model, name).label(name) for name in names]


def json_object(pairs: Sequence[tuple[str, Json | Pieces]]) -> Json:
    """`{"key":value,…}` in the order given."""
    return joined([*_members(pairs), constant("}")]) if pairs else constant("{}")


def _members(pairs: Sequence[tuple[str, Json | Pieces]], opening: bool = True) -> Pieces:
    """An object's text but for its closing brace (and, not `opening`, its opening one)."""
    pieces: Pieces = []
    for index, (key, value) in enumerate(pairs):
        mark = "{" if opening and index == 0 else ","
        pieces += [constant(mark + json_text(key) + ":"), value]
    return pieces


def connection(
    pairs: Sequence[tuple[str, Json | Pieces]], page: Page | None, first: int
) -> Json | Pieces:
    """A connection's object. When members read the `page`'s rows (the `first` and any after
    it), they are computed over them in one subquery, and the text before the first aggregate is
    written around it (see `Json` on nesting)."""
    if page is None or not page.read:
        return [*_members(pairs), constant("}")] if pairs else constant("{}")
    head = _members(pairs[: first + 1])[:-1]  # through the key of the first member that reads
    tail = merged([pairs[first][1], *_members(pairs[first + 1 :], opening=False), constant("}")])
    while is_text(tail[0]):  # the `[` of a list
        head.append(tail.pop(0))
    inside = select(joined(tail)).select_from(page.rows.source).scalar_subquery()
    return [*head, inside]


def as_is(row: Row, name: str) -> Json:
    """Strings and integers."""
    return AsJson(row[name])


def day(row: Row, name: str) -> Json:
    return or_null(values.day(row[name]))


def instant(row: Row, name: str) -> Json:
    """A timestamp as the DateTime scalar writes it: UTC, `Z`, microseconds only when any."""
    return or_null(values.instant(row[name], "Z"))


def named(row: Row, name: str, names: Mapping[Any, str]) -> Json:
    return values.named(row[name], names)


def node_id(type_name: str, row: Row) -> Json:
    """`ids.encode`: URL-safe base64 of `Type:key`, without padding."""
    return quoted(values.base64_url(joined([constant(f"{type_name}:"), number(row["id"])])))


def amount(
    row: Row, amount_name: str, currency_name: str, digits: Mapping[int, Sequence[str]]
) -> Json:
    return values.amount(row[amount_name], row[currency_name], digits)


def rounded(row: Row, amount_name: str, minor: int) -> Json:
    """A sum in one currency known beforehand (the base currency), to its `minor` digits."""
    return values.rounded(row[amount_name], minor)


def unless_null(
    row: Row, names: Sequence[str], value: Json, shown: ColumnElement[bool] | None = None
) -> Json:
    """`value`, or null when any of the columns is, or where `shown` does not hold (one CASE:
    see `Json` on nesting)."""
    conditions = [row[name].is_not(None) for name in names]
    return case((and_(*conditions, *_listed(shown)), value), else_=constant(NULL))


def _listed(shown: ColumnElement[bool] | None) -> list[ColumnElement[bool]]:
    return [] if shown is None else [shown]


def sees(row: Row, scope: frozenset[int] | None) -> ColumnElement[bool] | None:
    """`Viewer.sees` over a contribution row; None when the viewer sees everything."""
    if scope is None:
        return None
    visibility, contributor, recipient = (row[name] for name in DECIDED_BY)
    rule = visible(visibility, contributor, recipient, scope)
    return written(rule)  # the viewer and the visibility named are ours to write in


def if_shown(shown: ColumnElement[bool] | None, value: Json) -> Json:
    """Null where a restricted contribution's detail is withheld."""
    return value if shown is None else case((shown, value), else_=constant(NULL))


def withheld(shown: ColumnElement[bool] | None, reason: str) -> Json:
    """Why detail is withheld, or null."""
    if shown is None:
        return constant(NULL)
    return case((shown, constant(NULL)), else_=string(reason))


def one(
    model: Any,
    names: Sequence[str],
    key: int,
    build: Callable[[Row], Json],
    joins: Sequence[Joined] = (),
) -> Select[str]:
    """The statement of the object built from the row of `model` whose id is `key`: no row when
    there is none."""
    row = Row(_joining(select(*columns_of(model, names)), model, joins).subquery())
    return select(build(row)).where(row["id"] == constant(key))


def present(row: Row, value: Json, shown: ColumnElement[bool] | None = None) -> Json:
    """`value`, or null when the joined row is missing (a null or dangling key), or where
    `shown` does not hold."""
    return unless_null(row, ["id"], value, shown)


def _joining(query: AnySelect, model: Any, joins: Sequence[Joined]) -> AnySelect:
    """`query` (of `model`) with the joined rows' columns."""
    rows = {"": model}
    for joined_row in joins:
        alias = aliased(joined_row.model)
        referencing = rows[joined_row.via]
        query = query.outerjoin_from(
            referencing, alias, alias.id == getattr(referencing, joined_row.key)
        )
        query = query.add_columns(
            *(getattr(alias, n).label(joined_row.prefix + n) for n in joined_row.names)
        )
        rows[joined_row.prefix] = alias
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
    ends: bool = False,
) -> Page:
    """One page of `statement` as `fetch_page` reads it (for a nested list: the rows whose
    `parent` is the `enclosing` row's id), plus one row to tell whether more follow, numbered,
    with the rows they reference joined in. `ends`: its first and last cursors will be asked.

    The rows come in the order the page lists them, for the aggregates that list them (see
    InInputOrder): fetched in that order going forwards, turned around going backwards."""
    order = keyset_order(ordering, model.id, window)
    query = (
        statement.with_only_columns(
            *columns_of(model, names),
            ordering.key.expression.label(SORT_VALUE),
            func.row_number().over(order_by=order).label(ORDINAL),
        )
        .where(*keyset_bounds(ordering, model.id, window))
        .order_by(*order)
        .limit(constant(window.size + 1))
    )
    query = _joining(query, model, joins)
    if enclosing is not None:
        query = query.where(parent == enclosing["id"]).correlate(enclosing.source)
    fetched = query.subquery()
    if not (window.backwards or ends):
        return Page(Row(fetched), window)
    ordinal = fetched.c[ORDINAL]
    counted = [func.count().over().label(FETCHED)] if ends else []
    listed = select(fetched, *counted).order_by(ordinal.desc() if window.backwards else ordinal)
    return Page(Row(listed.subquery()), window)


def items(page: Page, item: Json) -> Pieces:
    """The page's items in order, without the extra row: a JSON array."""
    ordinal, window = page.rows[ORDINAL], page.window
    order = ordinal.desc() if window.backwards else ordinal
    # The separator written in, as ours; SQLAlchemy would render a plain "," on every run.
    separator = cast(str, constant(","))
    listed = InInputOrder(func.aggregate_strings(item, separator), order).filter(
        ordinal <= constant(window.size)
    )
    page.read = True
    return [constant("["), func.coalesce(listed, constant("")), constant("]")]


def has_next(page: Page) -> Json:
    """hasNextPage, as `_trimmed` decides it."""
    window = page.window
    return _beyond(page) if not window.backwards else flag(window.before is not None)


def has_previous(page: Page) -> Json:
    window = page.window
    return _beyond(page) if window.backwards else flag(window.after is not None)


def _beyond(page: Page) -> Json:
    """Whether a row was fetched beyond the page."""
    page.read = True
    return true_or_false(func.count() > constant(page.window.size))


def writes_cursors(ordering: Ordering) -> bool:
    """Whether `cursor` can write this ordering's cursors as `encode_cursor` does: dates,
    instants, integers, text, and decimals of a ScaledDecimal column (the only decimals a sort
    key has: store/pages.py reads no other back)."""
    return ordering.key.kind in ("day", "instant", "integer", "text", "decimal")


# Written where a cursor cannot be: a raw control character, which no JSON text the database
# writes otherwise holds (every string is escaped). `fetch` looks for it.
UNWRITTEN = "\x01"


def cursor(page: Page, ordering: Ordering) -> Json:
    """A row's cursor, as `encode_cursor` writes it: URL-safe base64 of `["KEY",value,id]`,
    without padding. Text that json.dumps would write with `\\u` escapes (DEL, anything beyond
    ASCII) is not written here: a page holding some is the resolvers' to answer (`fetch`)."""
    rows = page.rows
    value, kind = rows[SORT_VALUE], ordering.key.kind
    if kind == "day":
        plain = values.day(value)
    elif kind == "instant":
        plain = values.instant(value, "+00:00")
    elif kind == "text":
        plain = AsJson(value)
    elif kind == "decimal":
        plain = or_null(quoted(values.scaled_text(value)))
    else:
        assert kind == "integer", "see writes_cursors"
        plain = number(value)
    key = constant(f"[{json_text(ordering.key.name)},")
    raw = joined([key, plain, constant(","), number(rows["id"]), constant("]")])
    written = quoted(values.base64_url(raw))
    if kind != "text":
        return written
    return case((values.ascii(value), written), else_=constant(UNWRITTEN))


def ends(page: Page, value: Json) -> tuple[Json, Json]:
    """`value` (a cursor) of the first and of the last item of the page, null when it is empty.
    The page must have been made with `ends`."""
    window, ordinal = page.window, page.rows[ORDINAL]
    if window.size == 0:
        return constant(NULL), constant(NULL)
    page.read = True
    size = constant(window.size)
    fetched = page.rows[FETCHED]
    last_kept = case((fetched > size, size), else_=fetched)
    first = or_null(func.max(case((ordinal == constant(1), value))))
    last = or_null(func.max(case((ordinal == last_kept, value))))
    return (last, first) if window.backwards else (first, last)


def total(statement: AnySelect, parent: Any = None, enclosing: Row | None = None) -> Json:
    """How many rows the whole list holds (for a nested list: those whose `parent` is the
    `enclosing` row's id), as `count` and `count_by` count them."""
    if enclosing is None:
        return number(counting(statement).scalar_subquery())
    counted = statement.with_only_columns(func.count()).where(parent == enclosing["id"])
    return number(counted.correlate(enclosing.source).scalar_subquery())


def statement(value: Json | Pieces) -> Select[str]:
    """The statement that gives `value`: to be run (and run again) by `fetch`."""
    return select(joined([value]))


class Unwritable(Exception):
    """The database cannot write this answer as the serializers do: the resolvers answer it.

    Either the statement nests deeper than the database parses (SQLite's parser holds a stack of
    100 before 3.46, and each level of lists within lists costs a dozen or so of it; PostgreSQL
    has no such bound), or a cursor's text is one json.dumps escapes otherwise (see `cursor`)."""


async def fetch(connection: AsyncConnection, query: Select[str]) -> orjson.Fragment | None:
    """The JSON a `statement` gives, to be written into a response as it is."""
    try:
        found = (await connection.execute(query)).scalar_one_or_none()
    except OperationalError as error:
        if "parser stack overflow" in str(error.orig):
            raise Unwritable("nested deeper than SQLite parses") from error
        raise
    if found is None:
        return None
    if UNWRITTEN in found:
        raise Unwritable("a cursor over text json.dumps escapes")
    return orjson.Fragment(found)
