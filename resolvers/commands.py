"""How every mutation runs: one transaction, expected failures as user errors, nothing half-done.

A command checks its input and the rules, writes, and records a change event, all in one
transaction that begins by claiming the change feed (so writers run one at a time and the feed has
no holes). Raising `Rejected` anywhere rolls everything back and returns the errors as data.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Generic, TypeVar

import pycountry
from sqlalchemy.ext.asyncio import AsyncSession

from resolvers import ids
from resolvers.context import Context
from resolvers.errors import shown
from resolvers.money import decimal_places, minor_digits
from store import changes, idempotency, rates
from store.base import Base, get, snapshot
from store.enums import ChangeAction

T = TypeVar("T")
# A stored row, as an idempotent command returns it on a retry.
Row = TypeVar("Row", bound=Base)


class UserErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    INVALID = "INVALID"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    INVALID_TRANSITION = "INVALID_TRANSITION"


@dataclass(frozen=True)
class UserError:
    field: list[str] | None
    message: str
    code: UserErrorCode


class Rejected(Exception):
    """Abandon the command: its transaction rolls back and the caller gets these errors."""

    def __init__(self, *errors: UserError, found: Any = None) -> None:
        super().__init__(errors)
        self.errors = list(errors)
        self.found = found


def reject(
    path: str | None,
    message: str,
    code: UserErrorCode = UserErrorCode.INVALID,
    found: Any = None,
) -> Rejected:
    """`path` names the input field, e.g. "amount.currency" (reported as input.amount.currency);
    `found` is an object to return all the same (the record a duplicate would have repeated)."""
    error = UserError(None if path is None else ["input", *path.split(".")], message, code)
    return Rejected(error, found=found)


@dataclass
class Outcome(Generic[T]):
    """What a mutation returns: the object written (or found again), and any user errors."""

    result: T | None = None
    errors: list[UserError] = field(default_factory=list)
    replayed: bool = False


async def run(
    context: Context, work: Callable[[AsyncSession], Awaitable[Outcome[T]]]
) -> Outcome[T]:
    """Run `work` in the mutation's one transaction: it commits if `work` returns, rolls back if it
    raises. Nothing else in the service commits."""
    try:
        async with context.write() as session, session.begin():
            await changes.claim(session)
            try:
                outcome = await work(session)
            except Rejected as rejection:
                if rejection.found is not None:
                    # Keep what was found readable once the rollback expires the session's rows.
                    session.expunge(rejection.found)
                raise
    except Rejected as rejection:
        return Outcome(result=rejection.found, errors=rejection.errors)
    # Committed: wake this instance's subscribers now (other instances hear the NOTIFY).
    if context.signals is not None:
        context.signals.announce()
    return outcome


async def log(
    context: Context,
    session: AsyncSession,
    row: Any,
    action: ChangeAction,
    before: dict[str, Any] | None,
    extra: dict[str, Any] | None = None,
) -> None:
    after = {**snapshot(row), **(extra or {})}
    await changes.record(session, context.caller.participant_id, row, action, before, after)


async def replayed(
    session: AsyncSession,
    context: Context,
    operation: str,
    key: str | None,
    print_: str,
    model: type[Row],
    what: str,
) -> Outcome[Row] | None:
    """The result of an earlier call of `operation` by this caller with idempotency key `key`,
    or None when there is none: a retry writes nothing. The same key with other input (another
    `print_`) is refused, naming `what` the first call was."""
    if key is None:
        return None
    seen = await idempotency.find(session, context.caller.participant_id, operation, key)
    if seen is None:
        return None
    if seen.fingerprint != print_:
        raise reject(
            "idempotencyKey",
            f"was already used for a different {what}",
            UserErrorCode.IDEMPOTENCY_KEY_REUSED,
        )
    return Outcome(await get(session, model, seen.entity_id), replayed=True)


async def remember(
    session: AsyncSession,
    context: Context,
    operation: str,
    key: str | None,
    print_: str,
    entity_id: int,
) -> None:
    """Keep what a call with an idempotency key wrote, for its retries (`replayed`)."""
    if key is not None:
        await idempotency.remember(
            session, context.caller.participant_id, operation, key, print_, entity_id
        )


def fingerprint(values: dict[str, Any]) -> str:
    """A stable digest of a mutation's input, to tell a retry from a different request."""
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=_plain).encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, Decimal | date):
        return str(value)
    return vars(value) if hasattr(value, "__dict__") else str(value)


# Input checks. Each raises `Rejected` naming the field; each returns the clean value.


def global_id(path: str, value: str, expected: str) -> int:
    try:
        return ids.decode(value, path, expected)[1]
    except Exception:
        raise reject(path, f"is not the ID of a {expected}", UserErrorCode.INVALID) from None


def input_text(
    path: str, value: str | None, limit: int, *, required: bool = False, prose: bool = False
) -> str | None:
    """The text of an input field, trimmed. Optional text may be left out (null); text that is
    sent must hold something, since a blank key, reference, code or title names nothing and
    would be silently dropped. Only `prose` (a description, a summary, a reason) may be sent
    blank, which means none."""
    if value is None:
        if required:
            raise reject(path, "is required")
        return None
    cleaned = value.strip()
    if not cleaned and (required or not prose):
        raise reject(path, "cannot be blank" if required else "cannot be blank: leave it out")
    if len(cleaned) > limit:
        raise reject(path, f"is {len(cleaned)} characters long; the limit is {limit}")
    if any(ord(char) < 32 and char not in "\n\t" for char in cleaned):
        raise reject(path, "contains control characters")
    return cleaned or None


def period(start_path: str, start: date | None, end_path: str, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise reject(end_path, f"({end}) is before {start_path.split('.')[-1]} ({start})")


async def money(
    session: AsyncSession, path: str, amount: Decimal, currency: str, on: date
) -> tuple[Decimal, str]:
    """A positive, finite amount in an ISO 4217 currency that has an exchange rate on `on`."""
    code = currency.strip().upper()
    if pycountry.currencies.get(alpha_3=code) is None:
        raise reject(f"{path}.currency", f"{shown(currency, 12)} is not an ISO 4217 currency code")
    if not amount.is_finite() or amount <= 0:
        raise reject(f"{path}.amount", "must be a positive amount")
    digits = minor_digits(code)
    if decimal_places(amount) > digits:
        raise reject(f"{path}.amount", f"has more than the {digits} decimal places of {code}")
    if amount >= Decimal(10) ** 12:
        raise reject(f"{path}.amount", "is too large: amounts stop below one trillion")
    if code not in await rates.currencies_rated_by(session, on):
        raise reject(f"{path}.currency", f"{code} has no exchange rate on {on}")
    return amount, code


def forward(
    path: str, current: enum.Enum, wanted: enum.Enum, allowed: Mapping[Any, Sequence[Any]]
) -> None:
    """Statuses only move along their lifecycle."""
    if wanted != current and wanted not in allowed.get(current, ()):
        raise reject(
            path,
            f"cannot move from {current.name} to {wanted.name}",
            UserErrorCode.INVALID_TRANSITION,
        )


def not_null(fields: dict[str, Any], *names: str) -> None:
    """An update may leave a field out, but may not empty one the record cannot do without."""
    for name in names:
        if name in fields and fields[name] is None:
            head, *rest = name.split("_")
            raise reject(head + "".join(part.title() for part in rest), "cannot be null")


def version(path: str, row: Any, expected: int) -> None:
    if row.version != expected:
        raise reject(
            path,
            f"is {expected}, but the record is at version {row.version}: read it again",
            UserErrorCode.VERSION_CONFLICT,
        )
