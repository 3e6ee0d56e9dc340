"""Realistic volume for demos and benchmarks: plans, objectives and contributions at any scale.

Scale 1 is 6,000 objectives and 60,000 contributions. The rows are a pure function of the
reference data, the scale and the seed (see `seeds.synthetic`), written in one transaction with
executemany batches. A run that finds its own rows already there writes nothing; one that finds
the rows of another scale or seed refuses, rather than mixing two data sets.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from seeds import reference
from seeds.cycles import build_objectives, build_plans
from seeds.money import Money
from seeds.objectives import OBJECTIVES
from seeds.support import build_contributions
from seeds.synthetic import MARK, Dataset, World
from store import seeding
from store.contributions import Contribution
from store.objectives import Objective
from store.participants import Participant, Partnership
from store.plans import Plan
from store.rates import ExchangeRate


class MissingReferenceData(RuntimeError):
    """The generator builds on the reference data, which is not (all) loaded."""


class GeneratedDataConflict(RuntimeError):
    """The database holds generated rows of another scale or seed."""


@dataclass(frozen=True)
class GeneratedSummary:
    """The size of the generated data set, and whether this run wrote it (False: already there)."""

    plans: int
    objectives: int
    contributions: int
    written: bool


async def generate(
    sessionmaker: async_sessionmaker[AsyncSession], scale: float, *, seed: int = 2002
) -> GeneratedSummary:
    """Add the synthetic data set for `scale` (any positive number) on top of the reference data."""
    if not math.isfinite(scale) or scale <= 0:
        raise ValueError(f"scale must be a positive number, not {scale}")
    async with sessionmaker() as session, session.begin():
        world, money = await _read_reference(session)
        dataset = build(world, money, scale, seed)
        summary = GeneratedSummary(
            plans=len(dataset.plans),
            objectives=dataset.objective_count,
            contributions=len(dataset.contributions),
            written=True,
        )
        present = await _present(session)
        if present == _expected(dataset):
            return replace(summary, written=False)
        if any(present):
            raise GeneratedDataConflict(
                "the database already holds generated data of another scale or seed; "
                "generate into a fresh database (after load_reference)"
            )
        await _write(session, world, dataset)
        return summary


def build(world: World, money: Money, scale: float, seed: int) -> Dataset:
    """The whole synthetic data set for `scale`: a pure function of its arguments."""
    rng = random.Random(seed)
    reference_slots, generated = build_plans(world, scale, rng)
    slots = reference_slots + generated
    build_objectives(slots, scale, rng)
    contributions = build_contributions(world, slots, money, scale, rng)
    return Dataset(plans=generated, slots=slots, contributions=contributions)


async def _read_reference(session: AsyncSession) -> tuple[World, Money]:
    codes = [plan.code for plan in reference.PLANS]
    plans = sorted(await seeding.fetch_in(session, Plan, Plan.code, codes), key=lambda p: p.code)
    rates = await seeding.fetch_all(session, ExchangeRate)
    if len(plans) != len(codes) or not rates:
        raise MissingReferenceData(
            "the reference data is not loaded: run seeds.load_reference() before generate()"
        )
    participants = sorted(await seeding.fetch_all(session, Participant), key=lambda p: p.code)
    partnerships: dict[int, list[Partnership]] = {}
    for partnership in await seeding.fetch_all(session, Partnership):
        partnerships.setdefault(partnership.participant_id, []).append(partnership)
    wanted = {(objective.plan, objective.code) for objective in OBJECTIVES}
    by_id = {plan.id: plan.code for plan in plans}
    objectives = sorted(
        (
            objective
            for objective in await seeding.fetch_in(
                session, Objective, Objective.plan_id, list(by_id)
            )
            if (by_id[objective.plan_id], objective.code) in wanted
        ),
        key=lambda objective: (by_id[objective.plan_id], objective.code),
    )
    world = World(participants, partnerships, plans, objectives)
    return world, Money(rates)


Keys = tuple[set[tuple[Any, ...]], set[tuple[Any, ...]], set[tuple[Any, ...]]]


async def _present(session: AsyncSession) -> Keys:
    """The natural keys of the generated rows already in the database."""
    plan_codes = dict(await seeding.fetch_columns(session, (Plan.id, Plan.code)))
    plans = await seeding.keys_with_prefix(session, (Plan.code,), Plan.code, MARK)
    objectives = {
        (plan_codes[plan_id], code)
        for plan_id, code in await seeding.keys_with_prefix(
            session, (Objective.plan_id, Objective.code), Objective.code, MARK
        )
    }
    contributions = await seeding.keys_with_prefix(
        session,
        (Contribution.contributor_id, Contribution.external_reference),
        Contribution.external_reference,
        MARK,
    )
    return plans, objectives, contributions


def _expected(dataset: Dataset) -> Keys:
    plans = {(slot.code,) for slot in dataset.plans}
    objectives = {(slot.code, row["code"]) for slot in dataset.slots for row in slot.objectives}
    contributions = {
        (row["contributor_id"], row["external_reference"]) for _, row in dataset.contributions
    }
    return plans, objectives, contributions


async def _write(session: AsyncSession, world: World, dataset: Dataset) -> None:
    plan_ids = {plan.code: plan.id for plan in world.plans}
    # A cycle refers to its predecessor's id: insert the plans in waves, each after the one before.
    pending = list(dataset.plans)
    while pending:
        wave = [
            slot for slot in pending if slot.predecessor is None or slot.predecessor in plan_ids
        ]
        if not wave:
            raise AssertionError("generated plans whose predecessors are never generated")
        rows = [
            {
                **(slot.row or {}),
                "predecessor_id": None if slot.predecessor is None else plan_ids[slot.predecessor],
            }
            for slot in wave
        ]
        ids = await seeding.insert_many_returning_ids(session, Plan, rows)
        plan_ids.update({slot.code: new_id for slot, new_id in zip(wave, ids, strict=True)})
        pending = [slot for slot in pending if slot.code not in plan_ids]
    objective_rows = [
        {**row, "plan_id": plan_ids[slot.code], "carried_over_from_id": None, "origin_id": None}
        for slot in dataset.slots
        for row in slot.objectives
    ]
    ids = await seeding.insert_many_returning_ids(session, Objective, objective_rows)
    codes = {plan_id: code for code, plan_id in plan_ids.items()}
    objective_ids = {
        (codes[row["plan_id"]], row["code"]): new_id
        for row, new_id in zip(objective_rows, ids, strict=True)
    }
    objective_ids.update(
        {(codes[objective.plan_id], objective.code): objective.id for objective in world.objectives}
    )
    contribution_rows = [
        {**row, "objective_id": objective_ids[key]} for key, row in dataset.contributions
    ]
    await seeding.insert_many(session, Contribution, contribution_rows)
