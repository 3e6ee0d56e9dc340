"""Validation of our own: errors that name the argument at fault, so `kinds: [FOO]` says which
argument is wrong, and a bound on fragment nesting that no other limit covers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    SKIP,
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputType,
    InlineFragmentNode,
    OperationDefinitionNode,
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


# Far beyond any hand-written document (fragments on the same type add no depth, so the depth limit
# does not bound them), and far below where strawberry's depth limiter, which follows spreads
# recursively, runs out of stack (about 300 levels).
MAX_FRAGMENT_NESTING = 50


def fragment_nesting(document: DocumentNode) -> int:
    """How many fragments deep the document's spreads go, counted without recursion (a cycle
    counts once: validation reports it)."""
    spreads: dict[str | None, set[str]] = {}
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode | OperationDefinitionNode):
            key = definition.name.value if isinstance(definition, FragmentDefinitionNode) else None
            found = spreads.setdefault(key, set())
            pending = [definition.selection_set]
            while pending:
                for selection in pending.pop().selections:
                    if isinstance(selection, FragmentSpreadNode):
                        found.add(selection.name.value)
                    elif (
                        isinstance(selection, FieldNode | InlineFragmentNode)
                        and selection.selection_set is not None
                    ):
                        pending.append(selection.selection_set)
    depth: dict[str, int] = {}
    for start in spreads.get(None, set()):
        # Depth-first with an explicit stack: (fragment, the spreads still to look at).
        stack = [(start, iter(sorted(spreads.get(start, ()))))]
        on_path = {start}
        while stack:
            name, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.discard(name)
                depth[name] = 1 + max(
                    (depth.get(c, 0) for c in spreads.get(name, ()) if c not in on_path), default=0
                )
            elif child not in depth and child not in on_path and child in spreads:
                on_path.add(child)
                stack.append((child, iter(sorted(spreads[child]))))
    return max((depth.get(name, 0) for name in spreads.get(None, set())), default=0)


class LimitFragmentNesting(SchemaExtension):
    """Refuses a document whose fragments spread each other too deep, before anything walks it
    recursively. Placed before the extensions that validate, it stops validation from running."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            nesting = fragment_nesting(document)
            if nesting > MAX_FRAGMENT_NESTING:
                context.pre_execution_errors = [
                    GraphQLError(
                        f"Fragments spread each other {nesting} levels deep; at most "
                        f"{MAX_FRAGMENT_NESTING} are allowed.",
                        extensions={"code": "FRAGMENTS_TOO_DEEP"},
                    )
                ]
        yield
