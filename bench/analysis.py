"""Benchmark of the analysis queries (aidOverlaps, coverage, aidGaps) at scale 1 on PostgreSQL.

    .venv/bin/python -m bench.analysis [--database-url URL] [--duration SECONDS] [--connections N]

It builds a fresh database with the project's own commands (migrate, seed --scale 1, token issue),
serves it with `python -m api serve` (one worker, production settings), drives each workload with
concurrent keep-alive HTTP clients for a fixed time, and prints one table: requests, requests per
second, p50 and p99 latency, SQL statements per request and failures. Any failure makes the exit
code non-zero. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
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

Variables = dict[str, Any]


@dataclass(frozen=True)
class Workload:
    """One GraphQL document, sent with each of its variable sets in turn."""

    name: str
    document: str
    variants: tuple[Variables, ...] = ({},)

    def payloads(self) -> Iterator[dict[str, Any]]:
        for variables in itertools.cycle(self.variants):
            yield {"query": self.document, "variables": variables}


WORKLOADS = (
    Workload(
        "aidOverlaps, whole alliance",
        """
        {
          aidOverlaps(first: 20) {
            totalCount
            nodes {
              objective { code }
              contributorCount
              score
              reasons
              total { amount currency }
              excess { amount }
            }
          }
        }
        """,
    ),
    Workload(
        f"coverage, one partner ({len(PARTNERS_WITH_PLANS)} in turn)",
        """
        query Coverage($partners: [String!]) {
          coverage(filter: { partners: $partners }) {
            total {
              requirement { amount }
              pledged { amount }
              committed { amount }
              disbursed { amount }
              ratio
            }
            byCategory { category ratio }
          }
        }
        """,
        tuple({"partners": [code]} for code in PARTNERS_WITH_PLANS),
    ),
    Workload(
        "aidGaps, whole alliance",
        """
        {
          aidGaps(first: 20) {
            nodes {
              objective { code priority }
              lacking { amount }
            }
          }
        }
        """,
    ),
    Workload(
        "aidOverlaps, activeOn 2025-06-01",
        """
        {
          aidOverlaps(first: 20, activeOn: "2025-06-01") {
            totalCount
            nodes {
              objective { code }
              contributorCount
              score
              reasons
              total { amount currency }
              excess { amount }
            }
          }
        }
        """,
    ),
)


@dataclass
class Phase:
    """What one timed phase of one workload measured."""

    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    failures: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies) + len(self.failures)


@dataclass
class Result:
    workload: Workload
    statements: list[int]
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


async def count_statements(
    database: URL, token: str, problems: list[str]
) -> tuple[dict[str, list[int]], dict[str, str]]:
    """The SQL statements one request of each workload (each variant) runs, counted on the app's
    engine in this process; and a summary of each workload's first answer."""
    settings = Settings(
        database_url=render(database), environment="production", log_level="WARNING"
    )
    app = create_app(settings)
    engine = app.state.database.reader.sync_engine
    statements: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.startswith("BEGIN"):  # transaction control is not a query
            statements.append(statement)

    counts: dict[str, list[int]] = {workload.name: [] for workload in WORKLOADS}
    answers: dict[str, str] = {}
    transport = httpx.ASGITransport(app=app)
    headers = {"authorization": f"Bearer {token}"}
    event.listen(engine, "before_cursor_execute", record)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers=headers
        ) as client:
            for workload in WORKLOADS:
                for variables in workload.variants:
                    payload = {"query": workload.document, "variables": variables}
                    # The first request opens the pool's connection; count the second.
                    await client.post("/graphql", json=payload)
                    statements.clear()
                    response = await client.post("/graphql", json=payload)
                    problem = problem_with(response)
                    if problem is not None:
                        problems.append(f"{workload.name} {variables} (in process): {problem}")
                        continue
                    counts[workload.name].append(len(statements))
                    if variables is workload.variants[0]:
                        shown = f" {json.dumps(variables)}" if variables else ""
                        answers[workload.name + shown] = summary(response.json())
    finally:
        event.remove(engine, "before_cursor_execute", record)
        await app.state.database.dispose()
    return counts, answers


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


async def drive_all(
    base: str,
    token: str,
    arguments: argparse.Namespace,
    process: subprocess.Popen[bytes],
    problems: list[str],
) -> list[Phase]:
    """Each workload in turn: a warm-up (not measured, but its failures count too), then the
    measured phase."""
    phases = []
    for workload in WORKLOADS:
        progress(f"{workload.name}: warming up {arguments.warmup:g} s")
        load = (base, token, arguments.connections)
        warmup = await drive(workload, *load, arguments.warmup, arguments.timeout)
        problems += [f"{workload.name} (warm-up): {f}" for f in sorted(set(warmup.failures))[:5]]
        progress(f"{workload.name}: measuring {arguments.duration:g} s")
        phase = await drive(workload, *load, arguments.duration, arguments.timeout)
        if process.poll() is not None:
            phase.failures.append(f"the server exited with {process.returncode}")
        phases.append(phase)
    return phases


# The report ----------------------------------------------------------------------------------


def statements_cell(counts: list[int]) -> str:
    if not counts:
        return "error"
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{low}-{high}"


def report(results: Sequence[Result], facts: dict[str, str], answers: dict[str, str]) -> str:
    headers = (
        "workload",
        "requests",
        "rps",
        "p50 ms",
        "p99 ms",
        "SQL statements per request",
        "failures",
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
                statements_cell(result.statements),
                str(len(phase.failures)),
            )
        )
    lines = [table(headers, rows), ""]
    lines += [f"- {name}: {value}" for name, value in facts.items()]
    lines += [f"- answer of {name}: {answer}" for name, answer in answers.items()]
    return "\n".join(lines)


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
    try:
        env = environment(database)
        seeded = seed(env)
        token = issue_token(env, *VIEWER)
        counts = asyncio.run(row_counts(database))

        progress("counting SQL statements per request, in process")
        statements, answers = asyncio.run(count_statements(database, token, problems))

        with tempfile.TemporaryDirectory(prefix="bench-analysis-") as scratch:
            log_path = Path(scratch) / "server.log"
            progress("starting python -m api serve")
            with serving_api(env, log_path) as (base, process):
                phases = asyncio.run(drive_all(base, token, arguments, process, problems))
            server_log = tail(log_path)  # the server has stopped (SIGTERM, wait)

        results = [
            Result(workload, statements[workload.name], phase)
            for workload, phase in zip(WORKLOADS, phases, strict=True)
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
            "load": f"{arguments.connections} keep-alive clients (httpx), "
            f"{arguments.warmup:g} s warm-up + {arguments.duration:g} s per workload, "
            "one server worker, ENVIRONMENT=production, token of DE (ALLY)",
            "Python": platform.python_version(),
            "PostgreSQL": postgres_version,
            "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs "
            "(client and server share it)",
        }
        print(report(results, facts, answers))
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
