"""What a request must pass before it runs, in the order it is checked: one extension.

Each check is a function in the module that owns its rule (schema/validation.py, schema/text.py,
schema/parsing.py, schema/cost.py); this module only puts them in order. One extension, not one
for each check, because Strawberry enters and leaves every hook of every extension on every
request, and a repeated compiled read costs less than a dozen of them (bench/RESULTS.md).

The order, and why:

1. When the request is parsed: text that is not Unicode text is refused by name before anything
   else (the parser would report a syntax error that names nothing); otherwise the document
   parsed from the same text before is reused, under the token limit.
2. When it is validated, each step only if nothing before it refused the request:
   fragment nesting first (what follows walks fragments recursively, and a long enough chain
   would exhaust the stack); the variables' text; the operation name (a document of several
   operations and no `operationName` runs none of them); GraphQL's validation with our rules
   (argument paths in messages, depth and alias limits), skipped for a text found valid before;
   last the cost, so only a valid document is priced and charged.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from graphql import ASTValidationRule, DocumentNode, GraphQLError, OperationDefinitionNode
from graphql.validation import ValuesOfCorrectTypeRule
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension

from schema.cost import charge, priced
from schema.parsing import parsed
from schema.validation import (
    MAX_FRAGMENT_NESTING,
    NamedValuesOfCorrectTypeRule,
    document_text_errors,
    found_valid,
    fragment_nesting,
    fragments_too_deep,
    operation_refusal,
    validation_errors,
    variable_text_errors,
)

# Bounds on what one document may ask, so no client can make one request arbitrarily expensive:
# deeper than any query the API needs (introspection aside), more aliases than a page of a
# client's own fields, more tokens than a hand-written document of several pages.
MAX_DEPTH = 15
MAX_ALIASES = 50
MAX_TOKENS = 5_000

# Strawberry's limiters build their rule when constructed; built once here, not per request.
LIMITS: tuple[type[ASTValidationRule], ...] = (
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
)


@cache
def rules(standard: tuple[type[ASTValidationRule], ...]) -> tuple[type[ASTValidationRule], ...]:
    """Strawberry's rules with ours: the values rule names the argument at fault, and the
    limits are added."""
    named = tuple(
        NamedValuesOfCorrectTypeRule if rule is ValuesOfCorrectTypeRule else rule
        for rule in standard
    )
    return (*named, *LIMITS)


class Admission(SchemaExtension):
    """Parses, limits, validates and charges a request, refusing it with errors that say why."""

    def __init__(self, max_cost: int) -> None:
        self.max_cost = max_cost
        self.report: dict[str, Any] = {}

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = MAX_TOKENS
        context.validation_rules = rules(tuple(context.validation_rules))
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if context.graphql_document is None and isinstance(query, str):
            refused = document_text_errors(query, context.parse_options)
            if refused is not None:
                # Parsed here without the surrogates, so Strawberry does not parse the original
                # into a syntax error that names nothing.
                context.graphql_document, context.pre_execution_errors = refused
            else:
                # None when it does not parse: Strawberry parses it and reports the error.
                context.graphql_document = parsed(query, context.parse_options.get("max_tokens"))
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            context.pre_execution_errors = self._refusal(context, document)
        yield

    def _refusal(self, context: Any, document: DocumentNode) -> list[GraphQLError]:
        """The errors that refuse the request, or none: then it has been charged."""
        schema = context.schema._schema
        query = context.query if isinstance(context.query, str) else None
        # A text that passed validation before passed the nesting limit before it.
        known = found_valid(schema, query)
        if not known and (nesting := fragment_nesting(document)) > MAX_FRAGMENT_NESTING:
            return [fragments_too_deep(nesting)]
        if errors := variable_text_errors(document, context.variables):
            return errors
        operations = sum(
            isinstance(definition, OperationDefinitionNode) for definition in document.definitions
        )
        # `operation_name` falls back to the first operation's name: ask what was sent.
        if operations > 1 and context._provided_operation_name is None:
            return [operation_refusal(context.query, None)]
        if not known and (
            errors := validation_errors(schema, document, query, context.validation_rules)
        ):
            return errors
        cost = priced(schema, document, query, context.operation_name, context.variables)
        self.report, errors = charge(cost, self.max_cost, context.context)
        return errors

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.report} if self.report else {}
