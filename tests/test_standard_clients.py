"""Subscriptions through the clients users run, not through a client written for these tests.

The npm `graphql-ws` client (what Apollo Client, urql and Relay use in browsers), run by Node.js
from tests/clients/ (installed there by `npm ci`, which `make test` runs), and Python's `gql` with
its websockets transport. Both speak graphql-transport-ws as its specification says, so a server
that sends anything but JSON text frames fails here even when a lenient hand-written client would
not.

Each test reads the feed's position first and subscribes after it (the `after` argument): the
protocol does not acknowledge a subscription, and this way no event is missed however late the
subscription starts, with no waiting.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

from api.app import create_app
from api.settings import Settings
from resolvers import tallying
from seeds import load_reference
from tests.conftest import POSTGRES_URL, REQUEST_TIMEOUT, Api, Databases, issue_tokens, served
from tests.processes import server

CLIENTS = Path(__file__).parent / "clients"
NODE_SCRIPT = CLIENTS / "subscribe.mjs"
# Generous: the machine may be busy. A passing test never waits this long.
SECONDS = 30

CHANGES = """
subscription Changes($after: String) {
  contributionChanged(partner: "RS", after: $after) {
    cursor
    event { action redacted actor { code } }
    contribution { id amount { amount currency } contributor { code } redaction }
  }
}
"""

OVERLAPS = """
subscription Overlaps($after: String) {
  overlapDetected(partner: "RS", after: $after) {
    overlap { objective { id } contributorCount }
  }
}
"""

NEW_OBJECTIVE = """
mutation($plan: ID!, $code: String!) {
  addObjective(input: { planId: $plan, code: $code, category: PUBLIC_DIPLOMACY, title: "Live" }) {
    objective { id } userErrors { message }
  }
}
"""

REGISTER = """
mutation Register($input: RegisterContributionInput!) {
  registerContribution(input: $input) { contribution { id } userErrors { message } }
}
"""

FEED_POSITION = "{ changes(last: 1) { pageInfo { endCursor } } }"

SECRET_AMOUNT = "7777.77"


# The npm graphql-ws client ------------------------------------------------------------------


def node() -> str:
    """The `node` that runs tests/clients. Missing, it fails the test in CI and skips it elsewhere:
    CI must never pass without having run it."""
    found = shutil.which("node")
    if found is None:
        problem = "Node.js (`node`, 20 or later) is not installed: the graphql-ws client needs it"
    elif not (CLIENTS / "node_modules" / "graphql-ws" / "package.json").is_file():
        problem = "tests/clients/node_modules is missing: `make test` installs it (npm ci)"
    else:
        return found
    if os.environ.get("CI"):
        pytest.fail(problem, pytrace=False)
    pytest.skip(problem)


@dataclass
class NodeSubscription:
    """subscribe.mjs running: the JSON lines it printed so far."""

    process: asyncio.subprocess.Process
    lines: list[dict[str, Any]] = field(default_factory=list)

    async def _read(self) -> dict[str, Any] | None:
        assert self.process.stdout is not None
        raw = await asyncio.wait_for(self.process.stdout.readline(), SECONDS)
        if not raw:
            return None
        line: dict[str, Any] = json.loads(raw)
        self.lines.append(line)
        return line

    async def _failure(self, what: str) -> str:
        assert self.process.stderr is not None
        await asyncio.wait_for(self.process.wait(), SECONDS)
        errors = (await self.process.stderr.read()).decode(errors="replace").strip()
        code = self.process.returncode
        return f"{what}; graphql-ws printed {self.lines}, exit code {code}, {errors}"

    async def connected(self) -> None:
        """Once the server has acknowledged the connection."""
        line = await self._read()
        if line != {"type": "connected"}:
            pytest.fail(await self._failure("graphql-ws did not connect"), pytrace=False)

    async def events(self) -> list[dict[str, Any]]:
        """Every event's execution result, once the client has received as many as asked."""
        results = []
        while (line := await self._read()) is not None:
            if line["type"] != "next":
                pytest.fail(await self._failure("graphql-ws failed"), pytrace=False)
            results.append(line["payload"])
        await asyncio.wait_for(self.process.wait(), SECONDS)
        if self.process.returncode != 0:
            pytest.fail(await self._failure("graphql-ws failed"), pytrace=False)
        return results


@asynccontextmanager
async def graphql_ws(
    address: str, token: str, query: str, variables: dict[str, Any], events: int
) -> AsyncIterator[NodeSubscription]:
    options = {
        "url": f"ws://{address}/graphql",
        "token": token,
        "query": query,
        "variables": variables,
        "events": events,
        "seconds": SECONDS,
    }
    process = await asyncio.create_subprocess_exec(
        node(),
        str(NODE_SCRIPT),
        json.dumps(options),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield NodeSubscription(process)
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


# Python's gql ---------------------------------------------------------------------------------


@asynccontextmanager
async def gql_subscription(
    address: str, token: str, query: str, variables: dict[str, Any], events: int
) -> AsyncIterator[asyncio.Task[list[dict[str, Any]]]]:
    """A connected, acknowledged gql session, subscribed: the data of its first `events` events."""
    transport = WebsocketsTransport(
        url=f"ws://{address}/graphql",
        init_payload={"Authorization": f"Bearer {token}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        ack_timeout=SECONDS,
    )
    async with Client(transport=transport) as session:
        subscription = session.subscribe(GraphQLRequest(query, variable_values=variables))
        assert isinstance(subscription, AsyncGenerator)

        async def collect() -> list[dict[str, Any]]:
            return [await anext(subscription) for _ in range(events)]

        async with aclosing(subscription):
            received = asyncio.create_task(asyncio.wait_for(collect(), SECONDS))
            try:
                yield received
            finally:
                received.cancel()
                await asyncio.gather(received, return_exceptions=True)


# The writes, over HTTP ------------------------------------------------------------------------


async def _data(
    client: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def new_objective(client: httpx.AsyncClient, tokens: dict[str, str]) -> tuple[str, str]:
    """A fresh objective on one of RS's plans, and the feed's position just after it."""
    plan = await _data(client, tokens["secretariat"], '{ plan(code: "RS-IPAP-2015") { id } }')
    variables = {"plan": plan["plan"]["id"], "code": f"STD-{uuid.uuid4().hex[:8].upper()}"}
    added = await _data(client, tokens["secretariat"], NEW_OBJECTIVE, variables)
    assert added["addObjective"]["userErrors"] == []
    feed = await _data(client, tokens["secretariat"], FEED_POSITION)
    cursor = feed["changes"]["pageInfo"]["endCursor"]
    assert cursor is not None
    return added["addObjective"]["objective"]["id"], cursor


async def register(
    client: httpx.AsyncClient, token: str, objective: str, *, restricted: bool = False
) -> str:
    entry = {
        "objectiveId": objective,
        "kind": "TRAINING",
        "amount": {"amount": SECRET_AMOUNT if restricted else "100.00", "currency": "EUR"},
        "startsOn": "2025-01-01",
        "externalReference": f"STD-{uuid.uuid4().hex[:12]}",
        "visibility": "RESTRICTED" if restricted else "PUBLIC",
    }
    data = await _data(client, token, REGISTER, {"input": entry})
    assert data["registerContribution"]["userErrors"] == []
    return str(data["registerContribution"]["contribution"]["id"])


async def register_public_then_restricted(
    client: httpx.AsyncClient, tokens: dict[str, str], objective: str
) -> list[str]:
    return [
        await register(client, tokens["ally"], objective),
        await register(client, tokens["ally"], objective, restricted=True),
    ]


def assert_seen_by_an_outsider(changes: list[dict[str, Any]], registered: list[str]) -> None:
    """The public contribution in full, the restricted one redacted: nothing of who or how much."""
    assert [change["contribution"]["id"] for change in changes] == registered
    public, restricted = changes
    assert public["contribution"]["contributor"] == {"code": "DE"}
    assert public["contribution"]["amount"] == {"amount": "100.00", "currency": "EUR"}
    assert public["event"] == {"action": "CREATED", "redacted": False, "actor": {"code": "DE"}}
    assert restricted["contribution"]["contributor"] is None
    assert restricted["contribution"]["amount"] is None
    assert restricted["contribution"]["redaction"]
    assert restricted["event"]["redacted"] is True and restricted["event"]["actor"] is None
    assert SECRET_AMOUNT not in json.dumps(restricted) and '"DE"' not in json.dumps(restricted)


def changes_of(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """graphql-ws hands over execution results: each must be data without errors."""
    assert all("errors" not in result for result in results), results
    return [result["data"]["contributionChanged"] for result in results]


# One server, on each back end -----------------------------------------------------------------


@pytest.fixture
async def live(writable_api: Api) -> AsyncIterator[tuple[str, Api]]:
    """The writable database behind a real uvicorn, and an HTTP client for it."""
    url = str(writable_api.database.reader.url.render_as_string(hide_password=False))
    app = create_app(Settings(database_url=url, request_timeout=REQUEST_TIMEOUT))
    async with (
        served(app) as address,
        httpx.AsyncClient(base_url=f"http://{address}") as client,
    ):
        yield address, replace(writable_api, client=client)


async def test_gql_receives_registrations_redacted_as_the_viewer_may_see_them(
    live: tuple[str, Api],
) -> None:
    address, api = live
    objective, position = await new_objective(api.client, api.tokens)
    async with gql_subscription(
        address, api.tokens["institution"], CHANGES, {"after": position}, events=2
    ) as events:
        # When a contribution is registered, then a restricted one
        registered = await register_public_then_restricted(api.client, api.tokens, objective)
        received = await events

    # Then the outsider sees the first in full and the second without who or how much
    assert_seen_by_an_outsider([data["contributionChanged"] for data in received], registered)


async def test_graphql_ws_receives_registrations_redacted_as_the_viewer_may_see_them(
    live: tuple[str, Api],
) -> None:
    address, api = live
    objective, position = await new_objective(api.client, api.tokens)
    async with graphql_ws(
        address, api.tokens["institution"], CHANGES, {"after": position}, events=2
    ) as subscription:
        await subscription.connected()
        registered = await register_public_then_restricted(api.client, api.tokens, objective)
        received = await subscription.events()

    assert_seen_by_an_outsider(changes_of(received), registered)


# Two `python -m api serve` processes on one PostgreSQL ----------------------------------------


@dataclass(frozen=True)
class Cluster:
    a: str  # where the clients subscribe: host:port
    b: httpx.AsyncClient  # where the writes go
    tokens: dict[str, str]


@pytest.fixture(scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Cluster]:
    if not POSTGRES_URL:
        pytest.skip("needs TEST_POSTGRES_URL: instances share events through PostgreSQL only")
    found = Databases("postgresql", tmp_path_factory.mktemp("standard-clients"))
    sessions = await found.new()
    await load_reference(sessions)
    await tallying.rebuild(sessions)
    tokens = await issue_tokens(sessions)
    url = str(sessions.kw["bind"].url.render_as_string(hide_password=False))
    async with (
        server(url) as a,
        server(url) as b,
        httpx.AsyncClient(base_url=b.base_url) as on_b,
    ):
        yield Cluster(a.address, on_b, tokens)
    await found.close()


async def test_both_clients_on_one_instance_receive_writes_made_through_another(
    cluster: Cluster,
) -> None:
    tokens = cluster.tokens
    objective, position = await new_objective(cluster.b, tokens)
    variables = {"after": position}
    async with (
        graphql_ws(cluster.a, tokens["institution"], CHANGES, variables, events=2) as node_client,
        gql_subscription(
            cluster.a, tokens["institution"], CHANGES, variables, events=2
        ) as gql_events,
    ):
        await node_client.connected()
        # When contributions are registered through B
        registered = await register_public_then_restricted(cluster.b, tokens, objective)
        node_received = await node_client.events()
        gql_changes = [data["contributionChanged"] for data in await gql_events]

    # Then both clients, subscribed on A, receive both, the restricted one redacted
    assert_seen_by_an_outsider(changes_of(node_received), registered)
    assert_seen_by_an_outsider(gql_changes, registered)


async def test_both_clients_on_one_instance_receive_an_overlap_detected_through_another(
    cluster: Cluster,
) -> None:
    tokens = cluster.tokens
    objective, position = await new_objective(cluster.b, tokens)
    variables = {"after": position}
    async with (
        graphql_ws(cluster.a, tokens["ally"], OVERLAPS, variables, events=1) as node_client,
        gql_subscription(cluster.a, tokens["ally"], OVERLAPS, variables, events=1) as gql_events,
    ):
        await node_client.connected()
        # When a second donor supports the same objective through B
        await register(cluster.b, tokens["ally"], objective)
        await register(cluster.b, tokens["other_ally"], objective)
        node_received = await node_client.events()
        gql_data = await gql_events

    expected = {"overlap": {"objective": {"id": objective}, "contributorCount": 2}}
    assert [(result.get("errors"), result["data"]) for result in node_received] == [
        (None, {"overlapDetected": expected})
    ]
    assert gql_data == [{"overlapDetected": expected}]


GEORGIA_CHANGES = """
subscription Changes($after: String) {
  contributionChanged(partner: "GE", after: $after) {
    event { action actor { code } }
    contribution { id confirmation { verdict amount { amount } recordedBy { code } } }
  }
}
"""

CONFIRM = """
mutation Confirm($input: ConfirmContributionInput!) {
  confirmContribution(input: $input) { userErrors { message } }
}
"""


async def test_gql_receives_the_partners_confirmation_of_support(live: tuple[str, Api]) -> None:
    # Given an objective of Georgia's plan, and an outsider following Georgia's support with gql
    address, api = live
    plan = await _data(
        api.client, api.tokens["secretariat"], '{ plan(code: "GE-IPAP-2004") { id } }'
    )
    variables = {"plan": plan["plan"]["id"], "code": f"STD-{uuid.uuid4().hex[:8].upper()}"}
    added = await _data(api.client, api.tokens["secretariat"], NEW_OBJECTIVE, variables)
    objective = added["addObjective"]["objective"]["id"]
    feed = await _data(api.client, api.tokens["secretariat"], FEED_POSITION)
    position = feed["changes"]["pageInfo"]["endCursor"]
    async with gql_subscription(
        address, api.tokens["institution"], GEORGIA_CHANGES, {"after": position}, events=2
    ) as events:
        # When Germany registers support and Georgia confirms receiving it
        given = await register(api.client, api.tokens["ally"], objective)
        account = {
            "id": given,
            "expectedVersion": 1,
            "stage": "DELIVERED",
            "amount": {"amount": "90.00", "currency": "EUR"},
            "on": "2025-02-01",
        }
        confirmed = await _data(api.client, api.tokens["partner"], CONFIRM, {"input": account})
        assert confirmed["confirmContribution"]["userErrors"] == []
        received = [data["contributionChanged"] for data in await events]

    # Then the standard client is told both, the confirmation with Georgia's own account
    assert [(change["event"]["action"], change["event"]["actor"]) for change in received] == [
        ("CREATED", {"code": "DE"}),
        ("CONFIRMED", {"code": "GE"}),
    ]
    assert {change["contribution"]["id"] for change in received} == {given}
    assert received[1]["contribution"]["confirmation"] == {
        "verdict": "CONFIRMED",
        "amount": {"amount": "90.00"},
        "recordedBy": {"code": "GE"},
    }


OVERDUE = """
subscription Overdue($partner: String) {
  trancheOverdue(partner: $partner) {
    contribution { id contributor { code } }
    tranche { dueOn status outstanding { amount currency } }
  }
}
"""


async def _late(client: httpx.AsyncClient, token: str, objective: str) -> str:
    """A committed contribution with a tranche due last year, nothing of it delivered."""
    entry = {
        "objectiveId": objective,
        "kind": "TRAINING",
        "amount": {"amount": "100.00", "currency": "EUR"},
        "startsOn": "2025-01-01",
        "status": "COMMITTED",
        "schedule": [{"dueOn": "2025-03-31", "amount": "60.00"}],
    }
    data = await _data(client, token, REGISTER, {"input": entry})
    assert data["registerContribution"]["userErrors"] == []
    return str(data["registerContribution"]["contribution"]["id"])


async def test_gql_is_told_of_overdue_tranches_those_late_already_first(
    live: tuple[str, Api],
) -> None:
    # Given an objective of Georgia's plan with a contribution whose tranche is already late
    address, api = live
    plan = await _data(
        api.client, api.tokens["secretariat"], '{ plan(code: "GE-IPAP-2004") { id } }'
    )
    variables = {"plan": plan["plan"]["id"], "code": f"STD-{uuid.uuid4().hex[:8].upper()}"}
    added = await _data(api.client, api.tokens["secretariat"], NEW_OBJECTIVE, variables)
    objective = added["addObjective"]["objective"]["id"]
    before = await _late(api.client, api.tokens["ally"], objective)
    async with gql_subscription(
        address, api.tokens["ally"], OVERDUE, {"partner": "GE"}, events=2
    ) as events:
        # When another falls late while Germany's system follows Georgia's overdue tranches
        since = await _late(api.client, api.tokens["ally"], objective)
        received = [data["trancheOverdue"] for data in await events]

    # Then the standard client is told of both, the one late already first, each once
    assert [item["contribution"]["id"] for item in received] == [before, since]
    assert received[0]["tranche"] == {
        "dueOn": "2025-03-31",
        "status": "OVERDUE",
        "outstanding": {"amount": "60.00", "currency": "EUR"},
    }
