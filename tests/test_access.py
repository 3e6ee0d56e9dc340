"""Who may do what: every role, every mutation, its own and someone else's object, and who sees
a restricted contribution's giver and amount, on every path to it.

The expected outcome of each cell is written out in a table below, not derived from the rules the
application implements, so a wrong rule in the application cannot make its own test pass.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests import documents
from tests.conftest import PEOPLE, Api

ALLOWED = "allowed"
FORBIDDEN = "FORBIDDEN"
OWN = "own"
OTHER = "other"

# Where each role's own plans are, for the roles that are partners.
OWN_PLANS = {"partner": "GE", "other_partner": "MD"}

# --- Queries -------------------------------------------------------------------------------------

CREATE_PLAN = """
mutation CreatePlan($input: CreatePlanInput!) {
  createPlan(input: $input) {
    plan { id code version status partner { code } }
    userErrors { field message code }
  }
}
"""

UPDATE_PLAN = """
mutation UpdatePlan($input: UpdatePlanInput!) {
  updatePlan(input: $input) {
    plan { id version title }
    userErrors { field message code }
  }
}
"""

ADD_OBJECTIVE = """
mutation AddObjective($input: AddObjectiveInput!) {
  addObjective(input: $input) {
    objective { id code version }
    userErrors { field message code }
  }
}
"""

UPDATE_OBJECTIVE = """
mutation UpdateObjective($input: UpdateObjectiveInput!) {
  updateObjective(input: $input) {
    objective { id version title }
    userErrors { field message code }
  }
}
"""

RECORD_REVIEW = """
mutation RecordPlanReview($input: RecordPlanReviewInput!) {
  recordPlanReview(input: $input) {
    review { id summary }
    userErrors { field message code }
  }
}
"""

TRANSITION_PLAN = """
mutation TransitionPlan($input: TransitionPlanInput!) {
  transitionPlan(input: $input) {
    plan { id code kind }
    predecessor { id status }
    carriedOver { id }
    userErrors { field message code }
  }
}
"""

CONTRIBUTION_FIELDS = """
  id
  status
  version
  description
  visibility
  redaction
  externalReference
  withdrawnAt
  updatedAt
  amount { amount currency }
  contributor { id code name }
"""

REGISTER = documents.register(CONTRIBUTION_FIELDS)

UPDATE_CONTRIBUTION = documents.update_contribution(CONTRIBUTION_FIELDS)

WITHDRAW_CONTRIBUTION = documents.withdraw_contribution(CONTRIBUTION_FIELDS)

# Everything a mutation could change, read back to prove a refused one changed nothing.
READ_BACK = f"""
query ReadBack($id: ID!) {{
  node(id: $id) {{
    __typename
    ... on Contribution {{ {CONTRIBUTION_FIELDS} }}
    ... on Plan {{
      id code title summary planStatus: status version updatedAt
      successor {{ id }}
      objectives(first: 100) {{ totalCount nodes {{ id code title status version updatedAt }} }}
      reviews(first: 100) {{ totalCount nodes {{ id }} }}
    }}
    ... on Objective {{ id code title objectiveStatus: status priority version updatedAt }}
  }}
}}
"""

PLAN_BY_CODE = "query PlanByCode($code: String!) { plan(code: $code) { id } }"


LATEST_CHANGE = "{ changes(last: 1) { edges { cursor node { position } } } }"

CHANGES_AFTER = """
query Changes($after: String, $first: Int = 100) {
  changes(first: $first, after: $after) {
    nodes {
      position action entityType entityId redacted before after
      actor { id code name }
    }
  }
}
"""

PARTICIPANT = "query Participant($code: String!) { participant(code: $code) { id code name } }"

# --- Givens --------------------------------------------------------------------------------------


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def errors_of(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def mutate(api: Api, document: str, name: str, input_: dict[str, Any], as_: str) -> Any:
    """The payload of one mutation, which must not fail as a GraphQL error."""
    body = await api.query(document, {"input": input_}, as_=as_)
    assert "errors" not in body, body["errors"]
    return body["data"][name]


async def given_plan(api: Api, partner: str) -> dict[str, Any]:
    """A fresh ACTIVE IPAP of `partner`, created by the secretariat."""
    payload = await mutate(
        api,
        CREATE_PLAN,
        "createPlan",
        {
            "partner": partner,
            "kind": "IPAP",
            "title": "Access test plan",
            "code": unique(f"{partner}-T"),
            "status": "ACTIVE",
            "agreedOn": "2024-01-15",
        },
        "secretariat",
    )
    assert payload["userErrors"] == []
    plan: dict[str, Any] = payload["plan"]
    return plan


async def given_objective(api: Api, plan_id: str) -> dict[str, Any]:
    payload = await mutate(
        api,
        ADD_OBJECTIVE,
        "addObjective",
        {
            "planId": plan_id,
            "code": unique("O"),
            "category": "CIVIL_PREPAREDNESS",
            "title": "Flood response capacity",
            "requirement": {"amount": "50000", "currency": "EUR"},
        },
        "secretariat",
    )
    assert payload["userErrors"] == []
    objective: dict[str, Any] = payload["objective"]
    return objective


async def given_contribution(
    api: Api,
    objective_id: str,
    as_: str,
    *,
    amount: str = "1000.00",
    visibility: str = "PUBLIC",
    reference: str | None = None,
) -> dict[str, Any]:
    payload = await mutate(
        api,
        REGISTER,
        "registerContribution",
        {
            "objectiveId": objective_id,
            "kind": "FUNDING",
            "amount": {"amount": amount, "currency": "EUR"},
            "startsOn": "2024-03-01",
            "endsOn": "2025-02-28",
            "visibility": visibility,
            "description": "Support for the flood response centre",
            "externalReference": reference,
        },
        as_,
    )
    assert payload["userErrors"] == []
    contribution: dict[str, Any] = payload["contribution"]
    return contribution


async def read_back(api: Api, global_id: str) -> dict[str, Any]:
    node: dict[str, Any] = (await api.data(READ_BACK, {"id": global_id}))["node"]
    return node


async def feed_cursor(api: Api) -> str | None:
    edges = (await api.data(LATEST_CHANGE))["changes"]["edges"]
    return edges[-1]["cursor"] if edges else None


async def changes_since(
    api: Api, cursor: str | None, as_: str = "secretariat", first: int = 100
) -> list[dict[str, Any]]:
    data = await api.data(CHANGES_AFTER, {"after": cursor, "first": first}, as_=as_)
    nodes: list[dict[str, Any]] = data["changes"]["nodes"]
    return nodes


def other_partner_than(role: str) -> str:
    """A partner whose plans are not `role`'s own."""
    return "MD" if role == "partner" else "GE"


def other_contributor_than(role: str) -> str:
    return "ally" if role == "other_ally" else "other_ally"


# --- The matrix ----------------------------------------------------------------------------------

# (mutation, role, whose object, expected). "own" is the caller's own contribution, or a plan (or
# its objectives) of the partner the caller is; only partners have plans of their own. "other" is
# someone else's contribution, or another partner's plan.
MATRIX = [
    # Anyone registers support, as itself, to its own plans' objectives or another partner's.
    ("registerContribution", "partner", OWN, ALLOWED),
    ("registerContribution", "other_partner", OWN, ALLOWED),
    ("registerContribution", "secretariat", OTHER, ALLOWED),
    ("registerContribution", "ally", OTHER, ALLOWED),
    ("registerContribution", "other_ally", OTHER, ALLOWED),
    ("registerContribution", "partner", OTHER, ALLOWED),
    ("registerContribution", "other_partner", OTHER, ALLOWED),
    ("registerContribution", "institution", OTHER, ALLOWED),
    # Only the contributor changes a contribution: not even the secretariat or the recipient.
    ("updateContribution", "secretariat", OWN, ALLOWED),
    ("updateContribution", "ally", OWN, ALLOWED),
    ("updateContribution", "other_ally", OWN, ALLOWED),
    ("updateContribution", "partner", OWN, ALLOWED),
    ("updateContribution", "other_partner", OWN, ALLOWED),
    ("updateContribution", "institution", OWN, ALLOWED),
    ("updateContribution", "secretariat", OTHER, FORBIDDEN),
    ("updateContribution", "ally", OTHER, FORBIDDEN),
    ("updateContribution", "other_ally", OTHER, FORBIDDEN),
    ("updateContribution", "partner", OTHER, FORBIDDEN),
    ("updateContribution", "other_partner", OTHER, FORBIDDEN),
    ("updateContribution", "institution", OTHER, FORBIDDEN),
    ("withdrawContribution", "secretariat", OWN, ALLOWED),
    ("withdrawContribution", "ally", OWN, ALLOWED),
    ("withdrawContribution", "other_ally", OWN, ALLOWED),
    ("withdrawContribution", "partner", OWN, ALLOWED),
    ("withdrawContribution", "other_partner", OWN, ALLOWED),
    ("withdrawContribution", "institution", OWN, ALLOWED),
    ("withdrawContribution", "secretariat", OTHER, FORBIDDEN),
    ("withdrawContribution", "ally", OTHER, FORBIDDEN),
    ("withdrawContribution", "other_ally", OTHER, FORBIDDEN),
    ("withdrawContribution", "partner", OTHER, FORBIDDEN),
    ("withdrawContribution", "other_partner", OTHER, FORBIDDEN),
    ("withdrawContribution", "institution", OTHER, FORBIDDEN),
    # Only the secretariat creates plans, not even a partner for itself.
    ("createPlan", "partner", OWN, FORBIDDEN),
    ("createPlan", "other_partner", OWN, FORBIDDEN),
    ("createPlan", "secretariat", OTHER, ALLOWED),
    ("createPlan", "ally", OTHER, FORBIDDEN),
    ("createPlan", "other_ally", OTHER, FORBIDDEN),
    ("createPlan", "partner", OTHER, FORBIDDEN),
    ("createPlan", "other_partner", OTHER, FORBIDDEN),
    ("createPlan", "institution", OTHER, FORBIDDEN),
    # The secretariat and the partner itself edit the partner's plans, objectives and reviews.
    ("updatePlan", "partner", OWN, ALLOWED),
    ("updatePlan", "other_partner", OWN, ALLOWED),
    ("updatePlan", "secretariat", OTHER, ALLOWED),
    ("updatePlan", "ally", OTHER, FORBIDDEN),
    ("updatePlan", "other_ally", OTHER, FORBIDDEN),
    ("updatePlan", "partner", OTHER, FORBIDDEN),
    ("updatePlan", "other_partner", OTHER, FORBIDDEN),
    ("updatePlan", "institution", OTHER, FORBIDDEN),
    ("addObjective", "partner", OWN, ALLOWED),
    ("addObjective", "other_partner", OWN, ALLOWED),
    ("addObjective", "secretariat", OTHER, ALLOWED),
    ("addObjective", "ally", OTHER, FORBIDDEN),
    ("addObjective", "other_ally", OTHER, FORBIDDEN),
    ("addObjective", "partner", OTHER, FORBIDDEN),
    ("addObjective", "other_partner", OTHER, FORBIDDEN),
    ("addObjective", "institution", OTHER, FORBIDDEN),
    ("updateObjective", "partner", OWN, ALLOWED),
    ("updateObjective", "other_partner", OWN, ALLOWED),
    ("updateObjective", "secretariat", OTHER, ALLOWED),
    ("updateObjective", "ally", OTHER, FORBIDDEN),
    ("updateObjective", "other_ally", OTHER, FORBIDDEN),
    ("updateObjective", "partner", OTHER, FORBIDDEN),
    ("updateObjective", "other_partner", OTHER, FORBIDDEN),
    ("updateObjective", "institution", OTHER, FORBIDDEN),
    ("recordPlanReview", "partner", OWN, ALLOWED),
    ("recordPlanReview", "other_partner", OWN, ALLOWED),
    ("recordPlanReview", "secretariat", OTHER, ALLOWED),
    ("recordPlanReview", "ally", OTHER, FORBIDDEN),
    ("recordPlanReview", "other_ally", OTHER, FORBIDDEN),
    ("recordPlanReview", "partner", OTHER, FORBIDDEN),
    ("recordPlanReview", "other_partner", OTHER, FORBIDDEN),
    ("recordPlanReview", "institution", OTHER, FORBIDDEN),
    # Only the secretariat moves a plan to an ITPP, not even the partner its own.
    ("transitionPlan", "partner", OWN, FORBIDDEN),
    ("transitionPlan", "other_partner", OWN, FORBIDDEN),
    ("transitionPlan", "secretariat", OTHER, ALLOWED),
    ("transitionPlan", "ally", OTHER, FORBIDDEN),
    ("transitionPlan", "other_ally", OTHER, FORBIDDEN),
    ("transitionPlan", "partner", OTHER, FORBIDDEN),
    ("transitionPlan", "other_partner", OTHER, FORBIDDEN),
    ("transitionPlan", "institution", OTHER, FORBIDDEN),
]


def _cell(mutation: str, role: str, whose: str, expected: str) -> Any:
    return pytest.param(mutation, role, whose, expected, id=f"{mutation}-{role}-{whose}")


@dataclass
class Target:
    """What a cell acts on: the object, and how to read it back."""

    read_id: str | None  # node(id:) of what the mutation would change; None for createPlan
    input: dict[str, Any]


async def _target(api: Api, mutation: str, role: str, whose: str) -> Target:
    """Build, as the secretariat and the owners, the fresh object one cell acts on."""
    if mutation in ("updateContribution", "withdrawContribution"):
        objective = await given_objective(api, (await given_plan(api, "GE"))["id"])
        owner = role if whose == OWN else other_contributor_than(role)
        contribution = await given_contribution(api, objective["id"], owner)
        fields = {"description": "Changed"} if mutation == "updateContribution" else {}
        return Target(
            contribution["id"], {"id": contribution["id"], "expectedVersion": 1, **fields}
        )
    partner = OWN_PLANS[role] if whose == OWN else other_partner_than(role)
    if mutation == "createPlan":
        code = unique(f"{partner}-NEW")
        return Target(
            None, {"partner": partner, "kind": "IPAP", "title": "A new plan", "code": code}
        )
    if mutation == "registerContribution":
        objective = await given_objective(api, (await given_plan(api, partner))["id"])
        return Target(
            objective["id"],
            {
                "objectiveId": objective["id"],
                "kind": "TRAINING",
                "amount": {"amount": "2500.00", "currency": "EUR"},
                "startsOn": "2024-04-01",
            },
        )
    plan = await given_plan(api, partner)
    if mutation == "updatePlan":
        return Target(plan["id"], {"id": plan["id"], "expectedVersion": 1, "title": "Renamed"})
    if mutation == "addObjective":
        return Target(
            plan["id"],
            {
                "planId": plan["id"],
                "code": unique("N"),
                "category": "PUBLIC_DIPLOMACY",
                "title": "Outreach",
            },
        )
    if mutation == "transitionPlan":
        code = unique(f"{partner}-ITPP")
        return Target(plan["id"], {"planId": plan["id"], "code": code, "agreedOn": "2025-03-01"})
    objective = await given_objective(api, plan["id"])
    if mutation == "updateObjective":
        return Target(
            objective["id"], {"id": objective["id"], "expectedVersion": 1, "title": "Retitled"}
        )
    assert mutation == "recordPlanReview"
    return Target(
        plan["id"],
        {
            "planId": plan["id"],
            "reviewedOn": "2024-06-30",
            "summary": "Annual review",
            "assessments": [{"objectiveId": objective["id"], "assessment": "ON_TRACK"}],
        },
    )


DOCUMENTS = {
    "registerContribution": (REGISTER, "contribution"),
    "updateContribution": (UPDATE_CONTRIBUTION, "contribution"),
    "withdrawContribution": (WITHDRAW_CONTRIBUTION, "contribution"),
    "createPlan": (CREATE_PLAN, "plan"),
    "updatePlan": (UPDATE_PLAN, "plan"),
    "addObjective": (ADD_OBJECTIVE, "objective"),
    "updateObjective": (UPDATE_OBJECTIVE, "objective"),
    "recordPlanReview": (RECORD_REVIEW, "review"),
    "transitionPlan": (TRANSITION_PLAN, "plan"),
}


@pytest.mark.parametrize(("mutation", "role", "whose", "expected"), [_cell(*c) for c in MATRIX])
async def test_access_matrix(
    writable_api: Api, mutation: str, role: str, whose: str, expected: str
) -> None:
    api = writable_api
    # Given a fresh object of the kind the mutation acts on, and the state of the record
    target = await _target(api, mutation, role, whose)
    before = None if target.read_id is None else await read_back(api, target.read_id)
    cursor = await feed_cursor(api)
    document, result = DOCUMENTS[mutation]

    # When the role tries the mutation
    payload = await mutate(api, document, mutation, target.input, role)

    # Then it is done and recorded in the caller's name, or refused and nothing changes
    events = await changes_since(api, cursor)
    if expected == ALLOWED:
        assert payload["userErrors"] == []
        assert payload[result] is not None
        assert events, "an allowed write is recorded in the change feed"
        assert {event["actor"]["code"] for event in events} == {PEOPLE[role][0]}
        if target.read_id is not None and mutation != "registerContribution":
            assert await read_back(api, target.read_id) != before
    else:
        assert errors_of(payload) == [FORBIDDEN], payload
        assert payload[result] is None
        assert events == []
        if target.read_id is None:
            code = target.input["code"]
            assert "errors" in await api.query(PLAN_BY_CODE, {"code": code})
        else:
            assert await read_back(api, target.read_id) == before


async def test_registering_is_always_as_oneself(writable_api: Api) -> None:
    # Given an objective of Georgia's plan
    objective = await given_objective(writable_api, (await given_plan(writable_api, "GE"))["id"])

    # When each role registers support to it
    for role, (code, _) in PEOPLE.items():
        contribution = await given_contribution(writable_api, objective["id"], role)

        # Then the contribution is the caller's, whoever the caller is
        assert contribution["contributor"]["code"] == code


# --- node(id:) on restricted contributions -------------------------------------------------------

# (viewer, contributor of a RESTRICTED contribution to Georgia's plan, may the viewer see who gave
# and how much). Georgia ("partner") is the recipient.
RESTRICTED_NODE_CASES = [
    ("secretariat", "ally", True),
    ("ally", "ally", True),
    ("other_ally", "ally", False),
    ("partner", "ally", True),
    ("other_partner", "ally", False),
    ("institution", "ally", False),
    ("secretariat", "other_partner", True),
    ("ally", "other_partner", False),
    ("other_ally", "other_partner", False),
    ("partner", "other_partner", True),
    ("other_partner", "other_partner", True),
    ("institution", "other_partner", False),
    ("secretariat", "institution", True),
    ("ally", "institution", False),
    ("other_ally", "institution", False),
    ("partner", "institution", True),
    ("other_partner", "institution", False),
    ("institution", "institution", True),
]

NODE = f"""
query Node($id: ID!) {{
  node(id: $id) {{ __typename ... on Contribution {{ {CONTRIBUTION_FIELDS} }} }}
}}
"""

NODES = f"""
query Nodes($ids: [ID!]!) {{
  nodes(ids: $ids) {{ __typename ... on Contribution {{ {CONTRIBUTION_FIELDS} }} }}
}}
"""

AMOUNT = "7777.77"


@dataclass(frozen=True)
class Giver:
    """What would identify a restricted contribution's giver, or say how much it gave."""

    id: str
    code: str
    name: str
    reference: str

    def leaks_in(self, body: Any) -> list[str]:
        text = json.dumps(body)
        secrets = [self.id, f'"{self.code}"', self.name, self.reference, AMOUNT]
        return [secret for secret in secrets if secret in text]


async def giver(api: Api, role: str, reference: str) -> Giver:
    found = (await api.data(PARTICIPANT, {"code": PEOPLE[role][0]}))["participant"]
    return Giver(found["id"], found["code"], found["name"], reference)


def assert_redacted(contribution: dict[str, Any]) -> None:
    assert contribution["contributor"] is None
    assert contribution["amount"] is None
    assert contribution["externalReference"] is None
    assert contribution["redaction"]


def assert_shown(contribution: dict[str, Any], who: Giver) -> None:
    assert contribution["contributor"]["code"] == who.code
    assert contribution["amount"] == {"amount": AMOUNT, "currency": "EUR"}
    assert contribution["externalReference"] == who.reference
    assert contribution["redaction"] is None


@pytest.mark.parametrize(("viewer", "contributor", "sees"), RESTRICTED_NODE_CASES)
async def test_node_on_a_restricted_contribution(
    writable_api: Api, viewer: str, contributor: str, sees: bool
) -> None:
    # Given a restricted contribution to Georgia's plan
    api = writable_api
    objective = await given_objective(api, (await given_plan(api, "GE"))["id"])
    reference = unique("SECRET-REF")
    restricted = await given_contribution(
        api,
        objective["id"],
        contributor,
        amount=AMOUNT,
        visibility="RESTRICTED",
        reference=reference,
    )
    who = await giver(api, contributor, reference)

    # When the viewer fetches it by node(id:) and nodes(ids:)
    single = await api.data(NODE, {"id": restricted["id"]}, as_=viewer)
    several = await api.data(NODES, {"ids": [restricted["id"]]}, as_=viewer)

    # Then it is there for everyone, with its giver and amount only for those entitled
    for body, found in ((single, single["node"]), (several, several["nodes"][0])):
        assert found["id"] == restricted["id"]
        assert found["visibility"] == "RESTRICTED"
        if sees:
            assert_shown(found, who)
            assert who.leaks_in(body)  # the check below would catch what it looks for
        else:
            assert_redacted(found)
            assert who.leaks_in(body) == []


# --- Restricted detail on every path -------------------------------------------------------------

ROOT_CONTRIBUTIONS = f"""
query Root($objective: ID!) {{
  contributions(filter: {{ objectives: [$objective] }}) {{
    totalCount nodes {{ {CONTRIBUTION_FIELDS} }}
  }}
}}
"""

ROOT_CONTRIBUTIONS_BY_CONTRIBUTOR = f"""
query RootBy($objective: ID!, $contributor: String!) {{
  contributions(filter: {{ objectives: [$objective], contributors: [$contributor] }}) {{
    totalCount nodes {{ {CONTRIBUTION_FIELDS} }}
  }}
}}
"""

OBJECTIVE_CONTRIBUTIONS = f"""
query OfObjective($objective: ID!) {{
  node(id: $objective) {{
    ... on Objective {{ contributions {{ totalCount nodes {{ {CONTRIBUTION_FIELDS} }} }} }}
  }}
}}
"""

OBJECTIVE_CONTRIBUTIONS_BY_CONTRIBUTOR = f"""
query OfObjectiveBy($objective: ID!, $contributor: String!) {{
  node(id: $objective) {{
    ... on Objective {{
      contributions(filter: {{ contributors: [$contributor] }}) {{
        totalCount nodes {{ {CONTRIBUTION_FIELDS} }}
      }}
    }}
  }}
}}
"""

PLAN_CONTRIBUTIONS = f"""
query OfPlan($plan: ID!) {{
  plan(id: $plan) {{ contributions {{ totalCount nodes {{ {CONTRIBUTION_FIELDS} }} }} }}
}}
"""

# The contributor's own list: not the participant's code or name, which would be there anyway.
PARTICIPANT_CONTRIBUTIONS = """
query OfParticipant($contributor: ID!, $objective: ID!) {
  node(id: $contributor) {
    ... on Participant {
      contributions(filter: { objectives: [$objective] }) {
        totalCount
        nodes { id amount { amount currency } externalReference redaction }
      }
    }
  }
}
"""

HISTORY = """
query History($id: ID!) {
  node(id: $id) {
    ... on Contribution {
      history { totalCount nodes { action redacted before after actor { id code name } } }
    }
  }
}
"""


@dataclass
class Restricted:
    """A restricted contribution from Germany to Georgia's plan, changed once, next to a public
    one from the EU on the same objective."""

    plan_id: str
    objective_id: str
    restricted_id: str
    public_id: str
    giver: Giver
    cursor: str | None
    events: int


@pytest.fixture
async def restricted(writable_api: Api) -> Restricted:
    api = writable_api
    plan = await given_plan(api, "GE")
    objective = await given_objective(api, plan["id"])
    cursor = await feed_cursor(api)
    reference = unique("SECRET-REF")
    secret = await given_contribution(
        api, objective["id"], "ally", amount=AMOUNT, visibility="RESTRICTED", reference=reference
    )
    changed = await mutate(
        api,
        UPDATE_CONTRIBUTION,
        "updateContribution",
        {"id": secret["id"], "expectedVersion": 1, "status": "COMMITTED"},
        "ally",
    )
    assert changed["userErrors"] == []
    public = await given_contribution(api, objective["id"], "institution", amount="100.00")
    who = await giver(api, "ally", reference)
    assert (who.code, who.name) == ("DE", "Germany")
    return Restricted(plan["id"], objective["id"], secret["id"], public["id"], who, cursor, 3)


def _by_id(nodes: list[dict[str, Any]], global_id: str) -> dict[str, Any]:
    (found,) = [node for node in nodes if node["id"] == global_id]
    return found


async def _root(api: Api, case: Restricted, viewer: str) -> tuple[Any, list[Any], int]:
    body = await api.data(ROOT_CONTRIBUTIONS, {"objective": case.objective_id}, as_=viewer)
    found = body["contributions"]
    return body, found["nodes"], found["totalCount"]


async def _objective(api: Api, case: Restricted, viewer: str) -> tuple[Any, list[Any], int]:
    body = await api.data(OBJECTIVE_CONTRIBUTIONS, {"objective": case.objective_id}, as_=viewer)
    found = body["node"]["contributions"]
    return body, found["nodes"], found["totalCount"]


async def _plan(api: Api, case: Restricted, viewer: str) -> tuple[Any, list[Any], int]:
    body = await api.data(PLAN_CONTRIBUTIONS, {"plan": case.plan_id}, as_=viewer)
    found = body["plan"]["contributions"]
    return body, found["nodes"], found["totalCount"]


async def _nodes(api: Api, case: Restricted, viewer: str) -> tuple[Any, list[Any], int]:
    ids = [case.restricted_id, case.public_id]
    body = await api.data(NODES, {"ids": ids}, as_=viewer)
    return body, body["nodes"], len(body["nodes"])


LISTS: dict[str, Callable[[Api, Restricted, str], Awaitable[tuple[Any, list[Any], int]]]] = {
    "root-contributions": _root,
    "objective-contributions": _objective,
    "plan-contributions": _plan,
    "nodes": _nodes,
}

# (viewer, entitled to see the restricted contribution's giver and amount)
VIEWERS = [
    ("secretariat", True),
    ("ally", True),  # the contributor
    ("partner", True),  # the recipient
    ("other_ally", False),
    ("other_partner", False),
    ("institution", False),
]
UNENTITLED = [viewer for viewer, sees in VIEWERS if not sees]


@pytest.mark.parametrize("path", list(LISTS))
@pytest.mark.parametrize(("viewer", "sees"), VIEWERS)
async def test_restricted_detail_in_lists(
    writable_api: Api, restricted: Restricted, path: str, viewer: str, sees: bool
) -> None:
    # Given a restricted and a public contribution to one objective (the fixture)
    # When the viewer lists the objective's support on this path
    body, nodes, total = await LISTS[path](writable_api, restricted, viewer)

    # Then both are counted, and the restricted one's giver and amount show only to the entitled
    assert total == 2
    secret = _by_id(nodes, restricted.restricted_id)
    public = _by_id(nodes, restricted.public_id)
    assert public["contributor"]["code"] == "EU"
    assert public["amount"] == {"amount": "100.00", "currency": "EUR"}
    if sees:
        assert_shown(secret, restricted.giver)
        assert restricted.giver.leaks_in(body)  # the check below would catch what it looks for
    else:
        assert_redacted(secret)
        assert restricted.giver.leaks_in(body) == []


@pytest.mark.parametrize("path", ["root", "objective"])
@pytest.mark.parametrize(("viewer", "sees"), VIEWERS)
async def test_filtering_by_contributor_does_not_reveal_a_restricted_giver(
    writable_api: Api, restricted: Restricted, path: str, viewer: str, sees: bool
) -> None:
    # Given a restricted contribution from Germany (the fixture)
    variables = {"objective": restricted.objective_id, "contributor": "DE"}

    # When the viewer asks for Germany's support to the objective
    if path == "root":
        body = await writable_api.data(ROOT_CONTRIBUTIONS_BY_CONTRIBUTOR, variables, as_=viewer)
        found = body["contributions"]
    else:
        body = await writable_api.data(
            OBJECTIVE_CONTRIBUTIONS_BY_CONTRIBUTOR, variables, as_=viewer
        )
        found = body["node"]["contributions"]

    # Then only the entitled find it: for others it is not Germany's, as far as they can tell
    if sees:
        assert found["totalCount"] == 1
        assert_shown(found["nodes"][0], restricted.giver)
    else:
        assert found == {"totalCount": 0, "nodes": []}
        assert restricted.restricted_id not in json.dumps(body)
        assert AMOUNT not in json.dumps(body)


@pytest.mark.parametrize(("viewer", "sees"), VIEWERS)
async def test_a_contributors_list_leaves_out_its_restricted_support(
    writable_api: Api, restricted: Restricted, viewer: str, sees: bool
) -> None:
    # Given Germany's restricted contribution (the fixture)
    variables = {"contributor": restricted.giver.id, "objective": restricted.objective_id}

    # When the viewer reads Germany's contributions
    body = await writable_api.data(PARTICIPANT_CONTRIBUTIONS, variables, as_=viewer)
    found = body["node"]["contributions"]

    # Then only the entitled see it there: being on the list would say who gave it
    if sees:
        assert found["totalCount"] == 1
        (shown,) = found["nodes"]
        assert shown["id"] == restricted.restricted_id
        assert shown["amount"] == {"amount": AMOUNT, "currency": "EUR"}
    else:
        assert found == {"totalCount": 0, "nodes": []}
        assert restricted.restricted_id not in json.dumps(body)
        assert restricted.giver.leaks_in(body) == []


WITHHELD = ("contributorId", "amount", "currency", "externalReference")


def assert_event_redacted(event: dict[str, Any]) -> None:
    assert event["redacted"] is True
    assert event["actor"] is None
    for state in (event["before"], event["after"]):
        if state is not None:
            assert {key: state.get(key) for key in WITHHELD} == dict.fromkeys(WITHHELD)


def assert_event_shown(event: dict[str, Any], who: Giver) -> None:
    assert event["redacted"] is False
    assert event["actor"]["code"] == who.code
    assert event["after"]["contributorId"] == who.id
    assert event["after"]["amount"].startswith(AMOUNT)
    assert event["after"]["externalReference"] == who.reference


@pytest.mark.parametrize(("viewer", "sees"), VIEWERS)
async def test_restricted_detail_in_history(
    writable_api: Api, restricted: Restricted, viewer: str, sees: bool
) -> None:
    # Given a restricted contribution registered and then committed (the fixture)
    # When the viewer reads its history
    body = await writable_api.data(HISTORY, {"id": restricted.restricted_id}, as_=viewer)
    history = body["node"]["history"]

    # Then both writes are listed, with who and how much only for the entitled
    assert history["totalCount"] == 2
    assert [event["action"] for event in history["nodes"]] == ["CREATED", "UPDATED"]
    for event in history["nodes"]:
        if sees:
            assert_event_shown(event, restricted.giver)
        else:
            assert_event_redacted(event)
    if not sees:
        assert restricted.giver.leaks_in(body) == []


@pytest.mark.parametrize(("viewer", "sees"), VIEWERS)
async def test_restricted_detail_in_the_change_feed(
    writable_api: Api, restricted: Restricted, viewer: str, sees: bool
) -> None:
    # Given the fixture's three writes, one after the other in the feed
    # When the viewer reads that stretch of the feed
    events = await changes_since(
        writable_api, restricted.cursor, as_=viewer, first=restricted.events
    )

    # Then the restricted contribution's events are withheld from the unentitled, and the public
    # one's are not
    assert [event["action"] for event in events] == ["CREATED", "UPDATED", "CREATED"]
    secret_id, public_id = restricted.restricted_id, restricted.public_id
    assert [event["entityId"] for event in events] == [secret_id, secret_id, public_id]
    *secret_events, public_event = events
    assert public_event["redacted"] is False
    assert public_event["actor"]["code"] == "EU"
    for event in secret_events:
        if sees:
            assert_event_shown(event, restricted.giver)
        else:
            assert_event_redacted(event)
    if not sees:
        assert restricted.giver.leaks_in(events) == []


@pytest.mark.parametrize("mutation", ["updateContribution", "withdrawContribution"])
@pytest.mark.parametrize("viewer", UNENTITLED)
async def test_a_refused_change_to_a_restricted_contribution_reveals_nothing(
    writable_api: Api, restricted: Restricted, mutation: str, viewer: str
) -> None:
    # Given Germany's restricted contribution (the fixture), at version 2
    api = writable_api
    before = await read_back(api, restricted.restricted_id)
    cursor = await feed_cursor(api)
    document = UPDATE_CONTRIBUTION if mutation == "updateContribution" else WITHDRAW_CONTRIBUTION
    fields = (
        {"amount": {"amount": "1.00", "currency": "EUR"}} if document is UPDATE_CONTRIBUTION else {}
    )

    # When someone not entitled tries to change it, at the right and at a wrong version
    for version in (2, 1):
        body = await api.query(
            document,
            {"input": {"id": restricted.restricted_id, "expectedVersion": version, **fields}},
            as_=viewer,
        )

        # Then it is refused, and neither the payload nor the message names the giver or amount
        assert "errors" not in body, body["errors"]
        payload = body["data"][mutation]
        assert errors_of(payload) == [FORBIDDEN]
        assert payload["contribution"] is None
        assert restricted.giver.leaks_in(body) == []
    assert await read_back(api, restricted.restricted_id) == before
    assert await changes_since(api, cursor) == []


@pytest.mark.parametrize("viewer", UNENTITLED)
async def test_a_replayed_idempotency_key_never_returns_someone_elses_contribution(
    writable_api: Api, viewer: str
) -> None:
    # Given Germany's restricted contribution, registered with an idempotency key
    api = writable_api
    objective = await given_objective(api, (await given_plan(api, "GE"))["id"])
    key = unique("key")
    entry = {
        "objectiveId": objective["id"],
        "kind": "EXPERTISE",
        "amount": {"amount": AMOUNT, "currency": "EUR"},
        "startsOn": "2024-05-01",
        "visibility": "RESTRICTED",
        "idempotencyKey": key,
    }
    first = await mutate(api, REGISTER, "registerContribution", entry, "ally")
    who = await giver(api, "ally", unique("unused"))

    # When another participant sends the very same registration, key included
    body = await api.query(REGISTER, {"input": entry}, as_=viewer)

    # Then it registers its own contribution: keys are per caller, and nothing of Germany's shows
    payload = body["data"]["registerContribution"]
    assert payload["userErrors"] == []
    assert payload["replayed"] is False
    assert payload["contribution"]["id"] != first["contribution"]["id"]
    assert payload["contribution"]["contributor"]["code"] == PEOPLE[viewer][0]
    assert f'"{who.code}"' not in json.dumps(body)
    assert who.name not in json.dumps(body)


async def test_a_contribution_made_restricted_later_keeps_its_giver_out_of_history(
    writable_api: Api,
) -> None:
    # Given a contribution registered in public, then made restricted by its contributor
    api = writable_api
    objective = await given_objective(api, (await given_plan(api, "GE"))["id"])
    cursor = await feed_cursor(api)
    reference = unique("SECRET-REF")
    public = await given_contribution(
        api, objective["id"], "ally", amount=AMOUNT, reference=reference
    )
    changed = await mutate(
        api,
        UPDATE_CONTRIBUTION,
        "updateContribution",
        {"id": public["id"], "expectedVersion": 1, "visibility": "RESTRICTED"},
        "ally",
    )
    assert changed["userErrors"] == []
    who = await giver(api, "ally", reference)

    for viewer in UNENTITLED:
        # When someone not entitled reads it, its history and the feed
        now = await api.data(NODE, {"id": public["id"]}, as_=viewer)
        history = await api.data(HISTORY, {"id": public["id"]}, as_=viewer)
        events = await changes_since(api, cursor, as_=viewer, first=2)

        # Then the giver and amount are withheld everywhere, the past included
        assert_redacted(now["node"])
        assert who.leaks_in(now) == []
        assert who.leaks_in(history) == [], viewer
        assert who.leaks_in(events) == [], viewer
