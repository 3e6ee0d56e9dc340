"""Funds, pooled support and allocations over the API: money passed through a fund counts once,
where it arrives; a fund and the donor whose money it passes on are one source; only a fund's
manager (or the secretariat) allocates from it, never beyond what it received; the secretariat
reports on a contributor's behalf until the contributor takes the record over."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select

from resolvers import tokens
from resolvers.vocabulary import Role
from seeds import load_reference
from store.contributions import Contribution
from store.database import create_engine, create_sessionmaker
from store.migrate import alembic_config, upgrade
from store.participants import Participant
from tests.conftest import Api, Databases
from tests.migrations import database_at

PLAN = """
mutation Plan($code: String!) {
  createPlan(input: { partner: "GE", kind: ITPP, code: $code, title: $code, status: ACTIVE,
                      agreedOn: "2024-01-01" }) {
    plan { id }
    userErrors { message }
  }
}
"""

OBJECTIVE = """
mutation Objective($plan: ID!, $code: String!, $category: Category!) {
  addObjective(input: { planId: $plan, code: $code, category: $category, title: $code,
                        priority: HIGH }) {
    objective { id }
    userErrors { message }
  }
}
"""

REGISTER = """
mutation Register($input: RegisterContributionInput!) {
  registerContribution(input: $input) {
    contribution { id version contributor { code } reportedBy { code } channel { code }
                   objective { id } earmarkedPlan { id } earmarkedCategory }
    userErrors { field message code }
  }
}
"""

ALLOCATE = """
mutation Allocate($input: AllocateContributionInput!) {
  allocateContribution(input: $input) {
    contribution { id version contributor { code } channel { code } reportedBy { code }
                   amount { amount currency } objective { id }
                   drawsOn { amount { amount } contribution { id contributor { code } } } }
    userErrors { field message code }
  }
}
"""

UPDATE = """
mutation Update($input: UpdateContributionInput!) {
  updateContribution(input: $input) {
    contribution { version reportedBy { code } amount { amount } }
    userErrors { field message code }
  }
}
"""

WITHDRAW = """
mutation Withdraw($id: ID!, $version: Int!) {
  withdrawContribution(input: { id: $id, expectedVersion: $version }) {
    contribution { status }
    userErrors { field message code }
  }
}
"""

HOLDINGS = """
query Holdings($code: String!) {
  participant(code: $code) {
    kind
    fund { form manager { code } leadNations { code } beneficiary { code }
           holdings { currency received { amount } allocated { amount } available { amount } } }
  }
}
"""

COVERAGE = """
query Coverage($plan: ID!) {
  coverage(filter: { plans: [$plan] }) { total { pledged { amount } committed { amount } } }
}
"""

CREDITS = """
query Credits($plan: ID!, $attribution: Attribution!) {
  coverage(filter: { plans: [$plan] }) {
    unallocated { amount }
    byContributor(attribution: $attribution) { contributor { code } pledged { amount } }
  }
}
"""

OVERLAP = """
query Overlap($plan: ID!) {
  aidOverlaps(filter: { plans: [$plan] }) {
    nodes { objective { id } contributorCount hiddenContributorCount contributors { code } }
  }
}
"""

ALLOCATIONS = """
query Allocations($id: ID!) {
  node(id: $id) {
    ... on Contribution {
      allocations { amount { amount currency } contribution { id objective { id } } }
    }
  }
}
"""


def _payload(body: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = next(iter(body.values()))
    return payload


async def _written(api: Api, document: str, input_: dict[str, Any], as_: str) -> dict[str, Any]:
    payload = _payload(await api.data(document, {"input": input_}, as_))
    assert payload["userErrors"] == [], payload["userErrors"]
    contribution: dict[str, Any] = payload["contribution"]
    return contribution


async def _refused(api: Api, document: str, input_: dict[str, Any], as_: str) -> dict[str, Any]:
    payload = _payload(await api.data(document, {"input": input_}, as_))
    assert payload["contribution"] is None
    assert len(payload["userErrors"]) == 1, payload["userErrors"]
    error: dict[str, Any] = payload["userErrors"][0]
    return error


def _money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


def _give(**destination: Any) -> dict[str, Any]:
    return {"kind": "FUNDING", "amount": _money("1000.00"), "startsOn": "2025-01-01", **destination}


def _draws(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"contributionId": source, "amount": amount} for source, amount in pairs]


class World:
    """A plan of Georgia's with three objectives (two in one category), made per test."""

    def __init__(self, api: Api) -> None:
        self.api = api

    async def build(self) -> World:
        code = f"GE-F-{uuid.uuid4().hex[:6]}"
        plan = _payload(await self.api.data(PLAN, {"code": code}))
        assert plan["userErrors"] == []
        self.plan = plan["plan"]["id"]
        self.objectives = []
        for n, category in enumerate(
            ("CIVIL_PREPAREDNESS", "CIVIL_PREPAREDNESS", "PUBLIC_DIPLOMACY")
        ):
            variables = {"plan": self.plan, "code": f"O{n}", "category": category}
            made = _payload(await self.api.data(OBJECTIVE, variables))
            assert made["userErrors"] == []
            self.objectives.append(made["objective"]["id"])
        return self

    async def coverage(self) -> tuple[str, str]:
        found = (await self.api.data(COVERAGE, {"plan": self.plan}))["coverage"]["total"]
        return found["pledged"]["amount"], found["committed"]["amount"]

    async def overlaps(self, as_: str = "secretariat") -> dict[str, dict[str, Any]]:
        found = await self.api.data(OVERLAP, {"plan": self.plan}, as_)
        return {node["objective"]["id"]: node for node in found["aidOverlaps"]["nodes"]}


async def _holdings(api: Api, code: str, as_: str = "secretariat") -> dict[str, tuple[str, ...]]:
    fund = (await api.data(HOLDINGS, {"code": code}, as_))["participant"]["fund"]
    return {
        row["currency"]: (
            row["received"]["amount"],
            row["allocated"]["amount"],
            row["available"]["amount"],
        )
        for row in fund["holdings"]
    }


@pytest.fixture(scope="module")
async def fund_api(writable_api: Api) -> Api:
    """The API with a token for NSPA, which manages the funds of the reference data."""
    writable_api.tokens["manager"] = await tokens.issue(
        writable_api.database.writes, "NSPA", Role.INSTITUTION, None
    )
    return writable_api


async def test_funds_are_listed_with_their_manager_leads_and_beneficiary(fund_api: Api) -> None:
    found = await fund_api.data(
        "{ funds { totalCount nodes { code kind fund { form manager { code } "
        "leadNations { code } beneficiary { code } } } } }",
        as_="ally",
    )
    funds = {node["code"]: node for node in found["funds"]["nodes"]}
    assert found["funds"]["totalCount"] == 3
    assert funds["GEDRTF"] == {
        "code": "GEDRTF",
        "kind": "FUND",
        "fund": {
            "form": "TRUST_FUND",
            "manager": {"code": "NSPA"},
            "leadNations": [{"code": "NL"}, {"code": "NO"}],
            "beneficiary": {"code": "GE"},
        },
    }
    assert funds["NSPA"]["fund"]["form"] == "EXECUTING_AGENCY"
    only = await fund_api.data('{ funds(filter: { beneficiaries: ["GE"] }) { nodes { code } } }')
    assert only["funds"]["nodes"] == [{"code": "GEDRTF"}]
    assert (await fund_api.data('{ participant(code: "DE") { fund { form } } }'))[
        "participant"
    ] == {"fund": None}


async def test_money_through_a_fund_counts_once_where_it_arrives(fund_api: Api) -> None:
    world = await World(fund_api).build()
    before = await _holdings(fund_api, "DCBTF")
    german = await _written(fund_api, REGISTER, _give(fund="DCBTF", planId=world.plan), as_="ally")
    french = await _written(fund_api, REGISTER, _give(fund="dcbtf"), as_="other_ally")
    assert german["channel"] == {"code": "DCBTF"}
    assert german["objective"] is None and german["earmarkedPlan"] == {"id": world.plan}
    # Pooled money reaches no objective yet.
    assert await world.coverage() == ("0.00", "0.00")

    allocation = await _written(
        fund_api,
        ALLOCATE,
        {
            "objectiveId": world.objectives[0],
            "draws": _draws((german["id"], "600.00"), (french["id"], "200.00")),
            "startsOn": "2025-02-01",
            "status": "COMMITTED",
        },
        as_="manager",
    )
    assert allocation["contributor"] == {"code": "DCBTF"}
    assert allocation["channel"] == {"code": "DCBTF"}
    assert allocation["reportedBy"] == {"code": "NSPA"}
    assert allocation["amount"] == {"amount": "800.00", "currency": "EUR"}
    assert [
        (d["contribution"]["contributor"]["code"], d["amount"]["amount"])
        for d in allocation["drawsOn"]
    ] == [("DE", "600.00"), ("FR", "200.00")]
    # 2,000 given, 800 of it arrived: the plan counts 800, once.
    assert await world.coverage() == ("800.00", "800.00")
    credits = {}
    for attribution in ("DIRECT", "ORIGINAL_DONORS"):
        variables = {"plan": world.plan, "attribution": attribution}
        found = (await fund_api.data(CREDITS, variables))["coverage"]
        # Germany's 1,000 was earmarked to this plan; 600 of it has arrived.
        assert found["unallocated"] == {"amount": "400.00"}
        credits[attribution] = [
            (row["contributor"]["code"], row["pledged"]["amount"]) for row in found["byContributor"]
        ]
    assert credits == {
        "DIRECT": [("DCBTF", "800.00")],
        "ORIGINAL_DONORS": [("DE", "600.00"), ("FR", "200.00")],
    }
    after = await _holdings(fund_api, "DCBTF")
    received, allocated, available = before.get("EUR") or ("0.00", "0.00", "0.00")
    assert after["EUR"] == (
        f"{float(received) + 2000:.2f}",
        f"{float(allocated) + 800:.2f}",
        f"{float(available) + 1200:.2f}",
    )
    went = (await fund_api.data(ALLOCATIONS, {"id": german["id"]}, as_="ally"))["node"]
    assert went["allocations"] == [
        {
            "amount": {"amount": "600.00", "currency": "EUR"},
            "contribution": {"id": allocation["id"], "objective": {"id": world.objectives[0]}},
        }
    ]


async def test_a_fund_cannot_allocate_more_than_it_received_and_only_its_manager_may(
    fund_api: Api,
) -> None:
    world = await World(fund_api).build()
    given = await _written(fund_api, REGISTER, _give(fund="GEDRTF"), as_="ally")
    allocate = {
        "objectiveId": world.objectives[0],
        "draws": _draws((given["id"], "700.00")),
        "startsOn": "2025-02-01",
    }
    refused = await _refused(fund_api, ALLOCATE, allocate, as_="ally")
    assert (refused["field"], refused["code"]) == (["input", "draws"], "FORBIDDEN")
    await _written(fund_api, ALLOCATE, allocate, as_="manager")
    again = await _refused(fund_api, ALLOCATE, allocate, as_="secretariat")
    assert again["field"] == ["input", "draws", "0", "amount"]
    assert "only 300.00 EUR" in again["message"]
    assert await world.coverage() == ("700.00", "0.00")
    # The rest can go, by the secretariat too; then nothing is left.
    await _written(
        fund_api, ALLOCATE, {**allocate, "draws": _draws((given["id"], "300.00"))}, "secretariat"
    )
    assert await world.coverage() == ("1000.00", "0.00")
    source = (await fund_api.data(ALLOCATIONS, {"id": given["id"]}))["node"]
    assert [row["amount"]["amount"] for row in source["allocations"]] == ["700.00", "300.00"]


async def test_a_pooled_contribution_with_allocations_stays_until_they_go(fund_api: Api) -> None:
    world = await World(fund_api).build()
    given = await _written(fund_api, REGISTER, _give(fund="GEDRTF"), as_="ally")
    allocation = await _written(
        fund_api,
        ALLOCATE,
        {
            "objectiveId": world.objectives[1],
            "draws": _draws((given["id"], "250.00")),
            "startsOn": "2025-03-01",
        },
        as_="manager",
    )
    body = await fund_api.data(WITHDRAW, {"id": given["id"], "version": 1}, as_="ally")
    error = body["withdrawContribution"]["userErrors"][0]
    assert (error["field"], error["code"]) == (["input", "id"], "INVALID_TRANSITION")
    shrink = await fund_api.data(
        UPDATE,
        {"input": {"id": given["id"], "expectedVersion": 1, "amount": _money("200.00")}},
        as_="ally",
    )
    assert shrink["updateContribution"]["userErrors"][0]["field"] == ["input", "amount", "amount"]
    assert await world.coverage() == ("250.00", "0.00")
    # Withdrawing the allocation puts its money back in the pool.
    body = await fund_api.data(
        WITHDRAW, {"id": allocation["id"], "version": allocation["version"]}, as_="manager"
    )
    assert body["withdrawContribution"]["userErrors"] == []
    assert await world.coverage() == ("0.00", "0.00")
    body = await fund_api.data(WITHDRAW, {"id": given["id"], "version": 1}, as_="ally")
    assert body["withdrawContribution"]["contribution"] == {"status": "WITHDRAWN"}


async def test_a_fund_and_the_donor_whose_money_it_passes_on_are_one_source(
    fund_api: Api,
) -> None:
    world = await World(fund_api).build()
    target = world.objectives[2]
    await _written(fund_api, REGISTER, _give(objectiveId=target), as_="ally")
    german = await _written(fund_api, REGISTER, _give(fund="NSPA"), as_="ally")
    french = await _written(fund_api, REGISTER, _give(fund="NSPA"), as_="other_ally")
    allocate = {"objectiveId": target, "startsOn": "2025-01-15"}
    await _written(
        fund_api, ALLOCATE, {**allocate, "draws": _draws((german["id"], "500.00"))}, "manager"
    )
    # Germany directly and NSPA with Germany's money: one source, no overlap.
    assert target not in await world.overlaps()
    await _written(
        fund_api, ALLOCATE, {**allocate, "draws": _draws((french["id"], "500.00"))}, "manager"
    )
    overlap = (await world.overlaps())[target]
    assert overlap["contributorCount"] == 2
    assert [c["code"] for c in overlap["contributors"]] == ["DE", "FR"]
    assert overlap["hiddenContributorCount"] == 0


async def test_support_earmarked_to_a_plan_is_allocated_within_its_earmark(fund_api: Api) -> None:
    world = await World(fund_api).build()
    given = await _written(
        fund_api,
        REGISTER,
        _give(planId=world.plan, category="CIVIL_PREPAREDNESS"),
        as_="ally",
    )
    assert given["earmarkedCategory"] == "CIVIL_PREPAREDNESS"
    assert given["channel"] is None
    outside = await _refused(
        fund_api,
        ALLOCATE,
        {
            "objectiveId": world.objectives[2],
            "draws": _draws((given["id"], "100.00")),
            "startsOn": "2025-01-01",
        },
        as_="partner",
    )
    assert outside["field"] == ["input", "objectiveId"]
    assert "another category" in outside["message"]
    stranger = await _refused(
        fund_api,
        ALLOCATE,
        {
            "objectiveId": world.objectives[0],
            "draws": _draws((given["id"], "100.00")),
            "startsOn": "2025-01-01",
        },
        as_="other_ally",
    )
    # France may not see that restricted or not, it is not France's to allocate.
    assert stranger["code"] in {"FORBIDDEN", "NOT_FOUND"}
    # The partner it is earmarked to allocates it; the contributor stays the giver.
    made = await _written(
        fund_api,
        ALLOCATE,
        {
            "objectiveId": world.objectives[0],
            "draws": _draws((given["id"], "100.00")),
            "startsOn": "2025-01-01",
        },
        as_="partner",
    )
    assert made["contributor"] == {"code": "DE"}
    assert made["channel"] is None
    assert made["reportedBy"] == {"code": "GE"}
    assert await world.coverage() == ("100.00", "0.00")


@pytest.mark.parametrize(
    ("destination", "field"),
    [
        ({}, "objectiveId"),
        ({"fund": "DE"}, "fund"),
        ({"fund": "ZZZZ"}, "fund"),
        ({"category": "PUBLIC_DIPLOMACY"}, "category"),
        ({"objectiveId": "OBJ", "fund": "DCBTF"}, "fund"),
        ({"earmarkedObjectiveId": "OBJ"}, "earmarkedObjectiveId"),
    ],
)
async def test_a_destination_that_is_not_exactly_one_is_refused_by_name(
    fund_api: Api, destination: dict[str, str], field: str
) -> None:
    world = await World(fund_api).build()
    filled = {
        key: world.objectives[0] if value == "OBJ" else value for key, value in destination.items()
    }
    error = await _refused(fund_api, REGISTER, _give(**filled), as_="ally")
    assert error["field"] == ["input", field], error


async def test_the_secretariat_reports_on_behalf_until_the_contributor_takes_over(
    fund_api: Api,
) -> None:
    world = await World(fund_api).build()
    reported = await _written(
        fund_api,
        REGISTER,
        _give(objectiveId=world.objectives[0], onBehalfOf="FR"),
        as_="secretariat",
    )
    assert reported["contributor"] == {"code": "FR"}
    assert reported["reportedBy"] == {"code": "NATO"}
    refused = await _refused(
        fund_api, REGISTER, _give(objectiveId=world.objectives[0], onBehalfOf="FR"), as_="ally"
    )
    assert (refused["field"], refused["code"]) == (["input", "onBehalfOf"], "FORBIDDEN")
    # The reporter corrects it while it is on behalf; the contributor then takes it over.
    change = {"id": reported["id"], "expectedVersion": 1, "amount": _money("900.00")}
    corrected = await fund_api.data(UPDATE, {"input": change}, as_="secretariat")
    assert corrected["updateContribution"]["contribution"]["reportedBy"] == {"code": "NATO"}
    taken = await fund_api.data(
        UPDATE, {"input": {"id": reported["id"], "expectedVersion": 2}}, as_="other_ally"
    )
    assert taken["updateContribution"]["contribution"] == {
        "version": 3,
        "reportedBy": {"code": "FR"},
        "amount": {"amount": "900.00"},
    }
    late = await fund_api.data(
        UPDATE,
        {"input": {"id": reported["id"], "expectedVersion": 3, "amount": _money("1.00")}},
        as_="secretariat",
    )
    assert late["updateContribution"]["userErrors"][0]["code"] == "FORBIDDEN"
    other = await fund_api.data(UPDATE, {"input": {**change, "expectedVersion": 3}}, as_="ally")
    assert other["updateContribution"]["userErrors"][0]["code"] == "FORBIDDEN"


async def test_a_restricted_gift_into_a_fund_shows_to_its_manager_not_to_others(
    fund_api: Api,
) -> None:
    world = await World(fund_api).build()
    given = await _written(
        fund_api, REGISTER, {**_give(fund="GEDRTF"), "visibility": "RESTRICTED"}, as_="ally"
    )
    document = "query($id: ID!) { node(id: $id) { ... on Contribution { contributor { code } } } }"
    seen = {
        who: (await fund_api.data(document, {"id": given["id"]}, who))["node"]["contributor"]
        for who in ("ally", "manager", "secretariat", "other_ally", "partner")
    }
    assert seen == {
        "ally": {"code": "DE"},
        "manager": {"code": "DE"},
        "secretariat": {"code": "DE"},
        "other_ally": None,
        "partner": None,
    }
    # The manager allocates it; France, which may not see who gave, is not told the giver.
    await _written(
        fund_api,
        ALLOCATE,
        {
            "objectiveId": world.objectives[0],
            "draws": _draws((given["id"], "400.00")),
            "startsOn": "2025-01-01",
        },
        as_="manager",
    )
    await _written(fund_api, REGISTER, _give(objectiveId=world.objectives[0]), as_="institution")
    for who, named, hidden in (("secretariat", ["DE", "EU"], 0), ("other_ally", ["EU"], 1)):
        overlap = (await world.overlaps(who))[world.objectives[0]]
        assert [c["code"] for c in overlap["contributors"]] == named, who
        assert (overlap["contributorCount"], overlap["hiddenContributorCount"]) == (2, hidden)


async def test_the_migration_carries_existing_support_over_and_takes_funds(
    databases: Databases,
) -> None:
    # Given a database as it was before funds, holding a contribution
    old = await database_at(databases, "0003")

    # When it is migrated, and the reference data (with its funds) loaded
    await asyncio.to_thread(upgrade, old.url)
    engine = create_engine(old.url)
    try:
        await load_reference(create_sessionmaker(engine))

        # Then the contribution reached its objective directly, reported by its contributor
        async with create_sessionmaker(engine)() as session:
            kept = await session.get(Contribution, old.contribution)
            assert kept is not None
            assert (kept.objective_id, kept.contributor_id) == (old.objective, old.donor)
            assert (kept.reported_by_id, kept.draws, kept.channel_id) == (old.donor, False, None)
            assert kept.amount == Decimal("12.3456")
            kinds = await session.scalars(
                select(Participant.kind).where(Participant.code.in_(["NSPA", "DE"]))
            )
            assert sorted(kind.name for kind in kinds) == ["FUND", "STATE"]
    finally:
        await engine.dispose()
    # And going back is refused rather than deleting the funds it cannot hold
    with pytest.raises(RuntimeError, match="participants are funds"):
        await asyncio.to_thread(command.downgrade, alembic_config(old.url), "0003")


CONFIRM = """
mutation Confirm($input: ConfirmContributionInput!) {
  confirmContribution(input: $input) { userErrors { field message } }
}
"""

DISPUTE = """
mutation Dispute($input: DisputeContributionInput!) {
  disputeContribution(input: $input) { userErrors { field message } }
}
"""

BASES = """
query Bases($plan: ID!) {
  reported: coverage(filter: { plans: [$plan] }) { ...figures }
  confirmed: coverage(filter: { plans: [$plan] }, basis: CONFIRMED) { ...figures }
}
fragment figures on Coverage {
  total { pledged { amount } committed { amount } disbursed { amount } }
  byCategory { category pledged { amount } }
}
"""


async def test_totals_on_the_confirmed_basis_count_what_the_partner_confirmed(
    fund_api: Api,
) -> None:
    world = await World(fund_api).build()
    status = {"status": "COMMITTED"}
    german = await _written(
        fund_api, REGISTER, _give(objectiveId=world.objectives[0], **status), as_="ally"
    )
    french = await _written(
        fund_api, REGISTER, _give(objectiveId=world.objectives[2], **status), as_="other_ally"
    )
    await _written(
        fund_api, REGISTER, _give(objectiveId=world.objectives[1], **status), as_="institution"
    )
    base = {"expectedVersion": 1, "on": "2025-03-01"}
    received = {"stage": "RECEIVED", "amount": _money("900.00")}
    done = await fund_api.data(
        CONFIRM, {"input": {"id": german["id"], **base, **received}}, as_="partner"
    )
    assert done["confirmContribution"]["userErrors"] == []
    done = await fund_api.data(
        DISPUTE, {"input": {"id": french["id"], **base, "reason": "Never arrived"}}, as_="partner"
    )
    assert done["disputeContribution"]["userErrors"] == []

    found = await fund_api.data(BASES, {"plan": world.plan})

    def figures(basis: str) -> tuple[tuple[str, ...], dict[str, str]]:
        total = found[basis]["total"]
        parts = {row["category"]: row["pledged"]["amount"] for row in found[basis]["byCategory"]}
        amounts = tuple(total[key]["amount"] for key in ("pledged", "committed", "disbursed"))
        # On every basis the total is the sum of its parts
        assert sum(Decimal(value) for value in parts.values()) == Decimal(amounts[0])
        return amounts, parts

    # Reported: the three reports; confirmed: what Georgia confirmed receiving, nothing of the
    # disputed or the unconfirmed
    assert figures("reported")[0] == ("3000.00", "3000.00", "0.00")
    assert figures("confirmed") == (
        ("900.00", "900.00", "900.00"),
        {"CIVIL_PREPAREDNESS": "900.00", "PUBLIC_DIPLOMACY": "0.00"},
    )


async def test_one_funds_allocations_of_two_donors_money_overlap_in_any_period(
    fund_api: Api,
) -> None:
    world = await World(fund_api).build()
    target = world.objectives[1]
    german = await _written(fund_api, REGISTER, _give(fund="DCBTF"), as_="ally")
    french = await _written(fund_api, REGISTER, _give(fund="DCBTF"), as_="other_ally")
    for source in (german, french):
        await _written(
            fund_api,
            ALLOCATE,
            {
                "objectiveId": target,
                "startsOn": "2025-01-01",
                "draws": _draws((source["id"], "10.00")),
            },
            "manager",
        )
    # One contributor (the fund), two sources: an overlap, over all time and on a day
    document = """
    query($plan: ID!, $on: Date) {
      aidOverlaps(filter: { plans: [$plan] }, activeOn: $on) {
        nodes { contributorCount contributors { code } }
      }
    }"""
    for day in (None, "2025-06-01"):
        found = await fund_api.data(document, {"plan": world.plan, "on": day})
        assert found["aidOverlaps"]["nodes"] == [
            {"contributorCount": 2, "contributors": [{"code": "DE"}, {"code": "FR"}]}
        ], day


async def test_an_allocation_costs_the_analyses_no_statement_of_their_own(fund_api: Api) -> None:
    # Given two plans alike but for the money on one coming through a fund
    counted = []
    for through_fund in (False, True):
        world = await World(fund_api).build()
        await _written(fund_api, REGISTER, _give(objectiveId=world.objectives[0]), as_="ally")
        if through_fund:
            given = await _written(fund_api, REGISTER, _give(fund="GEDRTF"), as_="other_ally")
            await _written(
                fund_api,
                ALLOCATE,
                {
                    "objectiveId": world.objectives[0],
                    "startsOn": "2025-01-01",
                    "draws": _draws((given["id"], "10.00")),
                },
                "manager",
            )
        else:
            await _written(
                fund_api, REGISTER, _give(objectiveId=world.objectives[0]), as_="other_ally"
            )

        # When their overlaps and credits are read
        statements = []
        for document, variables in (
            (OVERLAP, {"plan": world.plan}),
            (CREDITS, {"plan": world.plan, "attribution": "ORIGINAL_DONORS"}),
        ):
            fund_api.sql.clear()
            await fund_api.data(document, variables)
            statements.append(len(fund_api.sql))
        counted.append(statements)
        assert len(await world.overlaps()) == 1

    # Then the draws come with the contributions: the same statements either way
    assert counted[0] == counted[1]


async def test_support_earmarked_to_a_plan_is_listed_with_the_plan_it_is_for(
    fund_api: Api,
) -> None:
    world = await World(fund_api).build()
    given = await _written(
        fund_api,
        REGISTER,
        _give(fund="GEDRTF", planId=world.plan, category="PUBLIC_DIPLOMACY"),
        as_="ally",
    )
    elsewhere = await _written(fund_api, REGISTER, _give(fund="GEDRTF"), as_="ally")
    document = """
    query($filter: ContributionFilter) { contributions(filter: $filter, first: 100) {
      nodes { id } } }"""
    for filter_ in (
        {"plans": [world.plan]},
        {"partners": ["GE"], "categories": ["PUBLIC_DIPLOMACY"]},
    ):
        found = await fund_api.data(document, {"filter": filter_}, as_="ally")
        listed = {node["id"] for node in found["contributions"]["nodes"]}
        assert given["id"] in listed, filter_
        assert elsewhere["id"] not in listed, filter_
    # The plan's own list holds the same pooled support, on both executors.
    aimed = await _written(
        fund_api,
        REGISTER,
        _give(fund="GEDRTF", earmarkedObjectiveId=world.objectives[2]),
        as_="ally",
    )
    reached = await _written(fund_api, REGISTER, _give(objectiveId=world.objectives[2]), as_="ally")
    nested = """
    query($plan: ID!, $objective: ID!) {
      plan: node(id: $plan) { ... on Plan { contributions(first: 100) {
        totalCount nodes { id } } } }
      objective: node(id: $objective) { ... on Objective { contributions(first: 100) {
        totalCount nodes { id } } } }
    }"""
    for extra in ({}, {"viewer": True}):  # the second is answered by the resolvers
        document = nested if not extra else nested.replace("query(", "query Resolved(", 1)
        document = document if not extra else document.rstrip()[:-1] + " viewer { role } }"
        found = await fund_api.data(
            document, {"plan": world.plan, "objective": world.objectives[2]}, as_="ally"
        )
        plan_lists = found["plan"]["contributions"]
        assert {node["id"] for node in plan_lists["nodes"]} == {
            given["id"],
            aimed["id"],
            reached["id"],
        }
        assert plan_lists["totalCount"] == 3
        objective_lists = found["objective"]["contributions"]
        # An objective lists what reached it, as the root list filtered by objective does.
        assert {node["id"] for node in objective_lists["nodes"]} == {reached["id"]}
        assert objective_lists["totalCount"] == 1


async def test_a_funds_manager_confirms_what_was_given_into_the_fund(fund_api: Api) -> None:
    given = await _written(fund_api, REGISTER, _give(fund="GEDRTF"), as_="ally")
    account = {
        "id": given["id"],
        "expectedVersion": 1,
        "stage": "RECEIVED",
        "amount": _money("1000.00"),
        "on": "2025-02-01",
    }
    refused = await fund_api.data(CONFIRM, {"input": account}, as_="partner")
    assert refused["confirmContribution"]["userErrors"][0]["field"] == ["input", "id"]
    done = await fund_api.data(CONFIRM, {"input": account}, as_="manager")
    assert done["confirmContribution"]["userErrors"] == []
