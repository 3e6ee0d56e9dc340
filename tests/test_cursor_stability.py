"""Cursors are keyset positions: rows inserted before a cursor do not shift the next page."""

from __future__ import annotations

from tests.conftest import Api

PLANS = """
query Plans($after: String) {
  plans(filter: { partners: ["RS"] }, orderBy: { field: CODE }, first: 2, after: $after) {
    pageInfo { endCursor hasNextPage }
    nodes { code }
  }
}
"""

CREATE = """
mutation Create($code: String!) {
  createPlan(input: { partner: "RS", kind: ITPP, code: $code, title: $code }) {
    plan { code }
    userErrors { message }
  }
}
"""


async def _walk(api: Api, after: str | None = None) -> list[str]:
    codes: list[str] = []
    while True:
        page = (await api.data(PLANS, {"after": after}))["plans"]
        codes += [node["code"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return codes
        after = page["pageInfo"]["endCursor"]


async def test_inserting_before_the_cursor_does_not_shift_the_next_page(
    writable_api: Api,
) -> None:
    # Given Serbia's plans, listed two by two in code order
    for n in range(1, 5):
        created = await writable_api.data(CREATE, {"code": f"RS-TEST-{n}"})
        assert created["createPlan"]["userErrors"] == []
    everything = await _walk(writable_api)
    first = (await writable_api.data(PLANS))["plans"]

    # When a plan is created whose code sorts before the first page's end cursor
    await writable_api.data(CREATE, {"code": "RS-AAA"})
    rest = await _walk(writable_api, first["pageInfo"]["endCursor"])
    again = await _walk(writable_api)

    # Then the following pages continue exactly where the first ended, nothing twice or skipped
    assert len(everything) >= 5
    assert [node["code"] for node in first["nodes"]] + rest == everything
    assert again == sorted(["RS-AAA", *everything])
