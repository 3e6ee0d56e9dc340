"""Which queries can be compiled, compiled into specs (resolvers/selections.py).

A whitelist: the root fields, connections, references and scalar fields below, with aliases,
variables and `__typename`. Anything else (fragments, directives, other fields, a response key
asked twice) makes the whole operation Unsupported, and it runs the ordinary way. Every field
keeps the resolver path's meaning: the same columns, the same GraphQL serializers, the same
argument conversion (Strawberry's own) and the same argument checks (the inputs' `of`).
"""

from __future__ import annotations

from collections.abc import Callable
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

from resolvers import contributions, ids, objectives, participants, plans
from resolvers.context import Context
from resolvers.listing import ListSource
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
    connection,
    standalone,
)
from resolvers.vocabulary import Priority
from schema.connection import page_slice
from schema.contribution import RESTRICTED
from schema.filters import (
    ContributionFilter,
    ContributionOrder,
    ObjectiveFilter,
    ObjectiveOrder,
    PlanFilter,
    PlanOrder,
)
from store import visibility

TYPENAME = "__typename"
MODELS: dict[str, Any] = {
    "Participant": participants.Participant,
    "Plan": plans.Plan,
    "Objective": objectives.Objective,
    "Contribution": contributions.Contribution,
}
# Fields that are a column as it is; the column is the Strawberry field's Python name.
SCALARS: dict[str, frozenset[str]] = {
    "Participant": frozenset({"code", "name", "kind", "region", "alliedSince"}),
    "Plan": frozenset(
        {"code", "title", "summary", "kind", "status", "agreedOn", "agreedOnPrecision"}
        | {"startsOn", "endsOn", "version", "createdAt", "updatedAt"}
    ),
    "Objective": frozenset(
        {"code", "title", "description", "category", "status", "targetDate", "version"}
        | {"createdAt", "updatedAt"}
    ),
    "Contribution": frozenset(
        {"kind", "status", "valuedOn", "startsOn", "endsOn", "description", "visibility"}
        | {"externalReference", "withdrawnAt", "version", "createdAt", "updatedAt"}
    ),
}
# (type, field): foreign key
REFERENCES: dict[tuple[str, str], str] = {
    ("Contribution", "contributor"): "contributor_id",
    ("Contribution", "objective"): "objective_id",
    ("Objective", "plan"): "plan_id",
    ("Objective", "carriedOverFrom"): "carried_over_from_id",
    ("Plan", "partner"): "partner_id",
}
# (type, field): (source, filter input, order input)
CONNECTIONS: dict[tuple[str, str], tuple[ListSource[Any], Any, Any]] = {
    ("Query", "plans"): (plans.PLANS, PlanFilter, PlanOrder),
    ("Query", "objectives"): (objectives.OBJECTIVES, ObjectiveFilter, ObjectiveOrder),
    ("Query", "contributions"): (
        contributions.CONTRIBUTIONS,
        ContributionFilter,
        ContributionOrder,
    ),
    ("Participant", "plans"): (plans.PLANS_OF_PARTNER, PlanFilter, PlanOrder),
    ("Plan", "objectives"): (objectives.OBJECTIVES_OF_PLAN, ObjectiveFilter, ObjectiveOrder),
    ("Plan", "contributions"): (
        contributions.CONTRIBUTIONS_OF_PLAN,
        ContributionFilter,
        ContributionOrder,
    ),
    ("Objective", "contributions"): (
        contributions.CONTRIBUTIONS_OF_OBJECTIVE,
        ContributionFilter,
        ContributionOrder,
    ),
}
# (type, field): (amount column, currency column)
MONEY: dict[tuple[str, str], tuple[str, str]] = {
    ("Contribution", "amount"): ("amount", "currency"),
    ("Objective", "requirement"): ("requirement_amount", "requirement_currency"),
}
PAGE_INFO = frozenset({"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"})

Root = RootObject | RootList | Constant


class Compiler:
    """Compiles one operation of a validated document against the schema."""

    def __init__(self, schema: strawberry.Schema) -> None:
        self.schema = schema
        self.graphql = schema._schema

    def operation(self, operation: OperationDefinitionNode) -> tuple[list[Root], list[FieldNode]]:
        """The root specs and their field nodes (which locate a root field's error)."""
        if operation.operation.value != "query" or operation.directives:
            raise Unsupported
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
        if definition is None:
            raise Unsupported
        if ("Query", name) in CONNECTIONS:
            return RootList(self._connection(node, definition, ("Query", name), nested=False))
        if name not in LOOKUPS:
            raise Unsupported
        arguments = self._arguments(definition, node)
        lookup = LOOKUPS[name]

        async def found(context: Context, variables: Variables) -> Any:
            return await lookup(context, arguments(variables))

        return RootObject(
            key,
            found,
            standalone(self._object(get_named_type(definition.type).name, node.selection_set)),
            nullable=not is_non_null_type(definition.type),
        )

    def _object(self, type_name: str, selection_set: SelectionSetNode | None) -> ObjectSpec:
        if type_name not in MODELS:
            raise Unsupported
        parent = self.graphql.get_type(type_name)
        assert isinstance(parent, GraphQLObjectType)
        fields = [self._field(type_name, parent, node) for node in _fields(selection_set)]
        return ObjectSpec(MODELS[type_name], tuple(fields), restricted=type_name == "Contribution")

    def _field(self, type_name: str, parent: GraphQLObjectType, node: FieldNode) -> Any:
        name, key = node.name.value, _key(node)
        if name == TYPENAME:
            return Constant(key, type_name)
        definition = parent.fields.get(name)
        if definition is None or (node.arguments and (type_name, name) not in CONNECTIONS):
            raise Unsupported
        if name == "id":
            return GlobalId(key, type_name)
        if name in SCALARS[type_name]:
            column = definition.extensions["strawberry-definition"].python_name
            detail = _withheld(type_name, column)
            return Scalar(key, column, _serializer(definition), detail, _written(definition))
        if (type_name, name) == ("Objective", "priority"):
            names = {rank.value: _serialize(definition)(rank) for rank in Priority}
            return Scalar(key, "priority", names.__getitem__, written=names)
        if (type_name, name) == ("Contribution", "redaction"):
            return Redaction(key, RESTRICTED)
        if (type_name, name) in MONEY:
            amount, currency = MONEY[type_name, name]
            detail = _withheld(type_name, amount) or _withheld(type_name, currency)
            return self._money(node, definition, amount, currency, detail)
        if (type_name, name) in REFERENCES:
            column = REFERENCES[type_name, name]
            target = self._object(get_named_type(definition.type).name, node.selection_set)
            return Reference(key, column, standalone(target), _withheld(type_name, column))
        if (type_name, name) in CONNECTIONS:
            return self._connection(node, definition, (type_name, name), nested=True)
        raise Unsupported

    def _money(
        self, node: FieldNode, definition: GraphQLField, amount: str, currency: str, detail: bool
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
                raise Unsupported
        serialize = _serialize(money.fields["amount"])
        return MoneyValue(_key(node), amount, currency, tuple(parts), serialize, detail)

    def _connection(
        self, node: FieldNode, definition: GraphQLField, where: tuple[str, str], nested: bool
    ) -> ConnectionSpec:
        source, filter_input, order_input = CONNECTIONS[where]
        listed = get_named_type(definition.type)
        item = _item_type(listed)
        parts: list[tuple[str, ConnectionPart]] = []
        for field in _fields(node.selection_set):
            name, key = field.name.value, _key(field)
            if field.arguments:
                raise Unsupported
            if name == TYPENAME:
                parts.append((key, Constant(key, listed.name)))
            elif name == TOTAL_COUNT:
                parts.append((key, TOTAL_COUNT))
            elif name == "nodes":
                parts.append((key, self._object(item, field.selection_set)))
            elif name == "edges":
                parts.append((key, self._edges(listed, item, field.selection_set)))
            elif name == "pageInfo":
                parts.append((key, _page_info(self.graphql.get_type("PageInfo"), field)))
            else:
                raise Unsupported
        arguments = self._arguments(definition, node)

        def bound(variables: Variables) -> ListArguments:
            given = arguments(variables)
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

        return connection(_key(node), source, bound, tuple(parts), nested)

    def _edges(
        self, connection: Any, item: str, selection_set: SelectionSetNode | None
    ) -> EdgesSpec:
        edge = get_named_type(connection.fields["edges"].type)
        parts: list[tuple[str, str | ObjectSpec | Constant]] = []
        for field in _fields(selection_set):
            name, key = field.name.value, _key(field)
            if field.arguments:
                raise Unsupported
            if name == TYPENAME:
                parts.append((key, Constant(key, edge.name)))
            elif name == "cursor":
                parts.append((key, "cursor"))
            elif name == "node":
                parts.append((key, self._object(item, field.selection_set)))
            else:
                raise Unsupported
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


def _withheld(type_name: str, column: str) -> bool:
    """Whether a column is a restricted contribution's detail, null for whoever may not see it
    (store/visibility.py decides, for this path as for every other)."""
    return type_name == "Contribution" and visibility.withheld(column)


def _fields(selection_set: SelectionSetNode | None) -> list[FieldNode]:
    """The fields of a selection set, when it is made of plain fields with distinct keys."""
    found: list[FieldNode] = []
    for selection in selection_set.selections if selection_set else ():
        if not isinstance(selection, FieldNode) or selection.directives:
            raise Unsupported
        found.append(selection)
    if len({_key(node) for node in found}) != len(found):
        raise Unsupported  # merging a key asked twice is the executor's job
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
            raise Unsupported
    return PageInfoSpec(tuple(parts))


async def _participant(context: Context, arguments: dict[str, Any]) -> Any:
    return await participants.by_code(context, arguments["code"])


async def _plan(context: Context, arguments: dict[str, Any]) -> Any:
    # As Query.plan does: the ID names a plan or the argument is at fault.
    given = arguments.get("id")
    pk = None if given is None else ids.decode(given, "id", "Plan")[1]
    return await plans.one(context, pk, arguments.get("code"))


# Root fields naming one object, looked up as their resolvers look them up.
LOOKUPS = {"participant": _participant, "plan": _plan}
