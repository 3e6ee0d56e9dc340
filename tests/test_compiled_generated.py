"""The compiled path against the resolver path, on documents hypothesis-graphql writes.

tests/test_compiled_reads.py holds chosen documents to one answer and
tests/test_read_paths_generated.py enumerates a connection's members; here the documents are
generated, from the served schema cut down to what the compiler compiles. The cut is found by
asking the compiler itself (schema/compiler.py) about every field reachable from Query, so a field
it learns to compile is generated from the day it compiles, and no list here can fall behind it.
hypothesis-graphql chooses the roots, the lists within lists and their arguments; the documents
are then dressed as clients write them (more scalars and references, aliases, a field asked twice
under two names, `__typename`).

The values are real: participant and plan codes, global IDs, currencies, dates and cursors of every
ordering, read from the seeded database through the API first, with now and then one that names
nothing or fails its check. Each document goes, as each person of conftest's PEOPLE, to an app
with compiled reads and to one without (the resolver path), over the same database on each back
end: the same status and the same bytes, every time. A difference is reported with the smallest
document found that still shows it, and both answers.

The compiled path silently leaves what it does not support to the resolvers, so the runs also
assert that most requests were answered by the compiled path, and that between them the documents
it answered asked for every field it compiles; otherwise the comparison would prove little.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import zlib
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import graphql
import httpx
import orjson
import pytest
import strawberry
from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    NameNode,
    SelectionSetNode,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
    is_required_argument,
)
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

from resolvers.compiled import CompiledRead
from resolvers.selections import Unsupported
from schema import build_schema
from schema.compiler import Compiler
from tests.conftest import PEOPLE, Api, running_api
from tests.test_compiled_reads import METERED

# Documents per back end and person (a third of them drawn twice, and sent once): some 120
# documents and 240 requests per back end, the module in about a minute on a 2-core machine.
EXAMPLES = 30

# Of the requests a back end's runs send, the share the compiled path must answer itself, and of
# one person's run. The rest are documents it leaves to the resolvers on purpose (an argument that
# fails its check, a nested filter naming codes, a cost over the limit): compared all the same.
SERVED_SHARE = 0.7
PERSON_SHARE = 0.5

GENERATED = settings(
    max_examples=EXAMPLES,
    database=None,  # the run is fixed by its seed (below), never by what failed last time
    deadline=None,  # a request's time is not the property, and the machine is shared
    # Drawing a document takes tens of milliseconds, more on a busy machine: slow generation is
    # no flakiness of the comparison. (No function-scoped fixture reaches the examples: they run
    # in a function of the test's own.)
    suppress_health_check=[HealthCheck.too_slow],
    # Hypothesis shrinks by drawing whole documents again, each attempt a few hundred choices
    # redrawn and sent: minutes for one failure, past the test's timeout. A failing document is
    # shrunk as a document instead (`Paths.smallest`), and its report is that smaller one's.
    phases=[Phase.explicit, Phase.generate],
)
# Seconds spent shrinking a failing document before the smallest found so far is reported.
SHRINKING = 60.0

HOLE = "<>"  # where a probe's field goes in the document that reaches its type
TYPENAME = "__typename"


# --- what the compiler compiles, found by asking it ---------------------------------------------


def compiled_fields(served: strawberry.Schema) -> dict[str, dict[str, bool]]:
    """Each type the compiler reaches from Query, and each of its fields it compiles, with whether
    the field takes its arguments there. A field is probed under a document that reached its type
    (its first compiled path from Query), alone, with each argument given (as null: compiling
    reads no value) and without; a composite field asks only `__typename` below it."""
    compiler = Compiler(served)
    schema = served._schema
    assert schema.query_type is not None
    query = schema.query_type.name
    reached = {query: "{ " + HOLE + " }"}
    found: dict[str, dict[str, bool]] = {}
    waiting = [query]
    while waiting:
        owner = waiting.pop(0)
        outer = reached[owner]
        owner_type = schema.get_type(owner)
        assert isinstance(owner_type, GraphQLObjectType)
        found[owner] = {}
        for name, definition in owner_type.fields.items():
            target = get_named_type(definition.type)
            below = "" if is_leaf_type(target) else " { __typename }"
            given = ", ".join(f"{argument}: null" for argument in definition.args)
            if given and _compiles(compiler, outer.replace(HOLE, f"{name}({given}){below}")):
                found[owner][name] = True
            elif not any(map(is_required_argument, definition.args.values())) and _compiles(
                compiler, outer.replace(HOLE, name + below)
            ):
                found[owner][name] = False
            else:
                continue
            if not is_leaf_type(target) and target.name not in reached:
                reached[target.name] = outer.replace(HOLE, f"{name} {{ {HOLE} }}")
                waiting.append(target.name)
    return found


def _compiles(compiler: Compiler, document: str) -> bool:
    operation = graphql.parse(document).definitions[0]
    assert isinstance(operation, graphql.OperationDefinitionNode)
    try:
        compiler.operation(operation)
    except Unsupported:
        return False
    return True


# Where the values of scalar arguments come from: each is a scalar of the cut schema, whose values
# `value_strategies` draws from the seeded data. An argument that is not here stops the module
# (see `_argument_values`): it needs values before it can be generated.
INPUT_VALUES = {
    "partners": "ParticipantCodes",
    "contributors": "ParticipantCodes",
    "plans": "PlanIds",
    "objectives": "ObjectiveIds",
    "currencies": "Currencies",
    "activeOn": "Day",
}


# Arguments whose every value the compiled path leaves to the resolvers (the overlaps on a day,
# within a period or as at a past day: schema/analysis.py's `overlapping`), so documents would
# only prove the fallback; tests/test_analysis_api.py and tests/test_as_of.py hold those to
# their definitions. Left out of the cut.
RESOLVERS_ONLY = {"aidOverlaps": ("activeOn", "period", "asOf")}


def _argument_values(definition: GraphQLField, argument: str) -> str:
    """The value scalar of a field's scalar argument: page sizes, cursors of the listed type, and
    the codes and IDs of the type looked up."""
    target = get_named_type(definition.type)
    if argument in ("first", "last"):
        return argument.capitalize()
    if argument in ("after", "before") and isinstance(target, GraphQLObjectType):
        return _item(target) + argument.capitalize()
    if argument in ("code", "id"):
        return target.name + argument.capitalize()
    if argument == "minimumContributors":
        return "Minimum"
    raise LookupError(f"no values for argument {argument} of a field of type {target.name}")


def _item(connection: GraphQLObjectType) -> str:
    return str(get_named_type(connection.fields["nodes"].type).name)


@dataclass
class Cut:
    """The served schema cut down to what compiles, as SDL: compiled fields only, and scalar
    arguments typed as value scalars (`nullable`: whether the argument may be null)."""

    served: graphql.GraphQLSchema
    definitions: dict[str, str] = field(default_factory=dict)
    nullable: dict[str, bool] = field(default_factory=dict)

    def object(self, name: str, fields: dict[str, bool]) -> None:
        owner = self.served.get_type(name)
        assert isinstance(owner, GraphQLObjectType)
        lines = []
        for field_name, with_arguments in fields.items():
            definition = owner.fields[field_name]
            self._output(get_named_type(definition.type))
            arguments = ""
            if with_arguments:
                given = [
                    f"{argument}: {self._argument(definition, argument, value.type)}"
                    for argument, value in definition.args.items()
                    if argument not in RESOLVERS_ONLY.get(field_name, ())
                ]
                arguments = f"({', '.join(given)})"
            lines.append(f"  {field_name}{arguments}: {definition.type}")
        self.definitions[name] = f"type {name} {{\n" + "\n".join(lines) + "\n}"

    def _output(self, named: GraphQLNamedType) -> None:
        if isinstance(named, GraphQLEnumType):
            self.definitions[named.name] = graphql.print_type(named)
        elif isinstance(named, GraphQLScalarType) and not graphql.is_specified_scalar_type(named):
            self.definitions[named.name] = f"scalar {named.name}"

    def _argument(self, definition: GraphQLField, argument: str, type_: Any) -> str:
        named = get_named_type(type_)
        if isinstance(named, GraphQLEnumType):
            self.definitions[named.name] = graphql.print_type(named)
            return str(type_)
        if isinstance(named, GraphQLInputObjectType):
            self._input(named)
            return str(type_)
        # Always given, as the value scalar: its strategy decides how often it is null.
        return self._value(_argument_values(definition, argument), type_) + "!"

    def _value(self, name: str, type_: Any) -> str:
        """The value scalar `name`, for a place of type `type_`: it may be null only if every
        place it goes may be."""
        self.definitions[name] = f"scalar {name}"
        self.nullable[name] = self.nullable.get(name, True) and not is_non_null_type(type_)
        return name

    def _input(self, named: GraphQLInputObjectType) -> None:
        if named.name in self.definitions:
            return
        self.definitions[named.name] = ""  # being written: an input that refers to itself
        lines = []
        for name, member in named.fields.items():
            inner = get_named_type(member.type)
            if isinstance(inner, GraphQLEnumType | GraphQLInputObjectType):
                if isinstance(inner, GraphQLEnumType):
                    self.definitions[inner.name] = graphql.print_type(inner)
                else:
                    self._input(inner)
                type_name = str(member.type) + _default(member)
            else:
                if name not in INPUT_VALUES:
                    raise LookupError(f"no values for {named.name}.{name}: add to INPUT_VALUES")
                # Optional as before: hypothesis-graphql leaves it out, or gives null, or a value.
                required = "!" if is_non_null_type(member.type) else ""
                type_name = self._value(INPUT_VALUES[name], member.type) + required
            lines.append(f"  {name}: {type_name}")
        self.definitions[named.name] = f"input {named.name} {{\n" + "\n".join(lines) + "\n}"


def _default(member: graphql.GraphQLInputField) -> str:
    """An input field's default, if it has one other than null: such a field may be left out."""
    if member.default_value is graphql.Undefined or member.default_value is None:
        return ""
    default = graphql.ast_from_value(member.default_value, member.type)
    assert default is not None
    return f" = {graphql.print_ast(default)}"


@dataclass(frozen=True)
class CutSchema:
    schema: graphql.GraphQLSchema
    fields: dict[str, dict[str, bool]]
    # Value scalars, and whether each may be null.
    nullable: dict[str, bool]

    @property
    def roots(self) -> list[str]:
        assert self.schema.query_type is not None
        return list(self.schema.query_type.fields)


def cut_schema() -> CutSchema:
    served = build_schema()
    fields = compiled_fields(served)
    cut = Cut(served._schema)
    for name, members in fields.items():
        cut.object(name, members)
    sdl = "\n\n".join(text for text in cut.definitions.values())
    return CutSchema(graphql.build_schema(sdl), fields, cut.nullable)


# --- real values ---------------------------------------------------------------------------------

# Codes, IDs and dates of the seeded data, read as the secretariat (who sees everything).
DISCOVER = """
{
  plans(first: 100) { nodes { id code startsOn partner { code } } }
  objectives(first: 100) { nodes { id } }
  contributions(first: 100) { nodes { startsOn contributor { code } amount { currency } } }
}
"""

# A participant code that names nobody, and one that is not a code.
NO_PARTICIPANT = ("ZZ", "G3")
NO_PLAN = "XX-NONE-1999"
NOT_AN_ID = "nonsense"
NOT_A_CURSOR = ("nonsense", "")


@dataclass(frozen=True)
class Known:
    """Values the seeded data holds."""

    participants: list[str]
    plan_codes: list[str]
    ids: dict[str, list[str]]
    currencies: list[str]
    days: list[str]
    # Cursors of each listed type, by the ordering they belong to ("": the default one).
    cursors: dict[str, dict[str, list[str]]]


def cursor_lists(cut: CutSchema) -> list[tuple[str, str, str]]:
    """The first cursors of every root list in every ordering and direction, and in none:
    each list's field, its ordering, and how it is asked."""
    query = cut.schema.query_type
    assert query is not None
    asked = []
    for name, definition in query.fields.items():
        listed = get_named_type(definition.type)
        if not (isinstance(listed, GraphQLObjectType) and "edges" in listed.fields):
            continue
        orderings = {"": ""}
        order = definition.args.get("orderBy")
        if order is not None:
            order_type = get_named_type(order.type)
            assert isinstance(order_type, GraphQLInputObjectType)
            by = get_named_type(order_type.fields["field"].type)
            assert isinstance(by, GraphQLEnumType)
            for value in by.values:
                for direction in ("ASC", "DESC"):
                    ordering = f"{{ field: {value}, direction: {direction} }}"
                    orderings[ordering] = f", orderBy: {ordering}"
        for ordering, argument in orderings.items():
            asked.append((name, ordering, f"{name}(first: 3{argument}) {{ edges {{ cursor }} }}"))
    return asked


async def known_values(paths: Paths, cut: CutSchema) -> Known:
    """What the seeded data holds, asked of both paths (their budgets stay in step)."""
    found = (await paths.compare(DISCOVER, "secretariat")).json()["data"]
    plans = found["plans"]["nodes"]
    contributions = found["contributions"]["nodes"]
    participants = {plan["partner"]["code"] for plan in plans} | {
        c["contributor"]["code"] for c in contributions if c["contributor"]
    }
    days = {plan["startsOn"] for plan in plans} | {c["startsOn"] for c in contributions}
    lists = cursor_lists(cut)
    document = "{ " + " ".join(f"c{n}: {call}" for n, (_, _, call) in enumerate(lists)) + " }"
    listed = (await paths.compare(document, "secretariat")).json()["data"]
    query = cut.schema.query_type
    assert query is not None
    cursors: dict[str, dict[str, list[str]]] = {}
    for n, (name, ordering, _) in enumerate(lists):
        connection = get_named_type(query.fields[name].type)
        assert isinstance(connection, GraphQLObjectType)
        found_here = [edge["cursor"] for edge in listed[f"c{n}"]["edges"]]
        by_ordering = cursors.setdefault(_item(connection), {})
        by_ordering[ordering] = sorted({*by_ordering.get(ordering, ()), *found_here})
    return Known(
        participants=sorted(participants | {code for code, _ in PEOPLE.values()}),
        plan_codes=sorted(plan["code"] for plan in plans),
        ids={
            "Plan": sorted(plan["id"] for plan in plans),
            "Objective": sorted(objective["id"] for objective in found["objectives"]["nodes"]),
        },
        currencies=sorted({c["amount"]["currency"] for c in contributions if c["amount"]}),
        days=sorted(day for day in days if day),
        cursors=cursors,
    )


def chance(k: int) -> st.SearchStrategy[bool]:
    """True once in 2**k: k coins all heads. (Hypothesis draws integers and choices toward their
    bounds, so `one_of` or `integers` weigh nothing; a coin is fair.) Shrinks toward False."""
    return st.tuples(*[st.booleans()] * k).map(all)


def often(
    usual: st.SearchStrategy[Any], odd: st.SearchStrategy[Any], k: int = 4
) -> st.SearchStrategy[Any]:
    """`odd` once in 2**k, `usual` otherwise. A value that fails its check sends the whole
    document to the resolver path, and a document has a dozen values: most must pass."""
    return st.tuples(chance(k), usual, odd).map(lambda drawn: drawn[2] if drawn[0] else drawn[1])


Values = st.SearchStrategy[Any]


def null_once_in(k: int) -> Callable[[Values], Values]:
    """An argument that may be null: null once in 2**k."""
    return lambda values: st.tuples(chance(k), values).map(
        lambda drawn: nodes.Null if drawn[0] else drawn[1]
    )


def given_once_in(k: int) -> Callable[[Values], Values]:
    """An argument that may be null: given once in 2**k, null otherwise."""
    return lambda values: st.tuples(chance(k), values).map(
        lambda drawn: drawn[1] if drawn[0] else nodes.Null
    )


def value_strategies(known: Known, cut: CutSchema) -> dict[str, Values]:
    """A strategy for each value scalar of the cut schema."""

    def text(real: list[str], *odd: str, k: int = 4) -> Values:
        return often(st.sampled_from(real), st.sampled_from(odd), k).map(nodes.String)

    def texts(one: Values) -> Values:
        return st.lists(one, max_size=3).map(nodes.List)

    participant = often(
        st.sampled_from(known.participants),
        st.sampled_from([*NO_PARTICIPANT, *(code.lower() for code in known.participants)]),
    ).map(nodes.String)
    # Values that fail their checks (an ID of the wrong type, a page too large, a cursor that
    # does not parse) are rarer than codes that name nothing: lists are asked within lists.
    plan_id = text(known.ids["Plan"], NOT_AN_ID, known.ids["Objective"][0], k=6)
    objective_id = text(known.ids["Objective"], NOT_AN_ID, known.ids["Plan"][0], k=6)
    small = often(st.integers(0, 6), st.sampled_from((100, 101, -1)), 6).map(nodes.Int)
    day = often(
        st.sampled_from(known.days),
        st.dates(date(2000, 1, 1), date(2035, 12, 31)).map(date.isoformat),
    ).map(nodes.String)
    # A small first page mostly (the default of 20 within lists within lists soon costs more than
    # a request may), the other bounds now and then; a plan by its code mostly, by its ID now and
    # then. Both bounds at once, or a plan by both or neither, is refused: a few are enough.
    values: dict[str, tuple[Values, Callable[[Values], Values] | None]] = {
        "ParticipantCode": (participant, None),
        "PlanCode": (text(known.plan_codes, NO_PLAN), null_once_in(3)),
        "PlanId": (plan_id, given_once_in(4)),
        "First": (small, null_once_in(3)),
        "Last": (small, given_once_in(5)),
        # Now and then: a list within a list whose filter names codes is the resolvers' (their
        # check fails once per parent); hypothesis-graphql also leaves it out or null at times.
        "ParticipantCodes": (texts(participant), given_once_in(1)),
        "PlanIds": (texts(plan_id), None),
        "ObjectiveIds": (texts(objective_id), None),
        "Currencies": (texts(text(known.currencies, "XXX", "eur")), None),
        "Day": (day, None),
        # At least two contributors; now and then a number the field refuses.
        "Minimum": (often(st.integers(2, 4), st.sampled_from((1, 1001)), 5).map(nodes.Int), None),
    }
    for item, by_ordering in known.cursors.items():
        # Mostly of the default ordering, which a list has when it is asked for none.
        every = sorted({cursor for cursors in by_ordering.values() for cursor in cursors})
        cursor = often(st.sampled_from(by_ordering[""]), st.sampled_from(every), 1)
        cursor = often(cursor, st.sampled_from(NOT_A_CURSOR), 6).map(nodes.String)
        values[f"{item}After"] = (cursor, given_once_in(3))
        values[f"{item}Before"] = (cursor, given_once_in(4))
    missing = set(cut.nullable) - set(values)
    assert not missing, f"value scalars without values: {sorted(missing)}"
    return {
        name: nulls(strategy) if nulls is not None and cut.nullable[name] else strategy
        for name, (strategy, nulls) in values.items()
        if name in cut.nullable
    }


# --- documents -----------------------------------------------------------------------------------


def documents(cut: CutSchema, values: dict[str, st.SearchStrategy[Any]]) -> Any:
    """Queries over the cut schema's root fields, dressed (see `Dressing`)."""
    generated = queries(cut.schema, custom_scalars=values, print_ast=lambda node: node)

    @st.composite
    def drawn(draw: st.DrawFn) -> str:
        document = draw(generated)
        (operation,) = document.definitions
        assert isinstance(operation, graphql.OperationDefinitionNode)
        query = cut.schema.query_type
        assert query is not None
        selections = Dressing(draw, values)(operation.selection_set, query, root=True)
        return graphql.print_ast(replace(operation, selection_set=selections))

    return drawn()


@dataclass
class Dressing:
    """Dresses a generated selection set: more fields below the root (a scalar; a reference,
    money or a list asking for some of its fields; a list's page drawn from the value scalars),
    now and then a field under an alias or asked again beside itself under one, and `__typename`
    here and there; each shrinks away. hypothesis-graphql chooses the shape and the arguments but,
    steered by the size of the recursive types, seldom a scalar, a reference or a list below the
    first: these make sure every one is asked."""

    draw: st.DrawFn
    values: dict[str, st.SearchStrategy[Any]]
    aliases: Iterator[int] = field(default_factory=lambda: iter(range(1, 10_000)))

    def __call__(
        self, selections: SelectionSetNode, owner: GraphQLObjectType, root: bool = False
    ) -> SelectionSetNode:
        draw = self.draw
        dressed = [self._field(node, owner) for node in selections.selections]
        asked = {node.name.value for node in dressed}
        # Below the root, where no field needs an argument this cannot draw.
        absent = [
            name
            for name, definition in owner.fields.items()
            if name not in asked and not root and all(map(self._drawn, definition.args.values()))
        ]
        for name in draw(st.lists(st.sampled_from(absent), unique=True)) if absent else ():
            definition = owner.fields[name]
            added = _leafy(draw, name, get_named_type(definition.type))
            if definition.args:
                added = replace(added, arguments=self._arguments(definition))
            dressed.append(added)
        if draw(chance(2)):
            index = draw(st.integers(0, len(dressed) - 1))
            alias = NameNode(value=f"a{next(self.aliases)}")
            if draw(st.booleans()):
                dressed[index] = replace(dressed[index], alias=alias)
            else:
                dressed.append(replace(dressed[index], alias=alias))
        if draw(chance(3)):
            dressed.append(FieldNode(name=NameNode(value=TYPENAME)))
        return SelectionSetNode(selections=tuple(dressed))

    def _field(self, node: Any, owner: GraphQLObjectType) -> FieldNode:
        assert isinstance(node, FieldNode)
        if node.selection_set is None:
            return node
        below = get_named_type(owner.fields[node.name.value].type)
        assert isinstance(below, GraphQLObjectType)
        return replace(node, selection_set=self(node.selection_set, below))

    def _drawn(self, argument: graphql.GraphQLArgument) -> bool:
        """Whether the argument is one this gives (a value scalar), or may be left out."""
        return get_named_type(argument.type).name in self.values or not is_non_null_type(
            argument.type
        )

    def _arguments(self, definition: GraphQLField) -> tuple[graphql.ArgumentNode, ...]:
        """The arguments typed as value scalars (a page, its bounds), drawn as hypothesis-graphql
        draws them; the others (a filter, an ordering) left out."""
        given = []
        for name, argument in definition.args.items():
            scalar = get_named_type(argument.type).name
            if scalar in self.values:
                value = self.draw(self.values[scalar])
                given.append(graphql.ArgumentNode(name=NameNode(value=name), value=value))
        return tuple(given)


def _leafy(draw: st.DrawFn, name: str, target: GraphQLNamedType, depth: int = 2) -> FieldNode:
    """The field, and if it is an object some of its fields that take no arguments, down to
    `depth` objects (`__typename` where nothing is left to ask)."""
    if not isinstance(target, GraphQLObjectType):
        return FieldNode(name=NameNode(value=name))
    members = [
        member
        for member, definition in target.fields.items()
        if not definition.args and (depth > 1 or _is_leaf(definition))
    ]
    whole = members and all(_is_leaf(target.fields[member]) for member in members)
    if whole and draw(st.booleans()):
        # A value of a few leaves (money, a total) is mostly asked for whole, as clients do.
        chosen = members
    else:
        chosen = draw(st.lists(st.sampled_from(members or [TYPENAME]), min_size=1, unique=True))
    below = tuple(
        _leafy(draw, member, get_named_type(target.fields[member].type), depth - 1)
        if member != TYPENAME
        else FieldNode(name=NameNode(value=TYPENAME))
        for member in chosen
    )
    return FieldNode(name=NameNode(value=name), selection_set=SelectionSetNode(selections=below))


def _is_leaf(definition: GraphQLField) -> bool:
    return is_leaf_type(get_named_type(definition.type))


# --- the two paths -------------------------------------------------------------------------------


@dataclass
class Served:
    """Root fields the compiled path ran: their JSON built by the database."""

    counts: Counter[str] = field(default_factory=Counter)

    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Paths:
    compiled: Api
    resolver: Api
    served: Served = field(default_factory=Served)

    async def compare(self, document: str, person: str) -> httpx.Response:
        """The document's answer from both paths, which must be the same bytes and status."""
        compiled = await self.compiled.post(document, None, person)
        resolver = await self.resolver.post(document, None, person)
        same = (compiled.status_code, compiled.headers.get("content-type"), compiled.content) == (
            resolver.status_code,
            resolver.headers.get("content-type"),
            resolver.content,
        )
        assert same, _difference(person, document, compiled, resolver)
        assert resolver.status_code < 500, _difference(person, document, compiled, resolver)
        return resolver

    async def difference(self, document: str, person: str) -> str | None:
        try:
            await self.compare(document, person)
        except AssertionError as difference:
            return str(difference)
        return None

    async def smallest(self, document: str, person: str, difference: str) -> str:
        """The difference of the smallest document found (within SHRINKING seconds) by leaving
        out its fields, arguments and input fields one at a time while the answers still differ,
        and how much smaller it is."""
        started = time.monotonic()
        node, index = graphql.parse(document), 0
        while time.monotonic() - started < SHRINKING:
            smaller = _without(node, index)
            if smaller is None:
                break
            found = await self.difference(graphql.print_ast(smaller), person)
            if found is None:
                index += 1
            else:
                node, difference = smaller, found
        smallest = len(graphql.print_ast(node))
        return f"(shrunk from {len(document)} to {smallest} characters) {difference}"


REMOVABLE = (FieldNode, graphql.ArgumentNode, graphql.ObjectFieldNode)


def _without(document: graphql.DocumentNode, index: int) -> graphql.DocumentNode | None:
    """The document without its `index`th field, argument or input field (in document order),
    or None if it has fewer."""
    seen = 0

    class Leave(graphql.Visitor):
        def enter(self, node: Any, *_: Any) -> Any:
            nonlocal seen
            if isinstance(node, REMOVABLE):
                seen += 1
                if seen == index + 1:
                    return graphql.REMOVE
            return None

    smaller = graphql.visit(document, Leave())
    return smaller if seen > index else None


def _difference(
    person: str, document: str, compiled: httpx.Response, resolver: httpx.Response
) -> str:
    """The document and both answers, with where they first differ."""
    where = "status or headers"
    with contextlib.suppress(orjson.JSONDecodeError):
        where = _first_difference(orjson.loads(compiled.content), orjson.loads(resolver.content))
    return (
        f"the paths answer differently as {person}, first at {where}\n{document}\n"
        f"compiled path: {compiled.status_code} {compiled.text[:4000]}\n"
        f"resolver path: {resolver.status_code} {resolver.text[:4000]}"
    )


def _first_difference(mine: Any, theirs: Any, at: str = "") -> str:
    if isinstance(mine, dict) and isinstance(theirs, dict):
        if list(mine) != list(theirs):
            return f"{at or '.'} (keys {list(mine)} != {list(theirs)})"
        for key in mine:
            if mine[key] != theirs[key]:
                return _first_difference(mine[key], theirs[key], f"{at}.{key}")
    if isinstance(mine, list) and isinstance(theirs, list) and len(mine) == len(theirs):
        for index, (one, other) in enumerate(zip(mine, theirs, strict=True)):
            if one != other:
                return _first_difference(one, other, f"{at}[{index}]")
    if mine == theirs:
        return f"{at or '.'} (the same JSON in other bytes)"
    return f"{at or '.'}: compiled {_short(mine)} != resolver {_short(theirs)}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 300 else text[:300] + "..."


@pytest.fixture(scope="module")
def cut() -> CutSchema:
    return cut_schema()


@pytest.fixture(scope="module")
async def paths(seeded_url: str) -> AsyncIterator[Paths]:
    """Both paths over the seeded database. They get the same requests in the same order, so
    their cost budgets, reported in every answer, agree."""
    async with (
        running_api(seeded_url, **METERED) as compiled,
        running_api(seeded_url, compiled_reads=False, **METERED) as resolver,
    ):
        yield Paths(compiled, resolver)


@pytest.fixture(scope="module")
async def values(paths: Paths, cut: CutSchema) -> dict[str, st.SearchStrategy[Any]]:
    return value_strategies(await known_values(paths, cut), cut)


@pytest.fixture
def served(paths: Paths, monkeypatch: pytest.MonkeyPatch) -> Served:
    """Counts the root fields the compiled path runs (the resolver path runs none of these)."""
    root = CompiledRead.root

    async def spy(self: CompiledRead, spec: Any, variables: Any) -> Any:
        paths.served.counts["json"] += 1
        return await root(self, spec, variables)

    monkeypatch.setattr(CompiledRead, "root", spy)
    return paths.served


@dataclass
class Tally:
    """A back end's runs: which path answered, who asked, and the fields of the documents the
    compiled path answered."""

    answered: Counter[str] = field(default_factory=Counter)
    people: set[str] = field(default_factory=set)
    asked: set[tuple[str, str]] = field(default_factory=set)

    def count(self, cut: CutSchema, document: str, compiled: bool) -> None:
        self.answered["compiled" if compiled else "resolver"] += 1
        if not compiled:
            return
        types = graphql.TypeInfo(cut.schema)
        asked = self.asked

        class Fields(graphql.Visitor):
            def enter_field(self, node: FieldNode, *_: Any) -> None:
                parent = types.get_parent_type()
                if parent is not None and node.name.value != TYPENAME:
                    asked.add((parent.name, node.name.value))

        graphql.visit(graphql.parse(document), graphql.TypeInfoVisitor(types, Fields()))


@pytest.fixture(scope="module")
def tally(backend: str) -> Tally:
    return Tally()


def test_the_cut_schema_holds_the_compiled_roots_and_nothing_the_compiler_refuses() -> None:
    # The compiled path's roots today: the probe must find at least these, and nothing the
    # compiler refuses.
    cut = cut_schema()
    assert {"plans", "objectives", "contributions", "participant", "plan"} <= set(cut.roots)
    assert {"viewer", "node", "partners"}.isdisjoint(cut.roots)
    assert cut.fields["Contribution"].keys() >= {"amount", "contributor", "objective"}
    assert "role" not in cut.fields["Participant"], "a field the compiler refuses is left out"


@pytest.mark.parametrize("person", list(PEOPLE))
async def test_generated_documents_answer_alike_on_both_paths(
    paths: Paths,
    cut: CutSchema,
    values: dict[str, st.SearchStrategy[Any]],
    served: Served,
    tally: Tally,
    backend: str,
    person: str,
) -> None:
    loop = asyncio.get_running_loop()
    answered: Counter[str] = Counter()
    # Hypothesis draws some documents more than once: each is sent once, and answers again as it
    # answered the first time (hypothesis replays a failure before reporting it).
    differences: dict[str, str | None] = {}

    async def one(document: str) -> str | None:
        """How the paths' answers to the document (or a smaller one) differ, or None."""
        if document not in differences:
            before = served.total()
            difference = await paths.difference(document, person)
            if difference is not None:
                difference = await paths.smallest(document, person, difference)
            else:
                compiled = served.total() > before
                answered["compiled" if compiled else "resolver"] += 1
                tally.count(cut, document, compiled)
            differences[document] = difference
        return differences[document]

    # Hypothesis runs in a thread of its own and each example's requests on the test's event
    # loop, where the apps and their connections live: the share served is asserted after it.
    @GENERATED
    @seed(zlib.crc32(f"{backend} {person}".encode()))
    @given(document=documents(cut, values))
    def compare(document: str) -> None:
        difference = asyncio.run_coroutine_threadsafe(one(document), loop).result()
        assert difference is None, difference

    await asyncio.to_thread(compare)

    tally.people.add(person)
    print(f"\n{backend}, as {person}: {dict(answered)}")
    assert answered["compiled"] >= PERSON_SHARE * sum(answered.values()), answered


async def test_the_compiled_path_answered_most_documents_and_every_compiled_field(
    cut: CutSchema, tally: Tally, paths: Paths, backend: str
) -> None:
    if not tally.people:
        pytest.skip("no generated documents were sent: run the module's tests together")
    share = tally.answered["compiled"] / sum(tally.answered.values())
    print(f"\n{backend}: {dict(tally.answered)}, {share:.0%} by the compiled path, {paths.served}")
    assert share >= SERVED_SHARE, tally.answered
    if backend == "postgresql":
        assert paths.served.counts["json"], "PostgreSQL built answers as JSON"
    if tally.people == set(PEOPLE):
        compiled = {(owner, name) for owner, members in cut.fields.items() for name in members}
        missing = sorted(compiled - tally.asked)
        assert not missing, (
            f"compiled fields no document the compiled path answered asked for: {missing}"
        )
