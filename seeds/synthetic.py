"""The synthetic data set's shared vocabulary: its size, its marker, its clock and its shapes.

The data set is a pure function of (reference data, scale, seed): everything random comes from one
`random.Random(seed)` consumed in a fixed order over sorted inputs (plans and objectives in
`seeds.cycles`, then contributions in `seeds.support`), and "today" is the fixed `AS_OF`, so the
same scale gives the same rows on any day. Totals are apportioned exactly (largest remainder):
scale 1 gives 6,000 objectives and 60,000 contributions.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from store.enums import PlanStatus
from store.objectives import Objective
from store.participants import Participant, Partnership
from store.plans import Plan

OBJECTIVES_AT_SCALE_1 = 6_000
CONTRIBUTIONS_AT_SCALE_1 = 60_000
MEAN_OBJECTIVES_PER_PLAN = 60
# Generated rows are marked by this prefix on their natural keys (plan and objective codes,
# contributions' external references): it is how a second run recognises them.
MARK = "GEN-"
# The generator's "today": plan and contribution statuses follow from it, fixed for determinism.
AS_OF = date(2026, 10, 1)
AS_OF_MOMENT = datetime.combine(AS_OF, time(0), UTC)


def objectives_for(scale: float) -> int:
    return max(1, round(OBJECTIVES_AT_SCALE_1 * scale))


def contributions_for(scale: float) -> int:
    return round(CONTRIBUTIONS_AT_SCALE_1 * scale)


def pick(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def moment(rng: random.Random, day: date) -> datetime:
    """A random instant of `day`, in UTC, to the microsecond as a server would stamp it."""
    return datetime.combine(day, time(0), UTC) + timedelta(
        microseconds=rng.randrange(86_400_000_000)
    )


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` in proportion to `weights` into integers that sum to it (largest remainder)."""
    if not weights:
        return []
    mass = sum(weights)
    if mass <= 0:
        weights, mass = [1.0] * len(weights), float(len(weights))
    exact = [total * weight / mass for weight in weights]
    counts = [int(share) for share in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (counts[i] - exact[i], i))
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts


@dataclass(frozen=True)
class World:
    """The reference data a run builds on, as read from the database."""

    participants: Sequence[Participant]
    partnerships: dict[int, list[Partnership]]
    plans: Sequence[Plan]  # the reference plans, by code
    objectives: Sequence[Objective]  # the reference objectives, by plan and code


@dataclass
class Slot:
    """A plan that receives generated objectives: a reference plan, or a generated cycle."""

    code: str
    partner_id: int
    status: PlanStatus
    start: date
    end: date
    opened: date  # when work on it began: agreement, or drafting
    row: dict[str, Any] | None = None  # the generated plan's row; None for a reference plan
    predecessor: str | None = None
    objectives: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Dataset:
    plans: list[Slot]  # generated plans, each after its predecessor
    slots: list[Slot]  # every plan that gets objectives: reference plans first
    # Each contribution's row, after the (plan code, objective code) of the objective it supports.
    contributions: list[tuple[tuple[str, str], dict[str, Any]]]

    @property
    def objective_count(self) -> int:
        return sum(len(slot.objectives) for slot in self.slots)
