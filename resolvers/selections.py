"""What a read compiled asks for: a tree of fields compiled once per document.

The schema layer compiles a GraphQL selection into these specs, choosing for each field its
column and its serializer from the contract; resolvers/row_reads.py fetches the rows and builds
the JSON. Specs are shared by every request for the same document, so they hold no request state:
arguments are functions of the request's variables, bound before anything runs.

Specs compare by identity (eq=False): a request keys what it fetched by the spec it fetched for.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from graphql.execution.values import VariableValues

from resolvers.context import Context
from resolvers.listing import ListSource
from store.pages import Ordering, Window
from store.row_pages import PARENT, SORT_VALUE, TOTAL

# None: the value is already what JSON needs (strings, as GraphQL's String gives them back).
Serialize = Callable[[Any], Any] | None
# The request's variables as graphql-core coerced them.
Variables = VariableValues


class Unsupported(Exception):
    """Raised while binding arguments: this request is for the resolver path (e.g. a nested filter
    naming codes, whose check fails once per parent there)."""


@dataclass(frozen=True, eq=False)
class Constant:
    """A value known from the document alone: `__typename`."""

    key: str
    value: str


# How PostgreSQL writes a scalar exactly as its serializer does (resolvers/compiled.py): the
# stored value as JSON writes it (strings, integers), an ISO date, a UTC instant, or a table of
# names by value (enums, priorities). None: only the Python serializer can.
AS_STORED = "as stored"
DAY = "day"
INSTANT = "instant"
Written = str | Mapping[Any, str] | None


@dataclass(frozen=True, eq=False)
class Scalar:
    """A column's value through its GraphQL serializer; null stays null. A `detail` scalar of a
    restricted contribution is null for a viewer who may not see who gave and how much."""

    key: str
    column: str
    serialize: Serialize
    detail: bool = False
    written: Written = None


@dataclass(frozen=True, eq=False)
class GlobalId:
    key: str
    type_name: str


@dataclass(frozen=True, eq=False)
class Redaction:
    """Why detail is withheld, or null when it is not."""

    key: str
    text: str


@dataclass(frozen=True, eq=False)
class MoneyValue:
    """A Money object from two columns; `parts` are (response key, `amount` | `currency` |
    a `__typename` constant)."""

    key: str
    amount_column: str
    currency_column: str
    parts: tuple[tuple[str, str | Constant], ...]
    serialize_amount: Callable[[Any], Any]
    detail: bool = False


@dataclass(frozen=True, eq=False)
class ObjectSpec:
    """The fields asked of one type, in response order."""

    model: Any
    fields: tuple[Any, ...]
    # Contributions decide per row whether this viewer sees their detail.
    restricted: bool = False
    # The columns of the rows it is built from, in order (set by whatever selects them: a list
    # adds the sort value and parent key after them). Rows are read by position, not by name.
    layout: tuple[str, ...] = ()

    @cached_property
    def columns(self) -> tuple[str, ...]:
        needed = {"id", *RESTRICTION} if self.restricted else {"id"}
        for spec in self.fields:
            if isinstance(spec, Scalar | Reference):
                needed.add(spec.column)
            elif isinstance(spec, MoneyValue):
                needed |= {spec.amount_column, spec.currency_column}
        return tuple(sorted(needed))

    @cached_property
    def positions(self) -> tuple[Any, ...]:
        """Where each field's columns sit in a row: an index, or two for money."""
        at = {name: index for index, name in enumerate(self.layout)}
        found: list[Any] = []
        for spec in self.fields:
            if isinstance(spec, Scalar | Reference):
                found.append(at[spec.column])
            elif isinstance(spec, MoneyValue):
                found.append((at[spec.amount_column], at[spec.currency_column]))
            else:
                found.append(at["id"])  # an ID, or the parent key of a nested list
        return tuple(found)

    @cached_property
    def restriction(self) -> tuple[int, ...]:
        """Where the columns deciding a restricted contribution's visibility sit."""
        return tuple(self.layout.index(name) for name in RESTRICTION)


# What Viewer.sees takes, in order.
RESTRICTION = ("visibility", "contributor_id", "recipient_id")


def standalone(spec: ObjectSpec) -> ObjectSpec:
    """The spec built from rows of its own columns (a referenced row, a root object)."""
    return replace(spec, layout=spec.columns)


@dataclass(frozen=True, eq=False)
class Reference:
    """A related object by foreign key; a `detail` reference is null when detail is withheld."""

    key: str
    column: str
    target: ObjectSpec
    detail: bool = False


@dataclass(frozen=True)
class ListArguments:
    """A list's filter, ordering and window, checked and converted from the client's arguments."""

    criteria: Any
    ordering: Ordering
    window: Window


@dataclass(frozen=True, eq=False)
class PageInfoSpec:
    # (response key, `hasNextPage` | `hasPreviousPage` | `startCursor` | `endCursor` | Constant)
    parts: tuple[tuple[str, str | Constant], ...]


@dataclass(frozen=True, eq=False)
class EdgesSpec:
    # (response key, `cursor` | ObjectSpec for `node` | Constant)
    parts: tuple[tuple[str, str | ObjectSpec | Constant], ...]


TOTAL_COUNT = "totalCount"
# What a connection's part may be: TOTAL_COUNT, a Constant, an ObjectSpec (`nodes`), EdgesSpec or
# PageInfoSpec.
ConnectionPart = str | Constant | ObjectSpec | EdgesSpec | PageInfoSpec


@dataclass(frozen=True, eq=False)
class ConnectionSpec:
    """A connection field: its source, its arguments (a function of the coerced variables that
    raises a GraphQLError, or Unsupported, where the resolver path would not answer plainly) and
    what is asked of it, in response order."""

    key: str
    source: ListSource[Any]
    arguments: Callable[[Variables], ListArguments]
    parts: tuple[tuple[str, ConnectionPart], ...]
    nested: bool = True

    @cached_property
    def counts(self) -> bool:
        return any(part == TOTAL_COUNT for _, part in self.parts)

    @cached_property
    def pages(self) -> bool:
        listed = ObjectSpec | EdgesSpec | PageInfoSpec
        return any(isinstance(part, listed) for _, part in self.parts)

    @cached_property
    def nodes(self) -> tuple[ObjectSpec, ...]:
        """The object selections of the page's rows: `nodes { … }` and `edges { node { … } }`."""
        found = [part for _, part in self.parts if isinstance(part, ObjectSpec)]
        for _, part in self.parts:
            if isinstance(part, EdgesSpec):
                found += [node for _, node in part.parts if isinstance(node, ObjectSpec)]
        return tuple(found)

    @cached_property
    def columns(self) -> tuple[str, ...]:
        return tuple(sorted({"id"}.union(*(node.columns for node in self.nodes))))

    @cached_property
    def layout(self) -> tuple[str, ...]:
        """The columns of its rows, as store/row_pages.py selects them."""
        if self.nested:
            return (*self.columns, SORT_VALUE, TOTAL, PARENT)
        return (*self.columns, SORT_VALUE)


def connection(
    key: str,
    source: ListSource[Any],
    arguments: Callable[[Variables], ListArguments],
    parts: tuple[tuple[str, ConnectionPart], ...],
    nested: bool,
) -> ConnectionSpec:
    """A connection whose item specs read its rows' layout."""
    layout = ConnectionSpec(key, source, arguments, parts, nested).layout

    def placed(part: Any) -> Any:
        if isinstance(part, ObjectSpec):
            return replace(part, layout=layout)
        if isinstance(part, EdgesSpec):
            return EdgesSpec(tuple((name, placed(inner)) for name, inner in part.parts))
        return part

    return ConnectionSpec(
        key, source, arguments, tuple((name, placed(part)) for name, part in parts), nested
    )


@dataclass(frozen=True, eq=False)
class RootObject:
    """A root field naming one object (`participant(code:)`, `plan(code:)`): looked up through
    the ordinary resolver, whose errors it shares."""

    key: str
    lookup: Callable[[Context, Variables], Awaitable[Any]]
    node: ObjectSpec
    nullable: bool = True


@dataclass(frozen=True, eq=False)
class RootList:
    """A root connection (`contributions`, `plans`, `objectives`); never null."""

    connection: ConnectionSpec

    @cached_property
    def key(self) -> str:
        return self.connection.key


def every_spec(*tops: Any) -> Iterator[Any]:
    """Every spec in the trees below `tops` (root fields or specs), each once."""
    pending = list(tops)
    while pending:
        spec = pending.pop()
        yield spec
        if isinstance(spec, RootObject):
            pending.append(spec.node)
        elif isinstance(spec, RootList):
            pending.append(spec.connection)
        elif isinstance(spec, ConnectionSpec):
            pending.extend(spec.nodes)
        elif isinstance(spec, ObjectSpec):
            pending.extend(spec.fields)
        elif isinstance(spec, Reference):
            pending.append(spec.target)


Root = RootObject | RootList | Constant
Bound = dict[ConnectionSpec, ListArguments]


def bind(roots: Sequence[Root], variables: Variables) -> Bound:
    """Every connection's arguments, checked before anything is charged or fetched: raises what
    the arguments' own checks raise (a GraphQLError, or Unsupported)."""
    return {
        spec: spec.arguments(variables)
        for spec in every_spec(*roots)
        if isinstance(spec, ConnectionSpec)
    }
