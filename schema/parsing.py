"""Documents parsed once: clients send the same few documents again and again.

Parsing a document costs more than answering a compiled read of it, so the documents parsed last
are kept, by their text and the parse options (the token limit). A document that fails to parse is
not kept: Strawberry parses it again and reports the error as it always does.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension

from resolvers.lru import LRU

# Longer documents are parsed every time; the ones clients repeat are a few hundred characters.
LONGEST_KEPT = 8_000
KEPT = 256

_parsed: LRU[tuple[str, int | None], DocumentNode] = LRU(KEPT)


class ParseOnce(SchemaExtension):
    """Gives Strawberry the document parsed from the same text before, parsing it if new."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        fresh = context.graphql_document is None
        if fresh and isinstance(query, str) and len(query) <= LONGEST_KEPT:
            max_tokens = context.parse_options.get("max_tokens")
            key = (query, max_tokens)
            document = _parsed.get(key)
            if document is None:
                try:
                    document = _parsed.put(key, parse(query, max_tokens=max_tokens))
                except GraphQLError:
                    document = None  # Strawberry parses it and reports the error
            context.graphql_document = document
        yield
