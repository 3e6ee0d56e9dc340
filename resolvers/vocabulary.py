"""The domain vocabulary the schema publishes, passed through from the store unchanged."""

from store.enums import (
    Assessment,
    Category,
    ChangeAction,
    ContributionKind,
    ContributionStatus,
    DatePrecision,
    Framework,
    ObjectiveStatus,
    ParticipantKind,
    PlanKind,
    PlanStatus,
    Priority,
    Role,
    Visibility,
)

__all__ = [
    "Assessment",
    "Category",
    "ChangeAction",
    "ContributionKind",
    "ContributionStatus",
    "DatePrecision",
    "Framework",
    "ObjectiveStatus",
    "ParticipantKind",
    "PlanKind",
    "PlanStatus",
    "Priority",
    "Role",
    "Visibility",
]
