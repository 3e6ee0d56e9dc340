"""Idempotent registration under load: concurrent clients retrying with the same keys never create a
second row, and every write has exactly one change event, with no hole in the feed."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select

from store.changes import ChangeEvent
from store.contributions import Contribution
from tests.conftest import Api

DISTINCT_KEYS = 800
RETRIES = 267  # a quarter of all requests
CLIENTS = 20
CONTRIBUTORS = ("ally", "other_ally", "institution", "other_partner")

OBJECTIVES = """
{
  plans(filter: { statuses: [ACTIVE] }, first: 10) {
    nodes { objectives(first: 6) { nodes { id } } }
  }
}
"""

REGISTER = """
mutation Register($input: RegisterContributionInput!) {
  registerContribution(input: $input) {
    replayed
    contribution { id }
    userErrors { code message }
  }
}
"""


def _requests(objectives: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """Every key once, plus retries of earlier keys, shuffled so retries race their originals."""
    rng = random.Random(2002)
    originals = []
    for n in range(DISTINCT_KEYS):
        person = CONTRIBUTORS[n % len(CONTRIBUTORS)]
        entry = {
            "objectiveId": rng.choice(objectives),
            "kind": "FUNDING",
            "amount": {
                "amount": f"{rng.randint(1, 10**6)}.{rng.randint(0, 99):02d}",
                "currency": "EUR",
            },
            "startsOn": "2026-01-01",
            "externalReference": f"load-{n}",
            "idempotencyKey": f"key-{n}",
        }
        originals.append((person, entry))
    retries = [rng.choice(originals) for _ in range(RETRIES)]
    requests = originals + retries
    rng.shuffle(requests)
    return requests


async def test_concurrent_retries_register_each_key_exactly_once(writable_api: Api) -> None:
    # Given 20 clients sending registrations, a quarter of them retries of earlier requests
    plans = (await writable_api.data(OBJECTIVES))["plans"]["nodes"]
    objectives = [o["id"] for plan in plans for o in plan["objectives"]["nodes"]]
    queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
    for request in _requests(objectives):
        queue.put_nowait(request)
    answers: dict[str, list[dict[str, Any]]] = defaultdict(list)
    async with writable_api.database.reads() as session:
        events_before = await session.scalar(select(func.count()).select_from(ChangeEvent)) or 0

    async def client() -> None:
        while not queue.empty():
            person, entry = queue.get_nowait()
            body = await writable_api.data(REGISTER, {"input": entry}, as_=person)
            answers[entry["idempotencyKey"]].append(body["registerContribution"])

    # When they all run at once
    await asyncio.gather(*(client() for _ in range(CLIENTS)))

    # Then each key made one contribution, and every retry got that same one back
    requests = sum(len(replies) for replies in answers.values())
    assert requests == DISTINCT_KEYS + RETRIES
    for replies in answers.values():
        assert all(reply["userErrors"] == [] for reply in replies), replies
        assert len({reply["contribution"]["id"] for reply in replies}) == 1
        assert [reply["replayed"] for reply in replies].count(False) == 1
    async with writable_api.database.reads() as session:
        rows = await session.scalar(select(func.count()).select_from(Contribution))
        events = list(
            await session.scalars(select(ChangeEvent).where(ChangeEvent.id > events_before))
        )
    assert rows == DISTINCT_KEYS
    created = [event.entity_id for event in events if event.entity_type == "Contribution"]
    assert len(created) == len(set(created)) == DISTINCT_KEYS
    positions = sorted(event.id for event in events)
    assert positions == list(range(events_before + 1, events_before + 1 + len(events)))
    print(
        f"\nconcurrency: {requests} requests from {CLIENTS} clients, {DISTINCT_KEYS} distinct "
        f"keys, {rows} rows, {len(created)} change events, feed positions "
        f"{positions[0]}..{positions[-1]} without gaps"
    )
