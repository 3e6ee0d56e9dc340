"""The members of a GraphQL request, checked once for every path before anything runs.

A request is a JSON object with `query` (a non-empty string), and optionally `variables` (an
object), `operationName` (a string) and `extensions` (an object), any of them null. Over HTTP
POST it is the body, over GET the URL's parameters (`variables` and `extensions` as JSON text),
over a WebSocket the `subscribe` message's payload. A member of any other kind is refused here,
in words that name it, before the compiled path or Strawberry sees the request.

The texts clients read never show Python's spelling of a value (`True`, `None`, `{'x': 1}`):
values are named by their JSON kind, or written as JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from graphql import GraphQLError
from graphql.pyutils import inspect
from strawberry.http import GraphQLRequestData

from resolvers.errors import shown
from schema.validation import LONGEST_VALUE

# What each optional member may hold besides null.
OBJECT_MEMBERS = ("variables", "extensions")


class MalformedRequest(Exception):
    """A request that is no GraphQL request: answered 400 over HTTP, an `error` over a socket."""

    def __init__(self, message: str, member: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.member = member

    def as_error(self) -> GraphQLError:
        extensions: dict[str, Any] = {"code": "BAD_REQUEST"}
        if self.member is not None:
            extensions["member"] = self.member
        return GraphQLError(self.message, extensions=extensions)


def request_data(data: object, where: str = "The request body") -> GraphQLRequestData:
    """The request a decoded JSON object holds; MalformedRequest when it is not one."""
    if isinstance(data, list):
        raise MalformedRequest(f"{where} is an array: batching is not enabled; send one request.")
    if not isinstance(data, dict):
        raise MalformedRequest(
            f"{where} must be a JSON object with a `query` member, not {kind(data)}."
        )
    query = data.get("query")
    if query is None or query == "":
        state = "missing" if "query" not in data else "empty" if query == "" else "null"
        raise MalformedRequest(
            f"No GraphQL query in the request: `query` is {state}; send the document in it, "
            "as a string.",
            "query",
        )
    if not isinstance(query, str):
        raise MalformedRequest(
            f"`query` must be a string holding the GraphQL document, not {kind(query)}.", "query"
        )
    for member in OBJECT_MEMBERS:
        value = data.get(member)
        if value is not None and not isinstance(value, dict):
            raise MalformedRequest(
                f"`{member}` must be an object (or null), not {kind(value)}.", member
            )
    operation_name = data.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise MalformedRequest(
            f"`operationName` must be a string (or null), not {kind(operation_name)}.",
            "operationName",
        )
    return GraphQLRequestData(
        query=query,
        variables=data.get("variables"),
        # An empty name names nothing: the request runs its only operation.
        operation_name=operation_name or None,
        extensions=data.get("extensions"),
    )


def from_parameters(parameters: Mapping[str, Any]) -> GraphQLRequestData:
    """The request in a URL's parameters (GET): every member is text there, and `variables`
    and `extensions` are JSON text. An empty parameter counts as absent."""
    data: dict[str, Any] = {}
    for member in ("query", "operationName", *OBJECT_MEMBERS):
        values = _all(parameters, member)
        if len(values) > 1:
            raise MalformedRequest(f"`{member}` appears more than once in the URL.", member)
        if not values or values[0] == "":
            continue
        text = values[0]
        data[member] = _decoded(member, text) if member in OBJECT_MEMBERS else text
    return request_data(data, "The URL's parameters")


def _all(parameters: Mapping[str, Any], member: str) -> list[str]:
    getlist: Callable[[str], list[str]] | None = getattr(parameters, "getlist", None)
    if getlist is not None:
        return list(getlist(member))
    value = parameters.get(member)
    return [] if value is None else list(value) if isinstance(value, list) else [value]


def _decoded(member: str, text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise MalformedRequest(f"`{member}` nests JSON too deeply.", member) from None
    except ValueError:
        raise MalformedRequest(
            f"`{member}` in the URL is not valid JSON: send a JSON object (URL-encoded).", member
        ) from None


def kind(value: object) -> str:
    """A JSON value's kind, in words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    return "an object"


def never_ran(data: object, errors: Iterable[GraphQLError | Mapping[str, Any]] | None) -> bool:
    """Whether a result answers a request error: parsing, validation, variables, the
    operation's name or a limit stopped the request before execution, so `data` is absent.
    Such errors point at no field; errors during execution always do, but for a timeout, which
    stops an execution under way."""
    found = list(errors or ())
    return data is None and bool(found) and all(_before_execution(error) for error in found)


def _before_execution(error: GraphQLError | Mapping[str, Any]) -> bool:
    if isinstance(error, GraphQLError):
        path, extensions = error.path, error.extensions
    else:
        path, extensions = error.get("path"), error.get("extensions")
    return path is None and (extensions or {}).get("code") != "TIMEOUT"


# graphql-core's message for a variable whose value does not coerce, and the place of the fault
# within the value, as `print_path_list` writes it.
_INVALID_VARIABLE = re.compile(
    r"(?P<head>Variable '\$(?P<name>\w+)' has invalid value(?: at (?P<path>(?:\.\w+|\[\d+\])+))?: )"
    r"(?P<problem>.*)",
    re.DOTALL,
)
_STEP = re.compile(r"\.(\w+)|\[(\d+)\]")
_MISSING = object()


def plain_variable_message(message: str, variables: object) -> str:
    """`message` with the value that graphql-core (or a scalar's own message) wrote in Python's
    spelling written as JSON instead: `{'x': 1}` becomes `{"x": 1}`, `True` `true`, `None`
    `null`. Only variable errors are touched; the value is the one the client sent, found by
    the error's place in it."""
    found = _INVALID_VARIABLE.fullmatch(message)
    if found is None or not isinstance(variables, dict):
        return message
    value = _at(variables.get(found["name"], _MISSING), found["path"] or "")
    if value is _MISSING:
        return message
    return found["head"] + _as_json_within(found["problem"], value)


def _at(value: Any, path: str) -> Any:
    for step in _STEP.finditer(path):
        key, index = step.groups()
        if key is not None and isinstance(value, dict) and key in value:
            value = value[key]
        elif index is not None and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        else:
            return _MISSING
    return value


def _as_json_within(problem: str, value: Any) -> str:
    if value is None:
        # graphql-core says a value must "not be None": in JSON it is null.
        return re.sub(r"\bNone\b", "null", problem)
    written = shown(value, LONGEST_VALUE)
    spellings = {inspect(value), repr(value), repr(str(value)[:40])} - {written}
    for spelling in sorted(spellings, key=len, reverse=True):
        if spelling.isidentifier():  # True, False: whole words only
            problem = re.sub(rf"(?<![\w']){re.escape(spelling)}(?![\w'])", written, problem)
        else:
            problem = problem.replace(spelling, written)
    return problem
