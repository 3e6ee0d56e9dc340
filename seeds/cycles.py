"""Generated plan cycles, and objectives for every plan, reference or generated.

The reference plans alone hold ~100 objectives; volume needs more plans. Each partner with a plan
on record gets successive two-year cycles after its first plan (IPAP or IPCP, then ITPP from 2022,
after the "one partner, one plan" decision of March 2021), most recent first, until the plans
average about 60 objectives. Codes start with `MARK` so nobody mistakes them for real documents.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from seeds.objectives import CATEGORY_CODES, TITLES
from seeds.reference import KIND_NAMES
from seeds.synthetic import (
    AS_OF,
    AS_OF_MOMENT,
    MARK,
    MEAN_OBJECTIVES_PER_PLAN,
    Slot,
    World,
    apportion,
    moment,
    objectives_for,
    pick,
)
from store.enums import Category, DatePrecision, ObjectiveStatus, PlanKind, PlanStatus, Priority
from store.participants import Participant
from store.plans import Plan

CYCLE_YEARS = 2
LAST_CYCLE_YEAR = AS_OF.year + 1
# The "one partner, one plan" decision was taken in March 2021: cycles from 2022 on are ITPPs.
FIRST_ITPP_YEAR = 2022
SYNTHETIC_PLAN = "Synthetic plan cycle generated for demos and benchmarks; not a NATO document."
SYNTHETIC_OBJECTIVE = "Synthetic objective generated for demos and benchmarks."
QUALIFIERS = (
    "phase 1",
    "phase 2",
    "regional pilot",
    "national roll-out",
    "train-the-trainer programme",
    "legal and policy framework",
    "equipment and infrastructure",
    "sustainment and maintenance",
    "assessment and evaluation",
    "staff exchanges",
)
CATEGORY_WEIGHTS = {
    Category.DEFENCE_AND_MILITARY: 30,
    Category.POLITICAL_AND_SECURITY: 20,
    Category.CIVIL_PREPAREDNESS: 15,
    Category.SCIENCE_AND_ENVIRONMENT: 12,
    Category.ADMINISTRATIVE_AND_RESOURCES: 12,
    Category.PUBLIC_DIPLOMACY: 11,
}
PRIORITY_WEIGHTS = {Priority.CRITICAL: 12, Priority.HIGH: 30, Priority.MEDIUM: 38, Priority.LOW: 20}
OBJECTIVE_STATUSES: dict[PlanStatus, dict[ObjectiveStatus, int]] = {
    PlanStatus.DRAFT: {ObjectiveStatus.NOT_STARTED: 1},
    PlanStatus.AGREED: {ObjectiveStatus.NOT_STARTED: 1},
    PlanStatus.ACTIVE: {
        ObjectiveStatus.NOT_STARTED: 20,
        ObjectiveStatus.IN_PROGRESS: 55,
        ObjectiveStatus.ACHIEVED: 15,
        ObjectiveStatus.DEFERRED: 10,
    },
    PlanStatus.SUPERSEDED: {
        ObjectiveStatus.ACHIEVED: 50,
        ObjectiveStatus.CARRIED_OVER: 35,
        ObjectiveStatus.DEFERRED: 15,
    },
    PlanStatus.CLOSED: {ObjectiveStatus.ACHIEVED: 75, ObjectiveStatus.DEFERRED: 25},
}
OBJECTIVE_STATUSES[PlanStatus.UNDER_REVIEW] = OBJECTIVE_STATUSES[PlanStatus.ACTIVE]


def build_plans(world: World, scale: float, rng: random.Random) -> tuple[list[Slot], list[Slot]]:
    """The reference plans as slots, then enough generated cycles for ~60 objectives per plan."""
    wanted = objectives_for(scale)
    reference = [_reference_slot(plan) for plan in world.plans]
    extra = max(0, round(wanted / MEAN_OBJECTIVES_PER_PLAN) - len(reference))
    people = {participant.id: participant for participant in world.participants}
    firsts: dict[int, date] = {}
    for plan in world.plans:
        agreed = plan.agreed_on or plan.starts_on or AS_OF
        firsts[plan.partner_id] = min(agreed, firsts.get(plan.partner_id, agreed))
    lines: dict[int, list[int]] = {}
    for partner_id, first in firsts.items():
        end = people[partner_id].allied_since or date.max
        lines[partner_id] = [
            year
            for year in range(first.year + CYCLE_YEARS, LAST_CYCLE_YEAR + 1, CYCLE_YEARS)
            if date(year, 1, 1) < end
        ]
    # Most recent cycles first, one line at a time, so every partner gets a recent history.
    chosen: dict[int, list[int]] = {partner_id: [] for partner_id in lines}
    while extra > 0 and any(lines.values()):
        for partner_id, years in lines.items():
            if years and extra > 0:
                chosen[partner_id].insert(0, years.pop())
                extra -= 1
    generated: list[Slot] = []
    for partner_id, years in chosen.items():
        partner = people[partner_id]
        kinds = {plan.kind for plan in world.plans if plan.partner_id == partner_id}
        earlier = PlanKind.IPAP if PlanKind.IPAP in kinds else PlanKind.IPCP
        previous: Slot | None = None
        for position, year in enumerate(years):
            kind = PlanKind.ITPP if year >= FIRST_ITPP_YEAR else earlier
            has_successor = position + 1 < len(years)
            slot = _cycle(rng, partner, kind, year, previous, has_successor)
            generated.append(slot)
            previous = slot
    return reference, generated


def _reference_slot(plan: Plan) -> Slot:
    start = plan.starts_on or plan.agreed_on or AS_OF
    end = plan.ends_on or date(AS_OF.year + 2, 12, 31)
    return Slot(plan.code, plan.partner_id, plan.status, start, end, plan.agreed_on or start)


def _cycle(
    rng: random.Random,
    partner: Participant,
    kind: PlanKind,
    year: int,
    previous: Slot | None,
    has_successor: bool,
) -> Slot:
    code = f"{MARK}{partner.code}-{kind.value}-{year}"
    start = date(year, 1, 1)
    end = date(year + CYCLE_YEARS - 1, 12, 31)
    if partner.allied_since is not None:
        end = min(end, partner.allied_since - timedelta(days=1))
    agreed: date | None = start - timedelta(days=rng.randint(14, 120))
    if end < AS_OF:
        status = PlanStatus.SUPERSEDED if has_successor else PlanStatus.CLOSED
    elif start <= AS_OF:
        status = PlanStatus.UNDER_REVIEW if rng.random() < 0.3 else PlanStatus.ACTIVE
    elif agreed is not None and agreed <= AS_OF:
        status = PlanStatus.AGREED
    else:
        status, agreed = PlanStatus.DRAFT, None
    opened = agreed or AS_OF - timedelta(days=rng.randint(5, 60))
    created = moment(rng, opened)
    last_touch = min(AS_OF_MOMENT, datetime.combine(end, time(0), UTC))
    span = max(0, int((last_touch - created).total_seconds()))
    updated = created + timedelta(seconds=rng.randint(0, span)) if span else created
    row = {
        "code": code,
        "partner_id": partner.id,
        "kind": kind,
        "status": status,
        "title": f"{partner.name} {KIND_NAMES[kind]} {year}-{year + CYCLE_YEARS - 1} (generated)",
        "summary": SYNTHETIC_PLAN,
        "agreed_on": agreed,
        "agreed_on_precision": DatePrecision.DAY,
        "starts_on": start,
        "ends_on": end,
        "version": 1 if updated == created else rng.randint(2, 4),
        "created_at": created,
        "updated_at": updated,
    }
    predecessor = None if previous is None else previous.code
    return Slot(code, partner.id, status, start, end, opened, row, predecessor)


def build_objectives(slots: Sequence[Slot], scale: float, rng: random.Random) -> None:
    """Apportion the objectives over `slots` (roughly evenly) and fill each slot's list."""
    counts = apportion(objectives_for(scale), [rng.uniform(0.6, 1.4) for _ in slots])
    for slot, count in zip(slots, counts, strict=True):
        for number in range(1, count + 1):
            slot.objectives.append(_objective(rng, slot, number))


def _objective(rng: random.Random, slot: Slot, number: int) -> dict[str, Any]:
    category: Category = pick(rng, CATEGORY_WEIGHTS)
    title = f"{rng.choice(TITLES[category])}: {rng.choice(QUALIFIERS)}"
    requirement: Decimal | None = None
    currency: str | None = None
    if rng.random() < 0.85:
        euros = max(5_000, round(rng.lognormvariate(12.9, 1.0), -3))  # median about 400,000
        requirement = Decimal(int(euros))
        currency = "USD" if rng.random() < 0.2 else "EUR"
    span = (slot.end - slot.start).days
    opened = slot.opened + timedelta(days=rng.randint(0, 30))
    created = moment(rng, min(AS_OF - timedelta(days=1), opened))
    updated = created
    if rng.random() < 0.5:
        later = created + timedelta(seconds=rng.randint(3_600, 200 * 86_400))
        updated = min(AS_OF_MOMENT, later)
    return {
        "code": f"{MARK}{CATEGORY_CODES[category]}-{number:04d}",
        "category": category,
        "title": title,
        "description": SYNTHETIC_OBJECTIVE,
        "priority": int(pick(rng, PRIORITY_WEIGHTS)),
        "status": pick(rng, OBJECTIVE_STATUSES[slot.status]),
        "requirement_amount": requirement,
        "requirement_currency": currency,
        "target_date": slot.start + timedelta(days=rng.randint(span // 3, span)),
        "version": 1 if updated == created else rng.randint(2, 3),
        "created_at": created,
        "updated_at": updated,
    }
