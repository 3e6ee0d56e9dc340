"""What a compiled read asks for: a tree of fields compiled once per document.

The schema layer compiles a GraphQL selection into these specs (schema/compiler.py), choosing for
each field its column and how it is written from the field's declaration; resolvers/compiled.py
turns them into the statement that writes the answer. Specs are shared by every request for the
same document, so they hold no request state: arguments are functions of the request's
variables, bound before anything runs.

Specs compare by identity (eq=False): a request keys what it fetched by the spec it fetched for.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from graphql.execution.values import VariableValues

from resolvers.context import Context
from resolvers.listing import ListSource
from store import visibility
from store.pages import Ordering, Window

# None: the value is already what JSON needs (strings, as GraphQL's String gives them back).
Serialize = Callable[[Any], Any] | None
# The request's variables as graphql-core coerced them.
Variables = VariableValues


class Unsupported(Exception):
    """Raised while compiling a document or binding its arguments, with the reason: this request
    is for the resolvers (a `resolved` field; a nested filter naming codes, whose check fails
    once per parent there)."""


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
    """A Money object from two columns, or from an amount column in a `fixed` currency (then no
    currency column); `parts` are (response key, `amount` | `currency` | a `__typename`
    constant)."""

    key: str
    amount_column: str
    currency_column: str | None
    parts: tuple[tuple[str, str | Constant], ...]
    serialize_amount: Callable[[Any], Any]
    detail: bool = False
    fixed: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        amount, currency = self.amount_column, self.currency_column
        return (amount,) if currency is None else (amount, currency)


@dataclass(frozen=True, eq=False)
class ObjectSpec:
    """The fields asked of one type, in response order."""

    model: Any
    fields: tuple[Any, ...]
    # Contributions decide per row whether this viewer sees their detail.
    restricted: bool = False

    @cached_property
    def columns(self) -> tuple[str, ...]:
        needed = {"id", *visibility.DECIDED_BY} if self.restricted else {"id"}
        for spec in self.fields:
            if isinstance(spec, Scalar | Reference):
                needed.add(spec.column)
            elif isinstance(spec, MoneyValue):
                needed |= set(spec.columns)
        return tuple(sorted(needed))


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
