"""Compiles a query into a selection (resolvers/selections.py), from the fields' declarations.

Each field of the record types says how it is read (schema/fields.py): a column, money, a
reference, a list of a `ListSource`, a root lookup, or `resolved` (by the resolvers only). The
compiler follows those declarations and nothing else, with aliases, variables and `__typename`.
Anything it cannot compile (a `resolved` field, fragments, directives, a response key asked twice)
makes the whole operation Unsupported, and the resolvers run it. Every field keeps the resolvers'
meaning: the same columns, the same GraphQL serializers, the same argument conversion
(Strawberry's own) and the same rules (the list's source checks its arguments on both paths).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import EnumMeta
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLString,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    is_non_null_type,
)
from graphql.execution.values import get_argument_values
from strawberry.schema.schema_converter import CustomGraphQLEnumType
from strawberry.types.arguments import convert_arguments

from resolvers.context import Context
from resolvers.pagination import window_for
from resolvers.selections import (
    AS_STORED,
    DAY,
    INSTANT,
    TOTAL_COUNT,
    ConnectionPart,
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
    RootList,
    RootObject,
    Scalar,
    Serialize,
    Unsupported,
    Variables,
    Written,
)
from schema import fields
from schema.connection import page_slice

TYPENAME = "__typename"
PAGE_INFO = frozenset({"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"})

Root = RootObject | RootList | Constant


class Compiler:
    """Compiles one operation of a validated document against the schema."""

    def __init__(self, schema: strawberry.Schema) -> None:
        self.schema = schema
        self.graphql = schema._schema
        missing = fields.undeclared(schema)
        if missing:  # tests/test_field_declarations.py says the same, louder
            raise TypeError(f"fields without a declaration (schema/fields.py): {missing}")

    def operation(self, operation: OperationDefinitionNode) -> tuple[list[Root], list[FieldNode]]:
        """The root specs and their field nodes (which locate a root field's error)."""
        if operation.operation.value != "query" or operation.directives:
            raise Unsupported("not a query, or a directive on the operation")
        query = self.graphql.query_type
        assert query is not None
        nodes = _fields(operation.selection_set)
        return [self._root(node, query) for node in nodes], nodes

    def _root(self, node: FieldNode, query: GraphQLObjectType) -> Root:
        name = node.name.value
        key = _key(node)
        if name == TYPENAME:
            return Constant(key, query.name)
        definition = query.fields.get(name)
        read = None if definition is None else _declared(definition)
        if isinstance(read, fields.Listed):
            assert definition is not None
            return RootList(self._connection(node, definition, read, nested=False))
        if not isinstance(read, fields.Lookup):
            raise Unsupported(f"Query.{name} is not a list or a lookup")
        assert definition is not None
        arguments = self._arguments(definition, node)
        find = read.find

        async def found(context: Context, variables: Variables) -> Any:
            return await find(context, **arguments(variables))

        target = self._object(get_named_type(definition.type).name, read.model, node)
        nullable = not is_non_null_type(definition.type)
        return RootObject(key, found, target, nullable=nullable)

    def _object(self, type_name: str, model: Any, node: FieldNode) -> ObjectSpec:
        parent = self.graphql.get_type(type_name)
        assert isinstance(parent, GraphQLObjectType)
        # A type with a redaction carries restricted detail, withheld per row and viewer.
        restricted = any(
            isinstance(_declared(field), fields.Redaction) for field in parent.fields.values()
        )
        selected = [
            self._field(type_name, parent, field, restricted)
            for field in _fields(node.selection_set)
        ]
        return ObjectSpec(model, tuple(selected), restricted=restricted)

    def _field(
        self, type_name: str, parent: GraphQLObjectType, node: FieldNode, restricted: bool
    ) -> Any:
        name, key = node.name.value, _key(node)
        if name == TYPENAME:
            return Constant(key, type_name)
        definition = parent.fields.get(name)
        if definition is None:
            raise Unsupported(f"{type_name}.{name} is not a field")
        read = _declared(definition)
        if node.arguments and not isinstance(read, fields.Listed):
            raise Unsupported(f"{type_name}.{name} takes arguments")
        if isinstance(read, fields.Identity):
            return GlobalId(key, type_name)
        if isinstance(read, fields.Redaction):
            return Redaction(key, read.text)
        if isinstance(read, fields.Column):
            column = read.name or definition.extensions["strawberry-definition"].python_name
            detail = restricted and fields.detail((column,))
            if read.convert is None:
                return Scalar(key, column, _serializer(definition), detail, _written(definition))
            if not isinstance(read.convert, EnumMeta):
                raise Unsupported(
                    f"{type_name}.{name} converts its column in Python"
                )  # only Python knows what the conversion does
            # Stored by value (a priority's rank): the serializer's name for each value.
            members: list[Any] = list(read.convert)
            names = {member.value: _serialize(definition)(member) for member in members}
            return Scalar(key, column, names.__getitem__, detail, names)
        if isinstance(read, fields.MoneyColumns):
            detail = restricted and fields.detail(read.columns)
            return self._money(node, definition, read, detail)
        if isinstance(read, fields.Reference):
            target = self._object(get_named_type(definition.type).name, read.model, node)
            detail = restricted and fields.detail((read.column,))
            return Reference(key, read.column, target, detail)
        if isinstance(read, fields.Listed):
            return self._connection(node, definition, read, nested=True)
        why = read.why if isinstance(read, fields.Resolved) else "undeclared"
        raise Unsupported(f"{type_name}.{name} is served by the resolvers only: {why}")

    def _money(
        self, node: FieldNode, definition: GraphQLField, read: fields.MoneyColumns, detail: bool
    ) -> MoneyValue:
        money = get_named_type(definition.type)
        assert isinstance(money, GraphQLObjectType)
        parts: list[tuple[str, str | Constant]] = []
        for field in _fields(node.selection_set):
            name = field.name.value
            if name == TYPENAME:
                parts.append((_key(field), Constant(_key(field), money.name)))
            elif name in ("amount", "currency") and not field.arguments:
                parts.append((_key(field), name))
            else:
                raise Unsupported(f"Money.{name}")
        serialize = _serialize(money.fields["amount"])
        return MoneyValue(
            _key(node), read.amount, read.currency, tuple(parts), serialize, detail, read.fixed
        )

    def _connection(
        self, node: FieldNode, definition: GraphQLField, read: fields.Listed, nested: bool
    ) -> ConnectionSpec:
        source, filter_input, order_input = read.source, read.filter, read.order
        listed = get_named_type(definition.type)
        item = _item_type(listed)
        parts: list[tuple[str, ConnectionPart]] = []
        for field in _fields(node.selection_set):
            name, key = field.name.value, _key(field)
            if field.arguments:
                raise Unsupported(f"arguments on {listed.name}.{name}")
            if name == TYPENAME:
                parts.append((key, Constant(key, listed.name)))
            elif name == TOTAL_COUNT:
                parts.append((key, TOTAL_COUNT))
            elif name == "nodes":
                parts.append((key, self._object(item, source.model, field)))
            elif name == "edges":
                parts.append((key, self._edges(listed, item, source.model, field)))
            elif name == "pageInfo":
                parts.append((key, _page_info(self.graphql.get_type("PageInfo"), field)))
            else:
                raise Unsupported(f"{listed.name}.{name}")
        arguments = self._arguments(definition, node)

        def bound(variables: Variables) -> ListArguments:
            given = arguments(variables)
            if read.criteria is not None:
                criteria = read.criteria(given)
            else:
                criteria = filter_input.of(given.get("filter"))
            named = getattr(criteria, "partner_codes", ()) or getattr(
                criteria, "contributor_codes", ()
            )
            if nested and named:
                raise Unsupported  # checked once per parent by the resolver path, errors and all
            ordering = order_input.of(given.get("order_by"))
            slice_ = page_slice(
                given.get("first"), given.get("after"), given.get("last"), given.get("before")
            )
            return ListArguments(criteria, ordering, window_for(slice_, ordering))

        return ConnectionSpec(_key(node), source, bound, tuple(parts), nested)

    def _edges(self, connection: Any, item: str, model: Any, node: FieldNode) -> EdgesSpec:
        edge = get_named_type(connection.fields["edges"].type)
        parts: list[tuple[str, str | ObjectSpec | Constant]] = []
        for field in _fields(node.selection_set):
            name, key = field.name.value, _key(field)
            if field.arguments:
                raise Unsupported(f"arguments on {edge.name}.{name}")
            if name == TYPENAME:
                parts.append((key, Constant(key, edge.name)))
            elif name == "cursor":
                parts.append((key, "cursor"))
            elif name == "node":
                parts.append((key, self._object(item, model, field)))
            else:
                raise Unsupported(f"{edge.name}.{name}")
        return EdgesSpec(tuple(parts))

    def _arguments(
        self, definition: GraphQLField, node: FieldNode
    ) -> Callable[[Variables], dict[str, Any]]:
        """The field's arguments as its resolver receives them (Python names, Strawberry
        inputs and enums), from the coerced variables."""
        field = definition.extensions["strawberry-definition"]
        registry = self.schema.schema_converter.scalar_registry
        config = self.schema.config

        def convert(variables: Variables) -> dict[str, Any]:
            raw = get_argument_values(definition, node, variables)
            return convert_arguments(raw, field.arguments, registry, config)

        return convert


def _declared(definition: GraphQLField) -> fields.Read | None:
    return fields.declared(definition.extensions["strawberry-definition"])


def _fields(selection_set: SelectionSetNode | None) -> list[FieldNode]:
    """The fields of a selection set, when it is made of plain fields with distinct keys."""
    found: list[FieldNode] = []
    for selection in selection_set.selections if selection_set else ():
        if not isinstance(selection, FieldNode) or selection.directives:
            raise Unsupported("a fragment or a directive")
        found.append(selection)
    if len({_key(node) for node in found}) != len(found):
        raise Unsupported(
            "a response key asked twice"
        )  # merging a key asked twice is the executor's job
    return found


def _key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def _item_type(connection: Any) -> str:
    return str(get_named_type(connection.fields["nodes"].type).name)


def _serializer(definition: GraphQLField) -> Serialize:
    """The serializer of a field's type; None for strings, which come back as they are."""
    if get_named_type(definition.type) in (GraphQLString, GraphQLID):
        return None
    return _serialize(definition)


def _written(definition: GraphQLField) -> Written:
    """How PostgreSQL writes the field's values as its serializer does, if it can."""
    named = get_named_type(definition.type)
    if named in (GraphQLString, GraphQLID, GraphQLInt):
        return AS_STORED
    if named.name == "Date":
        return DAY
    if named.name == "DateTime":
        return INSTANT
    if isinstance(named, CustomGraphQLEnumType):
        members: list[Any] = list(named.wrapped_cls)
        return {member: named.serialize(member) for member in members}
    return None


def _serialize(definition: GraphQLField) -> Callable[[Any], Any]:
    """The type's own serializer, or for an enum its answers for every member, looked up rather
    than searched for (Strawberry's enum serializer scans the values)."""
    named = get_named_type(definition.type)
    if isinstance(named, CustomGraphQLEnumType):
        members: list[Any] = list(named.wrapped_cls)
        return {member: named.serialize(member) for member in members}.__getitem__
    assert isinstance(named, GraphQLScalarType)
    return named.serialize


def _page_info(page_info: Any, node: FieldNode) -> PageInfoSpec:
    parts: list[tuple[str, str | Constant]] = []
    for field in _fields(node.selection_set):
        name, key = field.name.value, _key(field)
        if name == TYPENAME:
            parts.append((key, Constant(key, page_info.name)))
        elif name in PAGE_INFO and not field.arguments:
            parts.append((key, name))
        else:
            raise Unsupported(f"PageInfo.{name}")
    return PageInfoSpec(tuple(parts))
