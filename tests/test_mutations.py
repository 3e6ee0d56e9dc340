"""What each mutation does: the writes it makes, the rules it enforces, what it records.

Every test builds the plans, objectives and contributions it needs, with codes of its own, on the
module's database (reference data only), so tests neither see nor disturb each other's objects.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from tests import documents
from tests.conftest import Api

# --- Queries -------------------------------------------------------------------------------------

CONTRIBUTION_FIELDS = """
  id kind status version visibility redaction description externalReference
  startsOn endsOn valuedOn withdrawnAt createdAt updatedAt
  amount { amount currency }
  contributor { code }
  objective { id }
"""

REGISTER = documents.register(CONTRIBUTION_FIELDS)

UPDATE_CONTRIBUTION = documents.update_contribution(CONTRIBUTION_FIELDS)

WITHDRAW_CONTRIBUTION = documents.withdraw_contribution(CONTRIBUTION_FIELDS)

CONTRIBUTION = f"""
query Contribution($id: ID!) {{
  node(id: $id) {{ ... on Contribution {{ {CONTRIBUTION_FIELDS} }} }}
}}
"""

OBJECTIVE_CONTRIBUTIONS = """
query ObjectiveContributions($id: ID!) {
  node(id: $id) {
    ... on Objective { contributions(first: 100) { totalCount nodes { id status } } }
  }
}
"""

PLAN_FIELDS = """
  id code title summary kind status agreedOn startsOn endsOn version
  partner { code }
  predecessor { id code }
  successor { id code }
"""

CREATE_PLAN = f"""
mutation CreatePlan($input: CreatePlanInput!) {{
  createPlan(input: $input) {{ plan {{ {PLAN_FIELDS} }} userErrors {{ field message code }} }}
}}
"""

UPDATE_PLAN = f"""
mutation UpdatePlan($input: UpdatePlanInput!) {{
  updatePlan(input: $input) {{ plan {{ {PLAN_FIELDS} }} userErrors {{ field message code }} }}
}}
"""

PLAN = f"""
query Plan($id: ID, $code: String) {{
  plan(id: $id, code: $code) {{
    {PLAN_FIELDS}
    objectives(first: 100, orderBy: {{ field: CODE }}) {{
      totalCount
      nodes {{ id code status version carriedOverFrom {{ id }} }}
    }}
    reviews {{ totalCount nodes {{ id }} }}
  }}
}}
"""

OBJECTIVE_FIELDS = """
  id code title description category priority status targetDate version
  requirement { amount currency }
  plan { id }
  carriedOverFrom { id code }
"""

ADD_OBJECTIVE = f"""
mutation AddObjective($input: AddObjectiveInput!) {{
  addObjective(input: $input) {{
    objective {{ {OBJECTIVE_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

UPDATE_OBJECTIVE = f"""
mutation UpdateObjective($input: UpdateObjectiveInput!) {{
  updateObjective(input: $input) {{
    objective {{ {OBJECTIVE_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

OBJECTIVE = f"""
query Objective($id: ID!) {{ node(id: $id) {{ ... on Objective {{ {OBJECTIVE_FIELDS} }} }} }}
"""

RECORD_REVIEW = """
mutation RecordPlanReview($input: RecordPlanReviewInput!) {
  recordPlanReview(input: $input) {
    review {
      id reviewedOn summary
      plan { id }
      assessments { assessment comment objective { id } }
    }
    userErrors { field message code }
  }
}
"""

TRANSITION_PLAN = f"""
mutation TransitionPlan($input: TransitionPlanInput!) {{
  transitionPlan(input: $input) {{
    plan {{ {PLAN_FIELDS} }}
    predecessor {{ {PLAN_FIELDS} }}
    carriedOver {{ {OBJECTIVE_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

HISTORY = """
query History($id: ID!) {
  node(id: $id) {
    ... on Contribution { history { ...events } }
    ... on Plan { history { ...events } }
    ... on Objective { history { ...events } }
  }
}
fragment events on ChangeEventConnection {
  totalCount
  nodes { position action entityType entityId before after redacted actor { code } }
}
"""

LATEST_CHANGE = "{ changes(last: 1) { edges { cursor node { position } } } }"

CHANGES_AFTER = """
query Changes($after: String) {
  changes(first: 100, after: $after) {
    nodes { position action entityType entityId }
    pageInfo { hasNextPage }
  }
}
"""

# --- Givens --------------------------------------------------------------------------------------


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


def fields(payload: dict[str, Any]) -> list[list[str] | None]:
    return [error["field"] for error in payload["userErrors"]]


async def mutate(
    api: Api, document: str, input_: dict[str, Any], as_: str = "secretariat"
) -> dict[str, Any]:
    """The one payload of a mutation that must not fail as a GraphQL error."""
    data = await api.data(document, {"input": input_}, as_=as_)
    (payload,) = data.values()
    result: dict[str, Any] = payload
    return result


async def given_plan(
    api: Api, partner: str = "GE", status: str = "ACTIVE", **extra: Any
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "partner": partner,
        "kind": "IPAP",
        "title": "Test plan",
        "code": unique(f"{partner}-T"),
        "status": status,
        "agreedOn": None if status == "DRAFT" else "2024-01-15",
        **extra,
    }
    payload = await mutate(api, CREATE_PLAN, entry)
    assert payload["userErrors"] == []
    plan: dict[str, Any] = payload["plan"]
    return plan


async def given_objective(
    api: Api, plan_id: str, status: str = "NOT_STARTED", **extra: Any
) -> dict[str, Any]:
    entry = {
        "planId": plan_id,
        "code": unique("O"),
        "category": "DEFENCE_AND_MILITARY",
        "title": "Interoperable logistics",
        "status": status,
        **extra,
    }
    payload = await mutate(api, ADD_OBJECTIVE, entry)
    assert payload["userErrors"] == []
    objective: dict[str, Any] = payload["objective"]
    return objective


async def open_objective(api: Api) -> dict[str, Any]:
    """An objective of a fresh ACTIVE plan of Georgia's."""
    return await given_objective(api, (await given_plan(api))["id"])


def registration(objective_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "objectiveId": objective_id,
        "kind": "FUNDING",
        "amount": {"amount": "1250.50", "currency": "EUR"},
        "startsOn": "2024-03-01",
        **extra,
    }


async def given_contribution(
    api: Api, objective_id: str, as_: str = "ally", **extra: Any
) -> dict[str, Any]:
    payload = await mutate(api, REGISTER, registration(objective_id, **extra), as_)
    assert payload["userErrors"] == []
    contribution: dict[str, Any] = payload["contribution"]
    return contribution


async def contribution(api: Api, global_id: str, as_: str = "ally") -> dict[str, Any]:
    found: dict[str, Any] = (await api.data(CONTRIBUTION, {"id": global_id}, as_=as_))["node"]
    return found


async def plan(api: Api, global_id: str | None = None, code: str | None = None) -> Any:
    return (await api.data(PLAN, {"id": global_id, "code": code}))["plan"]


async def objective(api: Api, global_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await api.data(OBJECTIVE, {"id": global_id}))["node"]
    return found


async def support_of(api: Api, objective_id: str) -> dict[str, Any]:
    data = await api.data(OBJECTIVE_CONTRIBUTIONS, {"id": objective_id})
    found: dict[str, Any] = data["node"]["contributions"]
    return found


async def feed_cursor(api: Api) -> str | None:
    edges = (await api.data(LATEST_CHANGE))["changes"]["edges"]
    return edges[-1]["cursor"] if edges else None


async def changes_since(api: Api, cursor: str | None) -> list[dict[str, Any]]:
    found = (await api.data(CHANGES_AFTER, {"after": cursor}))["changes"]
    assert found["pageInfo"]["hasNextPage"] is False
    nodes: list[dict[str, Any]] = found["nodes"]
    return nodes


async def history_of(api: Api, global_id: str, as_: str = "secretariat") -> dict[str, Any]:
    found: dict[str, Any] = (await api.data(HISTORY, {"id": global_id}, as_=as_))["node"]["history"]
    return found


# --- registerContribution ------------------------------------------------------------------------


async def test_register_contribution_records_the_support_as_given(writable_api: Api) -> None:
    # Given an objective of an active plan
    target = await open_objective(writable_api)
    reference = unique("DE-BMZ")
    cursor = await feed_cursor(writable_api)

    # When Germany registers funding towards it
    payload = await mutate(
        writable_api,
        REGISTER,
        registration(
            target["id"],
            endsOn="2025-02-28",
            valuedOn="2024-02-15",
            description="  Logistics training grant  ",
            externalReference=reference,
        ),
        "ally",
    )

    # Then the contribution is Germany's, pledged, exactly as given, at version 1
    assert payload["userErrors"] == []
    assert payload["replayed"] is False
    registered = payload["contribution"]
    assert registered["contributor"] == {"code": "DE"}
    assert registered["objective"] == {"id": target["id"]}
    assert registered["kind"] == "FUNDING"
    assert registered["status"] == "PLEDGED"
    assert registered["amount"] == {"amount": "1250.50", "currency": "EUR"}
    assert (registered["startsOn"], registered["endsOn"]) == ("2024-03-01", "2025-02-28")
    assert registered["valuedOn"] == "2024-02-15"
    assert registered["description"] == "Logistics training grant"
    assert registered["externalReference"] == reference
    assert registered["visibility"] == "PUBLIC"
    assert registered["redaction"] is None
    assert registered["withdrawnAt"] is None
    assert registered["version"] == 1
    assert registered["createdAt"].endswith("Z")
    # And it is on record, read back the same, with one event in the feed
    assert await contribution(writable_api, registered["id"]) == registered
    assert await support_of(writable_api, target["id"]) == {
        "totalCount": 1,
        "nodes": [{"id": registered["id"], "status": "PLEDGED"}],
    }
    (event,) = await changes_since(writable_api, cursor)
    assert (event["action"], event["entityId"]) == ("CREATED", registered["id"])


async def test_register_contribution_values_on_the_start_date_by_default(
    writable_api: Api,
) -> None:
    target = await open_objective(writable_api)

    registered = await given_contribution(
        writable_api,
        target["id"],
        kind="EQUIPMENT",
        amount={"amount": "1000", "currency": "JPY"},
        startsOn="2023-07-01",
        status="DELIVERED",
    )

    assert registered["valuedOn"] == "2023-07-01"
    assert registered["amount"] == {"amount": "1000", "currency": "JPY"}
    assert registered["status"] == "DELIVERED"


# (amount, currency, input field at fault)
BAD_MONEY = [
    pytest.param("0", "EUR", "amount", id="zero"),
    pytest.param("0.00", "EUR", "amount", id="zero-with-decimals"),
    pytest.param("-5.00", "EUR", "amount", id="negative"),
    pytest.param("1.001", "EUR", "amount", id="three-decimals-in-EUR"),
    pytest.param("5.5", "JPY", "amount", id="decimals-in-JPY"),
    pytest.param("100", "XYZ", "currency", id="unknown-currency"),
    pytest.param("100", "", "currency", id="empty-currency"),
    pytest.param("100", "GEL", "currency", id="currency-without-exchange-rate"),
]


@pytest.mark.parametrize(("amount", "currency", "at_fault"), BAD_MONEY)
async def test_register_contribution_refuses_bad_money(
    writable_api: Api, amount: str, currency: str, at_fault: str
) -> None:
    # Given an objective
    target = await open_objective(writable_api)
    cursor = await feed_cursor(writable_api)

    # When support is registered with a bad amount
    money = {"amount": amount, "currency": currency}
    payload = await mutate(writable_api, REGISTER, registration(target["id"], amount=money), "ally")

    # Then it is refused, naming the field, and nothing is written
    assert codes(payload) == ["INVALID"]
    assert fields(payload) == [["input", "amount", at_fault]]
    assert payload["contribution"] is None
    assert (await support_of(writable_api, target["id"]))["totalCount"] == 0
    assert await changes_since(writable_api, cursor) == []


async def test_register_contribution_refuses_a_rate_outside_the_rated_years(
    writable_api: Api,
) -> None:
    # The Turkish lira has seed rates from 2005 only.
    target = await open_objective(writable_api)
    money = {"amount": "100.00", "currency": "TRY"}

    payload = await mutate(
        writable_api,
        REGISTER,
        registration(target["id"], amount=money, startsOn="2004-06-01"),
        "ally",
    )

    assert codes(payload) == ["INVALID"]
    assert fields(payload) == [["input", "amount", "currency"]]


NOT_DECIMAL_STRINGS = [
    pytest.param(1250.5, id="float"),
    pytest.param(1250, id="integer"),
    pytest.param("NaN", id="NaN"),
    pytest.param("Infinity", id="Infinity"),
    pytest.param("-Infinity", id="minus-Infinity"),
    pytest.param("1e3", id="exponent"),
    pytest.param("12,50", id="comma"),
]


@pytest.mark.parametrize("amount", NOT_DECIMAL_STRINGS)
async def test_register_contribution_takes_amounts_only_as_decimal_strings(
    writable_api: Api, amount: Any
) -> None:
    # Given an objective
    target = await open_objective(writable_api)
    cursor = await feed_cursor(writable_api)

    # When the amount is sent as a number, or as a string that is no finite decimal
    money = {"amount": amount, "currency": "EUR"}
    body = await writable_api.query(
        REGISTER, {"input": registration(target["id"], amount=money)}, as_="ally"
    )

    # Then the request fails as a GraphQL error about the amount, and nothing is written
    assert body.get("data") is None
    (error,) = body["errors"]
    assert "Decimal" in error["message"] or "decimal" in error["message"]
    assert (await support_of(writable_api, target["id"]))["totalCount"] == 0
    assert await changes_since(writable_api, cursor) == []


async def test_register_contribution_refuses_a_float_literal_in_the_document(
    writable_api: Api,
) -> None:
    target = await open_objective(writable_api)
    document = (
        "mutation($objective: ID!) { registerContribution(input: { objectiveId: $objective, "
        'kind: FUNDING, amount: { amount: 12.5, currency: "EUR" }, startsOn: "2024-01-01" }) '
        "{ contribution { id } userErrors { code } } }"
    )

    body = await writable_api.query(document, {"objective": target["id"]}, as_="ally")

    assert body.get("data") is None
    assert body["errors"]
    assert (await support_of(writable_api, target["id"]))["totalCount"] == 0


LONG = 5000

# (change to a valid registration, input field at fault)
BAD_REGISTRATIONS = [
    pytest.param({"startsOn": "2024-03-01", "endsOn": "2024-02-29"}, ["endsOn"], id="ends-first"),
    pytest.param({"status": "WITHDRAWN"}, ["status"], id="withdrawn-at-registration"),
    pytest.param({"kind": "TRAINING", "status": "DISBURSED"}, ["status"], id="disbursed-in-kind"),
    pytest.param({"kind": "FUNDING", "status": "DELIVERED"}, ["status"], id="delivered-funds"),
    pytest.param({"description": "x" * 2001}, ["description"], id="description-too-long"),
    pytest.param({"externalReference": "r" * 121}, ["externalReference"], id="reference-too-long"),
    pytest.param({"externalReference": "a\x00b"}, ["externalReference"], id="control-chars"),
    pytest.param({"idempotencyKey": "k" * 201}, ["idempotencyKey"], id="key-too-long"),
    pytest.param({"objectiveId": "not-an-id"}, ["objectiveId"], id="malformed-objective-id"),
    pytest.param({"objectiveId": "UGxhbjox"}, ["objectiveId"], id="a-plan-id-as-objective-id"),
]


@pytest.mark.parametrize(("change", "at_fault"), BAD_REGISTRATIONS)
async def test_register_contribution_refuses_what_breaks_a_rule(
    writable_api: Api, change: dict[str, Any], at_fault: list[str]
) -> None:
    # Given an objective
    target = await open_objective(writable_api)
    cursor = await feed_cursor(writable_api)

    # When a registration breaks one rule
    body = await writable_api.query(
        REGISTER, {"input": registration(target["id"], **change)}, as_="ally"
    )

    # Then it is refused as a user error naming the input field, and nothing is written
    assert "errors" not in body, body["errors"]
    payload = body["data"]["registerContribution"]
    assert codes(payload) == ["INVALID"]
    assert fields(payload) == [["input", *at_fault]]
    assert payload["contribution"] is None
    assert (await support_of(writable_api, target["id"]))["totalCount"] == 0
    assert await changes_since(writable_api, cursor) == []


async def test_register_contribution_to_an_unknown_objective_is_not_found(
    writable_api: Api,
) -> None:
    missing = "T2JqZWN0aXZlOjk5OTk5OTk"  # a well-formed Objective ID that names none

    payload = await mutate(writable_api, REGISTER, registration(missing), "ally")

    assert codes(payload) == ["NOT_FOUND"]
    assert fields(payload) == [["input", "objectiveId"]]


@pytest.mark.parametrize("status", ["DRAFT", "CLOSED", "SUPERSEDED"])
async def test_register_contribution_refuses_objectives_of_plans_not_in_force(
    writable_api: Api, status: str
) -> None:
    # Given an objective of a plan that is not (or no longer) in force
    if status == "DRAFT":
        target = await given_objective(
            writable_api, (await given_plan(writable_api, "GE", "DRAFT"))["id"]
        )
    else:
        reference = "ME-IPAP-2008" if status == "CLOSED" else "MD-IPAP-2006"
        found = await plan(writable_api, code=reference)
        assert found["status"] == status
        target = found["objectives"]["nodes"][0]
    cursor = await feed_cursor(writable_api)

    # When support is registered towards it
    payload = await mutate(writable_api, REGISTER, registration(target["id"]), "ally")

    # Then it is refused, naming the objective
    assert codes(payload) == ["INVALID"]
    assert fields(payload) == [["input", "objectiveId"]]
    assert status in payload["userErrors"][0]["message"]
    assert await changes_since(writable_api, cursor) == []


# --- Idempotency ---------------------------------------------------------------------------------


async def test_a_retry_with_the_same_key_returns_the_first_result(writable_api: Api) -> None:
    # Given a registration made with an idempotency key
    target = await open_objective(writable_api)
    entry = registration(target["id"], idempotencyKey=unique("key"), externalReference=unique("r"))
    first = await mutate(writable_api, REGISTER, entry, "ally")
    assert first["userErrors"] == []
    cursor = await feed_cursor(writable_api)

    # When it is sent again, unchanged
    again = await mutate(writable_api, REGISTER, entry, "ally")

    # Then the first contribution comes back, marked replayed, and nothing more is written
    assert again["userErrors"] == []
    assert again["replayed"] is True
    assert again["contribution"] == first["contribution"]
    assert (await support_of(writable_api, target["id"]))["totalCount"] == 1
    assert await changes_since(writable_api, cursor) == []


async def test_concurrent_retries_with_one_key_register_once(writable_api: Api) -> None:
    # Given an objective and one registration with a key
    target = await open_objective(writable_api)
    entry = registration(target["id"], idempotencyKey=unique("key"))

    # When the registration is sent five times at once
    payloads = await asyncio.gather(
        *(mutate(writable_api, REGISTER, entry, "ally") for _ in range(5))
    )

    # Then one contribution is registered, and the other four answers replay it
    assert all(payload["userErrors"] == [] for payload in payloads)
    assert len({payload["contribution"]["id"] for payload in payloads}) == 1
    assert sorted(payload["replayed"] for payload in payloads) == [False, True, True, True, True]
    assert (await support_of(writable_api, target["id"]))["totalCount"] == 1


async def test_the_same_key_with_other_input_is_refused(writable_api: Api) -> None:
    # Given a registration made with an idempotency key
    target = await open_objective(writable_api)
    key = unique("key")
    first = await mutate(
        writable_api, REGISTER, registration(target["id"], idempotencyKey=key), "ally"
    )
    cursor = await feed_cursor(writable_api)

    # When the key is sent again with another amount
    other = registration(
        target["id"], idempotencyKey=key, amount={"amount": "999.00", "currency": "EUR"}
    )
    payload = await mutate(writable_api, REGISTER, other, "ally")

    # Then it is refused and nothing is written
    assert codes(payload) == ["IDEMPOTENCY_KEY_REUSED"]
    assert fields(payload) == [["input", "idempotencyKey"]]
    assert payload["replayed"] is False
    assert (await support_of(writable_api, target["id"])) == {
        "totalCount": 1,
        "nodes": [{"id": first["contribution"]["id"], "status": "PLEDGED"}],
    }
    assert await changes_since(writable_api, cursor) == []


async def test_idempotency_keys_are_each_callers_own(writable_api: Api) -> None:
    # Given Germany's registration with a key
    target = await open_objective(writable_api)
    entry = registration(target["id"], idempotencyKey=unique("key"))
    first = await mutate(writable_api, REGISTER, entry, "ally")

    # When France sends the same input with the same key
    second = await mutate(writable_api, REGISTER, entry, "other_ally")

    # Then France registers a contribution of its own
    assert second["userErrors"] == []
    assert second["replayed"] is False
    assert second["contribution"]["id"] != first["contribution"]["id"]
    assert second["contribution"]["contributor"] == {"code": "FR"}
    assert (await support_of(writable_api, target["id"]))["totalCount"] == 2


async def test_an_external_reference_registered_twice_is_refused(writable_api: Api) -> None:
    # Given Germany's contribution with its own reference
    target = await open_objective(writable_api)
    reference = unique("DE-REF")
    original = await given_contribution(writable_api, target["id"], externalReference=reference)
    elsewhere = await open_objective(writable_api)
    cursor = await feed_cursor(writable_api)

    # When Germany registers that reference again, even elsewhere and with other details
    again = registration(
        elsewhere["id"],
        externalReference=reference,
        amount={"amount": "10.00", "currency": "EUR"},
        idempotencyKey=unique("key"),
    )
    payload = await mutate(writable_api, REGISTER, again, "ally")

    # Then it is refused, with the original returned, and nothing is written
    assert codes(payload) == ["ALREADY_EXISTS"]
    assert fields(payload) == [["input", "externalReference"]]
    assert payload["contribution"] == original
    assert (await support_of(writable_api, elsewhere["id"]))["totalCount"] == 0
    assert await changes_since(writable_api, cursor) == []


async def test_external_references_are_unique_per_contributor_only(writable_api: Api) -> None:
    target = await open_objective(writable_api)
    reference = unique("SHARED-REF")
    await given_contribution(writable_api, target["id"], "ally", externalReference=reference)

    french = await given_contribution(
        writable_api, target["id"], "other_ally", externalReference=reference
    )

    assert french["externalReference"] == reference
    assert french["contributor"] == {"code": "FR"}


# --- updateContribution --------------------------------------------------------------------------


async def test_update_contribution_changes_the_given_fields_only(writable_api: Api) -> None:
    # Given a contribution at version 1
    target = await open_objective(writable_api)
    before = await given_contribution(
        writable_api, target["id"], description="Grant", externalReference=unique("r")
    )

    # When its amount and description change
    payload = await mutate(
        writable_api,
        UPDATE_CONTRIBUTION,
        {
            "id": before["id"],
            "expectedVersion": 1,
            "amount": {"amount": "2000", "currency": "USD"},
            "description": "Bigger grant",
        },
        "ally",
    )

    # Then those change, the version goes up by one, and the rest stays
    assert payload["userErrors"] == []
    after = payload["contribution"]
    assert after["amount"] == {"amount": "2000.00", "currency": "USD"}
    assert after["description"] == "Bigger grant"
    assert after["version"] == 2
    assert after["updatedAt"] >= before["updatedAt"]
    unchanged = ("kind", "status", "startsOn", "endsOn", "externalReference", "createdAt")
    assert {key: after[key] for key in unchanged} == {key: before[key] for key in unchanged}
    assert await contribution(writable_api, before["id"]) == after


async def test_update_contribution_at_a_stale_version_changes_nothing(writable_api: Api) -> None:
    # Given a contribution changed once (now at version 2)
    target = await open_objective(writable_api)
    given = await given_contribution(writable_api, target["id"], description="First")
    changed = await mutate(
        writable_api,
        UPDATE_CONTRIBUTION,
        {"id": given["id"], "expectedVersion": 1, "description": "Second"},
        "ally",
    )
    assert changed["contribution"]["version"] == 2
    cursor = await feed_cursor(writable_api)

    # When someone who read version 1 changes it
    payload = await mutate(
        writable_api,
        UPDATE_CONTRIBUTION,
        {"id": given["id"], "expectedVersion": 1, "description": "Stale"},
        "ally",
    )

    # Then it is refused and nothing changes
    assert codes(payload) == ["VERSION_CONFLICT"]
    assert fields(payload) == [["input", "expectedVersion"]]
    assert payload["contribution"] is None
    assert await contribution(writable_api, given["id"]) == changed["contribution"]
    assert await changes_since(writable_api, cursor) == []


async def test_contribution_status_moves_forward_one_version_at_a_time(writable_api: Api) -> None:
    target = await open_objective(writable_api)
    given = await given_contribution(writable_api, target["id"])

    for version, status in enumerate(["COMMITTED", "DISBURSED"], start=1):
        payload = await mutate(
            writable_api,
            UPDATE_CONTRIBUTION,
            {"id": given["id"], "expectedVersion": version, "status": status},
            "ally",
        )

        assert payload["userErrors"] == []
        assert payload["contribution"]["status"] == status
        assert payload["contribution"]["version"] == version + 1


# (status reached, status asked for)
BACKWARDS = [
    ("COMMITTED", "PLEDGED"),
    ("DISBURSED", "COMMITTED"),
    ("DISBURSED", "PLEDGED"),
    ("PLEDGED", "WITHDRAWN"),
]


@pytest.mark.parametrize(("reached", "asked"), BACKWARDS)
async def test_contribution_status_never_moves_back(
    writable_api: Api, reached: str, asked: str
) -> None:
    # Given funding registered at some status
    target = await open_objective(writable_api)
    given = await given_contribution(writable_api, target["id"], status=reached)
    cursor = await feed_cursor(writable_api)

    # When it is moved back (or withdrawn other than by withdrawContribution)
    payload = await mutate(
        writable_api,
        UPDATE_CONTRIBUTION,
        {"id": given["id"], "expectedVersion": 1, "status": asked},
        "ally",
    )

    # Then it is refused and stays as it was
    assert codes(payload) == ["INVALID_TRANSITION"]
    assert fields(payload) == [["input", "status"]]
    assert await contribution(writable_api, given["id"]) == given
    assert await changes_since(writable_api, cursor) == []


async def test_update_contribution_validates_like_registration(writable_api: Api) -> None:
    target = await open_objective(writable_api)
    given = await given_contribution(writable_api, target["id"], status="DISBURSED")

    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"amount": {"amount": "1.001", "currency": "EUR"}}, ["amount", "amount"]),
        ({"amount": {"amount": "10", "currency": "XYZ"}}, ["amount", "currency"]),
        ({"endsOn": "2020-01-01"}, ["endsOn"]),
        ({"kind": "TRAINING"}, ["status"]),  # DISBURSED is for funding
        ({"description": "x" * 2001}, ["description"]),
    ]
    for change, at_fault in cases:
        payload = await mutate(
            writable_api,
            UPDATE_CONTRIBUTION,
            {"id": given["id"], "expectedVersion": 1, **change},
            "ally",
        )

        assert codes(payload) == ["INVALID"], change
        assert fields(payload) == [["input", *at_fault]], change
    assert await contribution(writable_api, given["id"]) == given


async def test_update_contribution_refuses_a_valuation_date_without_a_rate(
    writable_api: Api,
) -> None:
    # Given support in Turkish lira, which has seed rates from 2005 only
    target = await open_objective(writable_api)
    lira = {"amount": "100.00", "currency": "TRY"}
    given = await given_contribution(writable_api, target["id"], amount=lira)

    # When it is revalued on a date the lira has no rate for (as registration refuses)
    payload = await mutate(
        writable_api,
        UPDATE_CONTRIBUTION,
        {"id": given["id"], "expectedVersion": 1, "valuedOn": "2004-06-01"},
        "ally",
    )

    # Then it is refused, and the contribution keeps a valuation that can be totalled
    assert codes(payload) == ["INVALID"]
    assert await contribution(writable_api, given["id"]) == given


async def test_update_contribution_refuses_another_of_ones_own_references(
    writable_api: Api,
) -> None:
    target = await open_objective(writable_api)
    taken = unique("REF")
    await given_contribution(writable_api, target["id"], externalReference=taken)
    given = await given_contribution(writable_api, target["id"], externalReference=unique("REF"))

    payload = await mutate(
        writable_api,
        UPDATE_CONTRIBUTION,
        {"id": given["id"], "expectedVersion": 1, "externalReference": taken},
        "ally",
    )

    assert codes(payload) == ["ALREADY_EXISTS"]
    assert fields(payload) == [["input", "externalReference"]]
    assert await contribution(writable_api, given["id"]) == given


# (mutation, field sent as an explicit null)
EXPLICIT_NULLS = [
    pytest.param("updateContribution", "kind", id="contribution-kind"),
    pytest.param("updateContribution", "visibility", id="contribution-visibility"),
    pytest.param("updateContribution", "status", id="contribution-status"),
    pytest.param("updateContribution", "amount", id="contribution-amount"),
    pytest.param("updatePlan", "title", id="plan-title"),
    pytest.param("updatePlan", "status", id="plan-status"),
    pytest.param("updatePlan", "agreedOnPrecision", id="plan-precision"),
    pytest.param("updateObjective", "title", id="objective-title"),
    pytest.param("updateObjective", "status", id="objective-status"),
    pytest.param("updateObjective", "category", id="objective-category"),
    pytest.param("updateObjective", "priority", id="objective-priority"),
]  # fmt: skip


@pytest.mark.parametrize(("mutation", "field"), EXPLICIT_NULLS)
async def test_an_explicit_null_for_a_required_value_is_refused_or_ignored(
    writable_api: Api, mutation: str, field: str
) -> None:
    # Given a contribution, plan or objective at version 1
    given_plan_ = await given_plan(writable_api, "GE")
    target = await given_objective(writable_api, given_plan_["id"])
    documents = {
        "updateContribution": (UPDATE_CONTRIBUTION, "contribution", "ally"),
        "updatePlan": (UPDATE_PLAN, "plan", "secretariat"),
        "updateObjective": (UPDATE_OBJECTIVE, "objective", "secretariat"),
    }
    document, result, as_ = documents[mutation]
    if mutation == "updateContribution":
        given = await given_contribution(writable_api, target["id"])
    else:
        given = given_plan_ if mutation == "updatePlan" else target

    # When a field that cannot be empty is sent as null (the schema lets clients send it)
    body = await writable_api.query(
        document, {"input": {"id": given["id"], "expectedVersion": 1, field: None}}, as_=as_
    )

    # Then the answer is data: the field is refused by name, or left as it was
    assert "errors" not in body, body["errors"]
    payload = body["data"][mutation]
    if payload["userErrors"]:
        assert codes(payload) == ["INVALID"]
        assert fields(payload) == [["input", field]]
    else:
        assert payload[result][field] == given[field]


# --- withdrawContribution ------------------------------------------------------------------------


async def test_withdraw_contribution_keeps_it_on_record(writable_api: Api) -> None:
    # Given a contribution
    target = await open_objective(writable_api)
    given = await given_contribution(writable_api, target["id"])
    started = datetime.now(UTC) - timedelta(seconds=5)

    # When its contributor withdraws it
    payload = await mutate(
        writable_api,
        WITHDRAW_CONTRIBUTION,
        {"id": given["id"], "expectedVersion": 1, "reason": "Budget cut"},
        "ally",
    )

    # Then it is withdrawn, dated, one version on, and still there to read and count
    assert payload["userErrors"] == []
    withdrawn = payload["contribution"]
    assert withdrawn["status"] == "WITHDRAWN"
    assert withdrawn["version"] == 2
    assert datetime.fromisoformat(withdrawn["withdrawnAt"]) >= started
    assert withdrawn["amount"] == given["amount"]
    assert await contribution(writable_api, given["id"]) == withdrawn
    assert await support_of(writable_api, target["id"]) == {
        "totalCount": 1,
        "nodes": [{"id": given["id"], "status": "WITHDRAWN"}],
    }
    history = await history_of(writable_api, given["id"])
    assert history["nodes"][-1]["action"] == "WITHDRAWN"
    assert history["nodes"][-1]["after"]["reason"] == "Budget cut"


async def test_a_withdrawn_contribution_cannot_change_or_be_withdrawn_again(
    writable_api: Api,
) -> None:
    # Given a withdrawn contribution
    target = await open_objective(writable_api)
    given = await given_contribution(writable_api, target["id"])
    withdrawn = (
        await mutate(
            writable_api, WITHDRAW_CONTRIBUTION, {"id": given["id"], "expectedVersion": 1}, "ally"
        )
    )["contribution"]
    cursor = await feed_cursor(writable_api)

    # When it is withdrawn again, or changed
    again = await mutate(
        writable_api, WITHDRAW_CONTRIBUTION, {"id": given["id"], "expectedVersion": 2}, "ally"
    )
    changed = await mutate(
        writable_api,
        UPDATE_CONTRIBUTION,
        {"id": given["id"], "expectedVersion": 2, "description": "Back again"},
        "ally",
    )

    # Then both are refused and it stays as withdrawn
    assert codes(again) == ["INVALID_TRANSITION"]
    assert codes(changed) == ["INVALID_TRANSITION"]
    assert await contribution(writable_api, given["id"]) == withdrawn
    assert await changes_since(writable_api, cursor) == []


async def test_withdraw_contribution_at_a_stale_version_changes_nothing(writable_api: Api) -> None:
    target = await open_objective(writable_api)
    given = await given_contribution(writable_api, target["id"])

    payload = await mutate(
        writable_api, WITHDRAW_CONTRIBUTION, {"id": given["id"], "expectedVersion": 7}, "ally"
    )

    assert codes(payload) == ["VERSION_CONFLICT"]
    assert await contribution(writable_api, given["id"]) == given


# --- createPlan / updatePlan ---------------------------------------------------------------------


async def test_create_plan_starts_a_draft_for_a_partner(writable_api: Api) -> None:
    code = unique("GE-IPCP")

    payload = await mutate(
        writable_api,
        CREATE_PLAN,
        {"partner": "ge", "kind": "IPCP", "title": "  Georgia IPCP  ", "code": code},
    )

    assert payload["userErrors"] == []
    created = payload["plan"]
    assert created["code"] == code
    assert created["partner"] == {"code": "GE"}
    assert (created["kind"], created["status"], created["version"]) == ("IPCP", "DRAFT", 1)
    assert created["title"] == "Georgia IPCP"
    assert created["agreedOn"] is None
    assert (created["predecessor"], created["successor"]) == (None, None)
    assert (await plan(writable_api, created["id"]))["code"] == code


async def test_create_plan_names_a_plan_partner_kind_year_without_a_code(
    writable_api: Api,
) -> None:
    payload = await mutate(
        writable_api,
        CREATE_PLAN,
        {
            "partner": "RS",
            "kind": "IPCP",
            "title": "t",
            "status": "AGREED",
            "agreedOn": "2031-05-04",
        },
    )

    assert payload["userErrors"] == []
    assert payload["plan"]["code"] == "RS-IPCP-2031"


# (input changes, error code, input field at fault)
BAD_PLANS = [
    pytest.param({"status": "ACTIVE", "agreedOn": None}, "INVALID", ["agreedOn"], id="no-agreedOn"),
    pytest.param({"status": "SUPERSEDED"}, "INVALID", ["status"], id="superseded"),
    pytest.param({"status": "UNDER_REVIEW"}, "INVALID", ["status"], id="under-review"),
    pytest.param({"partner": "DE"}, "INVALID", ["partner"], id="an-ally"),
    pytest.param({"partner": "ZZ"}, "NOT_FOUND", ["partner"], id="unknown-partner"),
    pytest.param({"code": "GE-IPAP-2004"}, "ALREADY_EXISTS", ["code"], id="code-taken"),
    pytest.param({"title": "   "}, "INVALID", ["title"], id="blank-title"),
    pytest.param({"title": "t" * 201}, "INVALID", ["title"], id="title-too-long"),
    pytest.param(
        {"startsOn": "2024-01-01", "endsOn": "2023-12-31"}, "INVALID", ["endsOn"], id="ends-first"
    ),
]


@pytest.mark.parametrize(("change", "code", "at_fault"), BAD_PLANS)
async def test_create_plan_refuses_what_breaks_a_rule(
    writable_api: Api, change: dict[str, Any], code: str, at_fault: list[str]
) -> None:
    cursor = await feed_cursor(writable_api)
    entry = {"partner": "GE", "kind": "IPAP", "title": "t", "code": unique("GE-X"), **change}

    payload = await mutate(writable_api, CREATE_PLAN, entry)

    assert codes(payload) == [code]
    assert fields(payload) == [["input", *at_fault]]
    assert payload["plan"] is None
    assert await changes_since(writable_api, cursor) == []


async def test_a_plan_is_agreed_only_with_an_agreement_date(writable_api: Api) -> None:
    # Given a draft plan
    draft = await given_plan(writable_api, "GE", "DRAFT")

    # When it is marked agreed without a date
    undated = await mutate(
        writable_api, UPDATE_PLAN, {"id": draft["id"], "expectedVersion": 1, "status": "AGREED"}
    )

    # Then it is refused and stays a draft
    assert codes(undated) == ["INVALID"]
    assert fields(undated) == [["input", "agreedOn"]]
    assert (await plan(writable_api, draft["id"]))["status"] == "DRAFT"

    # When it is marked agreed with a date
    dated = await mutate(
        writable_api,
        UPDATE_PLAN,
        {"id": draft["id"], "expectedVersion": 1, "status": "AGREED", "agreedOn": "2024-09-01"},
    )

    # Then it is agreed, one version on
    assert dated["userErrors"] == []
    assert (dated["plan"]["status"], dated["plan"]["agreedOn"]) == ("AGREED", "2024-09-01")
    assert dated["plan"]["version"] == 2


async def test_a_plan_moves_along_its_lifecycle(writable_api: Api) -> None:
    given = await given_plan(writable_api, "GE", "AGREED")

    for version, status in enumerate(["ACTIVE", "UNDER_REVIEW", "ACTIVE", "CLOSED"], start=1):
        payload = await mutate(
            writable_api,
            UPDATE_PLAN,
            {"id": given["id"], "expectedVersion": version, "status": status},
        )

        assert payload["userErrors"] == []
        assert (payload["plan"]["status"], payload["plan"]["version"]) == (status, version + 1)


# (status reached, status asked for)
PLAN_TRANSITIONS_REFUSED = [
    ("ACTIVE", "DRAFT"),
    ("ACTIVE", "AGREED"),
    ("AGREED", "DRAFT"),
    ("ACTIVE", "SUPERSEDED"),
    ("DRAFT", "SUPERSEDED"),
    ("DRAFT", "UNDER_REVIEW"),
]


@pytest.mark.parametrize(("reached", "asked"), PLAN_TRANSITIONS_REFUSED)
async def test_a_plan_never_moves_back_nor_supersedes_by_update(
    writable_api: Api, reached: str, asked: str
) -> None:
    given = await given_plan(writable_api, "GE", reached)
    cursor = await feed_cursor(writable_api)

    payload = await mutate(
        writable_api, UPDATE_PLAN, {"id": given["id"], "expectedVersion": 1, "status": asked}
    )

    assert codes(payload) == ["INVALID_TRANSITION"]
    assert fields(payload) == [["input", "status"]]
    after = await plan(writable_api, given["id"])
    assert (after["status"], after["version"]) == (reached, 1)
    assert await changes_since(writable_api, cursor) == []


async def test_update_plan_changes_fields_and_refuses_stale_versions(writable_api: Api) -> None:
    # Given an active plan
    given = await given_plan(writable_api, "GE")

    # When its title and summary change
    changed = await mutate(
        writable_api,
        UPDATE_PLAN,
        {"id": given["id"], "expectedVersion": 1, "title": "New title", "summary": "Why"},
        "partner",
    )

    # Then they do, one version on
    assert changed["userErrors"] == []
    assert (changed["plan"]["title"], changed["plan"]["summary"]) == ("New title", "Why")
    assert changed["plan"]["version"] == 2
    assert changed["plan"]["status"] == "ACTIVE"

    # And a change made from the old version is refused
    stale = await mutate(
        writable_api, UPDATE_PLAN, {"id": given["id"], "expectedVersion": 1, "title": "Old"}
    )
    assert codes(stale) == ["VERSION_CONFLICT"]
    assert (await plan(writable_api, given["id"]))["title"] == "New title"


async def test_a_closed_plan_is_history(writable_api: Api) -> None:
    closed = await plan(writable_api, code="ME-IPAP-2008")

    payload = await mutate(
        writable_api,
        UPDATE_PLAN,
        {"id": closed["id"], "expectedVersion": closed["version"], "title": "Rewritten"},
    )

    assert codes(payload) == ["INVALID_TRANSITION"]
    assert (await plan(writable_api, closed["id"])) == closed


# --- addObjective / updateObjective --------------------------------------------------------------


async def test_add_objective_to_a_plan(writable_api: Api) -> None:
    # Given an active plan
    given = await given_plan(writable_api, "GE")

    # When Georgia adds an objective to it
    payload = await mutate(
        writable_api,
        ADD_OBJECTIVE,
        {
            "planId": given["id"],
            "code": "3.1",
            "category": "SCIENCE_AND_ENVIRONMENT",
            "title": "Seismic monitoring",
            "description": "A network of stations",
            "priority": "HIGH",
            "requirement": {"amount": "250000", "currency": "EUR"},
            "targetDate": "2027-12-31",
        },
        "partner",
    )

    # Then the objective is there, as given, at version 1
    assert payload["userErrors"] == []
    added = payload["objective"]
    assert added["plan"] == {"id": given["id"]}
    assert (added["code"], added["title"], added["priority"]) == (
        "3.1",
        "Seismic monitoring",
        "HIGH",
    )
    assert (added["category"], added["status"]) == ("SCIENCE_AND_ENVIRONMENT", "NOT_STARTED")
    assert added["requirement"] == {"amount": "250000.00", "currency": "EUR"}
    assert (added["targetDate"], added["version"]) == ("2027-12-31", 1)
    assert added["carriedOverFrom"] is None
    assert await objective(writable_api, added["id"]) == added


async def test_add_objective_refuses_a_code_taken_in_the_plan(writable_api: Api) -> None:
    given = await given_plan(writable_api, "GE")
    first = await given_objective(writable_api, given["id"], code="1.1")
    elsewhere = await given_plan(writable_api, "GE")
    await given_objective(writable_api, elsewhere["id"], code="1.1")  # other plans are fine
    cursor = await feed_cursor(writable_api)

    payload = await mutate(
        writable_api,
        ADD_OBJECTIVE,
        {"planId": given["id"], "code": "1.1", "category": "PUBLIC_DIPLOMACY", "title": "Again"},
    )

    assert codes(payload) == ["ALREADY_EXISTS"]
    assert fields(payload) == [["input", "code"]]
    found = await plan(writable_api, given["id"])
    assert [node["id"] for node in found["objectives"]["nodes"]] == [first["id"]]
    assert await changes_since(writable_api, cursor) == []


def _need(amount: str, currency: str) -> dict[str, Any]:
    return {"requirement": {"amount": amount, "currency": currency}}


# (change to a valid objective, input field at fault)
BAD_OBJECTIVES = [
    pytest.param(_need("0", "EUR"), ["requirement", "amount"], id="zero-requirement"),
    pytest.param(_need("-1", "EUR"), ["requirement", "amount"], id="negative-requirement"),
    pytest.param(_need("1.001", "EUR"), ["requirement", "amount"], id="three-decimals-in-EUR"),
    pytest.param(_need("1", "XYZ"), ["requirement", "currency"], id="unknown-currency"),
    pytest.param(_need("1", "GEL"), ["requirement", "currency"], id="currency-without-rate"),
    pytest.param({"status": "CARRIED_OVER"}, ["status"], id="carried-over"),
    pytest.param({"title": ""}, ["title"], id="blank-title"),
    pytest.param({"code": "c" * 41}, ["code"], id="code-too-long"),
]


@pytest.mark.parametrize(("change", "at_fault"), BAD_OBJECTIVES)
async def test_add_objective_refuses_what_breaks_a_rule(
    writable_api: Api, change: dict[str, Any], at_fault: list[str]
) -> None:
    given = await given_plan(writable_api, "GE")
    cursor = await feed_cursor(writable_api)
    entry = {"planId": given["id"], "code": "9", "category": "PUBLIC_DIPLOMACY", "title": "t"}

    payload = await mutate(writable_api, ADD_OBJECTIVE, {**entry, **change})

    assert codes(payload) == ["INVALID"]
    assert fields(payload) == [["input", *at_fault]]
    assert (await plan(writable_api, given["id"]))["objectives"]["totalCount"] == 0
    assert await changes_since(writable_api, cursor) == []


async def test_add_objective_refuses_plans_that_are_history(writable_api: Api) -> None:
    closed = await plan(writable_api, code="ME-IPAP-2008")

    payload = await mutate(
        writable_api,
        ADD_OBJECTIVE,
        {"planId": closed["id"], "code": "new", "category": "PUBLIC_DIPLOMACY", "title": "t"},
    )

    assert codes(payload) == ["INVALID"]
    assert fields(payload) == [["input", "planId"]]


async def test_update_objective_changes_the_given_fields_only(writable_api: Api) -> None:
    # Given an objective with a requirement
    given = await given_objective(
        writable_api,
        (await given_plan(writable_api, "GE"))["id"],
        requirement={"amount": "1000", "currency": "EUR"},
        targetDate="2026-06-30",
    )

    # When Georgia starts it and raises its priority
    payload = await mutate(
        writable_api,
        UPDATE_OBJECTIVE,
        {"id": given["id"], "expectedVersion": 1, "status": "IN_PROGRESS", "priority": "CRITICAL"},
        "partner",
    )

    # Then those change, one version on, and the rest stays
    assert payload["userErrors"] == []
    changed = payload["objective"]
    assert (changed["status"], changed["priority"], changed["version"]) == (
        "IN_PROGRESS",
        "CRITICAL",
        2,
    )
    kept = ("code", "title", "category", "requirement", "targetDate", "plan")
    assert {key: changed[key] for key in kept} == {key: given[key] for key in kept}

    # When its requirement is removed
    removed = await mutate(
        writable_api,
        UPDATE_OBJECTIVE,
        {"id": given["id"], "expectedVersion": 2, "requirement": None},
    )

    # Then it has none
    assert removed["userErrors"] == []
    assert removed["objective"]["requirement"] is None
    assert removed["objective"]["version"] == 3


async def test_update_objective_refuses_stale_versions_backward_moves_and_bad_money(
    writable_api: Api,
) -> None:
    # Given an achieved objective
    given = await given_objective(
        writable_api, (await given_plan(writable_api, "GE"))["id"], status="ACHIEVED"
    )
    cursor = await feed_cursor(writable_api)

    cases = [
        ({"expectedVersion": 2, "title": "x"}, "VERSION_CONFLICT", ["expectedVersion"]),
        ({"expectedVersion": 1, "status": "IN_PROGRESS"}, "INVALID_TRANSITION", ["status"]),
        ({"expectedVersion": 1, "status": "CARRIED_OVER"}, "INVALID_TRANSITION", ["status"]),
        (
            {"expectedVersion": 1, "requirement": {"amount": "5.5", "currency": "JPY"}},
            "INVALID",
            ["requirement", "amount"],
        ),
        ({"expectedVersion": 1, "title": " "}, "INVALID", ["title"]),
    ]
    for change, code, at_fault in cases:
        payload = await mutate(writable_api, UPDATE_OBJECTIVE, {"id": given["id"], **change})

        assert codes(payload) == [code], change
        assert fields(payload) == [["input", *at_fault]], change
    assert await objective(writable_api, given["id"]) == given
    assert await changes_since(writable_api, cursor) == []


# --- recordPlanReview ----------------------------------------------------------------------------


async def test_record_plan_review(writable_api: Api) -> None:
    # Given an active plan with two objectives
    given = await given_plan(writable_api, "GE")
    first = await given_objective(writable_api, given["id"])
    second = await given_objective(writable_api, given["id"])

    # When Georgia records a review assessing both
    payload = await mutate(
        writable_api,
        RECORD_REVIEW,
        {
            "planId": given["id"],
            "reviewedOn": "2024-11-20",
            "summary": "Good progress on logistics",
            "assessments": [
                {"objectiveId": first["id"], "assessment": "ON_TRACK", "comment": "Fine"},
                {"objectiveId": second["id"], "assessment": "AT_RISK"},
            ],
        },
        "partner",
    )

    # Then the review is on the plan, with its assessments
    assert payload["userErrors"] == []
    review = payload["review"]
    assert (review["reviewedOn"], review["summary"]) == ("2024-11-20", "Good progress on logistics")
    assert review["plan"] == {"id": given["id"]}
    assert sorted(
        (item["objective"]["id"], item["assessment"], item["comment"])
        for item in review["assessments"]
    ) == sorted([(first["id"], "ON_TRACK", "Fine"), (second["id"], "AT_RISK", None)])
    assert (await plan(writable_api, given["id"]))["reviews"] == {
        "totalCount": 1,
        "nodes": [{"id": review["id"]}],
    }


async def test_record_plan_review_refuses_what_breaks_a_rule(writable_api: Api) -> None:
    # Given an active plan with an objective, and an objective of another plan
    given = await given_plan(writable_api, "GE")
    own = await given_objective(writable_api, given["id"])
    foreign = await open_objective(writable_api)
    draft = await given_plan(writable_api, "GE", "DRAFT")
    cursor = await feed_cursor(writable_api)
    tomorrow = (date.today() + timedelta(days=2)).isoformat()

    def review(**change: Any) -> dict[str, Any]:
        return {"planId": given["id"], "reviewedOn": "2024-05-01", "summary": "s", **change}

    cases = [
        (
            review(assessments=[{"objectiveId": foreign["id"], "assessment": "ON_TRACK"}]),
            ["assessments", "0", "objectiveId"],
        ),
        (
            review(
                assessments=[
                    {"objectiveId": own["id"], "assessment": "ON_TRACK"},
                    {"objectiveId": own["id"], "assessment": "OFF_TRACK"},
                ]
            ),
            ["assessments", "1", "objectiveId"],
        ),
        (
            review(assessments=[{"objectiveId": "garbage", "assessment": "ON_TRACK"}]),
            ["assessments", "0", "objectiveId"],
        ),
        (review(reviewedOn=tomorrow), ["reviewedOn"]),
        (review(summary="  "), ["summary"]),
        (review(planId=draft["id"]), ["planId"]),
    ]
    for entry, at_fault in cases:
        # When a review breaks one rule
        payload = await mutate(writable_api, RECORD_REVIEW, entry)

        # Then it is refused, naming the field
        assert codes(payload) == ["INVALID"], entry
        assert fields(payload) == [["input", *at_fault]], entry
        assert payload["review"] is None

    # And nothing was written
    assert (await plan(writable_api, given["id"]))["reviews"]["totalCount"] == 0
    assert await changes_since(writable_api, cursor) == []


# --- transitionPlan ------------------------------------------------------------------------------


async def test_transition_plan_carries_open_objectives_over_to_an_itpp(writable_api: Api) -> None:
    # Given an active IPAP with objectives not started, in progress, deferred and achieved
    old = await given_plan(writable_api, "GE")
    statuses = {"1": "NOT_STARTED", "2": "IN_PROGRESS", "3": "DEFERRED", "4": "ACHIEVED"}
    originals = {
        code: await given_objective(
            writable_api,
            old["id"],
            status=status,
            code=code,
            requirement={"amount": "500", "currency": "EUR"},
        )
        for code, status in statuses.items()
    }
    new_code = unique("GE-ITPP")

    # When the secretariat moves it to an ITPP
    payload = await mutate(
        writable_api,
        TRANSITION_PLAN,
        {
            "planId": old["id"],
            "code": new_code,
            "title": "Georgia ITPP",
            "status": "ACTIVE",
            "agreedOn": "2025-02-01",
        },
    )

    # Then there is a new ITPP that names the old plan as predecessor
    assert payload["userErrors"] == []
    new = payload["plan"]
    assert (new["code"], new["kind"], new["status"]) == (new_code, "ITPP", "ACTIVE")
    assert new["partner"] == {"code": "GE"}
    assert new["predecessor"] == {"id": old["id"], "code": old["code"]}
    assert new["successor"] is None
    # And the old plan is superseded by it
    assert payload["predecessor"]["id"] == old["id"]
    assert payload["predecessor"]["status"] == "SUPERSEDED"
    after_old = await plan(writable_api, old["id"])
    assert after_old["status"] == "SUPERSEDED"
    assert after_old["successor"] == {"id": new["id"], "code": new_code}
    assert after_old["version"] == old["version"] + 1
    # And the open objectives are carried over, linked to their originals, which say so
    carried = {item["code"]: item for item in payload["carriedOver"]}
    assert set(carried) == {"1", "2", "3"}
    for code, copy in carried.items():
        original = originals[code]
        assert copy["carriedOverFrom"] == {"id": original["id"], "code": code}
        assert copy["plan"] == {"id": new["id"]}
        assert copy["status"] == statuses[code]
        kept = ("title", "category", "priority", "requirement", "targetDate")
        assert {key: copy[key] for key in kept} == {key: original[key] for key in kept}
        assert (await objective(writable_api, original["id"]))["status"] == "CARRIED_OVER"
    # And the achieved one stays where it was, as it was
    assert await objective(writable_api, originals["4"]["id"]) == originals["4"]
    new_plan = await plan(writable_api, new["id"])
    assert sorted(node["code"] for node in new_plan["objectives"]["nodes"]) == ["1", "2", "3"]


PLAN_SUPPORT = """
query PlanSupport($id: ID!) {
  node(id: $id) { ... on Plan { contributions { totalCount nodes { id status } } } }
}
"""


async def test_support_given_before_a_transition_shows_from_both_sides(
    writable_api: Api,
) -> None:
    # Given support registered to an IPAP objective
    old = await given_plan(writable_api, "GE")
    original = await given_objective(writable_api, old["id"])
    given = await given_contribution(writable_api, original["id"])

    # When the plan moves to an ITPP
    payload = await mutate(
        writable_api,
        TRANSITION_PLAN,
        {"planId": old["id"], "code": unique("GE-ITPP"), "agreedOn": "2025-02-01"},
    )
    assert payload["userErrors"] == []
    (copy,) = payload["carriedOver"]

    # Then the support shows on the original objective and on its carried-over copy
    expected = {"totalCount": 1, "nodes": [{"id": given["id"], "status": "PLEDGED"}]}
    assert await support_of(writable_api, original["id"]) == expected
    assert await support_of(writable_api, copy["id"]) == expected
    # And it still belongs to the original objective
    assert (await contribution(writable_api, given["id"]))["objective"] == {"id": original["id"]}
    # And both plans count it among their support
    for plan_id in (old["id"], payload["plan"]["id"]):
        support = await writable_api.data(PLAN_SUPPORT, {"id": plan_id})
        assert support["node"]["contributions"] == expected


async def test_support_given_after_a_transition_shows_from_both_sides(writable_api: Api) -> None:
    old = await given_plan(writable_api, "GE")
    original = await given_objective(writable_api, old["id"])
    payload = await mutate(
        writable_api,
        TRANSITION_PLAN,
        {"planId": old["id"], "code": unique("GE-ITPP"), "agreedOn": "2025-02-01"},
    )
    (copy,) = payload["carriedOver"]

    given = await given_contribution(writable_api, copy["id"])

    expected = {"totalCount": 1, "nodes": [{"id": given["id"], "status": "PLEDGED"}]}
    assert await support_of(writable_api, copy["id"]) == expected
    assert await support_of(writable_api, original["id"]) == expected


async def test_transition_plan_refuses_plans_that_cannot_move(writable_api: Api) -> None:
    # Given an ITPP, a superseded IPAP, a closed IPAP and a draft
    itpp = await plan(writable_api, code="MD-ITPP-2025")
    superseded = await plan(writable_api, code="MD-IPAP-2006")
    closed = await plan(writable_api, code="ME-IPAP-2008")
    draft = await given_plan(writable_api, "GE", "DRAFT")
    cursor = await feed_cursor(writable_api)

    for given in (itpp, superseded, closed, draft):
        before = await plan(writable_api, given["id"])

        # When the secretariat moves it to an ITPP
        payload = await mutate(
            writable_api,
            TRANSITION_PLAN,
            {"planId": given["id"], "code": unique("X-ITPP"), "agreedOn": "2025-02-01"},
        )

        # Then it is refused and the plan stays as it was
        assert codes(payload) == ["INVALID_TRANSITION"], given["code"]
        assert fields(payload) == [["input", "planId"]]
        assert (payload["plan"], payload["predecessor"], payload["carriedOver"]) == (None, None, [])
        assert await plan(writable_api, given["id"]) == before
    assert await changes_since(writable_api, cursor) == []


async def test_a_superseded_plan_and_its_carried_over_objectives_are_history(
    writable_api: Api,
) -> None:
    # Given a plan moved to an ITPP
    old = await given_plan(writable_api, "GE")
    original = await given_objective(writable_api, old["id"])
    payload = await mutate(
        writable_api,
        TRANSITION_PLAN,
        {"planId": old["id"], "code": unique("GE-ITPP"), "agreedOn": "2025-02-01"},
    )
    assert payload["userErrors"] == []
    superseded = await plan(writable_api, old["id"])
    carried = await objective(writable_api, original["id"])

    # When its original objective, or the plan itself, is changed
    changed_objective = await mutate(
        writable_api,
        UPDATE_OBJECTIVE,
        {"id": original["id"], "expectedVersion": carried["version"], "title": "x"},
    )
    changed_plan = await mutate(
        writable_api,
        UPDATE_PLAN,
        {"id": old["id"], "expectedVersion": superseded["version"], "status": "ACTIVE"},
    )
    support = await mutate(writable_api, REGISTER, registration(original["id"]), "ally")

    # Then each is refused
    assert codes(changed_objective) == ["INVALID_TRANSITION"]
    assert codes(changed_plan) == ["INVALID_TRANSITION"]
    assert codes(support) == ["INVALID"]
    assert await objective(writable_api, original["id"]) == carried


# --- history and the change feed -----------------------------------------------------------------


async def test_history_lists_a_contributions_writes_in_order(writable_api: Api) -> None:
    # Given a contribution registered, committed and withdrawn
    target = await open_objective(writable_api)
    given = await given_contribution(writable_api, target["id"], description="v1")
    await mutate(
        writable_api,
        UPDATE_CONTRIBUTION,
        {"id": given["id"], "expectedVersion": 1, "status": "COMMITTED", "description": "v2"},
        "ally",
    )
    await mutate(
        writable_api, WITHDRAW_CONTRIBUTION, {"id": given["id"], "expectedVersion": 2}, "ally"
    )

    # When its history is read
    history = await history_of(writable_api, given["id"])

    # Then it lists the three writes, oldest first, each with the state before and after
    assert history["totalCount"] == 3
    created, updated, withdrawn = history["nodes"]
    assert [created["action"], updated["action"], withdrawn["action"]] == [
        "CREATED",
        "UPDATED",
        "WITHDRAWN",
    ]
    assert created["position"] < updated["position"] < withdrawn["position"]
    assert all(event["entityId"] == given["id"] for event in history["nodes"])
    assert all(event["entityType"] == "Contribution" for event in history["nodes"])
    assert all(event["actor"] == {"code": "DE"} for event in history["nodes"])
    assert created["before"] is None
    assert (created["after"]["status"], created["after"]["version"]) == ("PLEDGED", 1)
    assert created["after"]["description"] == "v1"
    assert updated["before"] == created["after"]
    assert (updated["after"]["status"], updated["after"]["description"]) == ("COMMITTED", "v2")
    assert updated["after"]["version"] == 2
    assert withdrawn["before"] == updated["after"]
    assert (withdrawn["after"]["status"], withdrawn["after"]["version"]) == ("WITHDRAWN", 3)
    assert withdrawn["after"]["withdrawnAt"]


async def test_history_of_a_plan_and_an_objective(writable_api: Api) -> None:
    given = await given_plan(writable_api, "GE", "AGREED")
    await mutate(
        writable_api, UPDATE_PLAN, {"id": given["id"], "expectedVersion": 1, "status": "ACTIVE"}
    )
    target = await given_objective(writable_api, given["id"], title="Before")
    await mutate(
        writable_api,
        UPDATE_OBJECTIVE,
        {"id": target["id"], "expectedVersion": 1, "title": "After"},
        "partner",
    )

    plan_history = await history_of(writable_api, given["id"])
    objective_history = await history_of(writable_api, target["id"])

    assert [event["action"] for event in plan_history["nodes"]] == ["CREATED", "UPDATED"]
    assert plan_history["nodes"][1]["before"]["status"] == "AGREED"
    assert plan_history["nodes"][1]["after"]["status"] == "ACTIVE"
    assert [event["action"] for event in objective_history["nodes"]] == ["CREATED", "UPDATED"]
    assert [event["actor"]["code"] for event in objective_history["nodes"]] == ["NATO", "GE"]
    assert objective_history["nodes"][1]["before"]["title"] == "Before"
    assert objective_history["nodes"][1]["after"]["title"] == "After"


async def test_the_change_feed_has_each_write_once_without_gaps(writable_api: Api) -> None:
    # Given the feed's position before a sequence of writes
    cursor = await feed_cursor(writable_api)
    start = (await writable_api.data(LATEST_CHANGE))["changes"]["edges"]
    first_position = start[-1]["node"]["position"] + 1 if start else 1

    # When several writes are made, some of them refused
    written: list[tuple[str, str, str]] = []
    given = await given_plan(writable_api, "GE")
    written.append(("Plan", given["id"], "CREATED"))
    target = await given_objective(writable_api, given["id"])
    written.append(("Objective", target["id"], "CREATED"))
    refused = await mutate(writable_api, UPDATE_PLAN, {"id": given["id"], "expectedVersion": 9})
    assert codes(refused) == ["VERSION_CONFLICT"]
    support = await given_contribution(writable_api, target["id"])
    written.append(("Contribution", support["id"], "CREATED"))
    await mutate(
        writable_api,
        UPDATE_CONTRIBUTION,
        {"id": support["id"], "expectedVersion": 1, "status": "COMMITTED"},
        "ally",
    )
    written.append(("Contribution", support["id"], "UPDATED"))
    await mutate(
        writable_api, WITHDRAW_CONTRIBUTION, {"id": support["id"], "expectedVersion": 2}, "ally"
    )
    written.append(("Contribution", support["id"], "WITHDRAWN"))
    await mutate(
        writable_api, UPDATE_PLAN, {"id": given["id"], "expectedVersion": 1, "title": "Renamed"}
    )
    written.append(("Plan", given["id"], "UPDATED"))

    # When the feed is read from that position
    events = await changes_since(writable_api, cursor)

    # Then positions go up by exactly one, and each write is there exactly once
    positions = [event["position"] for event in events]
    assert positions == list(range(first_position, first_position + len(events)))
    seen = Counter((event["entityType"], event["entityId"], event["action"]) for event in events)
    assert all(seen[write] == 1 for write in written), seen
    assert len(events) == len(written)


SINCE = """
query ($since: DateTime!, $types: [String!]) {
  changes(filter: { since: $since, entityTypes: $types }, last: 100) {
    totalCount nodes { position occurredAt entityType }
  }
}
"""


async def test_the_change_feed_since_a_moment_holds_what_was_written_from_then(
    writable_api: Api,
) -> None:
    # Given a write, then a moment (in another time zone than UTC), then two more writes
    given = await given_plan(writable_api, "GE")
    latest = (await writable_api.data(LATEST_CHANGE))["changes"]["edges"][-1]["node"]["position"]
    await asyncio.sleep(0.01)  # the moment falls strictly between the writes
    moment = datetime.now(UTC).astimezone(timezone(timedelta(hours=-5)))
    await asyncio.sleep(0.01)
    target = await given_objective(writable_api, given["id"])
    await mutate(
        writable_api, UPDATE_PLAN, {"id": given["id"], "expectedVersion": 1, "title": "Later"}
    )

    # When the feed is read since that moment, whole and for one type
    since = await writable_api.data(SINCE, {"since": moment.isoformat()})
    plans = await writable_api.data(SINCE, {"since": moment.isoformat(), "types": ["Plan"]})

    # Then it holds the two later writes only, at or after the moment, in feed order
    nodes = since["changes"]["nodes"]
    assert [node["entityType"] for node in nodes] == ["Objective", "Plan"]
    assert all(node["position"] > latest for node in nodes)
    assert all(datetime.fromisoformat(node["occurredAt"]) >= moment for node in nodes)
    assert since["changes"]["totalCount"] == 2
    assert [node["entityType"] for node in plans["changes"]["nodes"]] == ["Plan"]
    assert target["id"]


async def test_the_change_feed_refuses_a_moment_without_a_time_zone(writable_api: Api) -> None:
    body = await writable_api.query(SINCE, {"since": "2026-01-01T00:00:00"})

    assert body.get("data") is None
    assert "time zone" in body["errors"][0]["message"]
