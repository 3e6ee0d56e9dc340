"""Global object IDs: opaque to clients, `Type:primary key` underneath."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

from resolvers.errors import invalid_argument, shown
from store.base import MAX_KEY

NODE_TYPES = ("Participant", "Plan", "Objective", "Contribution", "Review")


def encode(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def decode(text: str, argument: str, expected: str | None = None) -> tuple[str, int]:
    """The type and key behind an ID, or an error naming `argument`."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        type_name, _, key = raw.partition(":")
        pk = int(key)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid_argument(argument, f"is not a valid ID: {shown(text, 100)}") from None
    if type_name not in NODE_TYPES or not 1 <= pk <= MAX_KEY or encode(type_name, pk) != text:
        raise invalid_argument(argument, f"is not a valid ID: {shown(text, 100)}")
    if expected is not None and type_name != expected:
        raise invalid_argument(argument, f"must be the ID of a {expected}, not of a {type_name}")
    return type_name, pk


def decode_all(texts: Sequence[str] | None, argument: str, expected: str) -> tuple[int, ...]:
    return tuple(decode(text, argument, expected)[1] for text in texts or ())
