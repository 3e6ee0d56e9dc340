"""Documents parsed once: clients send the same few documents again and again.

Parsing a document costs more than answering a compiled read of it, so the documents parsed last
are kept, by their text and the parse options (the token limit). A document that fails to parse is
not kept: Strawberry parses it again and reports the error as it always does.
"""

from __future__ import annotations

from graphql import DocumentNode, GraphQLError, parse

from resolvers.lru import LRU

# Longer documents are parsed every time; the ones clients repeat are a few hundred characters.
LONGEST_KEPT = 8_000
KEPT = 256

_parsed: LRU[tuple[str, int | None], DocumentNode] = LRU(KEPT)


def parsed(query: str, max_tokens: int | None) -> DocumentNode | None:
    """The document `query` parses to under the token limit, parsed once for a text sent again;
    None when it does not parse (Strawberry then parses it and reports the error as it always
    does)."""
    if len(query) > LONGEST_KEPT:
        return None
    key = (query, max_tokens)
    document = _parsed.get(key)
    if document is None:
        try:
            document = _parsed.put(key, parse(query, max_tokens=max_tokens))
        except GraphQLError:
            return None
    return document
