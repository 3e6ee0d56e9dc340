"""The database goes away mid-run: the service says so clearly, and recovers by itself when it
comes back, with nothing lost. The outage is a TCP proxy in front of PostgreSQL being cut."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.processes import free_port, server
from tests.test_scale_out import POSTGRES_URL, cluster, subscribed

__all__ = ["cluster"]  # the module's database, shared with the scale-out tests

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs TEST_POSTGRES_URL")

REGISTER = """
mutation Register($input: RegisterContributionInput!) {
  registerContribution(input: $input) { contribution { id } userErrors { message } }
}
"""
COUNT = '{ contributions(filter: { partners: ["RS"] }) { totalCount } }'


class Proxy:
    """A TCP relay to PostgreSQL that can be cut (every connection dropped, none accepted)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await self.server.wait_closed()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.writers |= {writer, upstream_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
        self.writers -= {writer, upstream_writer}


@pytest.fixture
async def proxied(cluster: dict[str, Any]) -> AsyncIterator[tuple[str, Proxy]]:
    real = make_url(cluster["url"])
    proxy = Proxy((real.host or "127.0.0.1", real.port or 5432))
    await proxy.start()
    url = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    yield url, proxy
    with contextlib.suppress(Exception):
        await proxy.cut()


async def _register(client: httpx.AsyncClient, token: str, objective: str) -> httpx.Response:
    entry = {
        "objectiveId": objective,
        "kind": "EXPERTISE",
        "amount": {"amount": "250.00", "currency": "EUR"},
        "startsOn": "2025-01-01",
        "externalReference": f"outage-{uuid.uuid4().hex[:10]}",
    }
    return await client.post(
        "/graphql",
        json={"query": REGISTER, "variables": {"input": entry}},
        headers={"authorization": f"Bearer {token}"},
    )


async def test_the_service_reports_an_outage_and_recovers_by_itself(
    cluster: dict[str, Any], proxied: tuple[str, Proxy]
) -> None:
    url, proxy = proxied
    tokens = cluster["tokens"]
    async with (
        server(url) as instance,
        httpx.AsyncClient(base_url=instance.base_url, timeout=10) as client,
        subscribed(instance.address, tokens["secretariat"]) as live,
    ):
        headers = {"authorization": f"Bearer {tokens['secretariat']}"}
        found = await client.post(
            "/graphql",
            json={
                "query": '{ plan(code: "RS-IPAP-2015") { objectives(first: 1) { nodes { id } } } }'
            },
            headers=headers,
        )
        objective = found.json()["data"]["plan"]["objectives"]["nodes"][0]["id"]
        before = [await _register(client, tokens["ally"], objective) for _ in range(3)]
        assert all(r.status_code == 200 for r in before)
        for _ in before:
            await asyncio.wait_for(live.recv(), 10)
        counted = await client.post("/graphql", json={"query": COUNT}, headers=headers)
        count_before = counted.json()["data"]["contributions"]["totalCount"]

        # When the database goes away
        await proxy.cut()
        during = await client.post("/graphql", json={"query": COUNT}, headers=headers)
        ready = await client.get("/readyz")

        # Then requests fail with a clear, retryable error, and the instance says it is unready
        assert during.status_code == 503
        assert during.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert ready.status_code == 503

        # When it comes back, the instance recovers without a restart
        await proxy.start()
        deadline = time.monotonic() + 20
        while (await client.get("/readyz")).status_code != 200:
            assert time.monotonic() < deadline, "did not recover"
            await asyncio.sleep(0.2)
        after = await _register(client, tokens["ally"], objective)
        message = json.loads(await asyncio.wait_for(live.recv(), 15))
        counted = await client.post("/graphql", json={"query": COUNT}, headers=headers)

    # And nothing was lost: every acknowledged write is there, and the subscriber got the new one
    assert after.status_code == 200
    created = after.json()["data"]["registerContribution"]["contribution"]["id"]
    assert message["payload"]["data"]["contributionChanged"]["contribution"]["id"] == created
    assert counted.json()["data"]["contributions"]["totalCount"] == count_before + 1
