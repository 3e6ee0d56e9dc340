"""Figures as they stood on a past day (`asOf`), rebuilt from the change history, against a
brute-force oracle that replays the same writes day by day.

Each example writes through the API over a few days. The writes happen now, so each day's
events and rows are then dated back to a day of their own, as if written then; the oracle keeps
plain running totals of the same writes and says what each day's end should show.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from store.changes import ChangeEvent
from store.contributions import Contribution
from store.objectives import Objective
from store.plans import Plan
from tests.conftest import Api
from tests.test_hostile import unique

# Every example's days are its own: a past day's record never changes once it is over.
DAYS = itertools.count(0, 5)
FIRST_DAY = date(2021, 1, 4)
GIVERS = ("ally", "other_ally", "institution")

PLAN = """
mutation($input: CreatePlanInput!) {
  createPlan(input: $input) { plan { id } userErrors { message } }
}
"""
OBJECTIVE = """
mutation($input: AddObjectiveInput!) {
  addObjective(input: $input) { objective { id } userErrors { message } }
}
"""
REGISTER = """
mutation($input: RegisterContributionInput!) {
  registerContribution(input: $input) { contribution { id version } userErrors { message } }
}
"""
UPDATE = """
mutation($input: UpdateContributionInput!) {
  updateContribution(input: $input) { contribution { version } userErrors { message } }
}
"""
DELIVER = """
mutation($input: RecordDeliveryInput!) {
  recordDelivery(input: $input) { contribution { version } userErrors { message } }
}
"""
WITHDRAW = """
mutation($input: WithdrawContributionInput!) {
  withdrawContribution(input: $input) { contribution { version } userErrors { message } }
}
"""
FIGURES = """
query($plan: ID!, $day: Date) {
  coverage(filter: { plans: [$plan] }, asOf: $day) {
    total { pledged { amount } committed { amount } disbursed { amount } }
  }
  aidGaps(filter: { plans: [$plan] }, asOf: $day, first: 100) {
    totalCount nodes { objective { id } }
  }
  aidOverlaps(filter: { plans: [$plan] }, asOf: $day, first: 100) {
    totalCount nodes { objective { id } contributorCount }
  }
}
"""


@dataclass
class Given:
    """One contribution as the oracle keeps it."""

    id: str
    who: str
    objective: str
    amount: Decimal
    version: int = 1
    committed: Decimal | None = None
    delivered: Decimal = Decimal(0)
    withdrawn: bool = False


@dataclass
class Oracle:
    objectives: list[str]
    given: list[Given] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        """Totals by plain sums, gaps and overlaps by counting."""
        pledged = committed = delivered = Decimal(0)
        committed_to = dict.fromkeys(self.objectives, Decimal(0))
        givers: dict[str, set[str]] = {objective: set() for objective in self.objectives}
        for row in self.given:
            if row.withdrawn:
                pledged += row.delivered
                committed += row.delivered
                committed_to[row.objective] += row.delivered
            else:
                pledged += row.amount
                committed += row.committed or 0
                committed_to[row.objective] += row.committed or 0
                givers[row.objective].add(row.who)
            delivered += row.delivered
        return {
            "totals": (pledged, committed, delivered),
            "gaps": sorted(o for o, amount in committed_to.items() if amount == 0),
            "overlaps": sorted((o, len(g)) for o, g in givers.items() if len(g) >= 2),
        }


async def _write(api: Api, document: str, values: dict[str, Any], who: str) -> dict[str, Any]:
    data = await api.data(document, {"input": values}, as_=who)
    payload: dict[str, Any] = next(iter(data.values()))
    assert payload.get("userErrors") == [], payload
    return payload


async def _dated(api: Api, since: int, day: date) -> int:
    """Date every event after position `since`, and every row they made, back to noon of `day`:
    as if written then. Returns the last position."""
    noon = datetime.combine(day, time(12), UTC)
    async with api.database.writing() as session, session.begin():
        last = await session.scalar(sa.select(sa.func.max(ChangeEvent.id)))
        assert last is not None
        events = ChangeEvent.id > since
        await session.execute(sa.update(ChangeEvent).where(events).values(occurred_at=noon))
        for model, kind in (
            (Plan, "Plan"),
            (Objective, "Objective"),
            (Contribution, "Contribution"),
        ):
            made = sa.select(ChangeEvent.entity_id).where(
                events, ChangeEvent.entity_type == kind, ChangeEvent.action == "CREATED"
            )
            await session.execute(
                sa.update(model).where(model.id.in_(made)).values(created_at=noon)  # type: ignore[attr-defined]
            )
    return int(last)


def _amounts(found: dict[str, Any]) -> tuple[Decimal, Decimal, Decimal]:
    total = found["coverage"]["total"]
    return (
        Decimal(total["pledged"]["amount"]),
        Decimal(total["committed"]["amount"]),
        Decimal(total["disbursed"]["amount"]),
    )


async def _act(api: Api, oracle: Oracle, data: st.DataObject, today: str) -> None:
    """One write the oracle can follow, chosen at random among those the rules allow."""
    choices = ["register"]
    live = [row for row in oracle.given if not row.withdrawn]
    if live:
        choices += ["commit", "deliver", "withdraw"]
    action = data.draw(st.sampled_from(choices))
    if action == "register":
        who = data.draw(st.sampled_from(GIVERS))
        objective = data.draw(st.sampled_from(oracle.objectives))
        amount = Decimal(data.draw(st.integers(1, 50))) * 20
        values = {
            "objectiveId": objective,
            "kind": "FUNDING",
            "amount": {"amount": str(amount), "currency": "EUR"},
            "startsOn": "2021-01-01",
        }
        made = await _write(api, REGISTER, values, who)
        oracle.given.append(Given(made["contribution"]["id"], who, objective, amount))
        return
    row = data.draw(st.sampled_from(live))
    if action == "commit":
        part = Decimal(data.draw(st.integers(0, 4))) * row.amount / 4
        part = max(part, row.delivered)
        values = {
            "id": row.id,
            "expectedVersion": row.version,
            "committed": {"amount": str(part), "currency": "EUR"},
        }
        if part == 0:
            return
        done = await _write(api, UPDATE, values, row.who)
        row.committed, row.version = part, done["contribution"]["version"]
    elif action == "deliver":
        left = (row.committed or 0) - row.delivered
        if left <= 0:
            return
        part = left if data.draw(st.booleans()) else (left / 2).quantize(Decimal("0.01"))
        if part <= 0:
            return
        values = {
            "id": row.id,
            "expectedVersion": row.version,
            "amount": {"amount": str(part), "currency": "EUR"},
            "deliveredOn": today,
        }
        done = await _write(api, DELIVER, values, row.who)
        row.delivered, row.version = row.delivered + part, done["contribution"]["version"]
    else:
        done = await _write(api, WITHDRAW, {"id": row.id, "expectedVersion": row.version}, row.who)
        row.withdrawn, row.version = True, done["contribution"]["version"]


# Each example writes to a database that outlives it: no shrinking, and no replaying stored
# examples, both of which would meet the earlier examples' writes.
@settings(
    max_examples=8,
    deadline=None,
    phases=[Phase.generate],
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_figures_as_of_each_day_are_those_of_its_history(
    writable_api: Api, data: st.DataObject
) -> None:
    api = writable_api
    base = FIRST_DAY + timedelta(days=next(DAYS))
    today = datetime.now(UTC).date().isoformat()
    async with api.database.reads() as session:
        mark = int(await session.scalar(sa.select(sa.func.max(ChangeEvent.id))) or 0)
    # Given a plan in force with two objectives, made the day before the first day
    plan = await _write(
        api,
        PLAN,
        {"partner": "GE", "kind": "ITPP", "title": "As of", "code": unique("GE-ASOF"),
         "status": "ACTIVE", "agreedOn": "2020-06-01"},
        "secretariat",
    )  # fmt: skip
    plan_id = plan["plan"]["id"]
    objectives = []
    for n in range(2):
        values = {
            "planId": plan_id,
            "code": f"A{n}",
            "category": "CIVIL_PREPAREDNESS",
            "title": f"Objective {n}",
            "requirement": {"amount": "10000", "currency": "EUR"},
        }
        objectives.append((await _write(api, OBJECTIVE, values, "secretariat"))["objective"]["id"])
    mark = await _dated(api, mark, base - timedelta(days=1))
    oracle = Oracle(objectives)

    # When support is written over three days
    expected = {}
    for offset in range(3):
        for _ in range(data.draw(st.integers(0, 4))):
            await _act(api, oracle, data, today)
        day = base + timedelta(days=offset)
        mark = await _dated(api, mark, day)
        expected[day] = oracle.figures()

    # Then the figures as of each day's end are those of the writes up to it
    for day, figures in expected.items():
        found = await api.data(FIGURES, {"plan": plan_id, "day": day.isoformat()})
        assert _amounts(found) == figures["totals"], day
        gaps = sorted(node["objective"]["id"] for node in found["aidGaps"]["nodes"])
        assert gaps == figures["gaps"], day
        assert found["aidGaps"]["totalCount"] == len(figures["gaps"])
        overlaps = sorted(
            (node["objective"]["id"], node["contributorCount"])
            for node in found["aidOverlaps"]["nodes"]
        )
        assert overlaps == figures["overlaps"], day
    # And before the plan existed, nothing was covered
    before = await api.data(
        FIGURES, {"plan": plan_id, "day": (base - timedelta(days=2)).isoformat()}
    )
    assert _amounts(before) == (0, 0, 0)
    assert before["aidGaps"]["totalCount"] == 0
