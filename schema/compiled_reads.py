"""Supported queries answered without per-field execution, exactly as the resolver path answers.

A request takes this path only when its document parses within the token limit, passes the same
validation rules (depth and alias limits included), compiles (schema/compiler.py), has
variables that coerce and arguments that pass their checks. Anything else returns None, before
anything is charged or fetched, and the caller runs the resolver path, which then answers with
its own errors. Once charged (schema/cost.py, the same cost and report), a root field fails only
as the resolver path would fail it: its resolver's error, located at the field.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import orjson
import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    get_operation_ast,
    located_error,
    parse,
    specified_rules,
)
from graphql.execution.values import get_variable_values
from strawberry.extensions import AddValidationRules, MaxTokensLimiter
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionResult

from resolvers.compiled import CompiledRead, Statements, cursors_expressible, expressible
from resolvers.context import Context
from resolvers.lru import LRU
from resolvers.row_reads import RowRead
from resolvers.selections import Bound, Root, RootObject, Unsupported, bind
from schema.compiler import Compiler
from schema.cost import charge, document_cost
from schema.errors import public
from schema.validation import variable_text_errors

log = logging.getLogger("api.errors")

# Documents remembered, compiled or known to be unsupported; a longer document is never cached
# (nor served here: the reads this path is for are a few hundred characters).
CACHED_DOCUMENTS = 256
# Statements built by PostgreSQL's JSON path, by everything they were built from (the document's
# root field, the arguments, the viewer's scope): most clients ask the same few things again.
CACHED_STATEMENTS = 1024
# Variables bound per document (a poll repeats its variables).
CACHED_BINDINGS = 64
LONGEST_DOCUMENT = 8_000


@dataclass(frozen=True)
class Binding:
    """A document with one set of variables: coerced, its arguments bound, its cost, and
    whether PostgreSQL builds its answer (the cursors it can write depend on the orderings)."""

    variables: Any
    bound: Bound
    cost: int
    in_sql: bool


@dataclass(frozen=True)
class Compiled:
    document: DocumentNode
    operation: OperationDefinitionNode
    roots: list[Root]
    nodes: list[FieldNode]
    # Whether PostgreSQL can build the whole answer (resolvers/compiled.py).
    expressible: bool
    # Bindings by the variables that made them.
    bindings: LRU[bytes, Binding] = field(default_factory=lambda: LRU(CACHED_BINDINGS))


class CompiledReads:
    """The compiled path of one schema, with its per-document cache (bounded, least recently used
    first out). Safe to share between requests: nothing per request is kept."""

    def __init__(self, schema: strawberry.Schema, max_cost: int, in_sql: bool = False) -> None:
        """`in_sql`: let PostgreSQL build the answers it can build (never on SQLite)."""
        self.schema = schema
        self.in_sql = in_sql
        self.graphql = schema._schema
        self.max_cost = max_cost
        self.compiler = Compiler(schema)
        self.rules: tuple[Any, ...] = tuple(specified_rules)
        self.max_tokens: int | None = None
        # The schema's own limits, from its own extensions, so the two paths cannot disagree.
        for extension in schema.get_extensions():
            if isinstance(extension, AddValidationRules):
                self.rules += tuple(extension.validation_rules)
            elif isinstance(extension, MaxTokensLimiter):
                self.max_tokens = extension.max_token_count
        self._cache: LRU[tuple[str, str | None], Compiled | None] = LRU(CACHED_DOCUMENTS)
        self._statements: Statements = LRU(CACHED_STATEMENTS)

    async def execute(
        self,
        query: Any,
        variables: Any,
        operation_name: Any,
        context: Context,
    ) -> ExecutionResult | None:
        """The result, or None: run this request the ordinary way. A member of the wrong kind is
        refused by the view before either path sees it; this path still never trusts one."""
        if not isinstance(query, str) or not isinstance(variables, dict | None):
            return None
        if not isinstance(operation_name, str | None):
            return None  # nor may it key the cache: a list or an object has no hash
        compiled = self.compiled(query, operation_name)
        if compiled is None:
            return None
        binding = self._binding(compiled, variables, operation_name)
        if binding is None:
            return None
        report, refusals = charge(binding.cost, self.max_cost, context)
        if refusals:
            return ExecutionResult(data=None, errors=refusals, extensions={"cost": report})
        if binding.in_sql:
            read: RowRead | CompiledRead = CompiledRead(context, binding.bound, self._statements)
        else:
            read = RowRead(context, binding.bound)
        data, errors = await self._run(compiled, read, binding.variables)
        return ExecutionResult(data=data, errors=errors or None, extensions={"cost": report})

    def _binding(
        self, compiled: Compiled, variables: dict[str, Any] | None, operation_name: str | None
    ) -> Binding | None:
        """The document bound to these variables, or None when the resolver path must answer.
        The same variables bind the same way, so a binding is kept."""
        try:
            key = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # an integer beyond 64 bits, or text no UTF-8 can carry
            key = None
        if key is not None and (found := compiled.bindings.get(key)) is not None:
            return found
        if key is None and variable_text_errors(compiled.document, variables):
            return None  # refused by name on the resolver path (RefuseInvalidText)
        coerced = get_variable_values(
            self.graphql, compiled.operation.variable_definitions or (), variables or {}
        )
        if isinstance(coerced, list):
            return None
        try:
            bound = bind(compiled.roots, coerced)
        except (GraphQLError, Unsupported):
            return None  # the resolver path refuses these arguments in its own words
        except Exception:
            log.exception("compiled reads could not bind arguments; the resolver path runs")
            return None
        cost = document_cost(self.graphql, compiled.document, operation_name, variables)
        in_sql = self.in_sql and compiled.expressible and cursors_expressible(compiled.roots, bound)
        binding = Binding(coerced, bound, cost, in_sql)
        return binding if key is None else compiled.bindings.put(key, binding)

    def compiled(self, query: str, operation_name: str | None) -> Compiled | None:
        key = (query, operation_name)
        if key in self._cache:
            return self._cache[key]
        if len(query) > LONGEST_DOCUMENT:
            return None
        return self._cache.put(key, self._compile(query, operation_name))

    def _compile(self, query: str, operation_name: str | None) -> Compiled | None:
        try:
            document = parse(query, max_tokens=self.max_tokens)
        except GraphQLError:
            return None
        operation = get_operation_ast(document, operation_name)
        if operation is None or len(document.definitions) != 1:
            return None  # fragments, or several operations: the resolver path's to sort out
        if validate_document(self.graphql, document, self.rules):
            return None
        try:
            roots, nodes = self.compiler.operation(operation)
        except Unsupported:
            return None
        except Exception:  # a fault here must never cost the client its answer
            log.exception("compiled reads could not compile a document; it runs the ordinary way")
            return None
        return Compiled(document, operation, roots, nodes, expressible(roots))

    async def _run(
        self, compiled: Compiled, read: RowRead | CompiledRead, variables: Any
    ) -> tuple[dict[str, Any] | None, list[GraphQLError]]:
        data: dict[str, Any] = {}
        errors: list[GraphQLError] = []
        whole = True
        for root, node in zip(compiled.roots, compiled.nodes, strict=True):
            try:
                data[root.key] = await read.root(root, variables)
            except Exception as problem:  # as the executor does: the field fails, not all
                errors.append(public(located_error(problem, [node], [root.key])))
                data[root.key] = None
                whole = whole and isinstance(root, RootObject) and root.nullable
        return (data if whole else None), errors
