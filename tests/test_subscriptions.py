"""Live updates over a real socket: graphql-transport-ws against a served uvicorn."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
import pytest
import websockets

from api.app import create_app
from api.settings import Settings
from tests.conftest import Api, served

CHANGES = """
subscription Changes($partner: String, $after: String) {
  contributionChanged(partner: $partner, after: $after) {
    cursor
    event { position action entityType redacted actor { code } }
    contribution { id status amount { amount currency } contributor { code } redaction }
  }
}
"""

OVERLAPS = """
subscription Overlaps($partner: String) {
  overlapDetected(partner: $partner) {
    cursor
    overlap { objective { id } contributorCount hiddenContributorCount total { amount } }
  }
}
"""

OBJECTIVE = '{ plan(code: "RS-IPAP-2015") { objectives(first: 1) { nodes { id } } } }'

REGISTER = """
mutation Register($input: RegisterContributionInput!) {
  registerContribution(input: $input) { contribution { id } userErrors { message } }
}
"""


async def receive(connection: Any, seconds: float = 10) -> Any:
    """One message. graphql-transport-ws messages are JSON text frames, and the standard clients
    (npm graphql-ws, gql) refuse binary ones, so a binary frame fails here too."""
    message = await asyncio.wait_for(connection.recv(), seconds)
    assert isinstance(message, str), f"a binary frame, not a text frame: {message!r}"
    return json.loads(message)


class Socket:
    """A graphql-transport-ws client: one connection, numbered subscriptions."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.ids = 0

    async def subscribe(self, query: str, variables: dict[str, Any]) -> str:
        self.ids += 1
        payload = {"query": query, "variables": variables}
        await self.connection.send(
            json.dumps({"id": str(self.ids), "type": "subscribe", "payload": payload})
        )
        return str(self.ids)

    async def next(self, seconds: float = 10) -> dict[str, Any]:
        message: dict[str, Any] = await receive(self.connection, seconds)
        return message


@asynccontextmanager
async def socket(address: str, token: str) -> AsyncIterator[Socket]:
    async with websockets.connect(
        f"ws://{address}/graphql", subprotocols=["graphql-transport-ws"]
    ) as connection:
        await connection.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        assert await receive(connection) == {"type": "connection_ack"}
        yield Socket(connection)


@pytest.fixture
async def live(writable_api: Api) -> AsyncIterator[tuple[str, Api]]:
    """The writable database behind a real uvicorn, and an API client that talks to it over HTTP
    (so writes wake that server's subscribers, as in production)."""
    url = str(writable_api.database.reader.url.render_as_string(hide_password=False))
    app = create_app(Settings(database_url=url))
    async with (
        served(app) as address,
        httpx.AsyncClient(base_url=f"http://{address}") as client,
    ):
        yield address, replace(writable_api, client=client)


async def _register(api: Api, who: str, objective: str, **more: Any) -> str:
    entry = {
        "objectiveId": objective,
        "kind": "TRAINING",
        "amount": {"amount": "1234.56", "currency": "EUR"},
        "startsOn": "2025-01-01",
        "externalReference": f"live-{uuid.uuid4().hex[:10]}",
        **more,
    }
    data = await api.data(REGISTER, {"input": entry}, as_=who)
    assert data["registerContribution"]["userErrors"] == []
    return str(data["registerContribution"]["contribution"]["id"])


async def _wait_until_listening() -> None:
    # graphql-transport-ws does not acknowledge a subscription; give the server a moment to
    # read its starting position (events before it are covered by the cursor test below).
    await asyncio.sleep(0.3)


async def test_a_registration_reaches_a_subscriber(live: tuple[str, Api]) -> None:
    address, api = live
    objective = (await api.data(OBJECTIVE))["plan"]["objectives"]["nodes"][0]["id"]
    async with socket(address, api.tokens["partner"]) as client:
        await client.subscribe(CHANGES, {"partner": "RS"})
        await _wait_until_listening()

        registered = await _register(api, "ally", objective)
        message = await client.next()

    assert message["type"] == "next"
    change = message["payload"]["data"]["contributionChanged"]
    assert change["contribution"]["id"] == registered
    assert change["contribution"]["contributor"] == {"code": "DE"}
    assert change["event"]["action"] == "CREATED"


async def test_restricted_support_arrives_redacted_to_a_third_party(live: tuple[str, Api]) -> None:
    address, api = live
    objective = (await api.data(OBJECTIVE))["plan"]["objectives"]["nodes"][0]["id"]
    async with (
        socket(address, api.tokens["institution"]) as outsider,
        socket(address, api.tokens["secretariat"]) as secretariat,
    ):
        await outsider.subscribe(CHANGES, {"partner": "RS"})
        await secretariat.subscribe(CHANGES, {"partner": "RS"})
        await _wait_until_listening()

        await _register(
            api,
            "ally",
            objective,
            visibility="RESTRICTED",
            amount={"amount": "7777.77", "currency": "EUR"},
        )
        hidden = (await outsider.next())["payload"]["data"]["contributionChanged"]
        shown = (await secretariat.next())["payload"]["data"]["contributionChanged"]

    assert hidden["contribution"]["contributor"] is None
    assert hidden["contribution"]["amount"] is None
    assert hidden["event"]["redacted"] is True and hidden["event"]["actor"] is None
    assert "7777.77" not in json.dumps(hidden) and '"DE"' not in json.dumps(hidden)
    assert shown["contribution"]["contributor"] == {"code": "DE"}


async def test_a_subscriber_resumes_from_its_cursor_without_missing_events(
    live: tuple[str, Api],
) -> None:
    address, api = live
    objective = (await api.data(OBJECTIVE))["plan"]["objectives"]["nodes"][0]["id"]
    async with socket(address, api.tokens["secretariat"]) as client:
        await client.subscribe(CHANGES, {"partner": "RS"})
        await _wait_until_listening()
        first = await _register(api, "ally", objective)
        cursor = (await client.next())["payload"]["data"]["contributionChanged"]["cursor"]

    # While disconnected, two more registrations
    missed = [await _register(api, "other_ally", objective) for _ in range(2)]

    async with socket(address, api.tokens["secretariat"]) as client:
        await client.subscribe(CHANGES, {"partner": "RS", "after": cursor})
        caught_up = [
            (await client.next())["payload"]["data"]["contributionChanged"]["contribution"]["id"]
            for _ in missed
        ]

    assert first not in caught_up
    assert caught_up == missed


async def test_an_overlap_is_pushed_when_a_second_donor_arrives(live: tuple[str, Api]) -> None:
    address, api = live
    plan = (await api.data('{ plan(code: "RS-IPAP-2015") { id } }'))["plan"]["id"]
    created = await api.data(
        """mutation($plan: ID!) {
             addObjective(input: { planId: $plan, code: "LIVE-1", category: PUBLIC_DIPLOMACY,
                                   title: "Live" }) { objective { id } userErrors { message } }
           }""",
        {"plan": plan},
    )
    objective = created["addObjective"]["objective"]["id"]
    async with socket(address, api.tokens["ally"]) as client:
        await client.subscribe(OVERLAPS, {})
        await _wait_until_listening()
        await _register(api, "ally", objective)
        await _register(api, "other_ally", objective)
        message = await client.next()

    detected = message["payload"]["data"]["overlapDetected"]["overlap"]
    assert detected["objective"]["id"] == objective
    assert detected["contributorCount"] == 2


async def test_a_connection_holds_a_limited_number_of_subscriptions(
    live: tuple[str, Api],
) -> None:
    address, api = live
    async with socket(address, api.tokens["ally"]) as client:
        for _ in range(10):
            await client.subscribe(CHANGES, {})
        await client.subscribe(CHANGES, {})
        message = await client.next()

    assert message["type"] in {"error", "next"}
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert "at most 10 subscriptions" in json.dumps(errors)


async def test_a_socket_that_never_authenticates_is_closed(seeded_url: str) -> None:
    app = create_app(Settings(database_url=seeded_url))
    async with (
        served(app) as address,
        websockets.connect(
            f"ws://{address}/graphql", subprotocols=["graphql-transport-ws"]
        ) as connection,
    ):
        await connection.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": CHANGES}})
        )
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(connection.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


OVERDUE = """
subscription Overdue($partner: String) {
  trancheOverdue(partner: $partner) {
    contribution { id contributor { code } }
    tranche { dueOn status outstanding { amount currency } }
  }
}
"""


async def _late(api: Api, objective: str, who: str = "ally", **more: Any) -> str:
    """A committed contribution with a tranche due last year, nothing of it delivered."""
    return await _register(
        api,
        who,
        objective,
        status="COMMITTED",
        schedule=[{"dueOn": "2025-03-31", "amount": "234.56"}],
        **more,
    )


async def _overdue_of(client: Socket, wanted: set[str]) -> dict[str, dict[str, Any]]:
    """The overdue tranches pushed until every one of `wanted`'s has come (others may too)."""
    found: dict[str, dict[str, Any]] = {}
    while not wanted <= found.keys():
        message = await client.next()
        assert message["type"] == "next", message
        item = message["payload"]["data"]["trancheOverdue"]
        assert item["contribution"]["id"] not in found, "told twice"
        found[item["contribution"]["id"]] = item
    return found


async def test_overdue_tranches_are_pushed_those_late_already_first(
    live: tuple[str, Api],
) -> None:
    address, api = live
    objective = (await api.data(OBJECTIVE))["plan"]["objectives"]["nodes"][0]["id"]
    # Given a contribution already late, and a restricted one of another ally's
    before = await _late(api, objective)
    hidden = await _late(api, objective, "other_ally", visibility="RESTRICTED")
    async with socket(address, api.tokens["ally"]) as client:
        await client.subscribe(OVERDUE, {"partner": "RS"})
        # When the subscriber starts, then the late one comes first
        first = await _overdue_of(client, {before})
        # And one registered late since comes too, once, whenever the subscription read
        since = await _late(api, objective)
        later = await _overdue_of(client, {since})

    seen = first | later
    assert seen[before]["tranche"] == {
        "dueOn": "2025-03-31",
        "status": "OVERDUE",
        "outstanding": {"amount": "234.56", "currency": "EUR"},
    }
    assert seen[since]["contribution"]["contributor"] == {"code": "DE"}
    # A restricted contribution's tranches are detail: not told to another ally
    assert hidden not in seen
