"""The system of record: tables, queries and commands. All SQL of the service lives here."""

from store import changes, contributions, objectives, participants, plans, rates, reviews
from store.base import Base

__all__ = [
    "Base",
    "changes",
    "contributions",
    "objectives",
    "participants",
    "plans",
    "rates",
    "reviews",
]
