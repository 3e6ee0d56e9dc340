"""The domain's closed vocabularies. The schema layer publishes them as GraphQL enums."""

from __future__ import annotations

import enum


class ParticipantKind(enum.Enum):
    STATE = "STATE"
    INSTITUTION = "INSTITUTION"
    # A trust fund, pooled fund or executing agency through which support passes (store/funds.py).
    FUND = "FUND"


class FundForm(enum.Enum):
    """How a fund holds and passes on what it receives."""

    TRUST_FUND = "TRUST_FUND"
    POOLED_FUND = "POOLED_FUND"
    EXECUTING_AGENCY = "EXECUTING_AGENCY"


class Role(enum.Enum):
    ALLY = "ALLY"
    PARTNER = "PARTNER"
    INSTITUTION = "INSTITUTION"
    SECRETARIAT = "SECRETARIAT"
    NONE = "NONE"


class Framework(enum.Enum):
    PARTNERSHIP_FOR_PEACE = "PARTNERSHIP_FOR_PEACE"
    MEDITERRANEAN_DIALOGUE = "MEDITERRANEAN_DIALOGUE"
    ISTANBUL_COOPERATION_INITIATIVE = "ISTANBUL_COOPERATION_INITIATIVE"
    PARTNERS_ACROSS_THE_GLOBE = "PARTNERS_ACROSS_THE_GLOBE"


class PlanKind(enum.Enum):
    IPAP = "IPAP"
    IPCP = "IPCP"
    ITPP = "ITPP"


class PlanStatus(enum.Enum):
    DRAFT = "DRAFT"
    AGREED = "AGREED"
    ACTIVE = "ACTIVE"
    UNDER_REVIEW = "UNDER_REVIEW"
    SUPERSEDED = "SUPERSEDED"
    CLOSED = "CLOSED"


class DatePrecision(enum.Enum):
    DAY = "DAY"
    MONTH = "MONTH"
    YEAR = "YEAR"


class Category(enum.Enum):
    POLITICAL_AND_SECURITY = "POLITICAL_AND_SECURITY"
    DEFENCE_AND_MILITARY = "DEFENCE_AND_MILITARY"
    PUBLIC_DIPLOMACY = "PUBLIC_DIPLOMACY"
    SCIENCE_AND_ENVIRONMENT = "SCIENCE_AND_ENVIRONMENT"
    CIVIL_PREPAREDNESS = "CIVIL_PREPAREDNESS"
    ADMINISTRATIVE_AND_RESOURCES = "ADMINISTRATIVE_AND_RESOURCES"


class Priority(enum.IntEnum):
    """Stored as its rank so that ordering by priority is ordering by number."""

    CRITICAL = 1
    HIGH = 2
    MEDIUM = 3
    LOW = 4


class ObjectiveStatus(enum.Enum):
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    ACHIEVED = "ACHIEVED"
    DEFERRED = "DEFERRED"
    CARRIED_OVER = "CARRIED_OVER"


class ContributionKind(enum.Enum):
    FUNDING = "FUNDING"
    EQUIPMENT = "EQUIPMENT"
    TRAINING = "TRAINING"
    EXPERTISE = "EXPERTISE"
    PERSONNEL = "PERSONNEL"
    OTHER_IN_KIND = "OTHER_IN_KIND"


class ContributionStatus(enum.Enum):
    PLEDGED = "PLEDGED"
    COMMITTED = "COMMITTED"
    DISBURSED = "DISBURSED"
    DELIVERED = "DELIVERED"
    WITHDRAWN = "WITHDRAWN"


class Visibility(enum.Enum):
    PUBLIC = "PUBLIC"
    RESTRICTED = "RESTRICTED"


class Assessment(enum.Enum):
    ON_TRACK = "ON_TRACK"
    AT_RISK = "AT_RISK"
    OFF_TRACK = "OFF_TRACK"
    ACHIEVED = "ACHIEVED"


class ChangeAction(enum.Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    WITHDRAWN = "WITHDRAWN"
    TRANSITIONED = "TRANSITIONED"
    OVERLAP_DETECTED = "OVERLAP_DETECTED"
    CONFIRMED = "CONFIRMED"
    DISPUTED = "DISPUTED"


class ConfirmationVerdict(enum.Enum):
    CONFIRMED = "CONFIRMED"
    DISPUTED = "DISPUTED"


class ConfirmationStage(enum.Enum):
    """What the recipient confirms: funding RECEIVED, in-kind support DELIVERED."""

    RECEIVED = "RECEIVED"
    DELIVERED = "DELIVERED"


class ReconciliationState(enum.Enum):
    DIFFERS = "DIFFERS"
    OUTDATED = "OUTDATED"
    DISPUTED = "DISPUTED"
    UNCONFIRMED = "UNCONFIRMED"


class Firmness(enum.Enum):
    """How sure a planned tranche is: FIRM (agreed), INDICATIVE (planned, may move)."""

    FIRM = "FIRM"
    INDICATIVE = "INDICATIVE"


class TrancheStatus(enum.Enum):
    """Where a planned tranche stands: deliveries fill a schedule's tranches in due order."""

    DELIVERED = "DELIVERED"
    PARTLY_DELIVERED = "PARTLY_DELIVERED"
    PENDING = "PENDING"
    OVERDUE = "OVERDUE"


class ItemCategory(enum.Enum):
    """What an in-kind line item is: a controlled vocabulary (README, "Delivery")."""

    EQUIPMENT = "EQUIPMENT"
    AMMUNITION = "AMMUNITION"
    VEHICLES = "VEHICLES"
    COMMUNICATIONS = "COMMUNICATIONS"
    PROTECTIVE_GEAR = "PROTECTIVE_GEAR"
    MEDICAL = "MEDICAL"
    DEMINING = "DEMINING"
    SUPPLIES = "SUPPLIES"
    INFRASTRUCTURE = "INFRASTRUCTURE"
    TRAINING_COURSES = "TRAINING_COURSES"
    ADVISERS = "ADVISERS"
    OTHER = "OTHER"


class Valuation(enum.Enum):
    """How an in-kind item's unit value was set."""

    REPLACEMENT_COST = "REPLACEMENT_COST"
    BOOK_VALUE = "BOOK_VALUE"
    MARKET_PRICE = "MARKET_PRICE"
    DONOR_DECLARED = "DONOR_DECLARED"
