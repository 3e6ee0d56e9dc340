"""What a client is told when a field fails: one policy for every path that answers.

A database outage is the client's to retry, not a bug to hide: it gets a message that says so.
Anything else we did not mean to say is masked, and logged where it is masked; our own errors and
GraphQL's own stay readable.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from resolvers.errors import OUTAGE_MESSAGE, is_outage

log = logging.getLogger("api.errors")

# What a masked error says (as Strawberry's MaskErrors would).
MASKED = "Unexpected error."


def is_unexpected(error: GraphQLError) -> bool:
    """Whether to mask `error` (and if so, log it now).

    Errors without a path come from parsing, validation or variable coercion: they describe the
    client's document, never our internals.
    """
    original = error.original_error
    if original is None or error.path is None or isinstance(original, GraphQLError):
        return False
    log.error("unexpected error at %s", error.path, exc_info=original)
    return True


def explained(error: GraphQLError) -> GraphQLError:
    """`error`, or a SERVICE_UNAVAILABLE error in its place when the database could not be
    reached."""
    if not is_outage(error.original_error):
        return error
    log.warning("database unreachable at %s: %s", error.path, error.original_error)
    return GraphQLError(
        OUTAGE_MESSAGE,
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "SERVICE_UNAVAILABLE"},
    )


def public(error: GraphQLError) -> GraphQLError:
    """`error` as a client may see it: explained if an outage, masked if unexpected."""
    error = explained(error)
    if is_unexpected(error):
        return GraphQLError(MASKED, nodes=error.nodes, path=error.path)
    return error


class PublicErrors(SchemaExtension):
    """Every error a request answers with, as a client may see it (`public`): on a query's or a
    mutation's result, and on each result a subscription streams."""

    def on_operation(self) -> Iterator[None]:
        yield
        _make_public(self.execution_context.result)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        _make_public(result)
        yield


def _make_public(result: Any) -> None:
    # Idempotent: an error already made public is neither an outage nor unexpected.
    errors = getattr(result, "errors", None)
    if errors:
        result.errors = [public(error) for error in errors]
