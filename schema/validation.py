"""Validation of our own: errors that name the argument at fault, so `kinds: [FOO]` says which
argument is wrong, a bound on fragment nesting that no other limit covers, and the refusal of
text that is not Unicode text wherever a request carries it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from graphql import (
    SKIP,
    ArgumentNode,
    ASTValidationRule,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    Source,
    StringValueNode,
    ValidationContext,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    parse,
    visit,
)
from graphql.utilities.validate_input_value import validate_input_literal
from graphql.validation import ValuesOfCorrectTypeRule
from strawberry.schema.schema import validate_document

from resolvers.errors import shown
from resolvers.lru import LRU
from schema.text import REPLACEMENT, SURROGATE, code_point, flaw


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
        # graphql-core writes literals in GraphQL's syntax, but for this one word of Python's.
        error.message = error.message.replace("not to be None.", "not to be null.")
        if path:
            argument = argument_path(path)
            error.message = f"Argument `{argument}`: {error.message}"
            error.extensions = {**(error.extensions or {}), "argument": argument}
        self.report_error(error)


def argument_path(path: list[str | int]) -> str:
    """`["filter", "kinds", 0]` as `filter.kinds[0]`."""
    joined = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)
    return joined.removeprefix(".")


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


def fragments_too_deep(nesting: int) -> GraphQLError:
    """The refusal of a document whose fragments spread each other `nesting` levels deep."""
    return GraphQLError(
        f"Fragments spread each other {nesting} levels deep; at most "
        f"{MAX_FRAGMENT_NESTING} are allowed.",
        extensions={"code": "FRAGMENTS_TOO_DEEP"},
    )


# How long a value quoted in a refusal may be.
LONGEST_VALUE = 120


def operation_refusal(query: str | None, operation_name: str | None) -> GraphQLError:
    """The request error for a document whose operation to run cannot be told: a name that
    none of its operations has, or no name where it holds several (the GraphQL specification's
    GetOperation), or no operation at all."""
    try:
        operations = [
            definition
            for definition in parse(query or "", no_location=True).definitions
            if isinstance(definition, OperationDefinitionNode)
        ]
    except GraphQLError:
        operations = []
    names = ", ".join(sorted(op.name.value for op in operations if op.name))
    named = f" (its named operations: {names})" if names else ""
    if operation_name is not None:
        message = (
            f"`operationName` is {shown(operation_name, LONGEST_VALUE)}, but the document has "
            f"no operation of that name{named}."
        )
    elif operations:
        message = (
            f"The document holds {len(operations)} operations: name the one to run in "
            f"`operationName`{named}."
        )
    else:
        message = "The document holds no operation to run, only fragments."
    return GraphQLError(message, extensions={"code": "BAD_REQUEST", "member": "operationName"})


# --- text that is not Unicode text ----------------------------------------------------------
#
# One rule (schema/text.py) for every text a request carries: string literals in the document,
# and every string and field name in its variables, whatever type they are sent for. graphql-core
# already refuses a lone surrogate in a literal as a syntax error that names nothing; the
# refusal here names the argument, or the variable, it was sent in. schema/admission.py asks it
# for every request, before either path answers.

INVALID_TEXT = "INVALID_TEXT"

# An escape in a string literal that spells a surrogate: `\uD800` or `\u{D800}`.
_ESCAPED_SURROGATE = re.compile(
    r"\\u(?:([dD][89a-fA-F][0-9a-fA-F]{2})|\{(0*[dD][89a-fA-F][0-9a-fA-F]{2})\})"
)
# What a document holding either looks like; an escaped pair, or an escaped backslash before
# `u`, looks the same and is told apart by parsing.
_SUSPECT = re.compile(r"[\ud800-\udfff]|\\u\{?0*[dD][89a-fA-F]")
# Escapes are found one parse at a time; past this many, the parser's syntax error stands.
MAX_ESCAPES = 10


@dataclass(frozen=True)
class _Place:
    """Where a value was sent: an argument (its path, and the field or directive it belongs to),
    or the default value of a variable."""

    path: list[str | int]
    owner: str

    def describe(self) -> str:
        if self.owner.startswith("$"):
            return f"The default value of `{self.owner}`" + self._inside()
        return f"Argument `{argument_path(self.path)}` of `{self.owner}`"

    def _inside(self) -> str:
        return f" at `{argument_path(self.path)}`" if self.path else ""

    def extensions(self) -> dict[str, str]:
        """What `extensions` says of the place: the argument's path, or the variable's name."""
        if self.owner.startswith("$"):
            return {"variable": self.owner}
        return {"argument": argument_path(self.path)}


class _Places(Visitor):
    """Every argument in a document: where its string literals lie, and where each variable is
    first used."""

    def __init__(self) -> None:
        super().__init__()
        self.strings: list[tuple[int, int, _Place]] = []
        self.variables: dict[str, _Place] = {}
        self.definitions: dict[str, VariableDefinitionNode] = {}
        self.owners: list[str] = []

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        self.owners.append(node.name.value)

    def leave_field(self, node: FieldNode, *_args: Any) -> None:
        self.owners.pop()

    def enter_directive(self, node: DirectiveNode, *_args: Any) -> None:
        self.owners.append(f"@{node.name.value}")

    def leave_directive(self, node: DirectiveNode, *_args: Any) -> None:
        self.owners.pop()

    def enter_variable_definition(self, node: VariableDefinitionNode, *_args: Any) -> Any:
        name = node.variable.name.value
        self.definitions.setdefault(name, node)
        if node.default_value is not None:
            self._walk(node.default_value, [], f"${name}")
        return SKIP

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> Any:
        owner = self.owners[-1] if self.owners else ""
        self._walk(node.value, [node.name.value], owner)
        return SKIP

    def _walk(self, value: ValueNode, path: list[str | int], owner: str) -> None:
        pending = [(value, path)]
        while pending:
            value, path = pending.pop()
            if isinstance(value, StringValueNode) and value.loc is not None:
                self.strings.append((value.loc.start, value.loc.end, _Place(path, owner)))
            elif isinstance(value, VariableNode):
                self.variables.setdefault(value.name.value, _Place(path, owner))
            elif isinstance(value, ListValueNode):
                pending.extend((item, [*path, n]) for n, item in enumerate(value.values))
            elif isinstance(value, ObjectValueNode):
                pending.extend((item.value, [*path, item.name.value]) for item in value.fields)


def places(document: DocumentNode) -> _Places:
    found = _Places()
    visit(document, found)
    return found


def _refusal(where: str, char: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(
        f"{where} is not Unicode text: it holds a lone surrogate ({char}), which no UTF-8 can "
        "carry. Send each character whole (in UTF-8, or as an escaped surrogate pair).",
        **extensions,
    )


def _repaired(
    query: str, parse_options: Mapping[str, Any]
) -> tuple[DocumentNode, list[tuple[int, str]]] | None:
    """The document with each lone surrogate in its text replaced by U+FFFD, and where each one
    was (its position, its code point); None when it holds none, or fails to parse for another
    reason (the parser's own error then stands)."""
    if _SUSPECT.search(query) is None:
        return None
    spots = [(found.start(), code_point(found.group())) for found in SURROGATE.finditer(query)]
    source = SURROGATE.sub(REPLACEMENT, query)  # one character for one: positions stay put
    for _ in range(MAX_ESCAPES + 1):
        try:
            document = parse(source, **parse_options)
        except GraphQLSyntaxError as error:
            position = next(iter(error.positions or ()), -1)
            escape = _ESCAPED_SURROGATE.match(source, position) if position >= 0 else None
            if escape is None:
                return None
            group = 1 if escape.group(1) else 2
            digits = escape.group(group)
            spots.append((position, code_point(chr(int(digits, 16)))))
            # As many digits as before, so every position found stays where it was.
            source = (
                source[: escape.start(group)]
                + "FFFD".rjust(len(digits), "0")
                + source[escape.end(group) :]
            )
        else:
            return (document, sorted(spots)) if spots else None
    return None


def document_text_errors(
    query: str, parse_options: Mapping[str, Any]
) -> tuple[DocumentNode, list[GraphQLError]] | None:
    """The refusal of a document whose text holds a lone surrogate, one error for each string
    literal (or other place) that holds one, and the document as it parses without them; None for
    a document that holds none."""
    found = _repaired(query, parse_options)
    if found is None:
        return None
    document, spots = found
    strings = places(document).strings
    source = Source(query)
    errors: list[GraphQLError] = []
    named: set[int] = set()
    for position, char in spots:
        literal = next(
            ((start, place) for start, end, place in strings if start <= position < end), None
        )
        if literal is not None and literal[0] in named:
            continue  # one error for each literal
        extensions = {"code": INVALID_TEXT}
        if literal is None:
            where = "The document"
        else:
            named.add(literal[0])
            where = literal[1].describe()
            extensions |= literal[1].extensions()
        errors.append(
            _refusal(where, char, source=source, positions=[position], extensions=extensions)
        )
    return document, errors


def _first_flaw(value: Any) -> tuple[list[str | int], str, bool] | None:
    """Where the first lone surrogate in a JSON value is: the path to the string, or to the
    object whose field name holds it (then True), and the character."""
    pending: list[tuple[Any, list[str | int]]] = [(value, [])]
    while pending:
        item, path = pending.pop()
        if isinstance(item, str):
            if (at := flaw(item)) is not None:
                return path, item[at], False
        elif isinstance(item, dict):
            for key, inner in reversed(item.items()):
                if isinstance(key, str) and (at := flaw(key)) is not None:
                    return path, key[at], True
                pending.append((inner, [*path, key]))
        elif isinstance(item, list):
            pending.extend((inner, [*path, n]) for n, inner in reversed(list(enumerate(item))))
    return None


def variable_text_errors(document: DocumentNode, variables: Any) -> list[GraphQLError]:
    """One error for each variable whose value holds a lone surrogate (in a string, or in a
    field name), naming the argument it was sent for."""
    if not isinstance(variables, dict):
        return []
    flawed = {name: at for name, value in variables.items() if (at := _first_flaw(value))}
    bad_names = [name for name in variables if isinstance(name, str) and flaw(name) is not None]
    if not flawed and not bad_names:
        return []
    found = places(document)
    errors = [
        _refusal(
            "The name of a variable",
            code_point(name[flaw(name) or 0]),
            extensions={"code": INVALID_TEXT},
        )
        for name in bad_names
    ]
    for name, (path, char, in_name) in flawed.items():
        place = found.variables.get(name)
        definition = found.definitions.get(name)
        extensions: dict[str, Any] = {"code": INVALID_TEXT, "variable": f"${name}"}
        if place is not None:
            full = _Place([*place.path, *path], place.owner)
            where = f"{full.describe()} (variable `${name}`)"
            extensions = full.extensions() | extensions
        else:
            where = f"Variable `${name}`" + (
                f" at `{argument_path([name, *path])}`" if path else ""
            )
        if in_name:
            where = f"A field name in {where[0].lower()}{where[1:]}"
        errors.append(_refusal(where, code_point(char), nodes=definition, extensions=extensions))
    return errors


# Document texts found valid, per schema: validating again what was valid a moment ago costs
# more than answering a compiled read. Only the verdict is kept; an invalid text is validated
# again each time, so its errors are always the request's own.
VALID_KEPT = 256
_valid: WeakKeyDictionary[GraphQLSchema, LRU[str, bool]] = WeakKeyDictionary()


def found_valid(schema: GraphQLSchema, query: str | None) -> bool:
    """Whether the text `query` passed validation a moment ago."""
    valid = _valid.get(schema)
    return query is not None and valid is not None and query in valid


def validation_errors(
    schema: GraphQLSchema,
    document: DocumentNode,
    query: str | None,
    rules: Sequence[type[ASTValidationRule]],
) -> list[GraphQLError]:
    """GraphQL's validation of `document` under `rules` (Strawberry's and ours), run only once
    for a text found valid before."""
    if found_valid(schema, query):
        return []
    errors = validate_document(schema, document, tuple(rules))
    if not errors and query is not None:
        _valid.setdefault(schema, LRU(VALID_KEPT)).put(query, True)
    return errors
