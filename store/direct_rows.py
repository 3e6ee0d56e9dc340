"""Rows for reads served directly as JSON: only the columns asked for, as plain result rows.

The same statements as the paginated loaders (store/pages.py), with the same keyset bounds and
ordering, but selecting columns rather than ORM entities: a deep read returns thousands of rows,
and building an ORM object for each (identity map, instrumentation) is most of what it costs.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import func, null, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

# The keyset helpers are shared on purpose: a page read here must be the very page the ordinary
# path reads, bound for bound and row for row.
from store.pages import AnySelect, Ordering, Window, keyset_bounds, keyset_order

SORT_VALUE = "sort_value"
TOTAL = "total_count"
PARENT = "parent_id"
RANK = "rank"


@dataclass(frozen=True)
class Joined:
    """A to-one reference read in the same statement as its parents' page: `model`'s columns
    `names`, by a LEFT OUTER JOIN on the parents' foreign key column `key`. Each is joined under
    an alias of its own, so two references to one table do not clash; its columns follow the
    page's own (all null where the key is null or names no row)."""

    model: Any
    key: str
    names: tuple[str, ...]


def _joined_columns(joins: Sequence[Joined], keys: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    """Each join's alias and onclause (`keys[i]` is the foreign key column of join i), and
    the joined columns, labelled apart."""
    targets, columns = [], []
    for index, (join, key) in enumerate(zip(joins, keys, strict=True)):
        alias = aliased(join.model)
        targets.append((alias, key == alias.id))
        columns += [getattr(alias, name).label(f"j{index}_{name}") for name in join.names]
    return targets, columns


@dataclass
class RowPage:
    """One page of rows (each with its `sort_value`) and whether more lie on either side."""

    rows: list[Any] = field(default_factory=list)
    has_next: bool = False
    has_previous: bool = False
    # How many rows the whole list under this parent holds, when it was counted alongside.
    total: int | None = None


def _trimmed(found: list[Any], window: Window) -> RowPage:
    more = len(found) > window.size
    kept = found[: window.size]
    if window.backwards:
        kept.reverse()
    return RowPage(
        rows=kept,
        has_next=more if not window.backwards else window.before is not None,
        has_previous=more if window.backwards else window.after is not None,
    )


async def _run(session: AsyncSession, query: Any) -> Any:
    """Runs `query` as Core: its rows are plain tuples of columns, and the ORM's loading layer,
    made for entities, would only cost time."""
    return await (await session.connection()).execute(query)


def _columns(model: Any, names: Sequence[str]) -> list[Any]:
    return [getattr(model, name) for name in names]


async def rows_by_ids(
    session: AsyncSession, model: Any, names: Sequence[str], ids: Sequence[int]
) -> dict[int, Any]:
    """Rows of `model` by primary key; `names` must include `id`."""
    result = await _run(session, select(*_columns(model, names)).where(model.id.in_(ids)))
    return {row.id: row for row in result}


async def page_rows(
    session: AsyncSession,
    statement: AnySelect,
    model: Any,
    names: Sequence[str],
    ordering: Ordering,
    window: Window,
    joins: Sequence[Joined] = (),
) -> RowPage:
    """One page of a root list, as `fetch_page` reads it; each row is its `names`, its sort
    value, then the columns of each of `joins` in turn."""
    targets, joined = _joined_columns(joins, [getattr(model, join.key) for join in joins])
    query = statement.with_only_columns(
        *_columns(model, names), ordering.key.expression.label(SORT_VALUE), *joined
    )
    for alias, onclause in targets:
        query = query.join_from(model, alias, onclause, isouter=True)
    query = (
        query.where(*keyset_bounds(ordering, model.id, window))
        .order_by(*keyset_order(ordering, model.id, window))
        .limit(window.size + 1)
    )
    return _trimmed(list((await _run(session, query)).all()), window)


async def page_rows_by_parent(
    session: AsyncSession,
    statement: AnySelect,
    model: Any,
    names: Sequence[str],
    parent: InstrumentedAttribute[int],
    parent_ids: Sequence[Hashable],
    ordering: Ordering,
    window: Window,
    counted: bool = False,
    joins: Sequence[Joined] = (),
) -> dict[Hashable, RowPage]:
    """The same page under many parents in one statement, as `fetch_pages` reads it; each row is
    its `names`, its sort value, its parent's total, its parent key, its rank under its parent,
    then the columns of each of `joins` in turn (joined to the page's rows only, once they are
    ranked and cut).

    The rows come unordered and are put in rank order here: ordering them in the statement
    would make the database sort them again after the joins (or probe the joined table row by
    row to keep their order), which costs it more than a sort of already ordered lists costs here.

    `counted`: each row also carries its parent's total (before the page's bounds), counted in the
    same pass: ranking rows per parent reads every one of them anyway. With cursor bounds the total
    is not the whole list's, and is left out.
    """
    counted = counted and window.after is None and window.before is None
    rank = (
        func.row_number()
        .over(partition_by=parent, order_by=keyset_order(ordering, model.id, window))
        .label(RANK)
    )
    total = func.count().over(partition_by=parent) if counted else null()
    ranked = (
        statement.with_only_columns(
            *_columns(model, names),
            ordering.key.expression.label(SORT_VALUE),
            total.label(TOTAL),
            parent.label(PARENT),
            rank,
        )
        .where(parent.in_(parent_ids), *keyset_bounds(ordering, model.id, window))
        .subquery()
    )
    targets, joined = _joined_columns(joins, [ranked.c[join.key] for join in joins])
    source: Any = ranked
    for alias, onclause in targets:
        source = source.outerjoin(alias, onclause)
    query = (
        select(*(ranked.c[name] for name in (*names, SORT_VALUE, TOTAL, PARENT, RANK)), *joined)
        .select_from(source)
        .where(ranked.c[RANK] <= window.size + 1)
    )
    total_at, parent_at = len(names) + 1, len(names) + 2
    grouped: dict[Hashable, list[Any]] = {key: [] for key in parent_ids}
    for row in await _run(session, query):
        grouped[row[parent_at]].append(row)
    in_rank_order = itemgetter(len(names) + 3)
    for found in grouped.values():
        found.sort(key=in_rank_order)
    pages = {key: _trimmed(found, window) for key, found in grouped.items()}
    if counted:
        for key, found in grouped.items():
            pages[key].total = found[0][total_at] if found else 0
    return pages
