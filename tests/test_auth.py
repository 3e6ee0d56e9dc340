"""Authentication: nothing but /healthz answers without a valid bearer token."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import websockets
from sqlalchemy import event, select, update

from api.app import create_app
from api.settings import Settings
from resolvers import tokens
from resolvers.vocabulary import Role
from store.bearers import Verified
from store.tokens import Token
from tests.conftest import Api, served

VIEWER = "{ viewer { role participant { code } } }"


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/json", "application/json"),
        ("application/graphql-response+json", "application/graphql-response+json"),
    ],
)
async def test_no_token_gets_401_with_a_graphql_error(
    api: Api, accept: str, media_type: str
) -> None:
    response = await api.client.post("/graphql", json={"query": VIEWER}, headers={"accept": accept})

    assert response.status_code == 401
    assert response.headers["content-type"].startswith(media_type)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer pca_not-a-real-token",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "pca_nobearer",
        "Bearer x" * 50,
    ],
)
async def test_invalid_tokens_get_401(api: Api, header: str) -> None:
    response = await api.client.post(
        "/graphql", json={"query": VIEWER}, headers={"authorization": header}
    )

    assert response.status_code == 401


async def test_get_queries_need_a_token_too(api: Api) -> None:
    response = await api.client.get("/graphql", params={"query": VIEWER})

    assert response.status_code == 401


async def test_healthz_needs_no_token(api: Api) -> None:
    assert (await api.client.get("/healthz")).status_code == 200


@pytest.mark.parametrize(
    ("person", "code", "role"),
    [
        ("secretariat", "NATO", "SECRETARIAT"),
        ("ally", "DE", "ALLY"),
        ("partner", "GE", "PARTNER"),
        ("institution", "EU", "INSTITUTION"),
    ],
)
async def test_viewer_is_the_caller(api: Api, person: str, code: str, role: str) -> None:
    data = await api.data(VIEWER, as_=person)

    assert data["viewer"] == {"role": role, "participant": {"code": code}}


async def test_revoked_and_expired_tokens_stop_working(writable_api: Api) -> None:
    database = writable_api.database
    revoked = await tokens.issue(database.writes, "FR", Role.ALLY, None)
    expiring = await tokens.issue(database.writes, "FR", Role.ALLY, 1)
    headers = {"authorization": f"Bearer {revoked}"}
    assert (
        await writable_api.client.post("/graphql", json={"query": VIEWER}, headers=headers)
    ).status_code == 200

    lines = await tokens.listing(database.writes)
    assert await tokens.revoke(database.writes, lines[-2].id)
    async with database.writes() as session, session.begin():
        await session.execute(
            update(Token)
            .where(Token.id == lines[-1].id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )

    for secret in (revoked, expiring):
        headers = {"authorization": f"Bearer {secret}"}
        response = await writable_api.client.post(
            "/graphql", json={"query": VIEWER}, headers=headers
        )
        assert response.status_code == 401


async def test_tokens_are_stored_only_as_hashes(writable_api: Api) -> None:
    database = writable_api.database
    secret = await tokens.issue(database.writes, "EU", Role.INSTITUTION, None)

    async with database.reads() as session:
        stored = list(await session.scalars(select(Token)))
    assert all(secret not in (row.secret_hash, row.hint) for row in stored)
    assert all(len(row.secret_hash) == 64 for row in stored)


@pytest.mark.parametrize(
    ("code", "role", "problem"),
    [
        ("DE", Role.PARTNER, "ALLY today"),
        ("ME", Role.PARTNER, "ALLY today"),
        ("GE", Role.ALLY, "PARTNER today"),
        ("DE", Role.SECRETARIAT, "ALLY today"),
        ("EU", Role.SECRETARIAT, "INSTITUTION today"),
        ("ZZ", Role.ALLY, "no participant"),
    ],
)
async def test_a_token_must_match_the_participant(
    writable_api: Api, code: str, role: Role, problem: str
) -> None:
    database = writable_api.database

    with pytest.raises(tokens.TokenError, match=problem):
        await tokens.issue(database.writes, code, role, None)


async def test_websocket_without_a_valid_token_is_closed(seeded_url: str) -> None:
    app = create_app(Settings(database_url=seeded_url))
    async with served(app) as address:
        for payload in ({}, {"Authorization": "Bearer pca_wrong"}):
            async with websockets.connect(
                f"ws://{address}/graphql", subprotocols=["graphql-transport-ws"]
            ) as socket:
                await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await socket.recv()
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    await app.state.database.dispose()


async def test_a_verified_token_is_kept_while_revocations_are_heard_of(
    writable_api: Api, backend: str
) -> None:
    # Given the app started as a server starts it (on PostgreSQL: LISTENing), and a new token
    app = create_app(
        Settings(database_url=writable_api.database.reader.url.render_as_string(False))
    )
    database = app.state.database
    secret = await tokens.issue(database.writes, "FR", Role.ALLY, None)
    headers = {"authorization": f"Bearer {secret}"}
    statements: list[str] = []
    event.listen(
        database.reader.sync_engine,
        "before_cursor_execute",
        lambda _c, _k, statement, *_: statements.append(statement),
    )
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
    ):
        if backend == "postgresql":
            await asyncio.wait_for(app.state.signals.connected.wait(), 30)

        # When it is used twice
        first = await client.post("/graphql", json={"query": VIEWER}, headers=headers)
        read_first = [s for s in statements if "api_token" in s]
        statements.clear()
        second = await client.post("/graphql", json={"query": VIEWER}, headers=headers)
        read_second = [s for s in statements if "api_token" in s]

        # Then PostgreSQL verifies it once, and SQLite (which hears of no revocation made by
        # another process) every time
        assert first.status_code == second.status_code == 200
        assert len(read_first) == 1
        assert len(read_second) == (0 if backend == "postgresql" else 1)

        # And once it is revoked elsewhere, the next request is refused
        listed = await tokens.listing(writable_api.database.writes)
        assert await tokens.revoke(writable_api.database.writes, listed[-1].id)
        third = await client.post("/graphql", json={"query": VIEWER}, headers=headers)
        assert third.status_code == 401
    await database.dispose()


def test_the_kept_tokens_are_forgotten_at_each_change_and_unused_while_not_trusted() -> None:
    kept: Verified[str] = Verified()
    kept.keep("a", "A", kept.generation)
    assert kept.get("a") is None  # not trusted: nothing is kept

    kept.trust()
    before = kept.generation
    kept.keep("a", "A", before)
    assert kept.get("a") == "A"

    # A revocation between a read and its keeping: the read is not kept
    kept.changed()
    kept.keep("b", "B", before)
    assert kept.get("a") is None and kept.get("b") is None

    # Without the connection that hears revocations, nothing is used
    kept.keep("c", "C", kept.generation)
    kept.distrust()
    assert kept.get("c") is None
