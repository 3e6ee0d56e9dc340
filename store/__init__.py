"""The system of record: tables, queries and commands. All SQL of the service lives here."""

from store import (
    changes,
    confirmations,
    contributions,
    draws,
    funds,
    idempotency,
    objectives,
    participants,
    plans,
    rates,
    reviews,
    tallies,
    tokens,
)
from store.base import Base

__all__ = [
    "Base",
    "changes",
    "confirmations",
    "contributions",
    "draws",
    "funds",
    "idempotency",
    "objectives",
    "participants",
    "plans",
    "rates",
    "reviews",
    "tallies",
    "tokens",
]
