"""The domain's enums, published with descriptions."""

from __future__ import annotations

import strawberry

from resolvers import vocabulary as v

ParticipantKind = strawberry.enum(v.ParticipantKind, description="A state or an institution.")
Role = strawberry.enum(
    v.Role,
    description=(
        "The part a participant plays on a given date: ALLY (a NATO member), PARTNER (in a "
        "partnership framework), INSTITUTION (EU, OSCE, UN...), SECRETARIAT (NATO's International "
        "Staff), or NONE."
    ),
)
Framework = strawberry.enum(
    v.Framework,
    description=(
        "A NATO partnership framework: Partnership for Peace, Mediterranean Dialogue, Istanbul "
        "Cooperation Initiative, or partners across the globe."
    ),
)
PlanKind = strawberry.enum(
    v.PlanKind,
    description=(
        "IPAP (Individual Partnership Action Plan), IPCP (Individual Partnership and Cooperation "
        "Programme) or ITPP (Individually Tailored Partnership Programme, replacing both since the "
        "North Atlantic Council's 'one partner, one plan' decision of March 2021)."
    ),
)
PlanStatus = strawberry.enum(
    v.PlanStatus,
    description="Lifecycle: DRAFT → AGREED → ACTIVE → UNDER_REVIEW → SUPERSEDED or CLOSED.",
)
DatePrecision = strawberry.enum(
    v.DatePrecision,
    description="How much of a date is known: the day, only the month, or only the year.",
)
Category = strawberry.enum(
    v.Category,
    description=(
        "The six objective categories: political and security issues; defence and military "
        "issues; public diplomacy; science and environment; civil preparedness (formerly civil "
        "emergency planning); administrative, protective security and resource issues."
    ),
)
Priority = strawberry.enum(v.Priority, description="How urgent an objective is, CRITICAL first.")
ObjectiveStatus = strawberry.enum(
    v.ObjectiveStatus,
    description="Progress of an objective; CARRIED_OVER when a successor plan took it on.",
)
ContributionKind = strawberry.enum(
    v.ContributionKind,
    description="What is given: funding, equipment, training, expertise, personnel or other in kind.",
)
ContributionStatus = strawberry.enum(
    v.ContributionStatus,
    description="PLEDGED → COMMITTED → DISBURSED (funds) or DELIVERED (in kind); or WITHDRAWN.",
)
Visibility = strawberry.enum(
    v.Visibility,
    description=(
        "PUBLIC, or RESTRICTED: only the contributor, the recipient partner and the secretariat "
        "see who gave and how much."
    ),
)
Assessment = strawberry.enum(v.Assessment, description="A review's verdict on one objective.")
