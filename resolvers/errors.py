"""Errors that clients are meant to read: each names the argument at fault and carries a code."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from graphql import GraphQLError
from sqlalchemy.exc import DBAPIError

T = TypeVar("T")


class PublicError(GraphQLError):
    """An expected failure, shown to the client as it is (never masked)."""

    def __init__(self, message: str, code: str, argument: str | None = None) -> None:
        extensions: dict[str, Any] = {"code": code}
        if argument is not None:
            extensions["argument"] = argument
        super().__init__(message, extensions=extensions)


def shown(value: object, limit: int = 40) -> str:
    """`value` as the client wrote it, in JSON (true, null, {"x": 1}), never a Python repr."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
        text.encode()
    except UnicodeEncodeError:  # not Unicode text (a lone surrogate): escape all of it
        text = json.dumps(value, default=str)
    except (ValueError, RecursionError):  # nested too deep to write out
        text = "a value"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def invalid_argument(argument: str, message: str) -> PublicError:
    return PublicError(f"Argument `{argument}` {message}", "INVALID_ARGUMENT", argument)


def comparable(argument: str, value: str) -> str:
    """`value`, to look up or compare with stored text. No stored text holds a control character,
    and PostgreSQL cannot even be sent a NUL byte: such a value is refused here, by name, rather
    than fail in the database as an unexpected error."""
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise invalid_argument(argument, f"contains control characters: {shown(value)}")
    return value


def not_found(argument: str, message: str) -> PublicError:
    return PublicError(message, "NOT_FOUND", argument)


def require(row: T | None, what: str) -> T:
    """A row a foreign key promises. Its absence is a broken invariant, not the client's fault."""
    if row is None:
        raise LookupError(f"{what} is missing")
    return row


def is_outage(error: BaseException | None) -> bool:
    """Whether `error` means the database cannot be reached (rather than a fault of ours)."""
    while error is not None:
        if isinstance(error, ConnectionError | TimeoutError | OSError):
            return True
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        if type(error).__module__.startswith("asyncpg") and "Connection" in type(error).__name__:
            return True
        error = error.__cause__ or error.__context__
    return False


OUTAGE_MESSAGE = "The database cannot be reached right now; nothing was lost. Try again shortly."
# How long a client is told to wait before trying again after an outage.
OUTAGE_RETRY_SECONDS = 5
