"""The domain's enums, published with descriptions (strawberry.enum registers them in place)."""

from __future__ import annotations

import strawberry

from resolvers.vocabulary import (
    Assessment,
    Category,
    ConfirmationStage,
    ConfirmationVerdict,
    ContributionKind,
    ContributionStatus,
    DatePrecision,
    Firmness,
    Framework,
    FundForm,
    ItemCategory,
    ObjectiveStatus,
    ParticipantKind,
    PlanKind,
    PlanStatus,
    Priority,
    ReconciliationState,
    Role,
    TrancheStatus,
    Valuation,
    Visibility,
)

strawberry.enum(
    ParticipantKind,
    description=(
        "A state, an institution, or a FUND: a trust fund, pooled fund or executing agency "
        "through which support passes."
    ),
)
strawberry.enum(
    FundForm,
    description=(
        "How a fund works: TRUST_FUND (a NATO Trust Fund, led by one or more nations), "
        "POOLED_FUND (donors' money pooled and allocated together), EXECUTING_AGENCY (an agency "
        "such as NSPA that carries out projects with what donors give it)."
    ),
)
strawberry.enum(
    Role,
    description=(
        "The part a participant plays on a given date: ALLY (a NATO member), PARTNER (in a "
        "partnership framework), INSTITUTION (EU, OSCE, UN...), SECRETARIAT (NATO's International "
        "Staff), or NONE."
    ),
)
strawberry.enum(
    Framework,
    description=(
        "A NATO partnership framework: Partnership for Peace, Mediterranean Dialogue, Istanbul "
        "Cooperation Initiative, or partners across the globe."
    ),
)
strawberry.enum(
    PlanKind,
    description=(
        "IPAP (Individual Partnership Action Plan), IPCP (Individual Partnership and Cooperation "
        "Programme) or ITPP (Individually Tailored Partnership Programme, replacing both since the "
        "North Atlantic Council's 'one partner, one plan' decision of March 2021)."
    ),
)
strawberry.enum(
    PlanStatus,
    description="Lifecycle: DRAFT → AGREED → ACTIVE → UNDER_REVIEW → SUPERSEDED or CLOSED.",
)
strawberry.enum(
    DatePrecision,
    description="How much of a date is known: the day, only the month, or only the year.",
)
strawberry.enum(
    Category,
    description=(
        "The six objective categories: political and security issues; defence and military "
        "issues; public diplomacy; science and environment; civil preparedness (formerly civil "
        "emergency planning); administrative, protective security and resource issues."
    ),
)
strawberry.enum(Priority, description="How urgent an objective is, CRITICAL first.")
strawberry.enum(
    ObjectiveStatus,
    description="Progress of an objective; CARRIED_OVER when a successor plan took it on.",
)
strawberry.enum(
    ContributionKind,
    description="What is given: funding, equipment, training, expertise, personnel, other in kind.",
)
strawberry.enum(
    ContributionStatus,
    description="PLEDGED → COMMITTED → DISBURSED (funds) or DELIVERED (in kind); or WITHDRAWN.",
)
strawberry.enum(
    Visibility,
    description=(
        "PUBLIC, or RESTRICTED: only the contributor, the recipient partner and the secretariat "
        "see who gave and how much."
    ),
)
strawberry.enum(Assessment, description="A review's verdict on one objective.")
strawberry.enum(
    ConfirmationVerdict,
    description="The recipient's account of a contribution: CONFIRMED, or DISPUTED.",
)
strawberry.enum(
    ConfirmationStage,
    description="What a recipient confirms: funding RECEIVED, or in-kind support DELIVERED.",
)
strawberry.enum(
    ReconciliationState,
    description=(
        "Why a contribution needs reconciling: DIFFERS (the confirmed amount or currency is not "
        "the reported one), OUTDATED (the confirmation answers an older version), DISPUTED, or "
        "UNCONFIRMED (under way, started long ago, and nothing recorded by the recipient)."
    ),
)

strawberry.enum(
    Firmness,
    description="How sure a planned tranche is: FIRM (agreed) or INDICATIVE (planned, may move).",
)
strawberry.enum(
    TrancheStatus,
    description=(
        "Where a planned tranche stands. Deliveries fill a schedule's tranches in the order they "
        "fall due: DELIVERED (in full), PARTLY_DELIVERED, PENDING (not yet due), OVERDUE (due "
        "before today and not delivered in full)."
    ),
)
strawberry.enum(
    ItemCategory,
    description=(
        "What an in-kind line item is: EQUIPMENT (other military equipment), AMMUNITION, "
        "VEHICLES, COMMUNICATIONS (radios, networks, IT), PROTECTIVE_GEAR (body armour, helmets, "
        "CBRN protection), MEDICAL (supplies and facilities), DEMINING (EOD and demining "
        "equipment), SUPPLIES (fuel, rations, spare parts), INFRASTRUCTURE (works and buildings), "
        "TRAINING_COURSES (course places), ADVISERS (adviser time), OTHER."
    ),
)
strawberry.enum(
    Valuation,
    description=(
        "How an in-kind item's unit value was set: REPLACEMENT_COST (what it would cost to buy "
        "new today), BOOK_VALUE (its value in the donor's accounts), MARKET_PRICE (what it fetches "
        "on the market), DONOR_DECLARED (the donor's own figure, no method given)."
    ),
)

__all__ = [
    "Assessment",
    "Category",
    "ConfirmationStage",
    "ConfirmationVerdict",
    "ContributionKind",
    "ContributionStatus",
    "DatePrecision",
    "Firmness",
    "Framework",
    "FundForm",
    "ItemCategory",
    "ObjectiveStatus",
    "ParticipantKind",
    "PlanKind",
    "PlanStatus",
    "Priority",
    "ReconciliationState",
    "Role",
    "TrancheStatus",
    "Valuation",
    "Visibility",
]
