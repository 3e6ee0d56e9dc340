"""The lists of the API, each defined once, and how a connection runs.

A `ListSource` is everything about one list that does not depend on who executes it: the rows'
statement, the column that groups them under a parent, and the rules its arguments must pass
(codes that exist, who may ask what). The resolvers run it page by page through the DataLoaders;
compiled reads (schema/compiled_reads.py) ask it for the same statement after the same rules.
A rule added to a source therefore holds on every path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute
from strawberry.dataloader import DataLoader

from resolvers.context import Context
from resolvers.errors import not_found, shown
from resolvers.pagination import Listing, Slice, window_for
from store.pages import Ordering, count, count_by, fetch_page, fetch_pages

Criteria = TypeVar("Criteria")
# A rule of a list: the criteria as checked (or narrowed, e.g. to the viewer's scope), or an error
# that names the argument at fault.
Rule = Callable[[Context, Criteria], Awaitable[Criteria]]


def _remember(cache: DataLoader[int, Any] | None, rows: list[Any]) -> None:
    """Rows fetched for a list answer later lookups by ID (e.g. an objective's plan) for free."""
    if cache is None:
        return
    for row in rows:
        cache.prime(row.id, row)


async def root_listing(
    context: Context,
    statement: Select[Any],
    model: Any,
    ordering: Ordering,
    slice_: Slice,
    cache: DataLoader[int, Any] | None,
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
    cache: DataLoader[int, Any] | None,
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


class NamesPartners(Protocol):
    @property
    def partner_codes(self) -> Sequence[str]: ...


Named = TypeVar("Named", bound=NamesPartners)


async def partners_exist(context: Context, criteria: Named) -> Named:
    """A rule of every list filtered by partner: each code names a participant."""
    await check_codes(context, "filter.partners", criteria.partner_codes)
    return criteria


async def check_codes(context: Context, argument: str, codes: Sequence[str]) -> None:
    """A filter naming a participant that does not exist is a mistake worth telling."""
    if not codes:
        return  # most lists name none: no loader, no waiting
    found = await context.loaders.participant_by_code.load_many(list(codes))
    for code, participant in zip(codes, found, strict=True):
        if participant is None:
            raise not_found(
                argument, f"Argument `{argument}`: no participant has the code {shown(code)}"
            )


class ListSource(Generic[Criteria]):
    """One list, root or nested: its statement, its parent key and the rules of its arguments.

    A nested list (`under`) shares the rules of the list it comes from, so a rule added to the
    plans holds for `Query.plans` and `Participant.plans` alike.
    """

    def __init__(
        self,
        name: str,
        model: Any,
        select: Callable[[Criteria], tuple[Select[Any], Any]],
        cache: Callable[[Context], DataLoader[int, Any]] | None,
        rules: Sequence[Rule[Criteria]] = (),
        parent: Callable[[Any], Any] | None = None,
        root: ListSource[Criteria] | None = None,
    ) -> None:
        self.name = name
        self.model = model
        self._select = select
        # The loader whose lookups by id the listed rows answer; None: nothing looks them up.
        self.cache = cache
        self.rules = list(rules)
        # Picks the column that groups the rows under their parent from what `select` gives
        # beside the statement; None for a root list.
        self.parent = parent
        self.root = root or self

    def under(
        self,
        name: str,
        parent: Callable[[Any], Any],
        select: Callable[[Criteria], tuple[Select[Any], Any]] | None = None,
        rules: Sequence[Rule[Criteria]] = (),
    ) -> ListSource[Criteria]:
        """The same list under a parent, with the same rules and then its own: `parent` picks
        the grouping column from what `select` (by default the list's own) gives beside its
        statement."""
        select = select or self._select
        return ListSource(name, self.model, select, self.cache, rules, parent, self)

    async def check(self, context: Context, criteria: Criteria) -> Criteria:
        """The criteria after every rule of the list, in order: the root list's, then its own."""
        for rule in self.root.rules + (self.rules if self.root is not self else []):
            criteria = await rule(context, criteria)
        return criteria

    def statement(self, criteria: Criteria) -> tuple[Select[Any], Any]:
        """The rows' statement for checked criteria, and the column grouping them under their
        parent (None at the root)."""
        statement, tables = self._select(criteria)
        return statement, None if self.parent is None else self.parent(tables)

    async def listing(
        self,
        context: Context,
        criteria: Criteria,
        ordering: Ordering,
        slice_: Slice,
        parent_id: int | None = None,
    ) -> Listing[Any]:
        """A page of the list as the resolvers serve it (under `parent_id` when nested)."""
        criteria = await self.check(context, criteria)
        statement, parent = self.statement(criteria)
        cache = None if self.cache is None else self.cache(context)
        if parent is None:
            return await root_listing(context, statement, self.model, ordering, slice_, cache)
        assert parent_id is not None, f"{self.name} is listed under a parent"
        return await nested_listing(
            context,
            (self.name, criteria),
            statement,
            self.model,
            parent,
            parent_id,
            ordering,
            slice_,
            cache,
        )
