"""Keyset connections: every row exactly once, both ways, and cursors that survive inserts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api

CONTRIBUTIONS = """
query Page($first: Int, $after: String, $last: Int, $before: String, $order: ContributionOrder) {
  contributions(
    filter: { partners: ["GE"] }, orderBy: $order,
    first: $first, after: $after, last: $last, before: $before
  ) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id createdAt startsOn } }
  }
}
"""


async def _walk(api: Api, order: dict[str, str], forward: bool) -> tuple[list[str], int]:
    seen: list[str] = []
    cursor: str | None = None
    while True:
        variables: dict[str, Any] = {"order": order}
        variables.update(
            {"first": 7, "after": cursor} if forward else {"last": 7, "before": cursor}
        )
        page = (await api.data(CONTRIBUTIONS, variables))["contributions"]
        ids = [edge["node"]["id"] for edge in page["edges"]]
        seen.extend(ids if forward else reversed(ids))
        info = page["pageInfo"]
        more = info["hasNextPage"] if forward else info["hasPreviousPage"]
        if not more:
            return seen, page["totalCount"]
        cursor = info["endCursor"] if forward else info["startCursor"]


@pytest.mark.parametrize(
    "order",
    [
        {"field": "CREATED_AT", "direction": "ASC"},
        {"field": "STARTS_ON", "direction": "DESC"},
    ],
)
async def test_paging_forward_and_backward_sees_every_row_once(
    api: Api, order: dict[str, str]
) -> None:
    forward, total = await _walk(api, order, forward=True)
    backward, _ = await _walk(api, order, forward=False)

    assert total > 14, "enough rows for several pages"
    assert len(forward) == len(set(forward)) == total
    assert backward == list(reversed(forward))


async def test_pages_are_ordered_by_the_requested_key(api: Api) -> None:
    data = await api.data(CONTRIBUTIONS, {"first": 50, "order": {"field": "STARTS_ON"}})

    starts = [edge["node"]["startsOn"] for edge in data["contributions"]["edges"]]
    assert starts == sorted(starts)


async def test_a_cursor_from_another_ordering_is_refused(api: Api) -> None:
    by_creation = await api.data(CONTRIBUTIONS, {"first": 1})
    cursor = by_creation["contributions"]["pageInfo"]["endCursor"]

    body = await api.query(
        CONTRIBUTIONS, {"first": 1, "after": cursor, "order": {"field": "STARTS_ON"}}
    )

    (error,) = body["errors"]
    assert error["extensions"] == {"code": "INVALID_ARGUMENT", "argument": "after"}
    assert "ordering" in error["message"]


async def test_first_zero_returns_no_rows_but_the_count(api: Api) -> None:
    data = await api.data(CONTRIBUTIONS, {"first": 0})

    assert data["contributions"]["edges"] == []
    assert data["contributions"]["totalCount"] > 0
    assert data["contributions"]["pageInfo"]["hasNextPage"] is True
