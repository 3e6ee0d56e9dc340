"""What a document costs before it runs, in the manner of Shopify's and GitHub's APIs.

An object costs 1 and a scalar nothing; a connection costs 2 plus the size it asks for times what
one of its items costs, so nested connections multiply; a mutation costs 10 plus its payload. The
cost is an upper bound worked out from the document alone: a page asked for as `first: 100` costs
a hundred items whether or not a hundred exist. Every request is charged to its token's budget
and told its cost and what is left in `extensions.cost`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from math import ceil
from typing import Any
from weakref import WeakKeyDictionary

import orjson
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_leaf_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

from resolvers.budget import Budgets
from resolvers.lru import LRU
from resolvers.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

OBJECT_COST = 1
CONNECTION_COST = 2
MUTATION_COST = 10
# The fields of a connection that repeat for every item on the page.
PER_ITEM_FIELDS = frozenset({"nodes", "edges"})


@dataclass
class _Walk:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    # A fragment costs the same wherever it is spread: worked out once, so a document that spreads
    # fragments into fragments cannot make the count itself expensive.
    known: dict[str, int]

    def selections(self, selection_set: SelectionSetNode | None, parent: Any) -> int:
        if selection_set is None:
            return 0
        return sum(self.selection(node, parent) for node in selection_set.selections)

    def selection(self, node: Any, parent: Any) -> int:
        if isinstance(node, FieldNode):
            return self.field(node, parent)
        if isinstance(node, InlineFragmentNode):
            condition = node.type_condition
            within = self.schema.get_type(condition.name.value) if condition else parent
            return self.selections(node.selection_set, within)
        if isinstance(node, FragmentSpreadNode):
            name = node.name.value
            if name not in self.known:
                self.known[name] = 0  # a cycle (refused by validation anyway) ends here
                fragment = self.fragments[name]
                within = self.schema.get_type(fragment.type_condition.name.value)
                self.known[name] = self.selections(fragment.selection_set, within)
            return self.known[name]
        return 0

    def field(self, node: FieldNode, parent: Any) -> int:
        definition = _definition(self.schema, node.name.value, parent)
        if definition is None or is_leaf_type(get_named_type(definition.type)):
            return 0
        of = get_named_type(definition.type)
        if of.name.endswith("Connection") and {"first", "last"} <= set(definition.args):
            return CONNECTION_COST + self.connection(node, of)
        inner = OBJECT_COST + self.selections(node.selection_set, of)
        if isinstance(get_nullable_type(definition.type), GraphQLList):
            return self.list_size(node) * inner
        return inner

    def connection(self, node: FieldNode, of: Any) -> int:
        per_item = other = 0
        for selection in _flatten(node.selection_set, self.fragments):
            cost = self.selection(selection, of)
            if isinstance(selection, FieldNode) and selection.name.value in PER_ITEM_FIELDS:
                # `nodes { … }` or `edges { node { … } }`: one object per item, not a list of one.
                per_item += cost
            else:
                other += cost
        return self.page_size(node) * per_item + other

    def page_size(self, node: FieldNode) -> int:
        sizes = [self.argument(node, name) for name in ("first", "last")]
        given = [size for size in sizes if isinstance(size, int)]
        size = max(given) if given else DEFAULT_PAGE_SIZE
        return min(max(size, 0), MAX_PAGE_SIZE)

    def list_size(self, node: FieldNode) -> int:
        """How many objects a plain list may hold: the IDs asked for, or the count asked for."""
        ids = self.argument(node, "ids")
        if isinstance(ids, list):
            return max(len(ids), 1)
        first = self.argument(node, "first")
        return min(max(first, 1), MAX_PAGE_SIZE) if isinstance(first, int) else 1

    def argument(self, node: FieldNode, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value == name:
                value = argument.value
                if isinstance(value, VariableNode):
                    return self.variables.get(value.name.value)
                if isinstance(value, IntValueNode):
                    return int(value.value)
                if isinstance(value, ListValueNode):
                    return list(value.values)
        return None


def _definition(schema: GraphQLSchema, name: str, parent: Any) -> GraphQLField | None:
    if name == "__schema":
        return SchemaMetaFieldDef
    if name == "__type":
        return TypeMetaFieldDef
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        found: GraphQLField | None = parent.fields.get(name)
        return found
    return None


def _flatten(
    selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode]
) -> Iterator[Any]:
    """The fields directly under a connection, whichever fragments they were written in."""
    for node in selection_set.selections if selection_set else ():
        if isinstance(node, InlineFragmentNode):
            yield from _flatten(node.selection_set, fragments)
        elif isinstance(node, FragmentSpreadNode):
            yield from _flatten(fragments[node.name.value].selection_set, fragments)
        else:
            yield node


def document_cost(
    schema: GraphQLSchema,
    document: Any,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> int:
    """The cost of the operation a request runs, from a document that passed validation."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    walk = _Walk(schema, fragments, variables or {}, {})
    root = schema.get_root_type(operation.operation)
    cost = walk.selections(operation.selection_set, root)
    if operation.operation is OperationType.MUTATION:
        cost += MUTATION_COST * sum(
            1
            for node in _flatten(operation.selection_set, fragments)
            if isinstance(node, FieldNode)
        )
    return cost


# Costs worked out, per schema, by the document's text, the operation and the variables: a client
# polls with the same document and variables, and the walk costs more than the lookup.
COSTS_KEPT = 512
_costs: WeakKeyDictionary[GraphQLSchema, LRU[tuple[str, str | None, bytes], int]] = (
    WeakKeyDictionary()
)


def priced(
    schema: GraphQLSchema,
    document: Any,
    query: str | None,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> int:
    """`document_cost`, worked out once for the same text, operation and variables."""
    try:
        sent = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # an integer beyond 64 bits: worked out afresh
        sent = None
    if query is None or sent is None:
        return document_cost(schema, document, operation_name, variables)
    costs = _costs.setdefault(schema, LRU(COSTS_KEPT))
    key = (query, operation_name, sent)
    found = costs.get(key)
    if found is None:
        found = costs.put(key, document_cost(schema, document, operation_name, variables))
    return found


def charge(cost: int, max_cost: int, request: Any) -> tuple[dict[str, Any], list[GraphQLError]]:
    """Charges `cost` to the budget of the request's token (a Context, or None when unmetered):
    the `extensions.cost` report, and the errors that refuse the request (none when it may run).
    """
    report: dict[str, Any] = {"requestedQueryCost": cost, "maximumQueryCost": max_cost}
    if cost > max_cost:
        return report, [
            GraphQLError(
                f"This query would cost {cost} points; one request may cost at most "
                f"{max_cost}. Ask for smaller pages (`first`/`last`) or fewer nested "
                "connections.",
                extensions={"code": "MAX_COST_EXCEEDED", "cost": cost},
            )
        ]
    budgets: Budgets | None = getattr(request, "budgets", None)
    viewer = getattr(request, "viewer", None)
    if budgets is None or viewer is None:
        return report, []
    outcome = budgets.charge(viewer.token_id, cost)
    report["throttleStatus"] = {
        "maximumAvailable": budgets.capacity,
        "currentlyAvailable": outcome.available,
        "restoreRate": budgets.restore_rate,
    }
    if outcome.allowed:
        return report, []
    wait = ceil(outcome.retry_after)
    return report, [
        GraphQLError(
            f"Throttled: this query costs {cost} points and this token has "
            f"{outcome.available} left, restoring {budgets.restore_rate:g} a second. "
            f"Retry in {wait} s.",
            extensions={"code": "THROTTLED", "cost": cost, "retryAfterSeconds": wait},
        )
    ]
