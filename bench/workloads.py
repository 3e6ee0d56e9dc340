"""The workloads of bench/compare.py: each as GraphQL for this API, as GraphQL for PostGraphile
v5 and v4 (as identical as the schemas allow), and as raw SQL for the floor; and a digest of an
answer, so that the servers' answers can be compared."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

from bench.common import PARTNERS_WITH_PLANS, BenchmarkError, render
from resolvers.ids import encode

# The reader sees every contribution in full, as PostGraphile (which has no access rules) shows
# them, so both servers give the same answers. The writer registers as itself, as a donor does.
READER = ("NATO", "SECRETARIAT")
WRITER = ("DE", "ALLY")
WRITE_PLANS = 12  # registrations go to one objective of each of this many open plans, in turn

Json = dict[str, Any]
T = TypeVar("T")


# The documents differ only where the schemas do: root field names, `orderBy` syntax, Money.
NESTED_OURS = """
query Nested($code: String!) {
  participant(code: $code) {
    code name kind alliedSince region
    plans(first: 10, orderBy: {field: CODE}) { nodes {
      code title kind status agreedOn startsOn
      objectives(first: 50, orderBy: {field: CODE}) { nodes {
        code title category priority status targetDate
        contributions(first: 20, orderBy: {field: CREATED_AT}) { nodes {
          kind status amount { amount currency } startsOn endsOn externalReference
          contributor { name }
        } }
      } }
    } }
  }
}"""
NESTED_PEER = """
query Nested($code: String!) {
  participantByCode(code: $code) {
    code name kind alliedSince region
    plans(first: 10, orderBy: CODE_ASC) { nodes {
      code title kind status agreedOn startsOn
      objectives(first: 50, orderBy: CODE_ASC) { nodes {
        code title category priority status targetDate
        contributions(first: 20, orderBy: CREATED_AT_ASC) { nodes {
          kind status amount currency startsOn endsOn externalReference
          contributor { name }
        } }
      } }
    } }
  }
}"""
LIST_OURS = """
{
  contributions(first: 100, orderBy: {field: CREATED_AT}) { nodes {
    kind status amount { amount currency } startsOn
    contributor { name } objective { title }
  } }
}"""
LIST_PEER = """
{
  allContributions(first: 100, orderBy: CREATED_AT_ASC) { nodes {
    kind status amount currency startsOn
    contributor { name } objective { title }
  } }
}"""
OVERLAPS_OURS = """
{
  aidOverlaps(first: 20) { nodes {
    objective { code title } contributorCount total { amount currency }
  } }
}"""
# The view in peer.sql, ordered as the API orders overlaps: highest score first.
OVERLAPS_PEER = """
{
  allAidOverlaps(first: 20, orderBy: [SCORE_DESC, LINE_ID_DESC]) { nodes {
    objective { code title } contributorCount total currency
  } }
}"""
REGISTER_OURS = """
mutation Register($input: RegisterContributionInput!) {
  registerContribution(input: $input) {
    contribution { id status }
    userErrors { field message code }
  }
}"""
REGISTER_PEER = """
mutation Register($input: CreateContributionInput!) {
  createContribution(input: $input) { contribution { id status } }
}"""

NESTED_SQL = """
SELECT pa.code, pa.name, pa.kind, pa.allied_since, pa.region,
       pl.code, pl.title, pl.kind, pl.status, pl.agreed_on, pl.starts_on,
       o.code, o.title, o.category, o.priority, o.status, o.target_date,
       c.kind, c.status, c.amount, c.currency, c.starts_on, c.ends_on, c.external_reference,
       contributor.name
FROM participant pa
CROSS JOIN LATERAL (
  SELECT * FROM plan WHERE plan.partner_id = pa.id ORDER BY plan.code LIMIT 10
) pl
LEFT JOIN LATERAL (
  SELECT * FROM objective WHERE objective.plan_id = pl.id ORDER BY objective.code LIMIT 50
) o ON true
LEFT JOIN LATERAL (
  SELECT * FROM contribution WHERE contribution.objective_id = o.id
  ORDER BY contribution.created_at, contribution.id LIMIT 20
) c ON true
LEFT JOIN participant contributor ON contributor.id = c.contributor_id
WHERE pa.code = $1
ORDER BY pl.code, o.code, c.created_at, c.id
"""
LIST_SQL = """
SELECT c.kind, c.status, c.amount, c.currency, c.starts_on, contributor.name, o.title
FROM contribution c
JOIN participant contributor ON contributor.id = c.contributor_id
JOIN objective o ON o.id = c.objective_id
ORDER BY c.created_at, c.id
LIMIT 100
"""
# The API's own stored tallies: the least work that gives its answer.
OVERLAPS_SQL = """
SELECT o.code, o.title, t.overlap_contributors, t.overlap_total
FROM objective_tally t
JOIN objective o ON o.id = t.head_id
WHERE t.overlap_contributors >= 2
ORDER BY t.overlap_score DESC, t.line_id DESC
LIMIT 20
"""
REGISTER_SQL = """
INSERT INTO contribution (objective_id, contributor_id, recipient_id, reported_by_id, kind, status,
  amount, currency, pledged_on, valued_on, starts_on, ends_on, external_reference, visibility,
  draws, delivered_amount, deliveries, schedule, items, version, created_at, updated_at)
VALUES ($1, $2, $3, $2, 'TRAINING', 'PLEDGED', 10000000, 'EUR', $4, $4, '2027-01-15', '2027-06-30',
  $5, 'PUBLIC', false, 0, '[]', '[]', '[]', 1, now(), now())
RETURNING id, status
"""


@dataclass(frozen=True)
class Target:
    """An open plan's objective that registrations go to, as each side names it."""

    objective_id: int
    recipient_id: int


@dataclass(frozen=True)
class Fixture:
    """What the workloads need from the seeded database."""

    reader_token: str
    writer_token: str
    writer_id: int
    targets: tuple[Target, ...]


@dataclass(frozen=True)
class Statement:
    """One request of the floor: SQL and its arguments. `fresh` marks the write, whose external
    reference must be new each time (it is passed last)."""

    sql: str
    arguments: tuple[Any, ...] = ()
    fresh: bool = False


@dataclass(frozen=True)
class Workload:
    key: str
    name: str
    # autocannon requests, in turn: {"body": ..., "headers": ...}, and "kind": "write" for a write,
    # whose failures the load generator counts apart.
    ours: tuple[Json, ...]
    peer: tuple[Json, ...]  # PostGraphile v5
    peer4: tuple[Json, ...]  # PostGraphile v4: the same reads, its own write
    floor: tuple[Statement, ...]
    # What an answer says, comparable across the servers: a summary and a fingerprint.
    digest: Callable[[Json], tuple[str, str]]
    # The targets, each a ratio within one run: rps ours / PostGraphile v5, and ours / the limit
    # (None: no target).
    rps_target: float
    limit_target: float | None


def graphql(document: str, variables: Json | None = None, token: str | None = None) -> Json:
    body = json.dumps({"query": document, "variables": variables or {}})
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return {"body": body, "headers": headers}


def write(request: Json) -> Json:
    return {**request, "kind": "write"}


def fingerprint(rows: object) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:12]


def root(data: Json) -> Any:
    return next(iter(data.values()))


def nested_digest(data: Json) -> tuple[str, str]:
    plans = root(data)["plans"]["nodes"]
    rows = [
        (
            plan["code"],
            objective["code"],
            tuple((c["startsOn"], c["contributor"]["name"]) for c in contributions),
        )
        for plan in plans
        for objective in plan["objectives"]["nodes"]
        for contributions in [objective["contributions"]["nodes"]]
    ]
    count = sum(len(row[2]) for row in rows)
    return f"{len(plans)} plans, {len(rows)} objectives, {count} contributions", fingerprint(rows)


def list_digest(data: Json) -> tuple[str, str]:
    nodes = root(data)["nodes"]
    rows = [
        (n["startsOn"], n["kind"], n["status"], n["contributor"]["name"], n["objective"]["title"])
        for n in nodes
    ]
    return f"{len(rows)} contributions", fingerprint(rows)


def overlaps_digest(data: Json) -> tuple[str, str]:
    nodes = root(data)["nodes"]
    rows = [
        (
            n["objective"]["code"],
            n["contributorCount"],
            n["total"]["amount"] if isinstance(n["total"], dict) else n["total"],
        )
        for n in nodes
    ]
    return f"{len(rows)} overlaps", fingerprint(rows)


def register_digest(data: Json) -> tuple[str, str]:
    status = root(data)["contribution"]["status"]
    return f"registered, {status}", status


def workloads(fixture: Fixture, today: date) -> tuple[Workload, ...]:
    reader = fixture.reader_token
    nested_peer = tuple(graphql(NESTED_PEER, {"code": code}) for code in PARTNERS_WITH_PLANS)
    nested = Workload(
        "nested",
        f"nested read (partner > plans > 50 objectives > 20 contributions; "
        f"{len(PARTNERS_WITH_PLANS)} partners in turn)",
        tuple(graphql(NESTED_OURS, {"code": code}, reader) for code in PARTNERS_WITH_PLANS),
        nested_peer,
        nested_peer,
        tuple(Statement(NESTED_SQL, (code,)) for code in PARTNERS_WITH_PLANS),
        nested_digest,
        3.0,
        0.5,
    )
    listing = Workload(
        "list",
        "list read (100 contributions with contributor and objective)",
        (graphql(LIST_OURS, token=reader),),
        (graphql(LIST_PEER),),
        (graphql(LIST_PEER),),
        (Statement(LIST_SQL),),
        list_digest,
        2.0,
        0.5,
    )
    overlaps = Workload(
        "overlaps",
        "overlaps (first 20 by score, with contributor count and total)",
        (graphql(OVERLAPS_OURS, token=reader),),
        (graphql(OVERLAPS_PEER),),
        (graphql(OVERLAPS_PEER),),
        (Statement(OVERLAPS_SQL),),
        overlaps_digest,
        10.0,
        0.5,
    )
    # Each registration gets a fresh external reference: the load generator fills in __SEQ__.
    register_ours = tuple(
        write(
            graphql(
                REGISTER_OURS,
                {
                    "input": {
                        "objectiveId": encode("Objective", target.objective_id),
                        "kind": "TRAINING",
                        "amount": {"amount": "1000.00", "currency": "EUR"},
                        "startsOn": "2027-01-15",
                        "endsOn": "2027-06-30",
                        "externalReference": "bench-__SEQ__",
                    }
                },
                fixture.writer_token,
            )
        )
        for target in fixture.targets
    )
    # Both PostGraphiles insert the row as the API would: every column without a default is
    # given. v5 takes a JSON column's value as JSON, v4 as the text of it.
    register_peer = tuple(
        write(graphql(REGISTER_PEER, {"input": {"contribution": row(fixture, target, today)}}))
        for target in fixture.targets
    )
    register_peer4 = tuple(
        write(
            graphql(
                REGISTER_PEER,
                {"input": {"contribution": row(fixture, target, today, json_as_text=True)}},
            )
        )
        for target in fixture.targets
    )
    register_floor = tuple(
        Statement(
            REGISTER_SQL,
            (target.objective_id, fixture.writer_id, target.recipient_id, today),
            fresh=True,
        )
        for target in fixture.targets
    )
    mixed = Workload(
        "mixed",
        "mixed (90 % the three reads in turn, 10 % registerContribution)",
        mix(nested.ours, listing.ours, overlaps.ours, register_ours),
        mix(nested.peer, listing.peer, overlaps.peer, register_peer),
        mix(nested.peer4, listing.peer4, overlaps.peer4, register_peer4),
        mix(nested.floor, listing.floor, overlaps.floor, register_floor),
        register_digest,
        5.0,
        None,
    )
    return nested, listing, overlaps, mixed


def row(fixture: Fixture, target: Target, today: date, json_as_text: bool = False) -> Json:
    """The contribution a PostGraphile registration inserts: what registerContribution stores."""
    empty: Any = "[]" if json_as_text else []
    return {
        "objectiveId": target.objective_id,
        "contributorId": fixture.writer_id,
        "recipientId": target.recipient_id,
        "reportedById": fixture.writer_id,
        "kind": "TRAINING",
        "status": "PLEDGED",
        "amount": "10000000",  # the column holds 10^-4 units: 1000.00
        "currency": "EUR",
        "pledgedOn": today.isoformat(),
        "valuedOn": today.isoformat(),
        "startsOn": "2027-01-15",
        "endsOn": "2027-06-30",
        "externalReference": "bench-__SEQ__",
        "visibility": "PUBLIC",
        "draws": False,
        "deliveredAmount": "0",
        "deliveries": empty,
        "schedule": empty,
        "items": empty,
        "version": 1,
        "createdAt": "__NOW__",
        "updatedAt": "__NOW__",
    }


def mix(
    nested: Sequence[T], listing: Sequence[T], overlaps: Sequence[T], writes: Sequence[T]
) -> tuple[T, ...]:
    """Rounds of ten: three of each read and one write, each drawn in turn from its own list;
    as many rounds as it takes to use every write once (a write is the last of its round)."""
    reads = (nested, listing, overlaps)
    sent = 0
    out: list[T] = []
    for write in writes:
        for _ in range(3):
            out += [kind[sent % len(kind)] for kind in reads]
            sent += 1
        out.append(write)
    return tuple(out)


async def find_fixture(database: URL, reader_token: str, writer_token: str) -> Fixture:
    """The writer and its targets (the first objective of each of the first open plans), on
    PostgreSQL or SQLite."""
    engine = create_async_engine(render(database))
    try:
        async with engine.connect() as connection:
            writer_id = await connection.scalar(
                text("SELECT id FROM participant WHERE code = :code"), {"code": WRITER[0]}
            )
            rows = (
                await connection.execute(
                    text(
                        """
                        SELECT min(objective.id), plan.partner_id
                        FROM plan JOIN objective ON objective.plan_id = plan.id
                        WHERE plan.status IN ('AGREED', 'ACTIVE', 'UNDER_REVIEW')
                        GROUP BY plan.id, plan.partner_id
                        ORDER BY plan.id
                        LIMIT :plans
                        """
                    ),
                    {"plans": WRITE_PLANS},
                )
            ).all()
    finally:
        await engine.dispose()
    if writer_id is None or not rows:
        raise BenchmarkError("the seeded database has no writer or no open plan")
    targets = tuple(Target(objective_id, partner_id) for objective_id, partner_id in rows)
    return Fixture(reader_token, writer_token, writer_id, targets)
