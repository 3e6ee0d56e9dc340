"""A database outage is the client's to retry, not a bug to hide: it gets a message that says so."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from resolvers.errors import OUTAGE_MESSAGE, is_outage

log = logging.getLogger("api.errors")


class ExplainOutages(SchemaExtension):
    """Turns errors caused by an unreachable database into a SERVICE_UNAVAILABLE error."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if not errors:
            return
        rewritten = []
        for error in errors:
            if is_outage(error.original_error):
                log.warning("database unreachable at %s: %s", error.path, error.original_error)
                error = GraphQLError(
                    OUTAGE_MESSAGE,
                    nodes=error.nodes,
                    path=error.path,
                    extensions={"code": "SERVICE_UNAVAILABLE"},
                )
            rewritten.append(error)
        result.errors = rewritten  # type: ignore[union-attr]
