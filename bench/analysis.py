"""Benchmark of the analysis queries (aidOverlaps, coverage, aidGaps, fulfilment) at scale 1 on
PostgreSQL, today's figures and yesterday's (`asOf`).

    .venv/bin/python -m bench.analysis [--database-url URL] [--duration SECONDS] [--connections N]

It builds a fresh database with the project's own commands (migrate, seed --scale 1, token issue),
serves it with `python -m api serve` (one worker, production settings), drives each workload with
concurrent keep-alive HTTP clients for a fixed time, and prints one table: requests, requests per
second, p50 and p99 latency, SQL statements per request, failures, and the time of one request
alone (in process, no other client). A second table gives the
cold figures of the `asOf` workloads: the first request about a past day rebuilds it from the
change history, later ones are answered from memory. Any failure, or a workload whose statement
count varies from one request to the next, makes the exit code non-zero. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.engine import URL

from api.app import create_app
from api.settings import Settings
from bench.common import (
    PARTNERS_WITH_PLANS,
    SCALE,
    BenchmarkError,
    add_common_options,
    check_common_options,
    environment,
    exit_code,
    fresh_database,
    git_commit,
    issue_token,
    milliseconds,
    percentile,
    progress,
    release_database,
    render,
    row_counts,
    seed,
    serving_api,
    table,
    tail,
)

DEFAULT_DATABASE = "bench_analysis"
VIEWER = ("DE", "ALLY")  # the token's participant and role: an ally sees the whole alliance
MAX_REQUESTS = 1_000_000  # per phase, a hard stop besides the duration
REPEATS = 2  # requests counted per variant in process, to show the count does not vary
ALONE = 3  # requests sent to the server one at a time after each warm-up, timed

Variables = dict[str, Any]


@dataclass(frozen=True)
class Workload:
    """One GraphQL document, sent with each of its variable sets in turn."""

    name: str
    document: str
    variants: tuple[Variables, ...] = ({},)
    # Its first request in a process rebuilds a past day from the change history (`asOf`); the
    # later ones are answered from that process's memory of the day.
    rebuilds: bool = False
    # Concurrent clients, when not --connections: a request of several seconds behind 9 others
    # would pass the server's 15-s request timeout, and the run would measure only that.
    clients: int | None = None

    def payloads(self) -> Iterator[dict[str, Any]]:
        for variables in itertools.cycle(self.variants):
            yield {"query": self.document, "variables": variables}


def document(field: str, arguments: str, selection: str, variables: str = "") -> str:
    """A query of one root field; `variables` declares the operation's variables, if any."""
    head = f"query ({variables}) " if variables else ""
    return f"{head}{{ {field}({arguments}) {{ {selection} }} }}"


OVERLAP_FIELDS = """
    totalCount
    nodes {
      objective { code }
      contributorCount
      score
      reasons
      total { amount currency }
      excess { amount }
    }
"""
COVERAGE_FIELDS = """
    total {
      requirement { amount }
      pledged { amount }
      committed { amount }
      disbursed { amount }
      ratio
    }
    byCategory { category ratio }
"""
GAP_FIELDS = "nodes { objective { code priority } lacking { amount } }"
FULFILMENT_FIELDS = """
    rank
    participant { code }
    contributions
    pledged { amount }
    committed { amount }
    delivered { amount }
    overdue { amount }
    deliveredShare
    committedShare
"""
PARTNERS = "$partners: [String!]"
PAST = "$asOf: Date!"
ONE_PARTNER = f"one partner ({len(PARTNERS_WITH_PLANS)} in turn)"


def workloads(today: date) -> tuple[Workload, ...]:
    """Today's figures (the workloads of every earlier run), then the same analyses as they stood
    at the end of yesterday (UTC, the server's day), then the fulfilment rankings."""
    past = {"asOf": (today - timedelta(days=1)).isoformat()}
    partners = tuple({"partners": [code]} for code in PARTNERS_WITH_PLANS)
    coverage = "filter: { partners: $partners }"
    return (
        Workload(
            "aidOverlaps, whole alliance", document("aidOverlaps", "first: 20", OVERLAP_FIELDS)
        ),
        Workload(
            f"coverage, {ONE_PARTNER}",
            document("coverage", coverage, COVERAGE_FIELDS, PARTNERS),
            partners,
        ),
        Workload("aidGaps, whole alliance", document("aidGaps", "first: 20", GAP_FIELDS)),
        Workload(
            "aidOverlaps, activeOn 2025-06-01",
            document("aidOverlaps", 'first: 20, activeOn: "2025-06-01"', OVERLAP_FIELDS),
        ),
        Workload(
            "aidOverlaps, whole alliance, asOf yesterday",
            document("aidOverlaps", "first: 20, asOf: $asOf", OVERLAP_FIELDS, PAST),
            (past,),
            rebuilds=True,
        ),
        Workload(
            f"coverage, {ONE_PARTNER}, asOf yesterday",
            document(
                "coverage", f"{coverage}, asOf: $asOf", COVERAGE_FIELDS, f"{PARTNERS}, {PAST}"
            ),
            tuple(variables | past for variables in partners),
            rebuilds=True,
        ),
        Workload(
            "aidGaps, whole alliance, asOf yesterday",
            document("aidGaps", "first: 20, asOf: $asOf", GAP_FIELDS, PAST),
            (past,),
            rebuilds=True,
        ),
        Workload(
            "fulfilment, by contributor, first 20, 1 client",
            document("fulfilment", "groupBy: CONTRIBUTOR, first: 20", FULFILMENT_FIELDS),
            clients=1,
        ),
        Workload(
            "fulfilment, by partner, first 20, 1 client",
            document("fulfilment", "groupBy: PARTNER, first: 20", FULFILMENT_FIELDS),
            clients=1,
        ),
    )


@dataclass
class Phase:
    """What one timed phase of one workload measured."""

    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    alone: list[float] = field(default_factory=list)  # seconds, requests sent one at a time
    failures: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies) + len(self.failures)


@dataclass(frozen=True)
class Cold:
    """The first request about a past day in a fresh app: it rebuilds the day."""

    seconds: float
    statements: int


@dataclass
class Counted:
    """One workload's requests in process, one client alone, after a first one not counted."""

    statements: list[int] = field(default_factory=list)  # one per counted request
    seconds: list[float] = field(default_factory=list)
    cold: Cold | None = None


@dataclass
class Result:
    workload: Workload
    counted: Counted
    phase: Phase


# Checking answers ----------------------------------------------------------------------------


def problem_with(response: httpx.Response) -> str | None:
    """Why a response does not count as a success, or None."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:300]}"
    try:
        body = response.json()
    except ValueError:
        return f"not JSON: {response.text[:300]}"
    if not isinstance(body, dict):
        return f"not a GraphQL response: {response.text[:300]}"
    if body.get("errors"):
        return f"errors: {json.dumps(body['errors'])[:300]}"
    if not body.get("data"):
        return f"no data: {response.text[:300]}"
    return None


def summary(body: dict[str, Any]) -> str:
    """A short description of an answer, to show it is not empty."""
    answer = next(iter(body["data"].values()))
    if isinstance(answer, list):
        first = answer[0]["participant"] if answer else None
        return f"{len(answer)} rows" + (f", rank 1 {first['code']}" if first else "")
    if "nodes" in answer:
        count = f", totalCount {answer['totalCount']}" if "totalCount" in answer else ""
        return f"{len(answer['nodes'])} nodes{count}"
    total = answer["total"]
    return (
        f"requirement {total['requirement']['amount']}, committed "
        f"{total['committed']['amount']}, ratio {total['ratio']}, "
        f"{len(answer['byCategory'])} categories"
    )


# Statements per request, in process ----------------------------------------------------------


@contextlib.asynccontextmanager
async def in_process(
    database: URL, token: str
) -> AsyncIterator[tuple[httpx.AsyncClient, list[str]]]:
    """A fresh app over the database, served through ASGI in this process with its lifespan
    (the server's collector settings: without them a request that makes many objects is much
    slower here than on the server), and the SQL statements its reader runs (transaction
    control left out), for the caller to clear. A fresh app has a fresh database object, so
    nothing about a past day is in its memory."""
    settings = Settings(
        database_url=render(database), environment="production", log_level="WARNING"
    )
    app = create_app(settings)
    engine = app.state.database.reader.sync_engine
    statements: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.startswith("BEGIN"):  # transaction control is not a query
            statements.append(statement)

    transport = httpx.ASGITransport(app=app)
    headers = {"authorization": f"Bearer {token}"}
    event.listen(engine, "before_cursor_execute", record)
    try:
        # The lifespan disposes of the database as it ends.
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=transport, base_url="http://bench", headers=headers
            ) as client,
        ):
            # As on a server that has been up a moment: it hears of revocations, so it keeps
            # the tokens it verified (store/bearers.py) and the counts are those of steady state.
            listening = getattr(app.state.signals, "connected", None)
            if listening is not None:
                await asyncio.wait_for(listening.wait(), 30)
            yield client, statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def timed(client: httpx.AsyncClient, payload: dict[str, Any]) -> tuple[httpx.Response, float]:
    sent = time.perf_counter()
    response = await client.post("/graphql", json=payload)
    return response, time.perf_counter() - sent


async def count_statements(
    database: URL, token: str, chosen: Sequence[Workload], problems: list[str]
) -> tuple[dict[str, Counted], dict[str, str]]:
    """The SQL statements and the time of REPEATS requests of each workload (each variant), one
    client alone, counted on the app's engine in this process, after one request not counted
    (it opens the pool's connection, and for an `asOf` workload rebuilds the day); the cold
    request of each `asOf` workload in an app of its own; and a summary of each first answer."""
    counted = {workload.name: Counted() for workload in chosen}
    answers: dict[str, str] = {}
    async with in_process(database, token) as (client, statements):
        for workload in chosen:
            found = counted[workload.name]
            for variables in workload.variants:
                payload = {"query": workload.document, "variables": variables}
                await client.post("/graphql", json=payload)
                for _ in range(REPEATS):
                    statements.clear()
                    response, seconds = await timed(client, payload)
                    problem = problem_with(response)
                    if problem is not None:
                        problems.append(f"{workload.name} {variables} (in process): {problem}")
                        break
                    found.statements.append(len(statements))
                    found.seconds.append(seconds)
                shown = f" {json.dumps(variables)}" if variables else ""
                if variables is workload.variants[0] and problem is None:
                    answers[workload.name + shown] = summary(response.json())
            if len(set(found.statements)) > 1:
                problems.append(
                    f"{workload.name}: SQL statements per request vary: {found.statements}"
                )
    for workload in chosen:
        if workload.rebuilds:
            counted[workload.name].cold = await cold_request(database, token, workload, problems)
    return counted, answers


async def cold_request(
    database: URL, token: str, workload: Workload, problems: list[str]
) -> Cold | None:
    """The first request of `workload` (its first variant) in a fresh app, after one that only
    opens the pool's connection and checks the token: its time and its statements."""
    async with in_process(database, token) as (client, statements):
        opening = await client.post("/graphql", json={"query": "{ viewer { role } }"})
        problem = problem_with(opening)
        if problem is None:
            statements.clear()
            payload = {"query": workload.document, "variables": workload.variants[0]}
            response, seconds = await timed(client, payload)
            problem = problem_with(response)
        if problem is not None:
            problems.append(f"{workload.name} (cold, in process): {problem}")
            return None
        return Cold(seconds, len(statements))


# The load ------------------------------------------------------------------------------------


async def drive(
    workload: Workload,
    base: str,
    token: str,
    connections: int,
    seconds: float,
    request_timeout: float,
) -> Phase:
    """`connections` clients, each with one keep-alive connection, send the workload's requests
    back to back until `seconds` have passed (or MAX_REQUESTS were sent); a request started
    before the end is waited for, up to `request_timeout`."""
    phase = Phase()
    payloads = workload.payloads()
    headers = {"authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    started = time.perf_counter()
    deadline = started + seconds

    async def client_loop() -> None:
        async with httpx.AsyncClient(
            base_url=base, headers=headers, limits=limits, timeout=request_timeout
        ) as client:
            while time.perf_counter() < deadline and phase.requests < MAX_REQUESTS:
                payload = next(payloads)
                sent = time.perf_counter()
                try:
                    response = await client.post("/graphql", json=payload)
                    problem = problem_with(response)
                except httpx.HTTPError as error:
                    problem = type(error).__name__ + (f": {error}" if str(error) else "")
                if problem is None:
                    phase.latencies.append(time.perf_counter() - sent)
                else:
                    phase.failures.append(problem)

    await asyncio.gather(*(client_loop() for _ in range(connections)))
    phase.elapsed = time.perf_counter() - started
    return phase


@dataclass(frozen=True)
class ServerCold:
    """The server's first request about the past day, alone, before any load on it."""

    workload: str
    seconds: float


async def alone(
    base: str, token: str, workload: Workload, count: int, request_timeout: float
) -> tuple[list[float], list[str]]:
    """`count` requests of `workload` (its variants in turn), one at a time on one connection:
    how long each successful one took, and why the others failed."""
    headers = {"authorization": f"Bearer {token}"}
    payloads = workload.payloads()
    seconds: list[float] = []
    failures: list[str] = []
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=request_timeout) as client:
        for _ in range(count):
            sent = time.perf_counter()
            try:
                response = await client.post("/graphql", json=next(payloads))
                problem = problem_with(response)
            except httpx.HTTPError as error:
                problem = type(error).__name__ + (f": {error}" if str(error) else "")
            if problem is None:
                seconds.append(time.perf_counter() - sent)
            else:
                failures.append(problem)
    return seconds, failures


async def drive_all(
    chosen: Sequence[Workload],
    base: str,
    token: str,
    arguments: argparse.Namespace,
    process: subprocess.Popen[bytes],
    problems: list[str],
) -> tuple[list[Phase], ServerCold | None]:
    """Each workload in turn: a warm-up (not measured, but its failures count too), ALONE
    requests one at a time, then the measured phase. Before the first `asOf` workload, one request
    of it alone: the server rebuilds the day then, and answers every later request about it from
    memory."""
    phases = []
    cold: ServerCold | None = None
    asked = False  # about the past day: once, even if that request failed
    for workload in chosen:
        if workload.rebuilds and not asked:
            asked = True
            progress(f"{workload.name}: the server's first request about the day, alone")
            seconds, failures = await alone(base, token, workload, 1, arguments.timeout)
            problems += [f"{workload.name} (the server's first request): {f}" for f in failures]
            cold = ServerCold(workload.name, seconds[0]) if seconds else None
        progress(f"{workload.name}: warming up {arguments.warmup:g} s")
        load = (base, token, workload.clients or arguments.connections)
        warmup = await drive(workload, *load, arguments.warmup, arguments.timeout)
        problems += [f"{workload.name} (warm-up): {f}" for f in sorted(set(warmup.failures))[:5]]
        progress(f"{workload.name}: {ALONE} requests alone")
        timed_alone, failures = await alone(base, token, workload, ALONE, arguments.timeout)
        problems += [f"{workload.name} (alone): {f}" for f in sorted(set(failures))[:5]]
        progress(f"{workload.name}: measuring {arguments.duration:g} s")
        phase = await drive(workload, *load, arguments.duration, arguments.timeout)
        if process.poll() is not None:
            phase.failures.append(f"the server exited with {process.returncode}")
        phase.alone = timed_alone
        phases.append(phase)
    return phases, cold


# The report ----------------------------------------------------------------------------------


def statements_cell(counts: list[int]) -> str:
    if not counts:
        return "error"
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{low}-{high}"


def median(values: Sequence[float]) -> float | None:
    return percentile(sorted(values), 0.50)


def cold_table(results: Sequence[Result]) -> str:
    """The `asOf` workloads: the first request about the day in a fresh app (cold: it rebuilds
    the day) beside the later ones (warm: the day is in memory), one client alone, in process."""
    headers = (
        "asOf workload, in process, alone",
        "cold: first request ms",
        "cold: SQL statements",
        "warm: median request ms",
        "warm: SQL statements per request",
    )
    rows = []
    for result in results:
        if not result.workload.rebuilds:
            continue
        cold, counted = result.counted.cold, result.counted
        rows.append(
            (
                result.workload.name,
                milliseconds(cold.seconds) if cold else "error",
                str(cold.statements) if cold else "error",
                milliseconds(median(counted.seconds)),
                statements_cell(counted.statements),
            )
        )
    return table(headers, rows)


def report(
    results: Sequence[Result],
    server_cold: ServerCold | None,
    facts: dict[str, str],
    answers: dict[str, str],
) -> str:
    """The table of the timed runs, the cold table, then the facts and a summary of each answer."""
    headers = (
        "workload",
        "requests",
        "rps",
        "p50 ms",
        "p99 ms",
        "SQL statements per request",
        "failures",
        "alone ms",
    )
    rows = []
    for result in results:
        phase = result.phase
        ordered = sorted(phase.latencies)
        rows.append(
            (
                result.workload.name,
                str(phase.requests),
                f"{len(ordered) / phase.elapsed:.1f}" if phase.elapsed else "-",
                milliseconds(percentile(ordered, 0.50)),
                milliseconds(percentile(ordered, 0.99)),
                statements_cell(result.counted.statements),
                str(len(phase.failures)),
                milliseconds(median(result.phase.alone)),
            )
        )
    lines = [table(headers, rows), ""]
    if any(result.workload.rebuilds for result in results):
        lines += [cold_table(results), ""]
    if server_cold is not None:
        lines.append(
            f"- cold on the server: its first request about yesterday ({server_cold.workload}), "
            f"alone, before the timed runs: {milliseconds(server_cold.seconds)} ms"
        )
    lines += [f"- {name}: {value}" for name, value in facts.items()]
    lines += [f"- answer of {name}: {answer}" for name, answer in answers.items()]
    return "\n".join(lines)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min), {fifteen:.2f} (15 min)"


# Command line --------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.analysis",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common_options(parser, DEFAULT_DATABASE)
    arguments = parser.parse_args(argv)
    check_common_options(parser, arguments)
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    try:
        fresh = fresh_database(arguments.database_url, arguments.database_name)
    except BenchmarkError as problem:
        print(f"bench: {problem}", file=sys.stderr)
        return 2
    database, postgres_version = fresh.database, fresh.version
    problems: list[str] = []
    started_load = load_average()
    try:
        env = environment(database)
        seeded = seed(env)
        token = issue_token(env, *VIEWER)
        counts = asyncio.run(row_counts(database))
        # The server's day (UTC): a run that crosses midnight still asks about a past day.
        chosen = workloads(datetime.now(UTC).date())

        progress("counting SQL statements per request, in process")
        counted, answers = asyncio.run(count_statements(database, token, chosen, problems))

        with tempfile.TemporaryDirectory(prefix="bench-analysis-") as scratch:
            log_path = Path(scratch) / "server.log"
            progress("starting python -m api serve")
            load_before = load_average()
            with serving_api(env, log_path) as (base, process):
                phases, server_cold = asyncio.run(
                    drive_all(chosen, base, token, arguments, process, problems)
                )
            server_log = tail(log_path)  # the server has stopped (SIGTERM, wait)

        results = [
            Result(workload, counted[workload.name], phase)
            for workload, phase in zip(chosen, phases, strict=True)
        ]
        for result in results:
            distinct = sorted(set(result.phase.failures))
            problems += [f"{result.workload.name}: {failure}" for failure in distinct[:5]]
        facts = {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": git_commit(),
            f"seed --scale {SCALE}": seeded,
            "rows": f"{counts['contributions']:,} contributions, "
            f"{counts['objectives']:,} objectives",
            "load": f"{arguments.connections} keep-alive clients (httpx; the workloads marked "
            "1 client: one), "
            f"{arguments.warmup:g} s warm-up + {arguments.duration:g} s per workload, "
            "one server worker, ENVIRONMENT=production, token of DE (ALLY)",
            "Python": platform.python_version(),
            "PostgreSQL": postgres_version,
            "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs "
            "(client and server share it)",
            "load average": f"at the start {started_load}; as the server started "
            f"{load_before}; at the end {load_average()}",
        }
        print(report(results, server_cold, facts, answers))
        if server_log:
            print(f"\nserver log (last lines):\n{server_log}", file=sys.stderr)
    except BenchmarkError as problem:
        print(f"bench: {problem}", file=sys.stderr)
        return 2
    finally:
        release_database(fresh, arguments.keep)
    return exit_code(problems)


if __name__ == "__main__":
    sys.exit(main())
