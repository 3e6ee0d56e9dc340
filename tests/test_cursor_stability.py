"""Cursors are keyset positions: rows inserted before a cursor do not shift the next page."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select

from api.app import create_app
from api.settings import Settings
from seeds import load_reference
from store.database import create_engine, create_sessionmaker
from store.enums import DatePrecision, PlanKind, PlanStatus
from store.participants import Participant
from store.plans import Plan
from tests.conftest import Databases

PLANS = """
query Plans($after: String) {
  plans(filter: { partners: ["GE"] }, orderBy: { field: CREATED_AT }, first: 2, after: $after) {
    pageInfo { endCursor hasNextPage }
    nodes { code }
  }
}
"""


@pytest.fixture
async def writable(databases: Databases) -> str:
    """A database of this test's own, with the reference data."""
    url = await databases.new_url()
    engine = create_engine(url)
    await load_reference(create_sessionmaker(engine))
    await engine.dispose()
    return url


async def _add_plan(url: str, code: str, created_at: datetime) -> None:
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session, session.begin():
        georgia = (await session.scalars(select(Participant).where(Participant.code == "GE"))).one()
        session.add(
            Plan(
                code=code,
                partner_id=georgia.id,
                kind=PlanKind.ITPP,
                status=PlanStatus.DRAFT,
                title=code,
                agreed_on_precision=DatePrecision.DAY,
                created_at=created_at,
                updated_at=created_at,
            )
        )
    await engine.dispose()


async def _walk(client: httpx.AsyncClient, after: str | None = None) -> list[str]:
    codes: list[str] = []
    while True:
        body = {"query": PLANS, "variables": {"after": after}}
        page = (await client.post("/graphql", json=body)).json()["data"]["plans"]
        codes += [node["code"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return codes
        after = page["pageInfo"]["endCursor"]


async def test_inserting_before_the_cursor_does_not_shift_the_next_page(writable: str) -> None:
    # Given Georgia's plans, some created one after another, listed two by two
    for n in range(4):
        await _add_plan(writable, f"GE-TEST-{n}", datetime(2030, 1, 1 + n, tzinfo=UTC))
    app = create_app(Settings(database_url=writable))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        everything = await _walk(client)
        first = (await client.post("/graphql", json={"query": PLANS})).json()["data"]["plans"]

        # When a plan is inserted that sorts before the first page's end cursor
        await _add_plan(writable, "GE-TEST-EARLY", datetime(1999, 1, 1, tzinfo=UTC))
        rest = await _walk(client, first["pageInfo"]["endCursor"])
        again = await _walk(client)
    await app.state.engine.dispose()

    # Then the following pages continue exactly where the first ended, nothing twice or skipped
    assert len(everything) >= 5
    assert [node["code"] for node in first["nodes"]] + rest == everything
    assert again == ["GE-TEST-EARLY", *everything]
