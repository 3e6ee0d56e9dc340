"""Connection arguments checked once, and the listing a connection field returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from resolvers.errors import invalid_argument
from store.pages import Ordering, Page, SortKey, Window, decode_cursor

__all__ = ["Ordering"]  # handed on to the schema's order inputs

T = TypeVar("T")

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class Slice:
    """The four Relay arguments as the client sent them."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


@dataclass
class Listing(Generic[T]):
    """One page of rows plus a way to count them all, run only if the client asks."""

    page: Page[T]
    total: Callable[[], Awaitable[int]]


def ordering_for(orderings: dict[str, SortKey], field: str, descending: bool) -> Ordering:
    return Ordering(orderings[field], descending)


def window_for(slice_: Slice, ordering: Ordering) -> Window:
    """Validate the Relay arguments; every mistake names the argument it is about."""
    if slice_.first is not None and slice_.last is not None:
        raise invalid_argument("last", "cannot be combined with `first`: page one way at a time")
    for name, size in (("first", slice_.first), ("last", slice_.last)):
        if size is not None and not 0 <= size <= MAX_PAGE_SIZE:
            raise invalid_argument(name, f"must be between 0 and {MAX_PAGE_SIZE}, got {size}")
    cursors: dict[str, Any] = {}
    for name, text in (("after", slice_.after), ("before", slice_.before)):
        if text is None:
            continue
        try:
            cursors[name] = decode_cursor(text, ordering.key)
        except ValueError as problem:
            raise invalid_argument(name, str(problem)) from None
    first, last = slice_.first, slice_.last
    if first is None and last is None:
        if slice_.before is not None and slice_.after is None:
            last = DEFAULT_PAGE_SIZE
        else:
            first = DEFAULT_PAGE_SIZE
    return Window(first=first, after=cursors.get("after"), last=last, before=cursors.get("before"))
