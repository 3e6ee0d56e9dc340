"""User errors: expected failures of a mutation, as data a client can branch on."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry

from resolvers.commands import Outcome, UserErrorCode
from resolvers.commands import UserError as UserErrorValue

strawberry.enum(
    UserErrorCode,
    description=(
        "Why a mutation did not apply: NOT_FOUND, FORBIDDEN (not yours to change), INVALID "
        "(a value breaks a rule), VERSION_CONFLICT (changed since you read it), "
        "IDEMPOTENCY_KEY_REUSED (same key, different input), ALREADY_EXISTS (e.g. your external "
        "reference is registered), INVALID_TRANSITION (a status cannot move that way)."
    ),
)


@strawberry.type(description="Why a mutation did not apply, and which input field is at fault.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault, e.g. ["input", "amount", "amount"].'
    )
    message: str = strawberry.field(description="What is wrong, for people.")
    code: UserErrorCode = strawberry.field(description="What is wrong, for programs.")


def user_errors(outcome: Outcome[Any]) -> list[UserError]:
    return [_error(error) for error in outcome.errors]


def _error(error: UserErrorValue) -> UserError:
    path = None if error.field is None else [_camel(part) for part in error.field]
    return UserError(field=path, message=error.message, code=error.code)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@strawberry.input(description="An amount of money: an exact decimal string and an ISO 4217 code.")
class MoneyInput:
    amount: Decimal = strawberry.field(description="Positive, in the currency's minor units.")
    currency: str = strawberry.field(description="ISO 4217 code with an exchange rate, e.g. EUR.")

    def pair(self) -> tuple[Decimal, str]:
        return self.amount, self.currency


def provided(value: Any, *skip: str) -> dict[str, Any]:
    """The fields a client actually sent in an update input (absent ones are left alone)."""
    return {
        name: field.pair() if isinstance(field, MoneyInput) else field
        for name, field in vars(value).items()
        if field is not strawberry.UNSET and name not in skip
    }
