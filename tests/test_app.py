"""The HTTP surface: health, the offline GraphiQL, and the WebSocket route at /graphql."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.conftest import Api


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


def test_no_graphiql_in_production(seeded_url: str) -> None:
    app = create_app(Settings(database_url=seeded_url, environment="production"))
    with TestClient(app) as client:
        page = client.get("/graphql", headers={"accept": "text/html"})

        assert "GraphiQL" not in page.text
        assert client.get("/graphiql/graphiql.min.js").status_code == 404


def test_websocket_speaks_only_graphql_transport_ws(seeded_url: str) -> None:
    app = create_app(Settings(database_url=seeded_url))
    with TestClient(app) as client:
        with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            ws.send_json({"type": "connection_init"})
            assert ws.receive_json() == {"type": "connection_ack"}
        with (
            pytest.raises(Exception),  # noqa: B017 - the legacy protocol is refused outright
            client.websocket_connect("/graphql", subprotocols=["graphql-ws"]) as ws,
        ):
            ws.receive_json()


async def test_graphql_route_does_not_redirect(api: Api) -> None:
    response = await api.client.post("/graphql", json={"query": "{ __typename }"})

    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}
