"""Global IDs: every entity is a Node, reachable again through node(id:) and nodes(ids:)."""

from __future__ import annotations

from tests.conftest import Api

SAMPLE = """
{
  participant(code: "GE") {
    id
    plans(first: 1) {
      nodes {
        id
        reviews(first: 1) { nodes { id } }
        objectives(first: 1) { nodes { id contributions(first: 1) { nodes { id } } } }
      }
    }
  }
}
"""

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Participant { code }
    ... on Plan { code }
    ... on Objective { code }
    ... on Contribution { kind }
  }
}
"""

NODES = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"


async def _sample_ids(api: Api) -> dict[str, str]:
    participant = (await api.data(SAMPLE))["participant"]
    plan = participant["plans"]["nodes"][0]
    objective = plan["objectives"]["nodes"][0]
    return {
        "Participant": participant["id"],
        "Plan": plan["id"],
        "Objective": objective["id"],
        "Contribution": objective["contributions"]["nodes"][0]["id"],
    }


async def test_every_id_resolves_back_to_its_object(api: Api) -> None:
    for type_name, global_id in (await _sample_ids(api)).items():
        node = (await api.data(NODE, {"id": global_id}))["node"]

        assert node["__typename"] == type_name
        assert node["id"] == global_id


async def test_nodes_keeps_order_and_answers_null_for_unknown_ids(api: Api) -> None:
    ids = list((await _sample_ids(api)).values())
    missing = "UGxhbjo5OTk5OTk5"  # a well-formed Plan ID that names no plan

    nodes = (await api.data(NODES, {"ids": [*ids, missing]}))["nodes"]

    assert [n["id"] for n in nodes[:-1]] == ids
    assert nodes[-1] is None


async def test_ids_are_opaque(api: Api) -> None:
    ids = await _sample_ids(api)

    assert all(":" not in global_id and "Plan" not in global_id for global_id in ids.values())


async def test_nodes_refuses_more_than_a_hundred_ids(api: Api) -> None:
    body = await api.query(NODES, {"ids": ["UGxhbjox"] * 101})

    assert body["errors"][0]["extensions"] == {"code": "INVALID_ARGUMENT", "argument": "ids"}
