"""Rows for reads compiled as JSON: only the columns asked for, as plain result rows.

The same statements as the paginated loaders (store/pages.py), with the same keyset bounds and
ordering, but selecting columns rather than ORM entities: a deep read returns thousands of rows,
and building an ORM object for each (identity map, instrumentation) is most of what it costs.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, null, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

# The keyset helpers are shared on purpose: a page read here must be the very page the ordinary
# path reads, bound for bound and row for row.
from store.pages import AnySelect, Ordering, Window, keyset_bounds, keyset_order

SORT_VALUE = "sort_value"
TOTAL = "total_count"
PARENT = "parent_id"


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
) -> RowPage:
    """One page of a root list, as `fetch_page` reads it."""
    query = (
        statement.with_only_columns(
            *_columns(model, names), ordering.key.expression.label(SORT_VALUE)
        )
        .where(*keyset_bounds(ordering, model.id, window))
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
) -> dict[Hashable, RowPage]:
    """The same page under many parents in one statement, as `fetch_pages` reads it.

    `counted`: each row also carries its parent's total (before the page's bounds), counted in the
    same pass: ranking rows per parent reads every one of them anyway. With cursor bounds the total
    is not the whole list's, and is left out.
    """
    counted = counted and window.after is None and window.before is None
    rank = (
        func.row_number()
        .over(partition_by=parent, order_by=keyset_order(ordering, model.id, window))
        .label("rank")
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
    query = (
        select(*(ranked.c[name] for name in (*names, SORT_VALUE, TOTAL, PARENT)))
        .where(ranked.c.rank <= window.size + 1)
        .order_by(ranked.c[PARENT], ranked.c.rank)
    )
    grouped: dict[Hashable, list[Any]] = {key: [] for key in parent_ids}
    for row in await _run(session, query):
        grouped[row[-1]].append(row)  # the parent key comes last
    pages = {key: _trimmed(found, window) for key, found in grouped.items()}
    if counted:
        for key, found in grouped.items():
            pages[key].total = found[0][-2] if found else 0
    return pages
