"""Abuse limits: no single document can ask for unbounded work."""

from __future__ import annotations

from sqlalchemy import func, select

from resolvers.budget import Budgets, Charge
from store.contributions import Contribution
from tests.conftest import Api, StatementLog, running_api


def _nested(depth: int) -> str:
    """A document whose deepest field lies `depth` selections below its root field:
    plan → predecessor → predecessor → ... → code."""
    inner = "code"
    for _ in range(depth - 1):
        inner = f"predecessor {{ {inner} }}"
    return f'{{ plan(code: "MD-ITPP-2025") {{ {inner} }} }}'


async def test_a_document_deeper_than_the_limit_is_refused(api: Api) -> None:
    allowed = await api.query(_nested(15))
    refused = await api.query(_nested(16))

    assert "errors" not in allowed
    assert "exceeds maximum operation depth of 15" in refused["errors"][0]["message"]


async def test_too_many_aliases_are_refused(api: Api) -> None:
    fields = " ".join(f"a{n}: __typename" for n in range(51))

    body = await api.query(f"{{ {fields} }}")

    assert "aliases" in body["errors"][0]["message"]


async def test_a_document_of_too_many_tokens_is_refused(api: Api) -> None:
    fields = " ".join("__typename" for _ in range(5_001))

    body = await api.query(f"{{ {fields} }}")

    assert "token" in body["errors"][0]["message"].lower()


async def test_introspection_is_not_counted_against_the_depth(api: Api) -> None:
    deep_type = "ofType { " * 10 + "name" + " }" * 10
    body = await api.query(f"{{ __schema {{ types {{ fields {{ type {{ {deep_type} }} }} }} }} }}")

    assert "errors" not in body


PLANS_AND_OBJECTIVES = """
{ plans(first: 10) { totalCount nodes { code objectives(first: 5) { nodes { code } } } } }
"""
# Three nested connections of 100: a million contributions at most, far over any sane request.
TOO_COSTLY = """
{ plans(first: 100) { nodes { objectives(first: 100) { nodes {
    contributions(first: 100) { nodes { amount { amount } } } } } } } }
"""
REGISTER = """
mutation { registerContribution(input: { objectiveId: "x", kind: FUNDING,
  amount: { amount: "1.00", currency: "EUR" }, startsOn: "2026-01-01" }) { userErrors { code } } }
"""


async def test_every_answer_reports_its_cost(api: Api) -> None:
    body = await api.query(PLANS_AND_OBJECTIVES)

    # A connection costs 2 plus its size times one item: 2 + 10 * (1 + (2 + 5 * 1)) = 82
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 82
    assert cost["maximumQueryCost"] == 50_000
    assert cost["throttleStatus"]["maximumAvailable"] == 500_000


async def test_a_mutation_costs_ten_plus_its_payload(api: Api) -> None:
    body = await api.query(REGISTER, as_="ally")

    # 10, the payload 1, its list of user errors 1
    assert body["extensions"]["cost"]["requestedQueryCost"] == 12


async def test_the_page_size_in_a_variable_is_what_is_charged(api: Api) -> None:
    document = "query($n: Int) { plans(first: $n) { nodes { code } } }"

    body = await api.query(document, {"n": 3})

    assert body["extensions"]["cost"]["requestedQueryCost"] == 2 + 3


async def test_a_query_over_the_maximum_cost_is_refused_before_it_runs(
    api: Api, sql: StatementLog
) -> None:
    response = await api.client.post(
        "/graphql",
        json={"query": TOO_COSTLY},
        headers={
            "authorization": f"Bearer {api.tokens['ally']}",
            "accept": "application/graphql-response+json",
        },
    )

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "MAX_COST_EXCEEDED", "cost": 2_030_302}
    assert len(sql) == 1  # the token check only: nothing of the query ran


async def test_a_token_that_spends_faster_than_its_budget_refills_is_throttled(
    seeded_url: str,
) -> None:
    # Given a budget that holds one request of this size and refills slowly
    async with running_api(
        seeded_url, max_query_cost=100, cost_budget=100, cost_restore_rate=1
    ) as api:
        first = await api.post(PLANS_AND_OBJECTIVES, as_="ally")
        # When the same token asks again at once
        second = await api.post(PLANS_AND_OBJECTIVES, as_="ally")
        # Then it is told to come back when the bucket holds enough; another token is not
        other = await api.post(PLANS_AND_OBJECTIVES, as_="partner")

    assert first.status_code == 200 and "errors" not in first.json()
    assert second.status_code == 429
    error = second.json()["errors"][0]
    assert error["extensions"]["code"] == "THROTTLED"
    wait = error["extensions"]["retryAfterSeconds"]
    assert 60 <= wait <= 65  # 82 points wanted, 18 left, one a second
    assert second.headers["retry-after"] == str(wait)
    assert second.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] < 82
    assert other.status_code == 200 and "errors" not in other.json()


def test_a_budget_refills_at_its_rate_up_to_its_capacity() -> None:
    now = [0.0]
    budgets = Budgets(capacity=100, restore_rate=10, clock=lambda: now[0])

    assert budgets.charge(1, 80) == Charge(True, 20, 0.0)
    assert budgets.charge(1, 50) == Charge(False, 20, 3.0)
    now[0] = 3.0
    assert budgets.charge(1, 50) == Charge(True, 0, 0.0)
    now[0] = 1_000.0
    assert budgets.charge(1, 0).available == 100


async def test_a_request_over_its_time_is_stopped_and_writes_nothing(
    seeded_url: str, api: Api
) -> None:
    # Given a registration that would succeed, and a time limit no request can meet
    found = await api.data(
        '{ plan(code: "RS-IPAP-2015") { objectives(first: 1) { nodes { id } } } }'
    )
    objective = found["plan"]["objectives"]["nodes"][0]["id"]
    register = REGISTER.replace('"x"', f'"{objective}"')
    async with running_api(seeded_url, request_timeout=1e-9) as slow:
        async with slow.database.reads() as session:
            before = await session.scalar(select(func.count()).select_from(Contribution))
        # When it is sent
        response = await slow.post(register, as_="ally")
        async with slow.database.reads() as session:
            after = await session.scalar(select(func.count()).select_from(Contribution))

    # Then it is stopped with a clear error, and nothing of it was written
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert body["data"] is None
    assert after == before


async def test_production_does_not_suggest_field_names(seeded_url: str) -> None:
    async with running_api(seeded_url, environment="production") as production:
        hidden = await production.query('{ plan(code: "GE-IPAP-2004") { cod } }')
    async with running_api(seeded_url) as development:
        helped = await development.query('{ plan(code: "GE-IPAP-2004") { cod } }')

    assert "Did you mean" not in hidden["errors"][0]["message"]
    assert "Did you mean 'code'" in helped["errors"][0]["message"]
