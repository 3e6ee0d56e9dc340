"""Generated contributions: who gives what, how much, when, and how it stands on `AS_OF`.

The support per objective has a long tail (lognormal weights) and gaps (a tenth of the objectives
get nothing); donors are drawn by weight from whoever was an ally, partner or institution when
the plan began, sometimes giving several tranches, so objectives see overlapping donors.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from seeds.money import Money
from seeds.synthetic import (
    AS_OF,
    AS_OF_MOMENT,
    MARK,
    Slot,
    World,
    apportion,
    contributions_for,
    moment,
    pick,
)
from store.enums import (
    ContributionKind,
    ContributionStatus,
    ParticipantKind,
    PlanStatus,
    Role,
    Visibility,
)
from store.participants import Participant, role_on
from store.stages import given_at

# How much each donor tends to give, relative to a typical ally (1) or partner (0.2).
DONOR_WEIGHTS: dict[str, float] = {
    "US": 10, "DE": 8, "GB": 7, "FR": 5, "CA": 4, "NO": 4, "NL": 4, "IT": 3, "PL": 3, "DK": 3,
    "SE": 3, "TR": 2.5, "FI": 2, "ES": 2, "CZ": 2, "RO": 2, "BE": 2,
    "EU": 6, "NATO": 3, "OSCE": 2, "UN": 2, "UNDP": 2, "IOM": 1,
    "JP": 2, "CH": 1.5, "AT": 1, "IE": 1, "AU": 1, "KR": 1, "NZ": 0.5, "AE": 0.8, "QA": 0.5,
    "KW": 0.5, "RU": 0, "BY": 0,
}  # fmt: skip
STATE_KINDS = {
    ContributionKind.FUNDING: 35,
    ContributionKind.EQUIPMENT: 20,
    ContributionKind.TRAINING: 20,
    ContributionKind.EXPERTISE: 12,
    ContributionKind.PERSONNEL: 8,
    ContributionKind.OTHER_IN_KIND: 5,
}
INSTITUTION_KINDS = {
    ContributionKind.FUNDING: 55,
    ContributionKind.EXPERTISE: 30,
    ContributionKind.TRAINING: 15,
}
# Median value in euros and the spread (sigma of the log) of one contribution of each kind.
VALUES = {
    ContributionKind.FUNDING: (150_000, 1.1),
    ContributionKind.EQUIPMENT: (250_000, 1.0),
    ContributionKind.TRAINING: (60_000, 0.9),
    ContributionKind.EXPERTISE: (40_000, 0.9),
    ContributionKind.PERSONNEL: (80_000, 0.8),
    ContributionKind.OTHER_IN_KIND: (30_000, 1.0),
}
DONE = ContributionStatus.DELIVERED  # stands for DISBURSED (funding) or DELIVERED (in kind)
FUTURE = {ContributionStatus.PLEDGED: 75, ContributionStatus.COMMITTED: 20,
          ContributionStatus.WITHDRAWN: 5}  # fmt: skip
CURRENT = {ContributionStatus.PLEDGED: 25, ContributionStatus.COMMITTED: 40, DONE: 27,
           ContributionStatus.WITHDRAWN: 8}  # fmt: skip
PAST = {DONE: 75, ContributionStatus.COMMITTED: 10, ContributionStatus.PLEDGED: 5,
        ContributionStatus.WITHDRAWN: 10}  # fmt: skip
KIND_PHRASES = {
    ContributionKind.FUNDING: "Funding",
    ContributionKind.EQUIPMENT: "Equipment",
    ContributionKind.TRAINING: "Training courses",
    ContributionKind.EXPERTISE: "Advisory expertise",
    ContributionKind.PERSONNEL: "Seconded personnel",
    ContributionKind.OTHER_IN_KIND: "In-kind support",
}
GAP_SHARE = 0.1  # objectives that nobody supports: what gap analysis must find
REPEAT_DONOR = 0.25  # a further tranche from a donor already on the objective
RESTRICTED_SHARE = 0.05


@dataclass(frozen=True)
class Target:
    """An objective that can receive contributions, and the plan it belongs to."""

    slot: Slot
    code: str
    title: str


def build_contributions(
    world: World,
    slots: Sequence[Slot],
    money: Money,
    scale: float,
    rng: random.Random,
) -> list[tuple[tuple[str, str], dict[str, Any]]]:
    """Contributions keyed by (plan code, objective code), apportioned with a long tail."""
    by_code = {slot.code: slot for slot in slots}
    codes = {plan.id: plan.code for plan in world.plans}
    targets = [
        Target(by_code[codes[objective.plan_id]], objective.code, objective.title)
        for objective in world.objectives
    ]
    targets += [
        Target(slot, row["code"], row["title"]) for slot in slots for row in slot.objectives
    ]
    # A draft is not agreed yet: nobody pledges towards it.
    targets = [target for target in targets if target.slot.status is not PlanStatus.DRAFT]
    weights = [0.0 if rng.random() < GAP_SHARE else rng.lognormvariate(0, 0.75) for _ in targets]
    counts = apportion(contributions_for(scale), weights)
    pools: dict[str, tuple[list[Participant], list[float]]] = {}
    serials: dict[int, int] = {}
    found: list[tuple[tuple[str, str], dict[str, Any]]] = []
    for target, count in zip(targets, counts, strict=True):
        slot = target.slot
        if slot.code not in pools:
            donors = [d for d in donors_on(world, slot.start, slot.partner_id) if _weight(d) > 0]
            cumulative: list[float] = []
            for donor in donors:
                cumulative.append((cumulative[-1] if cumulative else 0.0) + _weight(donor))
            pools[slot.code] = (donors, cumulative)
        donors, cumulative = pools[slot.code]
        if not donors:
            continue
        given: list[Participant] = []
        for _ in range(count):
            if given and rng.random() < REPEAT_DONOR:
                donor = rng.choice(given)
            else:
                donor = rng.choices(donors, cum_weights=cumulative)[0]
                given.append(donor)
            serials[donor.id] = serials.get(donor.id, 0) + 1
            row = _contribution(rng, target, donor, serials[donor.id], money)
            found.append(((slot.code, target.code), row))
    return found


def _weight(participant: Participant) -> float:
    default = 1.0 if participant.allied_since is not None else 0.2
    return DONOR_WEIGHTS.get(participant.code, default)


def _contribution(
    rng: random.Random, target: Target, donor: Participant, serial: int, money: Money
) -> dict[str, Any]:
    slot = target.slot
    institution = donor.kind is ParticipantKind.INSTITUTION
    kind: ContributionKind = pick(rng, INSTITUTION_KINDS if institution else STATE_KINDS)
    span = (slot.end - slot.start).days
    starts = slot.start + timedelta(days=rng.randint(0, max(0, int(span * 0.8))))
    ends: date | None = min(slot.end, starts + timedelta(days=rng.randint(60, 540)))
    open_ended = slot.status in (PlanStatus.ACTIVE, PlanStatus.UNDER_REVIEW)
    if open_ended and rng.random() < 0.05:
        ends = None
    valued = starts + timedelta(days=rng.randint(0, min(45, ((ends or slot.end) - starts).days)))
    if starts > AS_OF:
        status: ContributionStatus = pick(rng, FUTURE)
    elif ends is not None and ends < AS_OF:
        status = pick(rng, PAST)
    else:
        status = pick(rng, CURRENT)
    if status is DONE and kind is ContributionKind.FUNDING:
        status = ContributionStatus.DISBURSED
    median, sigma = VALUES[kind]
    euros = Decimal(f"{rng.lognormvariate(0, sigma) * median:.2f}")
    currency = money.currency_of(donor, valued)
    done = status in (ContributionStatus.DISBURSED, ContributionStatus.DELIVERED)
    amount = money.from_euros(euros, currency, valued.year, round_figure=not done)
    day = max(slot.opened, valued - timedelta(days=rng.randint(0, 45)))
    created = moment(rng, min(AS_OF - timedelta(days=1), day))
    if status is ContributionStatus.PLEDGED and rng.random() < 0.6:
        updated = created
    else:
        limit = AS_OF_MOMENT if ends is None else min(AS_OF_MOMENT, moment(rng, ends))
        seconds = max(3_600, int((limit - created).total_seconds()))
        updated = min(AS_OF_MOMENT, created + timedelta(seconds=rng.randint(3_600, seconds)))
    restricted = rng.random() < RESTRICTED_SHARE
    # Committed, and delivered in full, when it last changed: as a status alone used to say.
    stages = given_at(status, amount, updated.date(), donor.id, updated)
    return {
        **stages,
        "pledged_on": created.date(),
        "contributor_id": donor.id,
        "recipient_id": slot.partner_id,
        "reported_by_id": donor.id,
        "draws": False,
        "kind": kind,
        "status": status,
        "amount": amount,
        "currency": currency,
        "valued_on": valued,
        "starts_on": starts,
        "ends_on": ends,
        "description": f"{KIND_PHRASES[kind]}: {target.title}",
        "external_reference": f"{MARK}{donor.code}-{valued.year}-{serial:06d}",
        "visibility": Visibility.RESTRICTED if restricted else Visibility.PUBLIC,
        "withdrawn_at": updated if status is ContributionStatus.WITHDRAWN else None,
        "version": 1 if updated == created else rng.randint(2, 5),
        "created_at": created,
        "updated_at": updated,
    }


def donors_on(world: World, day: date, partner_id: int) -> list[Participant]:
    """Who can contribute to a plan starting on `day`: allies, partners and institutions then."""
    able = {Role.ALLY, Role.PARTNER, Role.INSTITUTION, Role.SECRETARIAT}
    return [
        participant
        for participant in world.participants
        if participant.id != partner_id
        and role_on(participant, world.partnerships.get(participant.id, []), day) in able
    ]
