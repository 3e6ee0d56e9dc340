"""Loading the reference data, in one transaction.

Idempotent: a second load writes nothing. The seed data owns the rows it loads (matched by natural
key), so if they were edited since, a new load puts the reference values back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import pycountry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from seeds import rates, reference
from seeds.objectives import ILLUSTRATIVE_OBJECTIVE, OBJECTIVES, ObjectiveSeed
from seeds.reference import FUNDS, INSTITUTIONS, PLANS, STATE_CODES, PlanSeed
from store import seeding
from store.enums import ParticipantKind
from store.funds import Fund, FundLead
from store.objectives import Objective
from store.participants import Participant, Partnership
from store.plans import Plan
from store.rates import ExchangeRate

PLANS_BY_CODE = {plan.code: plan for plan in PLANS}


@dataclass(frozen=True)
class ReferenceSummary:
    """How many reference rows there are, and how many this load inserted."""

    participants: int
    partnerships: int
    plans: int
    objectives: int
    exchange_rates: int
    inserted: int


def state_name(code: str) -> str:
    """The English short name of a state, from its ISO 3166-1 alpha-2 code."""
    if code in reference.NAME_OVERRIDES:
        return reference.NAME_OVERRIDES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        raise ValueError(f"{code} is not an ISO 3166-1 alpha-2 code")
    return str(country.name)


def on_record(day: date) -> datetime:
    """When a historical plan entered the record: the day it was agreed (midnight UTC), so that
    ordering by `created_at` follows history rather than the day the seeds were loaded."""
    return datetime.combine(day, time(0), UTC)


def check_currency(code: str) -> str:
    """`code` itself, once pycountry confirms it is a current ISO 4217 currency."""
    if pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError(f"{code} is not a current ISO 4217 currency code")
    return code


async def load_reference(sessionmaker: async_sessionmaker[AsyncSession]) -> ReferenceSummary:
    """Load participants, partnerships, plans, objectives and exchange rates."""
    async with sessionmaker() as session, session.begin():
        return await _load(session)


async def _load(session: AsyncSession) -> ReferenceSummary:
    participants = await seeding.insert_missing(
        session, Participant, ("code",), _participant_rows()
    )
    ids = {key[0]: row.id for key, row in participants.rows.items()}
    funds = await seeding.insert_missing(session, Fund, ("participant_id",), _fund_rows(ids))
    leads = await seeding.insert_missing(
        session, FundLead, ("fund_id", "nation_id"), _fund_lead_rows(ids)
    )
    partnerships = await seeding.insert_missing(
        session, Partnership, ("participant_id", "framework", "joined_on"), _partnership_rows(ids)
    )
    # A successor refers to its predecessor's id, and a carried-over objective to the objective it
    # continues, so each goes in a second wave once the first has its ids.
    plans: dict[str, Plan] = {}
    counts: list[seeding.Loaded[Any]] = [participants, funds, leads, partnerships]
    for wave in (
        [plan for plan in PLANS if plan.predecessor is None],
        [plan for plan in PLANS if plan.predecessor is not None],
    ):
        rows = [_plan_row(plan, ids, plans) for plan in wave]
        outcome = await seeding.insert_missing(session, Plan, ("code",), rows)
        plans.update({key[0]: row for key, row in outcome.rows.items()})
        counts.append(outcome)
    objectives: dict[tuple[str, str], Objective] = {}
    for objective_wave in (
        [objective for objective in OBJECTIVES if objective.carried_over_from is None],
        [objective for objective in OBJECTIVES if objective.carried_over_from is not None],
    ):
        rows = [_objective_row(objective, plans, objectives) for objective in objective_wave]
        found = await seeding.insert_missing(session, Objective, ("plan_id", "code"), rows)
        by_id = {plan.id: code for code, plan in plans.items()}
        objectives.update({(by_id[key[0]], key[1]): row for key, row in found.rows.items()})
        counts.append(found)
    rates = await seeding.insert_missing(
        session, ExchangeRate, ("currency", "valid_from"), _rate_rows()
    )
    counts.append(rates)
    return ReferenceSummary(
        participants=len(participants.rows),
        partnerships=len(partnerships.rows),
        plans=len(plans),
        objectives=len(objectives),
        exchange_rates=len(rates.rows),
        inserted=sum(outcome.inserted for outcome in counts),
    )


def _participant_rows() -> list[dict[str, Any]]:
    states = [
        {
            "code": code,
            "name": state_name(code),
            "kind": ParticipantKind.STATE,
            "allied_since": reference.ALLIED_SINCE.get(code),
            "region": reference.REGIONS[code],
            "is_secretariat": False,
        }
        for code in STATE_CODES
    ]
    institutions = [
        {
            "code": institution.code,
            "name": institution.name,
            "kind": ParticipantKind.INSTITUTION,
            "allied_since": None,
            "region": None,
            "is_secretariat": institution.is_secretariat,
        }
        for institution in INSTITUTIONS
    ]
    funds = [
        {
            "code": fund.code,
            "name": fund.name,
            "kind": ParticipantKind.FUND,
            "allied_since": None,
            "region": None,
            "is_secretariat": False,
        }
        for fund in FUNDS
    ]
    return states + institutions + funds


def _fund_rows(ids: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "participant_id": ids[fund.code],
            "form": fund.form,
            "manager_id": ids[fund.manager],
            "beneficiary_id": None if fund.beneficiary is None else ids[fund.beneficiary],
            "established_on": fund.established_on,
            "purpose": fund.purpose,
            "reference": None,
        }
        for fund in FUNDS
    ]


def _fund_lead_rows(ids: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {"fund_id": ids[fund.code], "nation_id": ids[nation]}
        for fund in FUNDS
        for nation in fund.lead_nations
    ]


def _partnership_rows(ids: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "participant_id": ids[code],
            "framework": membership.framework,
            "joined_on": membership.joined_on,
            "left_on": membership.left_on,
        }
        for code in STATE_CODES
        for membership in reference.memberships(code)
    ]


def _plan_row(plan: PlanSeed, ids: dict[str, int], plans: dict[str, Plan]) -> dict[str, Any]:
    return {
        "code": plan.code,
        "partner_id": ids[plan.partner],
        "kind": plan.kind,
        "status": plan.status,
        "title": f"{state_name(plan.partner)} {reference.KIND_NAMES[plan.kind]}",
        "summary": plan.summary,
        "agreed_on": plan.agreed_on,
        "agreed_on_precision": plan.precision,
        "starts_on": plan.starts_on,
        "ends_on": plan.ends_on,
        "predecessor_id": None if plan.predecessor is None else plans[plan.predecessor].id,
        "created_at": on_record(plan.agreed_on),
    }


def _objective_row(
    objective: ObjectiveSeed,
    plans: dict[str, Plan],
    objectives: dict[tuple[str, str], Objective],
) -> dict[str, Any]:
    carried: Objective | None = None
    if objective.carried_over_from is not None:
        predecessor = PLANS_BY_CODE[objective.plan].predecessor
        assert predecessor is not None, "only a successor plan carries objectives over"
        carried = objectives[(predecessor, objective.carried_over_from)]
    amount, currency = objective.requirement or (None, None)
    return {
        "plan_id": plans[objective.plan].id,
        "code": objective.code,
        "category": objective.category,
        "title": objective.title,
        "description": ILLUSTRATIVE_OBJECTIVE,
        "priority": int(objective.priority),
        "status": objective.status,
        "requirement_amount": amount,
        "requirement_currency": None if currency is None else check_currency(currency),
        "target_date": objective.target_date,
        "carried_over_from_id": None if carried is None else carried.id,
        "origin_id": None if carried is None else carried.origin_id or carried.id,
        "created_at": on_record(PLANS_BY_CODE[objective.plan].agreed_on),
    }


def _rate_rows() -> list[dict[str, Any]]:
    return [
        {
            "currency": check_currency(rate.currency),
            "valid_from": rate.valid_from,
            "rate": rate.rate,
            "source": rate.source,
        }
        for rate in rates.EXCHANGE_RATES
    ]
