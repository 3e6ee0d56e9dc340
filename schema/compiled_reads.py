"""Compiled reads: a supported query answered with one SQL statement per root field.

This is not a second request pipeline. A request is parsed, validated, limited, charged and masked
by the schema's extensions as every request is; `ServeCompiled`, one more extension, then answers
the execution step itself when the operation compiles (schema/compiler.py) and its arguments
bind, and otherwise lets Strawberry's executor run the resolvers. Either way the same extensions
see the same result, so an extension added to the schema (tracing, audit) runs for both. Once a
root field runs, it fails only as its resolver would fail it: with the resolver's error, located
at the field.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import strawberry
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    get_operation_ast,
    located_error,
)
from graphql.execution.values import get_variable_values
from strawberry.extensions import SchemaExtension

from resolvers.compiled import (
    CompiledRead,
    Statements,
    Unwritable,
    cursors_expressible,
    expressible,
)
from resolvers.context import Context
from resolvers.lru import LRU
from resolvers.selections import Bound, Root, RootObject, Unsupported, bind
from schema.compiler import Compiler

log = logging.getLogger("api.errors")
answered_by = logging.getLogger("api.compiled_reads")

# Documents remembered, compiled or known to be unsupported; a longer document is never cached
# (nor served here: the reads this path is for are a few hundred characters).
CACHED_DOCUMENTS = 256
# Statements that build the answers' JSON, by everything they were built from (the document's
# root field, the arguments, the viewer's scope): most clients ask the same few things again.
CACHED_STATEMENTS = 1024
# Variables bound per document (a poll repeats its variables).
CACHED_BINDINGS = 64
LONGEST_DOCUMENT = 8_000


@dataclass(frozen=True)
class Binding:
    """A document with one set of variables: coerced, its arguments bound, and whether the
    database can write its answer (the cursors it can write depend on the orderings); the
    resolvers answer the rest."""

    variables: Any
    bound: Bound
    writable: bool


@dataclass(frozen=True)
class Compiled:
    operation: OperationDefinitionNode
    roots: list[Root]
    nodes: list[FieldNode]
    # Whether the database can write the whole answer (resolvers/compiled.py).
    expressible: bool
    # Bindings by the variables that made them.
    bindings: LRU[bytes, Binding] = field(default_factory=lambda: LRU(CACHED_BINDINGS))


class CompiledReads:
    """The compiled path of one schema, with its per-document cache (bounded, least recently used
    first out). Safe to share between requests: nothing per request is kept."""

    def __init__(self) -> None:
        self._compiler: Compiler | None = None
        self._cache: LRU[tuple[str, str | None], Compiled | None] = LRU(CACHED_DOCUMENTS)
        self._statements: Statements = LRU(CACHED_STATEMENTS)

    def extension(self) -> SchemaExtension:
        """The schema extension that serves these reads (one per request, as extensions are)."""
        return ServeCompiled(self)

    async def answer(
        self,
        schema: strawberry.Schema,
        query: str,
        document: DocumentNode,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        context: Context,
    ) -> ExecutionResult | None:
        """The result of a parsed, validated and charged request, or None: the resolvers run."""
        compiled = self.compiled(schema, query, document, operation_name)
        if compiled is None:
            return None
        binding = self._binding(schema, compiled, variables)
        if binding is None or not binding.writable:
            return None
        read = CompiledRead(context, binding.bound, self._statements)
        try:
            return await _run(compiled, read, binding.variables)
        except Unwritable:
            return None  # the database cannot write it as the serializers do: the resolvers do

    def _binding(
        self, schema: strawberry.Schema, compiled: Compiled, variables: dict[str, Any] | None
    ) -> Binding | None:
        """The document bound to these variables, or None when the resolvers must answer. The
        same variables bind the same way, so a binding is kept."""
        try:
            key = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # an integer beyond 64 bits: bound afresh
            key = None
        if key is not None and (found := compiled.bindings.get(key)) is not None:
            return found
        operation = compiled.operation
        coerced = get_variable_values(
            schema._schema, operation.variable_definitions or (), variables or {}
        )
        if isinstance(coerced, list):
            return None
        try:
            bound = bind(compiled.roots, coerced)
        except (GraphQLError, Unsupported):
            return None  # the resolvers refuse these arguments in their own words
        except Exception:
            log.exception("compiled reads could not bind arguments; the resolvers run")
            return None
        writable = compiled.expressible and cursors_expressible(compiled.roots, bound)
        binding = Binding(coerced, bound, writable)
        return binding if key is None else compiled.bindings.put(key, binding)

    def compiled(
        self,
        schema: strawberry.Schema,
        query: str,
        document: DocumentNode,
        operation_name: str | None,
    ) -> Compiled | None:
        key = (query, operation_name)
        if key in self._cache:
            return self._cache[key]
        if len(query) > LONGEST_DOCUMENT:
            return None
        return self._cache.put(key, self._compile(schema, document, operation_name))

    def _compile(
        self, schema: strawberry.Schema, document: DocumentNode, operation_name: str | None
    ) -> Compiled | None:
        operation = get_operation_ast(document, operation_name)
        if operation is None or len(document.definitions) != 1:
            return None  # fragments, or several operations: the resolvers' to sort out
        if self._compiler is None or self._compiler.schema is not schema:
            self._compiler = Compiler(schema)
        try:
            roots, nodes = self._compiler.operation(operation)
        except Unsupported as reason:
            # Once per document (it is cached): why a query is slower than it could be.
            answered_by.debug("the resolvers answer %r: %s", operation_name or "a query", reason)
            return None
        except Exception:  # a fault here must never cost the client its answer
            log.exception("compiled reads could not compile a document; the resolvers run")
            return None
        return Compiled(operation, roots, nodes, expressible(roots))


class ServeCompiled(SchemaExtension):
    """Answers the execution step with a compiled read when the request has one."""

    def __init__(self, reads: CompiledReads) -> None:
        self.reads = reads

    async def on_execute(self) -> AsyncIterator[None]:
        request = self.execution_context
        document, query = request.graphql_document, request.query
        if request.result is None and document is not None and isinstance(query, str):
            answered = await self.reads.answer(
                request.schema,
                query,
                document,
                request.operation_name,
                request.variables,
                request.context,
            )
            if answered is not None:
                request.result = answered
        yield


async def _run(compiled: Compiled, read: CompiledRead, variables: Any) -> ExecutionResult:
    """Every root field in document order; one that fails is null with its error, as the
    executor does (schema/execution.py), and a non-null one makes the whole answer null."""
    data: dict[str, Any] = {}
    errors: list[GraphQLError] = []
    whole = True
    for root, node in zip(compiled.roots, compiled.nodes, strict=True):
        try:
            data[root.key] = await read.root(root, variables)
        except Unwritable:
            raise
        except Exception as problem:
            errors.append(located_error(problem, [node], [root.key]))
            data[root.key] = None
            whole = whole and isinstance(root, RootObject) and root.nullable
    return ExecutionResult(data if whole else None, errors or None)
