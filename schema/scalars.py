"""Scalars that refuse ambiguity: ISO dates, time zone-aware date-times, decimals as strings."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

import strawberry

from resolvers.errors import shown

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def parse_date(value: object) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError(f"Date must be a string in the form YYYY-MM-DD, got {shown(value)}")
    try:
        return date.fromisoformat(value)
    except ValueError as problem:
        raise ValueError(f"{shown(value)} is not a calendar date: {problem}") from None


def parse_datetime(value: object) -> datetime:
    if not isinstance(value, str) or not _DATETIME.fullmatch(value):
        raise ValueError(
            "DateTime must be an ISO 8601 string with a time zone, such as "
            f"2024-05-03T11:02:00Z, got {shown(value)}"
        )
    try:
        return datetime.fromisoformat(value).astimezone(UTC)
    except ValueError as problem:
        raise ValueError(f"{shown(value)} is not a valid date and time: {problem}") from None


def parse_decimal(value: object) -> Decimal:
    # A JSON number may already have been rounded through a float by the client: refuse it.
    if not isinstance(value, str) or not _DECIMAL.fullmatch(value.strip()):
        raise ValueError(
            f'Decimal must be a string of digits such as "1250.50", got {shown(value)}'
        )
    try:
        return Decimal(value.strip())
    except InvalidOperation:
        raise ValueError(f"{shown(value)} is not a decimal number") from None


def _serialize_datetime(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


Date = strawberry.scalar(
    name="Date",
    description="A calendar date, ISO 8601 `YYYY-MM-DD`.",
    serialize=date.isoformat,
    parse_value=parse_date,
)

DateTime = strawberry.scalar(
    name="DateTime",
    description="An instant, ISO 8601 with a time zone; served in UTC (`2024-05-03T11:02:00Z`).",
    serialize=_serialize_datetime,
    parse_value=parse_datetime,
)

DecimalScalar = strawberry.scalar(
    name="Decimal",
    description='An exact decimal number, as a string (e.g. `"1250.50"`); never a float.',
    serialize=str,
    parse_value=parse_decimal,
)

SCALAR_OVERRIDES = {date: Date, datetime: DateTime, Decimal: DecimalScalar}
