"""Every field of the record types says how it is read (schema/fields.py), and says it truly.

A field without a declaration fails here and stops the compiler, so a new field forces a decision:
how compiled reads select it, or that only the resolvers serve it. Each declaration is then held to
its word: a field declared for compiled reads compiles wherever compiled reads reach its type, and
a field declared `resolved` hands the whole query to the resolvers. (That both give the same
answers is tests/test_compiled_reads.py's and tests/test_compiled_generated.py's business.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import strawberry
from graphql import (
    GraphQLField,
    GraphQLObjectType,
    get_named_type,
    get_operation_ast,
    is_leaf_type,
    parse,
)

from resolvers.selections import Unsupported
from schema import build_schema, fields
from schema.compiler import Compiler
from schema.connection import Node
from schema.query import Query

SCHEMA = build_schema()
GRAPHQL = SCHEMA._schema


def test_every_field_of_the_record_types_is_declared() -> None:
    assert fields.undeclared(SCHEMA) == []


@strawberry.type(description="A record type with a field nobody declared.")
class Newcomer(Node):
    said: str = fields.column("Declared.")
    forgotten: str = strawberry.field(description="Not declared.")


@strawberry.type(description="The query, with the newcomer.")
class Extended(Query):
    @strawberry.field(description="The newcomer.", metadata=fields.resolved("a test"))
    def newcomer(self) -> Newcomer | None:
        return None


def test_a_field_without_a_declaration_is_found_and_stops_the_compiler() -> None:
    schema = strawberry.Schema(query=Extended)

    assert fields.undeclared(schema) == ["Newcomer.forgotten"]
    with pytest.raises(TypeError, match=r"Newcomer\.forgotten"):
        Compiler(schema)


def _read(field: GraphQLField) -> fields.Read | None:
    return fields.declared(field.extensions["strawberry-definition"])


def _selection(field: GraphQLField) -> str:
    """The least a document may ask of a field: itself, or the first of its leaves."""
    named = get_named_type(field.type)
    if is_leaf_type(named):
        return ""
    assert isinstance(named, GraphQLObjectType)
    if "totalCount" in named.fields:
        return "{ totalCount }"
    return "{ " + next(name for name, inner in named.fields.items() if not inner.args) + " }"


def _reached() -> Iterator[tuple[str, str]]:
    """Each type compiled reads reach from a root field, with a document prefix and suffix that
    put a selection on it: `{ plans { nodes { … } } }`, then through references and lists."""
    query = GRAPHQL.query_type
    assert query is not None
    pending: list[tuple[str, str, str]] = []
    for name, field in query.fields.items():
        read = _read(field)
        named = get_named_type(field.type)
        if isinstance(read, fields.Listed):
            assert isinstance(named, GraphQLObjectType)
            item = get_named_type(named.fields["nodes"].type).name
            pending.append((item, "{ " + name + " { nodes ", " } }"))
        elif isinstance(read, fields.Lookup):
            arguments = ", ".join(
                f'{argument}: "x"' for argument, inner in field.args.items() if argument == "code"
            )
            pending.append((named.name, "{ " + f"{name}({arguments}) ", " }"))
    seen: set[str] = set()
    while pending:
        type_name, before, after = pending.pop(0)
        if type_name in seen:
            continue
        seen.add(type_name)
        yield type_name, before + "{ %s } " + after
        graphql_type = GRAPHQL.get_type(type_name)
        assert isinstance(graphql_type, GraphQLObjectType)
        for name, field in graphql_type.fields.items():
            read = _read(field)
            named = get_named_type(field.type)
            if isinstance(read, fields.Reference):
                pending.append((named.name, before + "{ " + name + " ", " } " + after))
            elif isinstance(read, fields.Listed):
                assert isinstance(named, GraphQLObjectType)
                item = get_named_type(named.fields["nodes"].type).name
                pending.append((item, before + "{ " + name + " { nodes ", " } } " + after))


def _compiles(document: str) -> bool:
    operation = get_operation_ast(parse(document))
    assert operation is not None
    try:
        Compiler(SCHEMA).operation(operation)
    except Unsupported:
        return False
    return True


REACHED = dict(_reached())


def test_compiled_reads_reach_the_record_types() -> None:
    assert set(REACHED) >= {"Participant", "Plan", "Objective", "Contribution"}


@pytest.mark.parametrize("type_name", sorted(REACHED))
def test_each_declaration_is_what_compiled_reads_do(type_name: str) -> None:
    graphql_type = GRAPHQL.get_type(type_name)
    assert isinstance(graphql_type, GraphQLObjectType)
    template = REACHED[type_name]
    for name, field in graphql_type.fields.items():
        arguments = '(date: "2020-01-01")' if "date" in field.args else ""
        document = template % f"{name}{arguments} {_selection(field)}"
        resolved = isinstance(_read(field), fields.Resolved)
        assert _compiles(document) is not resolved, (document, _read(field))
