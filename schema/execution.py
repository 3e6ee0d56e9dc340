"""How the resolver path runs a query's root fields: every one of them, every failure listed.

graphql-core runs root fields concurrently and, when one that cannot be null fails, cancels the
others: the answer then lists whichever failure came first in time, which depends on what each
field waited for. The compiled path (schema/compiled_reads.py) runs every root field and lists every
root field's error in the order of the document. One request must get one answer, whichever path
answers it, so the resolver path does the same: root fields still run concurrently, none is
cancelled for another's failure, and the errors are listed by the root field they belong to, in
the order the document asks for them, and below a root field by where they are (list items by
their index), not by when. `data` is null when a root field that cannot be null failed, as the
specification says.
"""

from __future__ import annotations

import asyncio
from typing import Any

from graphql import GraphQLError, GraphQLObjectType
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class EveryRootField(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution, with a query's root fields run to the end and reported in order."""

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        if path is not None or len(grouped_field_set) < 2:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        paths = {key: Path(None, key, parent_type.name) for key in grouped_field_set}
        results: dict[str, Any] = {}
        failures: dict[str, GraphQLError] = {}
        try:
            for key, details in grouped_field_set.items():
                try:
                    result = self.execute_field(
                        parent_type, source_value, details, paths[key], position_context
                    )
                except GraphQLError as error:  # a field that cannot be null failed at once
                    failures[key] = error
                else:
                    if result is not Undefined:
                        results[key] = result
        except Exception:
            self.track_async_work(list(results.values()))  # settled, not orphaned
            raise
        pending = [key for key, result in results.items() if self.is_awaitable(result)]
        if not pending:
            return self._answer(paths, results, failures)

        async def awaited() -> dict[str, Any] | None:
            settled = await asyncio.gather(
                *(results[key] for key in pending), return_exceptions=True
            )
            for key, outcome in zip(pending, settled, strict=True):
                if isinstance(outcome, GraphQLError):
                    failures[key] = outcome
                elif isinstance(outcome, BaseException):
                    raise outcome  # not a field's failure: raised, as graphql-core raises it
                else:
                    results[key] = outcome
            return self._answer(paths, results, failures)

        return awaited()

    def build_response(self, data: dict[str, Any] | None) -> Any:
        # Fields below a root field run concurrently: the order they fail in is the order their
        # reads came back in. The same request lists its errors in the same order every time:
        # root fields as listed (by _answer), and below each, by where the error is.
        errors = self.collected_errors.errors
        roots: dict[Any, int] = {}
        for error in errors:
            roots.setdefault(error.path[0] if error.path else None, len(roots))
        errors.sort(key=lambda error: (roots[error.path[0] if error.path else None], _below(error)))
        return super().build_response(data)

    def _answer(
        self, paths: dict[str, Path], results: dict[str, Any], failures: dict[str, GraphQLError]
    ) -> dict[str, Any] | None:
        collected = self.collected_errors
        for key, path in paths.items():
            if key in failures:
                collected.add(failures[key], path)
        place = {key: index for index, key in enumerate(paths)}
        collected.errors.sort(key=lambda error: _root_place(error, place))
        if failures:
            return None  # a root field that cannot be null failed: so does the whole answer
        return {key: results[key] for key in paths if key in results}


def _root_place(error: GraphQLError, place: dict[str, int]) -> int:
    """Where the root field an error belongs to stands in the document (first: none)."""
    root = error.path[0] if error.path else None
    return place.get(root, -1) if isinstance(root, str) else -1


def _below(error: GraphQLError) -> tuple[tuple[int, int, str], ...]:
    """Where an error is below its root field: list items by their index."""
    steps = (error.path or [])[1:]
    return tuple((0, step, "") if isinstance(step, int) else (1, 0, step) for step in steps)
