"""Seed data: the reference facts every deployment needs, and a generator of realistic volume."""

from seeds.generate import GeneratedDataConflict, GeneratedSummary, MissingReferenceData, generate
from seeds.load import ReferenceSummary, load_reference

__all__ = [
    "GeneratedDataConflict",
    "GeneratedSummary",
    "MissingReferenceData",
    "ReferenceSummary",
    "generate",
    "load_reference",
]
