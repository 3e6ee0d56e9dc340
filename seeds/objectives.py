"""Illustrative objectives for the reference plans, and the title bank the generator draws from.

Each objective says in its description that it is illustrative: typical of its category, never
quoted from an agreed plan. A successor plan carries its predecessor's open objectives over.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from seeds.reference import PLANS, PlanSeed
from store.enums import Category, ObjectiveStatus, PlanStatus, Priority

# Objective titles by category: the reference plans draw one of each, the generator all of them.
TITLES: dict[Category, tuple[str, ...]] = {
    Category.POLITICAL_AND_SECURITY: (
        "Democratic control of the armed forces",
        "National security strategy review",
        "Parliamentary oversight of the security sector",
        "Integrity building in defence institutions",
        "Women, Peace and Security national action plan",
        "Counter-terrorism legal framework",
        "Regional security cooperation dialogue",
        "Arms control and non-proliferation commitments",
    ),
    Category.DEFENCE_AND_MILITARY: (
        "Interoperability of a light infantry battalion",
        "Defence planning and budgeting reform",
        "Professional non-commissioned officer corps",
        "Military education and training modernisation",
        "Maritime situational awareness",
        "Counter-improvised explosive device capability",
        "Logistics and medical support standards",
        "Explosive ordnance disposal and demining",
    ),
    Category.PUBLIC_DIPLOMACY: (
        "Public awareness of Euro-Atlantic cooperation",
        "Strategic communications capacity",
        "Countering disinformation",
        "Information centre on cooperation with NATO",
        "Academic and civil society exchanges",
    ),
    Category.SCIENCE_AND_ENVIRONMENT: (
        "Cyber defence capacity",
        "Environmental remediation of former military sites",
        "Safe disposal of surplus munitions and rocket fuel",
        "Science for Peace and Security research network",
        "Energy security of critical infrastructure",
    ),
    Category.CIVIL_PREPAREDNESS: (
        "Disaster response coordination centre",
        "Flood and earthquake emergency planning",
        "Chemical, biological, radiological and nuclear protection",
        "Resilience of civil communications",
        "Civil-military emergency planning exercises",
    ),
    Category.ADMINISTRATIVE_AND_RESOURCES: (
        "Protection of classified information",
        "Defence procurement transparency",
        "Human resources management in defence",
        "Security of information and communication systems",
        "Financial management and audit in defence",
    ),
}

CATEGORY_CODES: dict[Category, str] = {
    Category.POLITICAL_AND_SECURITY: "PS",
    Category.DEFENCE_AND_MILITARY: "DM",
    Category.PUBLIC_DIPLOMACY: "PD",
    Category.SCIENCE_AND_ENVIRONMENT: "SE",
    Category.CIVIL_PREPAREDNESS: "CP",
    Category.ADMINISTRATIVE_AND_RESOURCES: "AR",
}

ILLUSTRATIVE_OBJECTIVE = (
    "Illustrative objective (seed data): typical of the category, not quoted from the agreed plan."
)


@dataclass(frozen=True)
class ObjectiveSeed:
    plan: str
    code: str
    category: Category
    title: str
    priority: Priority
    status: ObjectiveStatus
    requirement: tuple[Decimal, str] | None
    target_date: date | None
    # Code of the objective in the predecessor plan that this one carries over.
    carried_over_from: str | None = None


# The objective statuses each plan status admits, in the order the six categories take them.
_STATUSES = {
    PlanStatus.ACTIVE: ("IN_PROGRESS", "IN_PROGRESS", "NOT_STARTED", "ACHIEVED", "IN_PROGRESS",
                        "DEFERRED"),
    PlanStatus.CLOSED: ("ACHIEVED", "ACHIEVED", "ACHIEVED", "ACHIEVED", "DEFERRED", "ACHIEVED"),
    PlanStatus.SUPERSEDED: ("CARRIED_OVER", "CARRIED_OVER", "ACHIEVED", "CARRIED_OVER",
                            "ACHIEVED", "CARRIED_OVER"),
}  # fmt: skip
_PRIORITIES = (Priority.HIGH, Priority.CRITICAL, Priority.MEDIUM, Priority.HIGH, Priority.MEDIUM,
               Priority.LOW)  # fmt: skip
# Estimated needs in thousands, rotated over the categories; one objective in six states none.
_REQUIREMENTS = ("350", "2400", "120", "900", "1500", None)


def _objectives_of(index: int, plan: PlanSeed) -> list[ObjectiveSeed]:
    """Six illustrative objectives, one per category, varied by the plan's position in PLANS."""
    found: list[ObjectiveSeed] = []
    statuses = _STATUSES.get(plan.status, _STATUSES[PlanStatus.ACTIVE])
    end = plan.ends_on or date(plan.starts_on.year + 4, 12, 31)
    for slot, category in enumerate(Category):
        titles = TITLES[category]
        thousands = _REQUIREMENTS[(slot + index) % len(_REQUIREMENTS)]
        currency = "USD" if (slot + index) % 4 == 0 else "EUR"
        requirement = None if thousands is None else (Decimal(thousands) * 1000, currency)
        target = min(end, date(plan.starts_on.year + 1 + slot % 3, 12, 31))
        found.append(
            ObjectiveSeed(
                plan=plan.code,
                code=f"{CATEGORY_CODES[category]}-1",
                category=category,
                title=titles[index % len(titles)],
                priority=_PRIORITIES[(slot + index) % len(_PRIORITIES)],
                status=ObjectiveStatus(statuses[slot]),
                requirement=requirement,
                target_date=target,
            )
        )
    return found


def _successor_objectives(
    index: int, plan: PlanSeed, predecessor: list[ObjectiveSeed]
) -> list[ObjectiveSeed]:
    """A successor's objectives: the predecessor's open ones carried over, fresh ones elsewhere."""
    fresh = {objective.category: objective for objective in _objectives_of(index, plan)}
    found: list[ObjectiveSeed] = []
    for old in predecessor:
        new = fresh[old.category]
        if old.status is ObjectiveStatus.CARRIED_OVER:
            new = replace(
                new,
                title=old.title,
                priority=old.priority,
                requirement=old.requirement,
                carried_over_from=old.code,
            )
        found.append(replace(new, code=f"{CATEGORY_CODES[old.category]}-2"))
    return found


def reference_objectives() -> tuple[ObjectiveSeed, ...]:
    by_plan: dict[str, list[ObjectiveSeed]] = {}
    for index, plan in enumerate(PLANS):
        if plan.predecessor is None:
            by_plan[plan.code] = _objectives_of(index, plan)
        else:
            by_plan[plan.code] = _successor_objectives(index, plan, by_plan[plan.predecessor])
    return tuple(objective for objectives in by_plan.values() for objective in objectives)


OBJECTIVES = reference_objectives()
