"""Faults a deployment meets: a client that gives up on a write and retries it, and a server
killed in the middle of a burst of writes.

Real server processes (`python -m api serve`), real sockets, real SQLite and PostgreSQL. What
survived is read straight from the database afterwards, through the store's models and a fresh
engine, and held to the promises of the README: every acknowledged write is there, none is there
by halves (a contribution without its change event, idempotency key or tally), the change feed has
no holes, and a retry with the same key never makes a second contribution.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import column, func, select, table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from resolvers import ids, tallying
from seeds import load_reference
from store import changes, tallies
from store.changes import ChangeEvent
from store.contributions import Contribution
from store.enums import ChangeAction
from store.idempotency import IdempotencyKey
from store.tallies import ObjectiveTally
from tests import documents
from tests.conftest import Databases, issue_tokens
from tests.processes import Instance, server

OBJECTIVES = """
{
  plans(filter: { statuses: [ACTIVE] }, first: 10) {
    nodes { objectives(first: 6) { nodes { id } } }
  }
}
"""
REGISTER = documents.register("id")

# Who registers: several contributors, so tallies gain contributors and overlaps, not just sums.
CONTRIBUTORS = ("ally", "other_ally", "institution", "other_partner")
CLIENTS = 8
BURST = 25  # registrations each client sends at most: the kill cuts the burst short
KILL_AFTER = 40  # writes acknowledged before the kill, with the other clients' writes in flight
# Every wait ends: a server that hangs fails the test instead of hanging it.
PATIENCE_SECONDS = 30


@dataclass(frozen=True)
class Prepared:
    """A fresh database with the reference data, and a token for each of conftest's PEOPLE."""

    backend: str
    url: str
    sessions: async_sessionmaker[AsyncSession]
    tokens: dict[str, str]


@pytest.fixture
async def prepared(backend: str, databases: Databases) -> Prepared:
    sessions = await databases.new()
    await load_reference(sessions)
    await tallying.rebuild(sessions)
    tokens = await issue_tokens(sessions)
    url = sessions.kw["bind"].url.render_as_string(hide_password=False)
    return Prepared(backend, url, sessions, tokens)


def registration(objective: str, key: str, amount: str) -> dict[str, Any]:
    """A registration whose external reference is its idempotency key, so that a row found in the
    database names the request that made it."""
    return {
        "objectiveId": objective,
        "kind": "FUNDING",
        "amount": {"amount": amount, "currency": "EUR"},
        "startsOn": "2026-01-01",
        "externalReference": key,
        "idempotencyKey": key,
    }


def bearer(prepared: Prepared, person: str) -> dict[str, str]:
    return {"authorization": f"Bearer {prepared.tokens[person]}"}


async def objectives_of(http: httpx.AsyncClient, prepared: Prepared) -> list[str]:
    response = await http.post(
        "/graphql", json={"query": OBJECTIVES}, headers=bearer(prepared, "secretariat")
    )
    assert response.status_code == 200, response.text
    plans = response.json()["data"]["plans"]["nodes"]
    return [objective["id"] for plan in plans for objective in plan["objectives"]["nodes"]]


async def register(
    http: httpx.AsyncClient, prepared: Prepared, person: str, entry: dict[str, Any]
) -> httpx.Response:
    return await http.post(
        "/graphql",
        json={"query": REGISTER, "variables": {"input": entry}},
        headers=bearer(prepared, person),
    )


def registered(response: httpx.Response) -> dict[str, Any]:
    """The payload of a registration that must have succeeded, as a 200 with no errors."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    payload: dict[str, Any] = body["data"]["registerContribution"]
    assert payload["userErrors"] == [], payload["userErrors"]
    assert payload["contribution"] is not None, payload
    return payload


def row_id(global_id: str) -> int:
    return ids.decode(global_id, "id", "Contribution")[1]


async def until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not await condition():
        assert time.monotonic() < deadline, f"gave up waiting until {what}"
        await asyncio.sleep(0.05)


# What the database holds


@dataclass(frozen=True)
class Findings:
    """Everything the checks need, read in one snapshot."""

    # The test's contributions (external reference = idempotency key) → contribution id.
    contributions: dict[str, int]
    every_contribution: set[int]
    # Idempotency key → the contribution a retry with it gets back.
    keys: dict[str, int]
    # Contribution id → its CREATED events; and every event's position, in order.
    created: dict[int, int]
    positions: list[int]
    counter: int
    # Tallies as stored, and as a full rebuild computes them from the rows, by line.
    tallies: dict[int, dict[str, Any]]
    rebuilt: dict[int, dict[str, Any]]


async def inspect(prepared: Prepared, prefix: str) -> Findings:
    """What the database holds, the test's own rows being those whose reference starts with
    `prefix`. Run it with no server writing (SQLite would refuse the rebuild's writes)."""
    async with prepared.sessions() as session:
        if prepared.backend == "postgresql":
            # A stored tally and the rows it sums must come from the same snapshot, even if a
            # dead server's last transaction is still being cleaned up.
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        rows = (
            await session.execute(select(Contribution.id, Contribution.external_reference))
        ).all()
        keys = (
            await session.execute(
                select(IdempotencyKey.key, IdempotencyKey.entity_id).where(
                    IdempotencyKey.key.startswith(prefix)
                )
            )
        ).all()
        events = (
            await session.execute(
                select(
                    ChangeEvent.id,
                    ChangeEvent.entity_type,
                    ChangeEvent.entity_id,
                    ChangeEvent.action,
                ).order_by(ChangeEvent.id)
            )
        ).all()
        counter = await changes.last_position(session)
        stored = await _tally_rows(session)
        # The rebuild runs inside this transaction and is rolled back: the database is left as
        # the fault left it.
        await tallying.refresh(session, await tallies.all_line_ids(session))
        rebuilt = await _tally_rows(session)
        await session.rollback()
    created: dict[int, int] = {}
    for _, entity_type, entity_id, action in events:
        if entity_type == "Contribution" and action == ChangeAction.CREATED:
            created[entity_id] = created.get(entity_id, 0) + 1
    return Findings(
        contributions={ref: pk for pk, ref in rows if ref and ref.startswith(prefix)},
        every_contribution={pk for pk, _ in rows},
        keys={key: pk for key, pk in keys},
        created=created,
        positions=[position for position, *_ in events],
        counter=counter,
        tallies=stored,
        rebuilt=rebuilt,
    )


async def _tally_rows(session: AsyncSession) -> dict[int, dict[str, Any]]:
    # Plain rows, not ORM objects: the identity map would hand back the first read unchanged.
    result = await session.execute(select(ObjectiveTally.__table__))
    return {
        row.line_id: {name: value for name, value in row._mapping.items() if name != "refreshed_at"}
        for row in result
    }


def assert_whole(found: Findings) -> None:
    """No write is there by halves, and the feed has no holes."""
    # Every contribution row was created with exactly one event, and no event outlived its row
    half_written = {pk for pk in found.every_contribution if found.created.get(pk) != 1}
    assert half_written == set(), f"contributions without exactly one CREATED event: {half_written}"
    orphans = set(found.created) - found.every_contribution
    assert orphans == set(), f"CREATED events of contributions that are not there: {orphans}"
    # Each of the test's contributions has the key that makes its retry safe, and each key answers
    # with a contribution that is there
    unkeyed = {ref for ref, pk in found.contributions.items() if found.keys.get(ref) != pk}
    assert unkeyed == set(), f"contributions without their idempotency key: {unkeyed}"
    dangling = {key for key, pk in found.keys.items() if pk not in found.every_contribution}
    assert dangling == set(), f"idempotency keys naming no contribution: {dangling}"
    # The feed counts every event once, in order, from the first
    assert found.positions == list(range(1, found.counter + 1)), "the change feed has holes"
    # Every tally is what its rows sum to
    lines = found.tallies.keys() | found.rebuilt.keys()
    stale = sorted(line for line in lines if found.tallies.get(line) != found.rebuilt.get(line))
    assert stale == [], f"tallies that differ from a rebuild, by line: {stale}"


# A client that gives up, then retries


async def writes_in_progress(prepared: Prepared, http: httpx.AsyncClient) -> bool:
    """Whether the server has taken up a write that now waits for the change feed's lock. On
    SQLite only writes use the writer pool, so its gauge on /metrics says so; on PostgreSQL one
    pool serves reads too, so the database itself is asked who waits for a lock."""
    if prepared.backend == "sqlite":
        metrics = text_string_to_metric_families((await http.get("/metrics")).text)
        return any(
            sample.labels.get("pool") == "writes" and sample.value > 0
            for family in metrics
            if family.name == "database_pool_checked_out_connections"
            for sample in family.samples
        )
    activity = table("pg_stat_activity", column("datname"), column("wait_event_type"))
    async with prepared.sessions() as session:
        waiting = await session.scalar(
            select(func.count())
            .select_from(activity)
            .where(activity.c.datname == func.current_database())
            .where(activity.c.wait_event_type == "Lock")
        )
    return bool(waiting)


def raw_post(address: str, token: str, document: str, variables: dict[str, Any]) -> bytes:
    """An HTTP request as bytes, for a client that sends it and never reads the answer."""
    body = json.dumps({"query": document, "variables": variables}).encode()
    head = (
        "POST /graphql HTTP/1.1\r\n"
        f"Host: {address}\r\n"
        f"Authorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\n"
        "Accept: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    return head.encode() + body


async def test_a_retry_after_giving_up_gets_the_one_contribution_the_first_attempt_made(
    prepared: Prepared,
) -> None:
    key = "retry-after-timeout-1"
    async with (
        server(prepared.url) as instance,
        httpx.AsyncClient(base_url=instance.base_url, timeout=PATIENCE_SECONDS) as http,
    ):
        objective = (await objectives_of(http, prepared))[0]
        entry = registration(objective, key, "125000.00")

        # Given a registration the server has taken up but cannot finish yet: another writer
        # holds the lock every write takes first (a slow write, without depending on timing)
        host, port = instance.address.split(":")
        async with prepared.sessions() as other_writer:
            await changes.claim(other_writer)
            _answer_unread, writer = await asyncio.open_connection(host, int(port))
            writer.write(
                raw_post(instance.address, prepared.tokens["ally"], REGISTER, {"input": entry})
            )
            await writer.drain()
            await until(lambda: writes_in_progress(prepared, http), "the server takes the write up")

            # When the client gives up before any answer, and the write then goes through
            writer.close()
            await writer.wait_closed()
            nothing_yet = await _contribution(prepared, key)
            await other_writer.rollback()

        async def committed() -> bool:
            return await _contribution(prepared, key) is not None

        await until(committed, "the abandoned write commits")
        first = await _contribution(prepared, key)

        # And the client retries with the same key and the same input
        retry = registered(await register(http, prepared, "ally", entry))

    # Then the retry answers with the contribution the first attempt made, not a new one
    assert nothing_yet is None, "the write committed before the client gave up"
    assert retry["replayed"] is True
    assert row_id(retry["contribution"]["id"]) == first
    # And the database holds that one contribution, with one key and one change event
    found = await inspect(prepared, "retry-")
    assert found.contributions == {key: first}
    assert found.keys == {key: first}
    assert found.created[first] == 1
    assert_whole(found)


async def _contribution(prepared: Prepared, reference: str) -> int | None:
    async with prepared.sessions() as session:
        found: int | None = await session.scalar(
            select(Contribution.id).where(Contribution.external_reference == reference)
        )
    return found


# A server killed mid-burst


@dataclass
class Burst:
    """What the clients sent and what the server confirmed, as the clients would log it."""

    # Idempotency key → who sent it and what.
    attempted: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    # Idempotency key → the contribution id the server answered with.
    acknowledged: dict[str, int] = field(default_factory=dict)
    # Answers that were neither an acknowledgement nor a dropped connection (a 500, say).
    unexpected: list[str] = field(default_factory=list)
    killed: asyncio.Event = field(default_factory=asyncio.Event)


async def _client(
    number: int, instance: Instance, prepared: Prepared, objectives: list[str], burst: Burst
) -> None:
    async with httpx.AsyncClient(base_url=instance.base_url, timeout=PATIENCE_SECONDS) as http:
        for n in range(BURST):
            if burst.killed.is_set():
                return
            key = f"burst-{number}-{n}"
            person = CONTRIBUTORS[(number + n) % len(CONTRIBUTORS)]
            # The clients' n-th writes meet on one objective, from different contributors: tallies
            # then change their contributor counts and overlaps, not just their sums.
            objective = objectives[n % len(objectives)]
            entry = registration(objective, key, f"{1000 + n}.{number:02d}")
            burst.attempted[key] = (person, entry)
            try:
                response = await register(http, prepared, person, entry)
            except httpx.TransportError:
                return  # the server died under it: whether it committed is the database's to say
            body = response.json() if response.status_code == 200 else {}
            payload = (body.get("data") or {}).get("registerContribution") or {}
            if "errors" in body or payload.get("userErrors") or not payload.get("contribution"):
                burst.unexpected.append(f"{response.status_code} {response.text[:300]}")
                continue
            burst.acknowledged[key] = row_id(payload["contribution"]["id"])
            if len(burst.acknowledged) >= KILL_AFTER and not burst.killed.is_set():
                # No warning and no graceful shutdown, as from the OOM killer or `kill -9`; the
                # other clients' writes are in flight, one of them most likely mid-transaction.
                burst.killed.set()
                instance.process.send_signal(signal.SIGKILL)


async def _retry_all(instance: Instance, prepared: Prepared, burst: Burst) -> dict[str, Any]:
    """Every attempted request again, with its key, by a few clients at once."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for key in burst.attempted:
        queue.put_nowait(key)
    answers: dict[str, Any] = {}

    async def client() -> None:
        async with httpx.AsyncClient(base_url=instance.base_url, timeout=PATIENCE_SECONDS) as http:
            while not queue.empty():
                key = queue.get_nowait()
                person, entry = burst.attempted[key]
                answers[key] = registered(await register(http, prepared, person, entry))

    await asyncio.gather(*(client() for _ in range(4)))
    return answers


async def test_a_server_killed_mid_burst_loses_no_acknowledged_write_and_halves_none(
    prepared: Prepared,
) -> None:
    burst = Burst()

    # Given several clients registering at once, each request with its own key and reference
    async with server(prepared.url) as instance:
        async with httpx.AsyncClient(base_url=instance.base_url) as http:
            objectives = await objectives_of(http, prepared)

        # When the server is killed (SIGKILL) once some writes have been acknowledged
        await asyncio.wait_for(
            asyncio.gather(
                *(_client(n, instance, prepared, objectives, burst) for n in range(CLIENTS))
            ),
            PATIENCE_SECONDS,
        )
        exit_code = await asyncio.to_thread(instance.process.wait, PATIENCE_SECONDS)

    # Then it died by the signal, with writes in flight and none refused before
    assert burst.killed.is_set(), "the burst ended before enough writes were acknowledged"
    assert exit_code == -signal.SIGKILL
    assert burst.unexpected == []
    assert len(burst.attempted) > len(burst.acknowledged)
    # And every acknowledged write is in the database, under its own key, and none by halves
    after_kill = await inspect(prepared, "burst-")
    lost = {
        key: pk for key, pk in burst.acknowledged.items() if after_kill.contributions.get(key) != pk
    }
    assert lost == {}, f"acknowledged but not in the database: {lost}"
    assert after_kill.contributions.keys() <= burst.attempted.keys()
    assert_whole(after_kill)

    # When a new server starts on the same database, and every attempted request is retried
    async with server(prepared.url) as restarted:
        async with httpx.AsyncClient(base_url=restarted.base_url) as http:
            ready = await http.get("/readyz")
        answers = await _retry_all(restarted, prepared, burst)

    # Then it served, and each key made exactly one contribution: the one already there if any
    assert ready.status_code == 200, ready.text
    for key, payload in answers.items():
        assert payload["replayed"] is (key in after_kill.contributions), key
        if key in after_kill.contributions:
            assert row_id(payload["contribution"]["id"]) == after_kill.contributions[key], key
    final = await inspect(prepared, "burst-")
    assert final.contributions == {
        key: row_id(a["contribution"]["id"]) for key, a in answers.items()
    }
    assert final.contributions.keys() == burst.attempted.keys()
    assert_whole(final)
    print(
        f"\nfaults ({prepared.backend}): SIGKILL mid-burst of {CLIENTS} clients: "
        f"{len(burst.attempted)} writes attempted, {len(burst.acknowledged)} acknowledged, "
        f"{len(after_kill.contributions)} found afterwards "
        f"({len(after_kill.contributions) - len(burst.acknowledged)} committed unanswered), "
        f"{len(lost)} lost, none half-written; after retrying every key: "
        f"{len(final.contributions)} contributions, one per key, feed 1..{final.counter} whole"
    )
