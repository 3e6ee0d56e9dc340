"""Validation that names the argument at fault, so `kinds: [FOO]` says which argument is wrong."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    SKIP,
    ArgumentNode,
    GraphQLError,
    GraphQLInputType,
    ValidationContext,
    ValueNode,
)
from graphql.utilities.validate_input_value import validate_input_literal
from graphql.validation import ValuesOfCorrectTypeRule
from strawberry.extensions import SchemaExtension


class NamedValuesOfCorrectTypeRule(ValuesOfCorrectTypeRule):
    """The standard rule, with the argument path (e.g. `filter.kinds`) in every message."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self._path: list[str] = []

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self._path.append(node.name.value)

    def leave_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self._path.pop()

    def is_valid_value_node(self, node: ValueNode, input_type: GraphQLInputType | None) -> Any:
        # As the standard rule does, plus the path inside the value (`filter` → `filter.kinds`).
        if input_type:

            def on_error(error: GraphQLError, path: list[str | int]) -> None:
                self._report(error, [*self._path, *path])

            validate_input_literal(
                node, input_type, on_error, None, None, self.context.hide_suggestions
            )
        return SKIP

    def _report(self, error: GraphQLError, path: list[str | int]) -> None:
        if path:
            argument = "".join(
                f"[{part}]" if isinstance(part, int) else f".{part}" for part in path
            )
            argument = argument.removeprefix(".")
            error.message = f"Argument `{argument}`: {error.message}"
            error.extensions = {**(error.extensions or {}), "argument": argument}
        self.report_error(error)


class NameArguments(SchemaExtension):
    """Swaps the standard values rule for the one above, for every operation."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = tuple(
            NamedValuesOfCorrectTypeRule if rule is ValuesOfCorrectTypeRule else rule
            for rule in context.validation_rules
        )
        yield
