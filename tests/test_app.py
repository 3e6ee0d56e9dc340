"""The HTTP surface: health, the offline GraphiQL, and the WebSocket route at /graphql."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from api.app import create_app
from api.settings import Settings
from tests.conftest import Api, served
from tests.test_limits import TOO_COSTLY


async def test_healthz_answers(api: Api) -> None:
    response = await api.client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_graphiql_loads_only_local_assets(api: Api) -> None:
    page = await api.client.get("/graphql", headers={"accept": "text/html"})

    assert page.status_code == 200
    assert "GraphiQL" in page.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(asset.startswith("/graphiql/") for asset in assets)
    for asset in assets:
        assert (await api.client.get(asset)).status_code == 200, asset


async def test_no_graphiql_in_production(seeded_url: str) -> None:
    app = create_app(Settings(database_url=seeded_url, environment="production"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        page = await client.get("/graphql", headers={"accept": "text/html"})
        asset = await client.get("/graphiql/graphiql.min.js")
    await app.state.database.dispose()

    assert "GraphiQL" not in page.text
    assert asset.status_code == 404


async def test_websocket_speaks_graphql_transport_ws_over_a_real_socket(
    seeded_url: str, api: Api
) -> None:
    app = create_app(Settings(database_url=seeded_url))
    init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {api.tokens['ally']}"}}
    async with (
        served(app) as address,
        websockets.connect(
            f"ws://{address}/graphql", subprotocols=["graphql-transport-ws"]
        ) as socket,
    ):
        await socket.send(json.dumps(init))
        ack = json.loads(await socket.recv())
        await socket.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }"}})
        )
        result = json.loads(await socket.recv())
        completed = json.loads(await socket.recv())
        await socket.send(
            json.dumps({"id": "2", "type": "subscribe", "payload": {"query": TOO_COSTLY}})
        )
        refused = json.loads(await socket.recv())
    await app.state.database.dispose()

    assert ack == {"type": "connection_ack"}
    assert result["payload"]["data"] == {"__typename": "Query"}
    assert completed == {"id": "1", "type": "complete"}
    # Limits and their report apply on sockets as over HTTP
    assert result["payload"]["extensions"]["cost"]["requestedQueryCost"] == 0
    assert refused["type"] == "error"
    assert refused["payload"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


async def test_the_legacy_graphql_ws_protocol_is_not_offered(seeded_url: str) -> None:
    app = create_app(Settings(database_url=seeded_url))
    async with served(app) as address:
        with pytest.raises(
            (InvalidStatus, websockets.ConnectionClosed, websockets.InvalidHandshake)
        ):
            async with websockets.connect(
                f"ws://{address}/graphql", subprotocols=["graphql-ws"]
            ) as socket:
                await socket.send(json.dumps({"type": "connection_init"}))
                await socket.recv()
    await app.state.database.dispose()


async def test_graphql_route_does_not_redirect(api: Api) -> None:
    response = await api.post("{ __typename }")

    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}
