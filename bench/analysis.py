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
import contextlib
import itertools
import json
import logging
import math
import os
import platform
import re
import signal
import socket
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
from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from api.app import create_app
from api.settings import Settings

CHECKOUT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/"
DEFAULT_DATABASE = "bench_analysis"
SCALE = "1"
VIEWER = ("DE", "ALLY")  # the token's participant and role: an ally sees the whole alliance
# Every partner with a plan in the reference data, asked in turn by the coverage workload.
PARTNERS_WITH_PLANS = ("GE", "AZ", "AM", "KZ", "MD", "BA", "ME", "RS", "NZ", "MN", "KR", "AU", "JP")
MAX_REQUESTS = 1_000_000  # per phase, a hard stop besides the duration
STARTUP_TIMEOUT = 60.0  # seconds for the server to answer /healthz
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")

Variables = dict[str, Any]


class BenchmarkError(Exception):
    """A step of the set-up failed: the benchmark cannot run."""


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


# Database set-up and facts -------------------------------------------------------------------


def server_url(raw: str) -> URL:
    """The PostgreSQL server to use, as an asyncpg URL pointing at a maintenance database."""
    url = make_url(raw)
    if url.get_backend_name() != "postgresql":
        raise BenchmarkError(f"--database-url must be a PostgreSQL URL, not {raw!r}")
    return url.set(drivername="postgresql+asyncpg", database=url.database or "postgres")


def render(url: URL) -> str:
    return url.render_as_string(hide_password=False)


async def recreate_database(server: URL, name: str) -> str:
    """Drops and creates the benchmark database; returns the server's version."""
    engine = create_async_engine(render(server), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
            version = await connection.scalar(text("SHOW server_version"))
    finally:
        await engine.dispose()
    return str(version)


async def drop_database(server: URL, name: str) -> None:
    engine = create_async_engine(render(server), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()


async def row_counts(database: URL) -> dict[str, int]:
    engine = create_async_engine(render(database))
    try:
        async with engine.connect() as connection:
            contributions = await connection.scalar(text("SELECT count(*) FROM contribution"))
            objectives = await connection.scalar(text("SELECT count(*) FROM objective"))
    finally:
        await engine.dispose()
    return {"contributions": int(contributions or 0), "objectives": int(objectives or 0)}


def run_command(arguments: Sequence[str], env: dict[str, str]) -> str:
    """Runs `python -m api <arguments>` in the checkout; returns its standard output."""
    command = [sys.executable, "-m", "api", *arguments]
    completed = subprocess.run(
        command, cwd=CHECKOUT, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip()[-2000:]
        raise BenchmarkError(
            f"`python -m api {' '.join(arguments)}` exited with {completed.returncode}:\n{output}"
        )
    return completed.stdout


def git_commit() -> str:
    def git(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *arguments], cwd=CHECKOUT, capture_output=True, text=True, check=False
        )

    commit = git("rev-parse", "--short", "HEAD")
    if commit.returncode != 0:
        return "unknown"
    modified = git("diff", "--quiet", "HEAD").returncode != 0
    return commit.stdout.strip() + (" (with uncommitted changes)" if modified else "")


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


# The server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def serving(env: dict[str, str], log_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`python -m api serve` on a free loopback port, until the block ends; yields its base URL."""
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "api", "serve", "--port", str(port), "--workers", "1"],
            cwd=CHECKOUT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process, log_path)
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_healthy(base: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchmarkError(
                f"the server exited with {process.returncode} before answering /healthz:\n"
                + tail(log_path)
            )
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                return
        time.sleep(0.1)
    raise BenchmarkError(f"the server did not answer /healthz in {STARTUP_TIMEOUT:.0f} s")


def tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


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


def percentile(ordered: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile of sorted values (None when there are none)."""
    if not ordered:
        return None
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def milliseconds(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f}"


def statements_cell(counts: list[int]) -> str:
    if not counts:
        return "error"
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{low}-{high}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table, aligned for the terminal: first column left, the others right."""
    widths = [max(len(row[column]) for row in [headers, *rows]) for column in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.ljust(width) if column == 0 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = ["-" * widths[0], *("-" * (width - 1) + ":" for width in widths[1:])]
    return "\n".join([line(headers), line(rule), *(line(row) for row in rows)])


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


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# Command line --------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.analysis",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_SERVER,
        help="PostgreSQL server to use (its database, if any, is only used to create and drop "
        f"the benchmark's own); default {DEFAULT_SERVER}",
    )
    parser.add_argument(
        "--database-name",
        default=DEFAULT_DATABASE,
        help=f"database to drop, recreate and benchmark; default {DEFAULT_DATABASE}",
    )
    parser.add_argument(
        "--duration", type=float, default=15.0, help="seconds measured per workload (15)"
    )
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="seconds of warm-up per workload (3)"
    )
    parser.add_argument("--connections", type=int, default=10, help="concurrent clients (10)")
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds before a request fails (60)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    arguments = parser.parse_args(argv)
    if arguments.duration <= 0 or arguments.timeout <= 0 or arguments.warmup < 0:
        parser.error("--duration and --timeout must be positive, --warmup zero or more")
    if arguments.connections < 1:
        parser.error("--connections must be 1 or more")
    if not IDENTIFIER.fullmatch(arguments.database_name):
        parser.error("--database-name must be a lower-case SQL identifier")
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    name = arguments.database_name
    try:
        server = server_url(arguments.database_url)
    except BenchmarkError as problem:
        print(f"bench: {problem}", file=sys.stderr)
        return 2
    database = server.set(database=name)
    progress(f"recreating database {name} on {server.host}:{server.port or 5432}")
    try:
        postgres_version = asyncio.run(recreate_database(server, name))
    except Exception as problem:
        print(f"bench: cannot recreate database {name}: {problem!r}", file=sys.stderr)
        return 2
    problems: list[str] = []
    try:
        env = {
            **os.environ,
            "DATABASE_URL": render(database),
            "ENVIRONMENT": "production",
            "LOG_LEVEL": "WARNING",
        }
        progress("python -m api migrate")
        run_command(["migrate"], env)
        progress(f"python -m api seed --scale {SCALE}")
        started = time.perf_counter()
        seed_output = run_command(["seed", "--scale", SCALE], env)
        seed_seconds = time.perf_counter() - started
        reported = re.search(r"seeded in ([0-9.]+) s", seed_output)
        participant, role = VIEWER
        progress(f"python -m api token issue --participant {participant} --role {role}")
        token_output = run_command(
            ["token", "issue", "--participant", participant, "--role", role], env
        )
        token = token_output.strip().splitlines()[-1].strip()
        counts = asyncio.run(row_counts(database))

        progress("counting SQL statements per request, in process")
        statements, answers = asyncio.run(count_statements(database, token, problems))

        with tempfile.TemporaryDirectory(prefix="bench-analysis-") as scratch:
            log_path = Path(scratch) / "server.log"
            progress("starting python -m api serve")
            with serving(env, log_path) as (base, process):
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
            "seed --scale 1": f"{seed_seconds:.1f} s wall clock"
            + (f" (the command reports {reported.group(1)} s)" if reported else ""),
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
        if arguments.keep:
            progress(f"kept database {name}: {database.render_as_string(hide_password=True)}")
        else:
            progress(f"dropping database {name}")
            asyncio.run(drop_database(server, name))
    if problems:
        print("\nFAILURES:", file=sys.stderr)
        for failure in problems:
            print(f"- {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
