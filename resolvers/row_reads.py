"""Compiled reads: rows fetched one statement per level, JSON built straight from them.

The resolver path resolves every field through Strawberry, a few microseconds each, and a deep
read has thousands. Here a compiled selection (resolvers/selections.py) is run in two passes:
fetch, level by level, every page, count and referenced row the selection needs (the same
statements as the DataLoaders, batched the same way); then build the response dict from them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolvers import ids
from resolvers.context import Context
from resolvers.money import in_minor_units
from resolvers.selections import (
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
    RootList,
    RootObject,
    Scalar,
    Variables,
)
from store.pages import count, count_by, encode_cursor
from store.row_pages import RowPage, page_rows, page_rows_by_parent, rows_by_ids


class RowRead:
    """One request's run of a compiled selection."""

    def __init__(self, context: Context, bound: Bound) -> None:
        self.context = context
        self.viewer = context.caller
        self.bound = bound
        self.pages: dict[ConnectionSpec, dict[Hashable, RowPage]] = {}
        self.counts: dict[ConnectionSpec, dict[Hashable, int]] = {}
        self.objects: dict[Reference, dict[int, Any]] = {}
        self.built: dict[Reference, dict[int, Any]] = {}
        self._steps: dict[ObjectSpec, list[tuple[str, Any, Any, Any]]] = {}

    async def root(self, root: Root, variables: Variables) -> dict[str, Any] | str | None:
        """A root field's value. Raises what the ordinary resolver would raise for it."""
        if isinstance(root, Constant):
            return root.value
        async with self.context.session() as session:
            return await self._root(session, root, variables)

    async def _root(
        self, session: AsyncSession, root: RootObject | RootList, variables: Variables
    ) -> dict[str, Any] | None:
        if isinstance(root, RootObject):
            found = await root.lookup(self.context, variables)
            if found is None:
                return None
            row = tuple(getattr(found, name) for name in root.node.layout)
            await self._fetch(session, root.node, [row])
            return self._object(root.node, row)
        spec = root.connection
        arguments = self.bound[spec]
        criteria = await spec.source.check(self.context, arguments.criteria)
        statement, _ = spec.source.statement(criteria)
        page = RowPage()
        if spec.pages:
            page = await page_rows(
                session, statement, spec.source.model, spec.columns, *_keyset(arguments)
            )
            for node in spec.nodes:
                await self._fetch(session, node, page.rows)
        total = await count(session, statement) if spec.counts else 0
        return self._connection(spec, page, total)

    # Fetching: one statement per list or reference per level, whatever the number of parents.

    async def _fetch(self, session: AsyncSession, spec: ObjectSpec, rows: Sequence[Any]) -> None:
        if not rows:
            return
        for field, at in zip(spec.fields, spec.positions, strict=True):
            if isinstance(field, ConnectionSpec):
                await self._fetch_nested(session, field, [row[at] for row in rows])
            elif isinstance(field, Reference):
                await self._fetch_reference(session, field, spec, at, rows)

    async def _fetch_nested(
        self, session: AsyncSession, spec: ConnectionSpec, parent_ids: list[int]
    ) -> None:
        arguments = self.bound[spec]
        criteria = await spec.source.check(self.context, arguments.criteria)
        statement, parent = spec.source.statement(criteria)
        keys = list(dict.fromkeys(parent_ids))
        totals: dict[Hashable, int | None] = {}
        if spec.pages:
            pages = await page_rows_by_parent(
                session,
                statement,
                spec.source.model,
                spec.columns,
                parent,
                keys,
                *_keyset(arguments),
                counted=spec.counts,
            )
            self.pages[spec] = pages
            totals = {key: page.total for key, page in pages.items()}
            children = [row for page in pages.values() for row in page.rows]
            for node in spec.nodes:
                await self._fetch(session, node, children)
        if spec.counts:
            counted = {key: total for key, total in totals.items() if total is not None}
            if len(counted) < len(keys):  # not counted alongside the page: a count of its own
                counted = await count_by(session, statement, parent, keys)
            self.counts[spec] = counted

    async def _fetch_reference(
        self,
        session: AsyncSession,
        spec: Reference,
        parent: ObjectSpec,
        at: int,
        rows: Sequence[Any],
    ) -> None:
        if spec.detail:  # detail withheld from this viewer is not even read
            rows = [row for row in rows if self._shows(parent, row)]
        keys = sorted({key for row in rows if (key := row[at]) is not None})
        target = spec.target
        found = await rows_by_ids(session, target.model, target.columns, keys) if keys else {}
        self.objects[spec] = found
        await self._fetch(session, target, list(found.values()))

    # Building: the response dict, field by field in the order the document asked.

    def _object(self, spec: ObjectSpec, row: Sequence[Any]) -> dict[str, Any]:
        shown = not spec.restricted or self._shows(spec, row)
        steps = self._steps.get(spec)
        if steps is None:
            steps = self._steps[spec] = [
                (field.key, BUILDERS[type(field)], field, at)
                for field, at in zip(spec.fields, spec.positions, strict=True)
            ]
        return {key: build(self, field, row, shown, at) for key, build, field, at in steps}

    def _shows(self, spec: ObjectSpec, row: Sequence[Any]) -> bool:
        """Whether this viewer sees a restricted contribution's detail (`Viewer.sees_detail`)."""
        visibility, contributor, recipient = spec.restriction
        return self.viewer.sees(row[visibility], row[contributor], row[recipient])

    def _connection(self, spec: ConnectionSpec, page: RowPage, total: int) -> dict[str, Any]:
        built: dict[str, Any] = {}
        for key, part in spec.parts:
            if part == TOTAL_COUNT:
                built[key] = total
            elif isinstance(part, Constant):
                built[key] = part.value
            elif isinstance(part, ObjectSpec):
                built[key] = [self._object(part, row) for row in page.rows]
            elif isinstance(part, EdgesSpec):
                built[key] = [self._edge(spec, part, row) for row in page.rows]
            elif isinstance(part, PageInfoSpec):
                built[key] = self._page_info(spec, part, page)
        return built

    def _cursor(self, spec: ConnectionSpec, row: Sequence[Any]) -> str:
        key = self.bound[spec].ordering.key
        return encode_cursor(key, row[len(spec.columns)], row[spec.columns.index("id")])

    def _edge(self, spec: ConnectionSpec, edges: EdgesSpec, row: Any) -> dict[str, Any]:
        built: dict[str, Any] = {}
        for key, part in edges.parts:
            if isinstance(part, ObjectSpec):
                built[key] = self._object(part, row)
            elif isinstance(part, Constant):
                built[key] = part.value
            else:
                built[key] = self._cursor(spec, row)
        return built

    def _page_info(self, spec: ConnectionSpec, info: PageInfoSpec, page: RowPage) -> dict[str, Any]:
        rows = page.rows
        values: dict[str, Callable[[], Any]] = {
            "hasNextPage": lambda: page.has_next,
            "hasPreviousPage": lambda: page.has_previous,
            "startCursor": lambda: self._cursor(spec, rows[0]) if rows else None,
            "endCursor": lambda: self._cursor(spec, rows[-1]) if rows else None,
        }
        return {
            key: part.value if isinstance(part, Constant) else values[part]()
            for key, part in info.parts
        }


def _keyset(arguments: ListArguments) -> tuple[Any, Any]:
    return arguments.ordering, arguments.window


# One builder per kind of field: (the read, the field, the row, whether its detail shows, where
# the field's columns sit in the row).


def _constant(read: RowRead, spec: Constant, row: Any, shown: bool, at: Any) -> Any:
    return spec.value


def _scalar(read: RowRead, spec: Scalar, row: Any, shown: bool, at: int) -> Any:
    value = row[at]
    if value is None or (spec.detail and not shown):
        return None
    return value if spec.serialize is None else spec.serialize(value)


def _global_id(read: RowRead, spec: GlobalId, row: Any, shown: bool, at: int) -> Any:
    return ids.encode(spec.type_name, row[at])


def _redaction(read: RowRead, spec: Redaction, row: Any, shown: bool, at: Any) -> Any:
    return None if shown else spec.text


def _money(read: RowRead, spec: MoneyValue, row: Any, shown: bool, at: Any) -> Any:
    amount, currency = row[at[0]], row[at[1]]
    if amount is None or currency is None or (spec.detail and not shown):
        return None
    exact = spec.serialize_amount(in_minor_units(amount, currency))
    values = {"amount": exact, "currency": currency}
    return {
        key: part.value if isinstance(part, Constant) else values[part] for key, part in spec.parts
    }


def _reference(read: RowRead, spec: Reference, row: Any, shown: bool, at: int) -> Any:
    key = row[at]
    if key is None or (spec.detail and not shown):
        return None
    # Many rows share a referenced row (a page of contributions, a few contributors): built once.
    built = read.built.setdefault(spec, {})
    if key not in built:
        found = read.objects[spec].get(key)
        built[key] = None if found is None else read._object(spec.target, found)
    return built[key]


def _nested(read: RowRead, spec: ConnectionSpec, row: Any, shown: bool, at: int) -> Any:
    parent = row[at]
    page = read.pages[spec][parent] if spec.pages else RowPage()
    total = read.counts[spec][parent] if spec.counts else 0
    return read._connection(spec, page, total)


BUILDERS: dict[type, Callable[[RowRead, Any, Any, bool, Any], Any]] = {
    Constant: _constant,
    Scalar: _scalar,
    GlobalId: _global_id,
    Redaction: _redaction,
    MoneyValue: _money,
    Reference: _reference,
    ConnectionSpec: _nested,
}
