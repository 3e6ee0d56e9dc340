"""Compiled reads as one JSON statement per root field, on PostgreSQL and SQLite alike.

A compiled selection (resolvers/selections.py) is translated into one expression that the
database evaluates to the root field's JSON (store/json_sql.py): no row and no field is built in
Python. The arguments, their checks, the root lookups and the access rules are the resolvers';
what each field writes is the same bytes, held to it by the differential tests. What the database
cannot write exactly is the resolvers' to answer: a scalar only Python serializes and the cursors
of a decimal ordering (`expressible` and `cursors_expressible` say so before anything runs), and
what only the rows tell (store/json_sql.py's Unwritable, raised as the root field runs).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from functools import cache
from typing import Any

import orjson
from babel.numbers import list_currencies

from resolvers.analysis import CENT
from resolvers.context import Context
from resolvers.lru import LRU
from resolvers.money import minor_digits
from resolvers.selections import (
    AS_STORED,
    DAY,
    INSTANT,
    TOTAL_COUNT,
    Bound,
    ConnectionSpec,
    Constant,
    EdgesSpec,
    GlobalId,
    ListArguments,
    MoneyValue,
    ObjectSpec,
    PageInfoSpec,
    Redaction,
    Reference,
    Root,
    RootObject,
    Scalar,
    Variables,
    every_spec,
)
from store import json_sql, json_values
from store.json_sql import Page, Row
from store.json_sql import Unwritable as Unwritable  # for whoever runs a CompiledRead
from store.json_values import Json, Pieces

Shown = Any  # a condition over a contribution row, or None: every detail shows
ENDS = ("startCursor", "endCursor")
CURSORS = ("cursor", *ENDS)
# The places of a sum in the base currency (resolvers/analysis.py counts to the cent).
CENTS = -int(CENT.as_tuple().exponent)
# Root fields' statements, shared by requests (schema/compiled_reads.py bounds it).
Statements = LRU[Hashable, Any]


def expressible(roots: Sequence[Root]) -> bool:
    """Whether every field asked can be written by the database as the serializers write it (but
    for cursors, which depend on the ordering asked: see `cursors_expressible`)."""
    return not any(isinstance(spec, Scalar) and spec.written is None for spec in every_spec(*roots))


def cursors_expressible(roots: Sequence[Root], bound: Bound) -> bool:
    """Whether the database can write every cursor asked, in the orderings asked."""
    return all(
        json_sql.writes_cursors(bound[spec].ordering)
        for spec in every_spec(*roots)
        if isinstance(spec, ConnectionSpec) and _asks_cursors(spec)
    )


def _asks_cursors(spec: ConnectionSpec) -> bool:
    return any(_cursors_in(part) for _, part in spec.parts)


def _cursors_in(part: Any) -> bool:
    """Whether `edges` or `pageInfo` asks for cursors."""
    listed = isinstance(part, EdgesSpec | PageInfoSpec)
    return listed and any(name in CURSORS for _, name in part.parts)


def _ends_in(part: Any) -> bool:
    """Whether `pageInfo` asks for the cursors of the page's first or last item."""
    return isinstance(part, PageInfoSpec) and any(name in ENDS for _, name in part.parts)


@cache
def unusual_minor_digits() -> dict[int, list[str]]:
    """The currencies whose minor unit is not a hundredth (JPY 0, BHD 3...), by their number of
    minor digits as `minor_digits` counts them."""
    found: dict[int, list[str]] = {}
    for code in sorted(list_currencies()):
        digits = minor_digits(code)
        if digits != 2:
            found.setdefault(digits, []).append(code)
    return found


class CompiledRead:
    """One request's run of a compiled selection, as JSON built by the database."""

    def __init__(self, context: Context, bound: Bound, statements: Statements) -> None:
        self.context = context
        self.scope = context.caller.restricted_scope()
        self.bound = bound
        self.criteria: dict[ConnectionSpec, Any] = {}
        self.statements = statements
        # Where each reference's row is joined in: its columns' prefix.
        self.prefixes: dict[Reference, str] = {}

    async def root(self, root: Root, variables: Variables) -> orjson.Fragment | str | None:
        """A root field's value. Raises what the ordinary resolver would raise for it."""
        if isinstance(root, Constant):
            return root.value
        if isinstance(root, RootObject):
            found = await root.lookup(self.context, variables)
            if found is None:
                return None
            await self._check(root.node)
            node, key = root.node, found.id

            def build() -> Any:
                joins = self._joins([node])
                return json_sql.one(node.model, node.columns, key, self._builder(node), joins)

            statement = self._statement((root, key), build)
        else:
            await self._check(root.connection)
            listed = root.connection
            statement = self._statement(
                (root,), lambda: json_sql.statement(self._connection(listed))
            )
        async with self.context.database.connect() as connection:
            return await json_sql.fetch(connection, statement)

    def _statement(self, root: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        """The root field's statement, built once for the same root, arguments and viewer's
        scope: building it costs more than the database takes to run a small one."""
        key = (*root, self.scope, tuple(self.bound.items()), tuple(self.criteria.items()))
        try:
            found = self.statements.get(key)
        except TypeError:  # an argument that cannot be a key: built afresh
            return build()
        return found if found is not None else self.statements.put(key, build())

    def _builder(self, spec: ObjectSpec) -> Callable[[Row], Json]:
        return lambda row: self._object(spec, row)

    async def _check(self, spec: Any) -> None:
        """Every list's filter checked (as the rows path checks it) before any SQL is built."""
        for found in every_spec(spec):
            if isinstance(found, ConnectionSpec):
                criteria = self.bound[found].criteria
                self.criteria[found] = await found.source.check(self.context, criteria)

    def _object(self, spec: ObjectSpec, row: Row) -> Json:
        shown = json_sql.sees(row, self.scope) if spec.restricted else None
        return json_sql.json_object(
            [(field.key, self._field(field, row, shown)) for field in spec.fields]
        )

    def _field(self, spec: Any, row: Row, shown: Shown) -> Json | Pieces:
        if isinstance(spec, Constant):
            return _text(spec)
        if isinstance(spec, GlobalId):
            return json_sql.node_id(spec.type_name, row)
        if isinstance(spec, Redaction):
            return json_sql.withheld(shown, spec.text)
        if isinstance(spec, ConnectionSpec):
            return self._connection(spec, row)
        return self._value(spec, row, shown if spec.detail else None)

    def _value(self, spec: Scalar | MoneyValue | Reference, row: Row, shown: Shown) -> Json:
        """The field's value; null where `shown` (if any) does not hold."""
        if isinstance(spec, Scalar):
            return json_sql.if_shown(shown, self._scalar(spec, row))
        if isinstance(spec, MoneyValue):
            digits = unusual_minor_digits()
            if spec.currency_column is None:
                assert spec.fixed is not None
                # Kept to four places, shown to the cent the analysis counts in.
                values = {
                    "amount": json_sql.rounded(row, spec.amount_column, CENTS),
                    "currency": json_values.string(spec.fixed),
                }
            else:
                values = {
                    "amount": json_sql.amount(
                        row, spec.amount_column, spec.currency_column, digits
                    ),
                    "currency": json_sql.as_is(row, spec.currency_column),
                }
            money = json_sql.json_object(
                [
                    (key, _text(part) if isinstance(part, Constant) else values[part])
                    for key, part in spec.parts
                ]
            )
            return json_sql.unless_null(row, spec.columns, money, shown)
        joined = Row(row.source, self.prefixes[spec])
        return json_sql.present(joined, self._object(spec.target, joined), shown)

    def _scalar(self, spec: Scalar, row: Row) -> Json:
        if spec.written == AS_STORED:
            return json_sql.as_is(row, spec.column)
        if spec.written == DAY:
            return json_sql.day(row, spec.column)
        if spec.written == INSTANT:
            return json_sql.instant(row, spec.column)
        assert isinstance(spec.written, dict)
        return json_sql.named(row, spec.column, spec.written)

    def _joins(self, objects: Sequence[ObjectSpec], via: str = "") -> list[json_sql.Joined]:
        """The rows the objects reference (and those they reference in turn), to be joined into
        the rows the objects are built from."""
        found: list[json_sql.Joined] = []
        for spec in objects:
            for field in spec.fields:
                if isinstance(field, Reference):
                    prefix = self.prefixes[field] = f"ref{len(self.prefixes) + 1}__"
                    target = field.target
                    found.append(
                        json_sql.Joined(prefix, target.model, target.columns, field.column, via)
                    )
                    found += self._joins([target], prefix)
        return found

    def _connection(self, spec: ConnectionSpec, parent: Row | None = None) -> Json | Pieces:
        arguments: ListArguments = self.bound[spec]
        statement, grouping = spec.source.statement(self.criteria[spec])
        page = None
        if spec.pages:
            page = json_sql.page(
                statement,
                spec.source.model,
                spec.columns,
                arguments.ordering,
                arguments.window,
                grouping,
                parent,
                self._joins(spec.nodes),
                ends=any(_ends_in(part) for _, part in spec.parts),
            )
        pairs: list[tuple[str, Json | Pieces]] = []
        first = 0  # the first member computed from the page's rows, if any is
        for name, part in spec.parts:
            if isinstance(part, Constant):
                pairs.append((name, _text(part)))
            elif isinstance(part, str):
                assert part == TOTAL_COUNT
                pairs.append((name, json_sql.total(statement, grouping, parent)))
            else:
                assert page is not None  # a list's items are asked for: it has a page
                reading = page.read
                pairs.append((name, self._listed(part, page, arguments)))
                first = first if reading or not page.read else len(pairs) - 1
        return json_sql.connection(pairs, page, first)

    def _listed(
        self, part: EdgesSpec | ObjectSpec | PageInfoSpec, page: Page, arguments: ListArguments
    ) -> Json | Pieces:
        """`nodes`, `edges` or `pageInfo` of a page."""
        if isinstance(part, ObjectSpec):
            return json_sql.items(page, self._object(part, page.rows))
        cursor = json_sql.cursor(page, arguments.ordering) if _cursors_in(part) else None
        if isinstance(part, EdgesSpec):
            edge = [(key, self._edge(inner, page.rows, cursor)) for key, inner in part.parts]
            return json_sql.items(page, json_sql.json_object(edge))
        values: dict[str, Callable[[], Json]] = {
            "hasNextPage": lambda: json_sql.has_next(page),
            "hasPreviousPage": lambda: json_sql.has_previous(page),
        }
        if cursor is not None:
            start, end = json_sql.ends(page, cursor)
            values["startCursor"], values["endCursor"] = lambda: start, lambda: end
        return json_sql.json_object(
            [
                (key, values[inner]() if isinstance(inner, str) else _text(inner))
                for key, inner in part.parts
            ]
        )

    def _edge(self, part: Any, rows: Row, cursor: Json | None) -> Json:
        if isinstance(part, ObjectSpec):
            return self._object(part, rows)
        if part == "cursor":
            assert cursor is not None
            return cursor
        return _text(part)


def _text(part: Any) -> Json:
    assert isinstance(part, Constant)
    return json_values.string(part.value)
