"""Relay building blocks: the Node interface, keyset connections, ordering and page arguments."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Annotated, Any, Generic, TypeVar

import strawberry

from resolvers.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Listing, Slice
from schema.fields import identity

N = TypeVar("N")


@strawberry.interface(description="An object with a global ID: fetch any of them with `node(id:)`.")
class Node:
    id: strawberry.ID = identity("The object's opaque, stable global ID.")


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item, if any.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item, if any.")


@strawberry.type(description="One item of a connection with its cursor.")
class Edge(Generic[N]):
    cursor: str = strawberry.field(description="Pass it as `after` or `before` to page from here.")
    node: N = strawberry.field(description="The item.")


@strawberry.type(
    description=(
        "A page of a list, in the order requested. Cursors are keyset positions: they stay valid "
        "when items are added."
    )
)
class Connection(Generic[N]):
    edges: list[Edge[N]] = strawberry.field(description="The items with their cursors.")
    nodes: list[N] = strawberry.field(description="The items alone.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    total: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items the whole list holds (all pages).")
    async def total_count(self) -> int:
        return await self.total()


def connection(listing: Listing[Any], convert: Callable[[Any], N]) -> Connection[N]:
    page = listing.page
    nodes = [convert(row) for row in page.rows]
    return Connection(
        edges=[Edge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
        nodes=nodes,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
        total=listing.total,
    )


First = Annotated[
    int | None,
    strawberry.argument(
        description=(
            f"Return the first n items (0 to {MAX_PAGE_SIZE}; {DEFAULT_PAGE_SIZE} by default)."
        )
    ),
]
After = Annotated[str | None, strawberry.argument(description="Return items after this cursor.")]
Last = Annotated[
    int | None,
    strawberry.argument(description=f"Return the last n items (0 to {MAX_PAGE_SIZE})."),
]
Before = Annotated[str | None, strawberry.argument(description="Return items before this cursor.")]


def page_slice(first: int | None, after: str | None, last: int | None, before: str | None) -> Slice:
    return Slice(first=first, after=after, last=last, before=before)
