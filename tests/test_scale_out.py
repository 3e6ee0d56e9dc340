"""Several instances on one PostgreSQL: a write through one reaches subscribers of another.

Real server processes (`python -m api serve`), real sockets, one database.
"""

from __future__ import annotations

import asyncio
import json
import signal
import statistics
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest
import websockets
from sqlalchemy.engine import make_url

from resolvers import tallying, tokens
from resolvers.vocabulary import Role
from seeds import load_reference
from store import signals
from store.database import create_engine, create_sessionmaker
from tests.conftest import POSTGRES_URL, Databases, issue_tokens
from tests.processes import server
from tests.test_subscriptions import receive

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs TEST_POSTGRES_URL")

EVENTS = 200

CHANGES = """
subscription { contributionChanged(partner: "RS") {
  contribution { id amount { amount } contributor { code } redaction }
} }
"""

REGISTER = """
mutation Register($input: RegisterContributionInput!) {
  registerContribution(input: $input) { contribution { id } userErrors { message } }
}
"""


@asynccontextmanager
async def subscribed(address: str, token: str) -> AsyncIterator[Any]:
    async with websockets.connect(
        f"ws://{address}/graphql", subprotocols=["graphql-transport-ws"]
    ) as connection:
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        await connection.send(json.dumps(init))
        assert (await receive(connection))["type"] == "connection_ack"
        await connection.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": CHANGES}})
        )
        await asyncio.sleep(0.5)  # the subscription reads its starting position
        yield connection


@pytest.fixture(scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict[str, Any]]:
    """One fresh PostgreSQL database with the reference data, and tokens."""
    found = Databases("postgresql", tmp_path_factory.mktemp("cluster"))
    sessions = await found.new()
    await load_reference(sessions)
    await tallying.rebuild(sessions)
    tokens = await issue_tokens(sessions)
    url = str(sessions.kw["bind"].url.render_as_string(hide_password=False))
    yield {"url": url, "tokens": tokens}
    await found.close()


async def test_a_write_on_one_instance_reaches_subscribers_of_another(
    cluster: dict[str, Any],
) -> None:
    tokens = cluster["tokens"]
    async with (
        server(cluster["url"]) as a,
        server(cluster["url"]) as b,
        httpx.AsyncClient(base_url=b.base_url) as on_b,
        subscribed(a.address, tokens["secretariat"]) as secretariat_on_a,
        subscribed(a.address, tokens["institution"]) as outsider_on_a,
    ):
        headers = {"authorization": f"Bearer {tokens['secretariat']}"}
        plan = await on_b.post(
            "/graphql",
            json={
                "query": '{ plan(code: "RS-IPAP-2015") { objectives(first: 1) { nodes { id } } } }'
            },
            headers=headers,
        )
        objective = plan.json()["data"]["plan"]["objectives"]["nodes"][0]["id"]

        # When 200 contributions are registered through B, one at a time
        latencies, registered = [], []
        for n in range(EVENTS):
            restricted = n == EVENTS - 1
            entry = {
                "objectiveId": objective,
                "kind": "TRAINING",
                "amount": {"amount": "7777.77" if restricted else "100.00", "currency": "EUR"},
                "startsOn": "2025-01-01",
                "externalReference": f"B-{uuid.uuid4().hex[:12]}",
                "visibility": "RESTRICTED" if restricted else "PUBLIC",
            }
            response = await on_b.post(
                "/graphql",
                json={"query": REGISTER, "variables": {"input": entry}},
                headers={"authorization": f"Bearer {tokens['ally']}"},
            )
            committed = time.perf_counter()
            created = response.json()["data"]["registerContribution"]["contribution"]["id"]
            registered.append(created)
            message = await receive(secretariat_on_a)
            arrived = time.perf_counter()
            seen = message["payload"]["data"]["contributionChanged"]["contribution"]
            assert seen["id"] == created
            latencies.append(arrived - committed)

        # Then A's subscribers got every one, in order, the last one redacted to an outsider
        received = []
        for _ in range(EVENTS):
            message = await receive(outsider_on_a)
            received.append(message["payload"]["data"]["contributionChanged"]["contribution"])

    assert [item["id"] for item in received] == registered
    last = received[-1]
    assert last["contributor"] is None and last["amount"] is None and last["redaction"]
    assert "7777.77" not in json.dumps(received)
    lost = EVENTS - len({item["id"] for item in received})
    quantiles = statistics.quantiles(latencies, n=100)
    print(
        f"\nfan-out: {EVENTS} events registered on B, received on A: lost {lost}; latency from "
        f"commit to event p50 {statistics.median(latencies) * 1000:.1f} ms, "
        f"p99 {quantiles[98] * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms"
    )
    assert lost == 0


async def test_stopping_an_instance_closes_its_subscriptions_with_a_restart_code(
    cluster: dict[str, Any],
) -> None:
    async with (
        server(cluster["url"]) as instance,
        subscribed(instance.address, cluster["tokens"]["ally"]) as live,
    ):
        # When the instance is told to stop (as an orchestrator does before replacing it)
        instance.process.send_signal(signal.SIGTERM)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(live.recv(), 15)
        exit_code = await asyncio.to_thread(instance.process.wait, 15)

    # Then subscribers are told to reconnect elsewhere (1012: service restart), and it ends by the
    # signal it was sent (uvicorn re-raises it after its graceful shutdown), not by a crash
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
    assert exit_code in (0, -signal.SIGTERM)


async def test_a_token_revoked_anywhere_is_refused_by_every_instance_at_its_next_request(
    cluster: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    # Given a token that two instances have each verified (and keep, hearing of revocations)
    engine = create_engine(cluster["url"])
    sessions = create_sessionmaker(engine)
    secret = await tokens.issue(sessions, "FR", Role.ALLY, None)
    headers = {"authorization": f"Bearer {secret}"}
    viewer = {"query": "{ viewer { participant { code } } }"}
    async with (
        server(cluster["url"]) as a,
        server(cluster["url"]) as b,
        httpx.AsyncClient(base_url=a.base_url) as on_a,
        httpx.AsyncClient(base_url=b.base_url) as on_b,
    ):
        for client in (on_a, on_b, on_a, on_b):
            assert (await client.post("/graphql", json=viewer, headers=headers)).status_code == 200

        # When it is revoked, as `python -m api token revoke` does, by neither of them
        listed = await tokens.listing(sessions)
        assert await tokens.revoke(sessions, listed[-1].id)

        # Then the next request to either is refused
        after = [
            await client.post("/graphql", json=viewer, headers=headers) for client in (on_a, on_b)
        ]
    await engine.dispose()

    assert [response.status_code for response in after] == [401, 401]
    # (both instances confirmed it; neither was cut off for silence)
    assert "did not confirm" not in caplog.text


@asynccontextmanager
async def stand_in(url: str) -> AsyncIterator[tuple[Any, int, asyncpg.Connection]]:
    """A token to revoke, and a connection that passes for an instance's LISTEN connection but
    confirms nothing by itself: what a stalled instance looks like to a revoker."""
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    await tokens.issue(sessions, "FR", Role.ALLY, None)
    token_id = (await tokens.listing(sessions))[-1].id
    dsn = signals.asyncpg_dsn(make_url(url))
    connection = await asyncpg.connect(dsn, server_settings={"application_name": signals.LISTENER})
    try:
        yield sessions, token_id, connection
    finally:
        await connection.close()
        await engine.dispose()


async def test_a_revocation_ends_the_listening_connection_of_an_instance_that_never_confirms(
    cluster: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    # Given an instance listening that has stalled
    async with stand_in(cluster["url"]) as (sessions, token_id, stalled):
        heard: list[str] = []
        await stalled.add_listener(signals.TOKENS, lambda *said: heard.append(said[3]))
        ended = asyncio.Event()
        stalled.add_termination_listener(lambda _: ended.set())

        # When a token is revoked
        revoked = await tokens.revoke(sessions, token_id, patience=0.5)

        # Then the revocation stands, and the stalled instance was told, then cut off, so that
        # it can no longer trust the tokens it kept (store/signals.py)
        assert revoked
        await asyncio.wait_for(ended.wait(), 10)
        assert heard
    assert "did not confirm a revocation" in caplog.text


async def test_an_instance_that_begins_to_listen_during_a_revocation_is_told_again(
    cluster: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    # Given an instance whose LISTEN connection is open but not yet listening
    async with stand_in(cluster["url"]) as (sessions, token_id, late):

        def confirm(_connection: Any, _pid: int, _channel: str, said: str) -> None:
            asyncio.get_running_loop().create_task(
                late.execute("SELECT pg_notify($1, $2)", signals.HEARD, said)
            )

        # When a token is revoked, and it begins to listen only after the revocation committed
        revoking = asyncio.create_task(tokens.revoke(sessions, token_id, patience=30))
        await asyncio.sleep(0.5)
        assert not revoking.done()
        await late.add_listener(signals.TOKENS, confirm)

        # Then it is told again, confirms, and the revocation returns without cutting it off
        assert await asyncio.wait_for(revoking, 10)
        assert not late.is_closed()
    assert "did not confirm" not in caplog.text
