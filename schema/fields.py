"""How each field of a record type is read, declared once, next to the field.

Every field of Participant, Plan, Objective, Contribution and Review says how it is read:

- `column`: the value of one column of the type's row (by default the field's Python name);
- `money`: a Money object from an amount column and a currency column;
- `reference`: the row a foreign key names (a resolver field);
- `listed`: a page of a list (resolvers/listing.py's `ListSource`, which holds its statement and
  rules), with the filter and order inputs it takes (a resolver field);
- the global ID of every Node, and a contribution's `redaction`, declared here once;
- `resolved`: served by the resolvers only, with the reason. Compiled reads hand a query that asks
  for such a field to the resolvers.

Everything else derives from these declarations: the objects the resolvers build from rows
(`build`), the pages and references they load (`page`, `referenced`), and what compiled reads
select for each field (schema/compiler.py). A field without a declaration is refused by the
compiler and by tests/test_field_declarations.py, so adding a field forces the decision.

Which detail of a restricted contribution is withheld is not declared here: store/visibility.py
decides it for every column, once, and the declarations ask it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import strawberry
from graphql import GraphQLObjectType
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from resolvers import ids
from resolvers.context import Context
from resolvers.listing import ListSource
from resolvers.loaders import Loaders
from resolvers.pagination import Listing, Slice
from schema.money import Money
from store import visibility

if TYPE_CHECKING:
    from schema.connection import Connection

# Where a field's declaration sits in its Strawberry metadata.
READ = "read"
T = TypeVar("T")


@dataclass(frozen=True)
class Column:
    """The value of one column; `convert` turns the stored value into the field's (an enum
    stored by its value, say)."""

    name: str | None = None
    convert: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class MoneyColumns:
    """An amount column and a currency column; or, for a sum in the base currency, an amount
    column and that currency (`fixed`, with `currency` None)."""

    amount: str
    currency: str | None
    fixed: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.amount,) if self.currency is None else (self.amount, self.currency)


@dataclass(frozen=True)
class Reference:
    """The row `column` names, of `model`, loaded by `loader`."""

    column: str
    model: Any
    loader: Callable[[Loaders], Any]


@dataclass(frozen=True)
class Listed:
    """A page of `source`, whose arguments are `filter` and `order` inputs (each with `of`).
    A list with other arguments gives `criteria`: the source's criteria from all of them (as
    keywords, by their Python names), raising Unsupported (resolvers/selections.py) for those
    only its resolver serves."""

    source: ListSource[Any]
    filter: Any
    order: Any
    criteria: Callable[[dict[str, Any]], Any] | None = None


@dataclass(frozen=True)
class Lookup:
    """A root field naming one row of `model`: `find` looks it up from the field's arguments (as
    keywords, by their Python names), raising what the field raises for them."""

    find: Callable[..., Awaitable[Any]]
    model: Any


@dataclass(frozen=True)
class Identity:
    """The global ID of a Node, `Type:id` encoded."""


@dataclass(frozen=True)
class Redaction:
    """Why a restricted contribution's detail is withheld, or null when it is not."""

    text: str


@dataclass(frozen=True)
class Resolved:
    """Served by the resolvers only, for `why`."""

    why: str


Read = Column | MoneyColumns | Reference | Listed | Lookup | Identity | Redaction | Resolved
# What `build` fills in from the row, without a resolver.
Plain = Column | MoneyColumns | Identity | Redaction


def column(description: str, name: str | None = None, convert: Any = None) -> Any:
    """A field read from one column of the row."""
    return strawberry.field(description=description, metadata={READ: Column(name, convert)})


def money(description: str, amount: str, currency: str) -> Any:
    """A Money field read from two columns of the row."""
    return strawberry.field(
        description=description, metadata={READ: MoneyColumns(amount, currency)}
    )


def identity(description: str) -> Any:
    return strawberry.field(description=description, metadata={READ: Identity()})


def redaction(description: str, text: str) -> Any:
    return strawberry.field(description=description, metadata={READ: Redaction(text)})


# For resolver fields, the declaration goes into `strawberry.field(metadata=...)`.


def reference(column: str, model: Any, loader: Callable[[Loaders], Any]) -> dict[str, Read]:
    return {READ: Reference(column, model, loader)}


def listed(
    source: ListSource[Any],
    filter: Any,
    order: Any,
    criteria: Callable[[dict[str, Any]], Any] | None = None,
) -> dict[str, Read]:
    return {READ: Listed(source, filter, order, criteria)}


def money_in(amount: str, currency: str) -> dict[str, Read]:
    """A sum in one currency (the base currency), read from one amount column of the row."""
    return {READ: MoneyColumns(amount, None, currency)}


def lookup(find: Callable[..., Awaitable[Any]], model: Any) -> dict[str, Read]:
    return {READ: Lookup(find, model)}


def resolved(why: str) -> dict[str, Read]:
    return {READ: Resolved(why)}


def declared(field: StrawberryField) -> Read | None:
    """A field's declaration, None if it has none."""
    found: Read | None = field.metadata.get(READ)
    return found


def definition(cls: type) -> StrawberryObjectDefinition:
    found: StrawberryObjectDefinition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    return found


# Looked up once per type and field: the resolvers ask on every row.
_declarations: dict[tuple[type, str], Read | None] = {}
_plain: dict[type, tuple[tuple[str, Plain], ...]] = {}


def _declaration(cls: type, python_name: str) -> Read | None:
    key = (cls, python_name)
    if key not in _declarations:
        field = definition(cls).get_field(python_name)
        _declarations[key] = None if field is None else declared(field)
    return _declarations[key]


def _plain_fields(cls: type) -> tuple[tuple[str, Plain], ...]:
    """The fields `build` fills in: those read from the row without a resolver."""
    if cls not in _plain:
        _plain[cls] = tuple(
            (field.python_name, read)
            for field in definition(cls).fields
            if field.base_resolver is None and isinstance(read := declared(field), Plain)
        )
    return _plain[cls]


def detail(columns: tuple[str, ...]) -> bool:
    """Whether a value read from `columns` is a restricted record's detail (store/visibility.py
    decides): what both executors withhold from a viewer who may not see it."""
    return any(visibility.withheld(name) for name in columns)


def withheld(columns: tuple[str, ...], shown: bool | None) -> bool:
    """Whether a value read from `columns` is withheld: only for a restricted contribution
    whose detail this viewer may not see (`shown` False), and only for its detail."""
    return shown is False and detail(columns)


def build(cls: type[T], row: Any, shown: bool | None = None) -> T:
    """The Strawberry object of `cls` for a row, every declared plain field filled in as declared;
    `shown` is for restricted contributions: whether this viewer may see their detail."""
    values: dict[str, Any] = {"row": row}
    for name, read in _plain_fields(cls):
        if isinstance(read, Identity):
            values[name] = strawberry.ID(ids.encode(cls.__name__, row.id))
        elif isinstance(read, Redaction):
            values[name] = read.text if shown is False else None
        elif isinstance(read, MoneyColumns):
            hidden = withheld(read.columns, shown)
            amount = getattr(row, read.amount)
            currency = read.fixed if read.currency is None else getattr(row, read.currency)
            values[name] = None if hidden else Money.of(amount, currency)
        else:
            source = read.name or name
            value = getattr(row, source)
            if value is not None and read.convert is not None:
                value = read.convert(value)
            values[name] = None if withheld((source,), shown) else value
    if shown is not None:
        values["shown"] = shown
    return cls(**values)


async def referenced(parent: Any, context: Context, python_name: str) -> Any:
    """The row a reference field of `parent` names, None when there is none or when it is
    withheld from this viewer."""
    read = _declaration(type(parent), python_name)
    assert isinstance(read, Reference), f"{python_name} is declared a reference"
    if withheld((read.column,), getattr(parent, "shown", None)):
        return None
    key = getattr(parent.row, read.column)
    return None if key is None else await read.loader(context.loaders).load(key)


async def looked_up(owner: type, context: Context, python_name: str, **arguments: Any) -> Any:
    """The row a lookup field of `owner` (the Query type) names, found as compiled reads find
    it."""
    read = _declaration(owner, python_name)
    assert isinstance(read, Lookup), f"{python_name} is declared a lookup"
    return await read.find(context, **arguments)


async def page(
    parent: Any,
    context: Context,
    python_name: str,
    filter: Any,
    order_by: Any,
    slice_: Slice,
    item: Callable[[Any], Any],
) -> Connection[Any]:
    """A page of a listed field of `parent` (at the root: the Query type), each row made an
    item."""
    from schema.connection import connection  # which declares Node's ID with this module

    read = _declaration(parent if isinstance(parent, type) else type(parent), python_name)
    assert isinstance(read, Listed), f"{python_name} is declared a list"
    source = read.source
    parent_id = None if source.parent is None else parent.row.id
    listing: Listing[Any] = await source.listing(
        context, read.filter.of(filter), read.order.of(order_by), slice_, parent_id
    )
    return connection(listing, item)


def undeclared(schema: strawberry.Schema) -> list[str]:
    """`Type.field` for every field of the Query and of every Node type that has no declaration:
    each must say how it is read, or that only the resolvers serve it."""
    graphql = schema._schema
    missing = []
    for graphql_type in graphql.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType):
            continue
        is_node = any(interface.name == "Node" for interface in graphql_type.interfaces)
        if graphql_type is not graphql.query_type and not is_node:
            continue
        for name, field in graphql_type.fields.items():
            if declared(field.extensions["strawberry-definition"]) is None:
                missing.append(f"{graphql_type.name}.{name}")
    return sorted(missing)
