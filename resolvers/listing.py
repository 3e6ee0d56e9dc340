"""Running a connection: one statement for a root list, one per level for nested lists."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute
from strawberry.dataloader import DataLoader

from resolvers.context import Context
from resolvers.errors import not_found, shown
from resolvers.pagination import Listing, Slice, window_for
from store.pages import Ordering, count, count_by, fetch_page, fetch_pages


def _remember(cache: DataLoader[int, Any], rows: list[Any]) -> None:
    """Rows fetched for a list answer later lookups by ID (e.g. an objective's plan) for free."""
    for row in rows:
        cache.prime(row.id, row)


async def root_listing(
    context: Context,
    statement: Select[Any],
    model: Any,
    ordering: Ordering,
    slice_: Slice,
    cache: DataLoader[int, Any],
) -> Listing[Any]:
    window = window_for(slice_, ordering)
    async with context.session() as session:
        page = await fetch_page(session, statement, model, ordering, window)
    _remember(cache, page.rows)

    async def total() -> int:
        async with context.session() as session:
            return await count(session, statement)

    return Listing(page, total)


async def nested_listing(
    context: Context,
    name: Hashable,
    statement: Select[Any],
    model: Any,
    parent: InstrumentedAttribute[int],
    parent_id: int,
    ordering: Ordering,
    slice_: Slice,
    cache: DataLoader[int, Any],
) -> Listing[Any]:
    """A page under one parent, batched with the same page under every sibling parent.

    `name` identifies the field and its filters; the ordering and window are added here, so
    parents asking for the same page share one statement.
    """
    window = window_for(slice_, ordering)
    key = (name, ordering.key.name, ordering.descending, window)
    pages = context.loaders.batched(
        ("page", key),
        lambda session, ids: fetch_pages(session, statement, model, parent, ids, ordering, window),
    )
    counts = context.loaders.batched(
        ("count", name), lambda session, ids: count_by(session, statement, parent, ids)
    )
    page = await pages.load(parent_id)
    _remember(cache, page.rows)
    return Listing(page, lambda: counts.load(parent_id))


async def check_codes(context: Context, argument: str, codes: Sequence[str]) -> None:
    """A filter naming a participant that does not exist is a mistake worth telling."""
    found = await context.loaders.participant_by_code.load_many(list(codes))
    for code, participant in zip(codes, found, strict=True):
        if participant is None:
            raise not_found(
                argument, f"Argument `{argument}`: no participant has the code {shown(code)}"
            )
