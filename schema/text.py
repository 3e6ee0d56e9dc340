"""What counts as text: a sequence of Unicode scalar values, as the GraphQL specification defines a
String. A lone surrogate (U+D800 to U+DFFF, which JSON can spell as `"\\ud800"`) is not one: no
UTF-8 can carry it, so PostgreSQL cannot store it and no JSON encoder can answer with it.

Inputs holding one are refused before anything runs (schema/validation.py asks `flaw`); text that
reached a store before that rule existed is repaired by migration 0002, and anything left is shown
as U+FFFD on the way out (`repaired`) rather than make an answer fail.
"""

from __future__ import annotations

import re
from typing import Any

SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def flaw(value: str) -> int | None:
    """The index of the first character of `value` that is not a Unicode scalar value, if any."""
    found = SURROGATE.search(value)
    return None if found is None else found.start()


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def repaired(value: Any) -> Any:
    """`value` (plain JSON-like data) with every lone surrogate, in keys and strings, replaced by
    U+FFFD; anything else as it is."""
    if isinstance(value, str):
        return SURROGATE.sub(REPLACEMENT, value)
    if isinstance(value, dict):
        return {repaired(key): repaired(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [repaired(item) for item in value]
    return value
