"""This API against PostGraphile v5 and v4 over the same PostgreSQL database, against the limit
(a bare server sending the same statements), on its embedded SQLite, and against raw SQL.

    .venv/bin/python -m bench.compare [--duration SECONDS] [--only WORKLOAD] [--without SERVER]
                                      [--soak [SECONDS]]

It builds a fresh database with the project's own commands (migrate, seed --scale 1, token
issue), records in process what this API sends PostgreSQL and answers for each request
(bench/recording.py), then serves the database, one server after the other on 127.0.0.1: with
`python -m api serve` (one worker, production settings), with the limit (bench/limit.py, the
recorded statements and answers under the same uvicorn), with PostGraphile v5 (bench/peer/) and
v4 (bench/peer4/), one Node.js process each; then this API again over an SQLite file seeded at
scale 1 (bench/sqlite.py). It drives each with the same workloads through autocannon, runs the
same reads as raw SQL through asyncpg (the floor), and prints one table: requests per second, p50
and p99 latency, CPU time per request, and ours over each of the others. `--soak` runs the mixed
workload on this API alone for 5 minutes and samples its memory. Any failed request or differing
answer makes the exit code non-zero. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import URL

from bench.common import (
    CHECKOUT,
    HERE,
    SCALE,
    BenchmarkError,
    Process,
    Served,
    add_common_options,
    check_common_options,
    cpu_seconds,
    environment,
    exit_code,
    free_port,
    fresh_database,
    git_commit,
    healthz,
    issue_token,
    milliseconds,
    percentile,
    progress,
    release_database,
    render,
    row_counts,
    rss_mib,
    seed,
    serving,
    serving_api,
    show_logs,
    table,
)
from bench.limit import Recording
from bench.recording import record
from bench.workloads import (
    READER,
    WRITER,
    Json,
    Statement,
    Workload,
    find_fixture,
    root,
    workloads,
)

PEER = CHECKOUT / "bench" / "peer"
NODE = PEER / "node_modules" / "node" / "bin" / "node"  # Node.js 22, from the npm package `node`
PEER4 = CHECKOUT / "bench" / "peer4"  # PostGraphile v4, run by the same Node.js
DEFAULT_DATABASE = "bench_compare"
# The per-token cost throttle is an abuse limit, not what is measured: out of the way.
UNTHROTTLED = {
    "MAX_QUERY_COST": "10000000",
    "COST_BUDGET": str(10**12),
    "COST_RESTORE_RATE": str(10**12),
}
SOAK_SECONDS = 300.0
RSS_EVERY = 10.0  # seconds between memory samples in a soak
SETTLE_LIMIT = 60.0  # seconds to wait for a server to finish what a run left it


# Set-up --------------------------------------------------------------------------------------


def plain_dsn(database: URL) -> str:
    """The URL that asyncpg and Node's pg understand: no SQLAlchemy driver suffix."""
    return render(database.set(drivername="postgresql"))


def install_peer() -> None:
    """`npm ci` in bench/peer/ unless its node_modules matches the lockfile already."""
    npm_ci(PEER, "PostGraphile, Node.js 22, autocannon", NODE)


def install_peer4() -> None:
    """`npm ci` in bench/peer4/ (PostGraphile v4) likewise."""
    npm_ci(PEER4, "PostGraphile v4", PEER4 / "node_modules" / "postgraphile" / "package.json")


def npm_ci(project: Path, what: str, needed: Path) -> None:
    """`npm ci` in `project` unless its node_modules matches the lockfile already and has
    `needed`: the lockfile says what is installed, and nothing is downloaded after this."""
    installed = project / "node_modules" / ".package-lock.json"
    lockfile = project / "package-lock.json"
    if (
        needed.exists()
        and installed.exists()
        and installed.stat().st_mtime >= lockfile.stat().st_mtime
    ):
        return
    npm = shutil.which("npm")
    where = project.relative_to(CHECKOUT)
    if npm is None:
        raise BenchmarkError(f"npm is needed to install {what} in {where}/")
    progress(f"npm ci in {where} ({what})")
    completed = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0 or not needed.exists():
        output = (completed.stdout + completed.stderr).strip()[-2000:]
        raise BenchmarkError(f"`npm ci` in {where} failed:\n{output}")


def node_version() -> str:
    completed = subprocess.run([str(NODE), "--version"], capture_output=True, text=True)
    return completed.stdout.strip()


def package_version(name: str, project: Path = PEER) -> str:
    manifest = project / "node_modules" / name / "package.json"
    return str(json.loads(manifest.read_text())["version"])


async def prepare_database(dsn: str) -> None:
    """The peer's SQL (names, the overlap view), then fresh planner statistics for everyone."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute((PEER / "peer.sql").read_text())
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


# Servers -------------------------------------------------------------------------------------


def graphql_answers(base: str) -> bool:
    response = httpx.post(f"{base}/graphql", json={"query": "{ __typename }"}, timeout=2.0)
    return response.status_code == 200


def serving_peer(
    dsn: str, log_path: Path, project: Path = PEER
) -> contextlib.AbstractContextManager[Served]:
    """PostGraphile (bench/peer/server.mjs, or v4's in bench/peer4/) on a free loopback port."""
    port = free_port()
    command = [str(NODE), "server.mjs", "--database-url", dsn, "--port", str(port)]
    env = {**os.environ, "NODE_ENV": "production"}
    return serving(command, port, env, log_path, ready=graphql_answers, cwd=project)


def serving_limit(
    recording: Path, dsn: str, log_path: Path
) -> contextlib.AbstractContextManager[Served]:
    """The limit (bench/limit.py) on a free loopback port, replaying `recording`."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "bench.limit",
        "--recording",
        str(recording),
        "--database-url",
        dsn,
        "--port",
        str(port),
    ]
    return serving(command, port, dict(os.environ), log_path, ready=healthz)


# Measuring -----------------------------------------------------------------------------------


@dataclass
class Measured:
    """One workload on one server (or the floor)."""

    rps: float = 0.0
    p50: float | None = None  # seconds
    p99: float | None = None
    requests: int = 0
    failed: int = 0  # requests of the measured run that failed
    writes: int = 0  # writes of the measured run answered, failures included
    writes_failed: int = 0
    failures: list[str] = field(default_factory=list)  # what failed, warm-up included
    cpu: float | None = None  # seconds of the server process's CPU time per successful request


@dataclass
class Sample:
    """One answer of one server, checked."""

    size: int = 0
    summary: str = ""
    fingerprint: str = ""
    problem: str | None = None
    content: bytes = b""  # the body as it came


# A global ID in an answer: a registration's is the new contribution's, never the same twice.
GLOBAL_ID = re.compile(rb'"id":"[A-Za-z0-9_-]*"')


def same_bytes(first: Sample, second: Sample) -> bool:
    """Whether two answers are the same bytes, but for the global IDs of new rows."""
    return GLOBAL_ID.sub(b'"id":""', first.content) == GLOBAL_ID.sub(b'"id":""', second.content)


def check(base: str, request: Json, digest: Callable[[Json], tuple[str, str]]) -> Sample:
    """Sends one request as the load generator would, and says what came back."""
    body = request["body"].replace("__SEQ__", f"sample-{uuid.uuid4().hex}")
    body = body.replace("__NOW__", datetime.now(UTC).isoformat())
    headers = {"content-type": "application/json", "accept": "application/json"}
    response = httpx.post(
        f"{base}/graphql", content=body, headers={**headers, **request["headers"]}, timeout=60
    )
    sample = Sample(size=len(response.content), content=response.content)
    try:
        answer = response.json()
        data = answer.get("data") or {}
        empty = not data or root(data) in (None, [], {})
    except (ValueError, AttributeError, StopIteration):
        answer, empty = {}, True
    if response.status_code != 200 or not isinstance(answer, dict) or answer.get("errors"):
        sample.problem = f"HTTP {response.status_code}: {response.text[:300]}"
    elif empty or '"userErrors":[{' in response.text.replace(" ", ""):
        sample.problem = f"empty or refused: {response.text[:300]}"
    else:
        try:
            sample.summary, sample.fingerprint = digest(answer["data"])
        except (KeyError, TypeError, IndexError) as error:
            sample.problem = f"unexpected shape ({error!r}): {response.text[:300]}"
        if sample.summary.startswith("0 "):
            sample.problem = f"empty: {sample.summary}"
    return sample


def load(
    base: str,
    requests: Sequence[Json],
    arguments: argparse.Namespace,
    seconds: float,
    process: Process | None = None,
) -> tuple[Json, list[tuple[float, float]]]:
    """One autocannon run against `base` (bench/peer/load.mjs); samples the server's memory
    meanwhile when given its process."""
    spec = {
        "url": f"{base}/graphql",
        "connections": arguments.connections,
        "duration": max(1, round(seconds)),
        "timeout": max(1, round(arguments.timeout)),
        "requests": list(requests),
    }
    memory: list[tuple[float, float]] = []
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="bench-load-") as file:
        json.dump(spec, file)
        file.flush()
        generator = subprocess.Popen(
            [str(NODE), "load.mjs", file.name],
            cwd=PEER,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started = time.monotonic()
        while generator.poll() is None:
            if process is not None and (rss := rss_mib(process.pid)) is not None:
                memory.append((time.monotonic() - started, rss))
            with contextlib.suppress(subprocess.TimeoutExpired):
                generator.wait(timeout=RSS_EVERY if process is not None else None)
        output, errors = generator.communicate()
    if generator.returncode != 0:
        raise BenchmarkError(
            f"the load generator exited with {generator.returncode}:\n{errors[-2000:]}"
        )
    return json.loads(output.strip().splitlines()[-1]), memory


def settle(process: Process, dsn: str | None) -> None:
    """Waits until the server process and PostgreSQL (at `dsn`; None on SQLite, whose work is
    the server's) are idle, for SETTLE_LIMIT seconds at most. The load generator drops the
    requests still in flight when a run ends, but the server goes on with them, and that work
    would be taken from the next run."""
    deadline = time.monotonic() + SETTLE_LIMIT
    last = cpu_seconds(process.pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(process.pid)
        if now is None or last is None:
            return
        if now - last < 0.05 and (dsn is None or asyncio.run(active_queries(dsn)) == 0):
            return
        last = now
    progress(f"the server was still busy after {SETTLE_LIMIT:g} s; going on")


async def active_queries(dsn: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        count = await connection.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'active' AND pid <> pg_backend_pid()"
        )
    finally:
        await connection.close()
    return int(count)


def failed(phase: str, result: Json, must_answer: bool = True) -> list[str]:
    """What went wrong in one run. A warm-up need not have answered: on a slow machine a peer's
    request can take longer than the whole warm-up, and the measured run still checks it."""
    if not result["successes"] and must_answer:
        # Requests still in flight when a run ends are dropped: none answered in time at all.
        return [f"({phase}) no request answered within {result['seconds']:g} s"]
    if not result["failures"]:
        return []
    count = f"({phase}) {result['failures']} of {result['successes'] + result['failures']} failed"
    return [count, *(f"({phase}) {sample}" for sample in result["failureSamples"])]


def drive(
    base: str,
    requests: Sequence[Json],
    arguments: argparse.Namespace,
    seconds: float,
    process: Process,
    dsn: str | None,
    sample_memory: bool = False,
) -> tuple[Measured, list[tuple[float, float]]]:
    """A warm-up (not measured, but its failures count), then the measured run, with the CPU
    time the server process spent on it. Each starts and ends on an idle server."""
    failures = []
    if arguments.warmup > 0:
        warmup, _ = load(base, requests, arguments, arguments.warmup)
        failures += failed("warm-up", warmup, must_answer=False)
        settle(process, dsn)
    before = cpu_seconds(process.pid)
    result, memory = load(base, requests, arguments, seconds, process if sample_memory else None)
    after = cpu_seconds(process.pid)
    settle(process, dsn)
    failures += failed("measured", result)
    measured = Measured(
        rps=result["rps"],
        p50=None if result["p50"] is None else result["p50"] / 1000,
        p99=None if result["p99"] is None else result["p99"] / 1000,
        requests=result["successes"] + result["failures"],
        failed=result["failures"],
        writes=result["writes"]["answered"],
        writes_failed=result["writes"]["failed"],
        failures=failures,
    )
    if before is not None and after is not None and result["successes"]:
        measured.cpu = (after - before) / result["successes"]
    return measured, memory


async def floor(
    dsn: str, statements: Sequence[Statement], arguments: argparse.Namespace
) -> Measured:
    """The same reads as raw SQL through asyncpg: `connections` clients, one connection each,
    statements in turn, rows fetched and decoded, no HTTP and no JSON."""
    run = uuid.uuid4().hex[:8]
    pool = await asyncpg.create_pool(
        dsn, min_size=arguments.connections, max_size=arguments.connections
    )
    try:
        if arguments.warmup > 0:
            await floor_phase(pool, statements, arguments, arguments.warmup, f"{run}w")
        return await floor_phase(pool, statements, arguments, arguments.duration, run)
    finally:
        await pool.close()


async def floor_phase(
    pool: asyncpg.Pool,
    statements: Sequence[Statement],
    arguments: argparse.Namespace,
    seconds: float,
    run: str,
) -> Measured:
    latencies: list[float] = []
    failures: list[str] = []
    turn = iter(range(10**9))
    started = time.perf_counter()
    deadline = started + seconds

    async def client() -> None:
        async with pool.acquire() as connection:
            while time.perf_counter() < deadline:
                number = next(turn)
                statement = statements[number % len(statements)]
                values = statement.arguments
                if statement.fresh:
                    values = (*values, f"floor-{run}-{number}")
                sent = time.perf_counter()
                try:
                    await connection.fetch(statement.sql, *values)
                except (asyncpg.PostgresError, OSError) as error:
                    failures.append(f"{type(error).__name__}: {error}")
                    continue
                latencies.append(time.perf_counter() - sent)

    await asyncio.gather(*(client() for _ in range(arguments.connections)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return Measured(
        rps=len(ordered) / elapsed,
        p50=percentile(ordered, 0.50),
        p99=percentile(ordered, 0.99),
        requests=len(ordered) + len(failures),
        failed=len(failures),
        failures=sorted(set(failures))[:5],
    )


# The report ----------------------------------------------------------------------------------

# Each server of the table, by the name the code gives its side, in the order they run.
LABELS = {
    "ours": "ours",
    "limit": "limit",
    "peer": "PostGraphile",
    "peer4": "PostGraphile v4",
    "sqlite": "SQLite",
}
# What --without leaves out, by the name it takes.
OPTIONAL = {"limit": "limit", "postgraphile": "peer", "postgraphile4": "peer4", "sqlite": "sqlite"}


@dataclass
class Row:
    workload: Workload
    measured: dict[str, Measured] = field(default_factory=dict)  # by side, as LABELS names them
    floor: Measured | None = None
    samples: dict[str, Sample] = field(default_factory=dict)

    def agreement(self, side: str) -> bool | None:
        """Whether a server's sample answer is ours (None: not both good). The limit must send
        the very bytes this API sent; the others, an answer with the same digest."""
        ours, other = self.samples.get("ours"), self.samples.get(side)
        if not ours or not other or ours.problem or other.problem:
            return None
        if side == "limit":
            return same_bytes(ours, other)
        return ours.fingerprint == other.fingerprint


def rate(measured: Measured | None) -> str:
    if measured is None:
        return "-"
    return f"{measured.rps:.1f}" + (f" ({measured.failed} failed)" if measured.failed else "")


def ratio(ours: float | None, peer: float | None) -> float | None:
    if ours is None or peer is None or peer == 0:
        return None
    return ours / peer


def verdict(value: float | None, target: float | None, higher_is_better: bool) -> str:
    if value is None:
        return "-"
    if target is None:
        return f"{value:.2f}x"
    met = value >= target if higher_is_better else value <= target
    sign = ">=" if higher_is_better else "<="
    return f"{value:.2f}x ({sign} {target:g}x: {'yes' if met else 'no'})"


def cpu(measured: Measured | None) -> str:
    return "-" if measured is None or measured.cpu is None else f"{measured.cpu * 1000:.1f}"


def latency(measured: Measured | None, share: str) -> str:
    return "-" if measured is None else milliseconds(getattr(measured, share))


def over(ours: Measured | None, other: Measured | None, figure: str) -> float | None:
    """Ours over another server's figure (rps or p99)."""
    return ratio(getattr(ours, figure) if ours else None, getattr(other, figure) if other else None)


def report(rows: Sequence[Row]) -> str:
    """One row a workload. The columns of the first comparison (ours, PostGraphile v5, the
    floor) keep their names and order; the limit's, v4's and SQLite's sit beside them."""
    headers = (
        "workload",
        "ours rps",
        "PostGraphile rps",
        "rps ours / PG",
        "limit rps",
        "rps ours / limit",
        "PG v4 rps",
        "rps ours / PG v4",
        "SQLite rps",
        "ours p50 ms",
        "PG p50 ms",
        "limit p50 ms",
        "PG v4 p50 ms",
        "SQLite p50 ms",
        "ours p99 ms",
        "PG p99 ms",
        "p99 ours / PG",
        "limit p99 ms",
        "PG v4 p99 ms",
        "p99 ours / PG v4",
        "SQLite p99 ms",
        "ours CPU ms/req",
        "PG CPU ms/req",
        "limit CPU ms/req",
        "PG v4 CPU ms/req",
        "SQLite CPU ms/req",
        "floor rps",
        "floor p50 ms",
        "floor p99 ms",
    )
    lines = []
    for row in rows:
        ours, peer, peer4, limit, sqlite = (
            row.measured.get(side) for side in ("ours", "peer", "peer4", "limit", "sqlite")
        )

        target = row.workload
        lines.append(
            (
                target.key,
                rate(ours),
                rate(peer),
                verdict(over(ours, peer, "rps"), target.rps_target, higher_is_better=True),
                rate(limit),
                verdict(over(ours, limit, "rps"), target.limit_target, higher_is_better=True),
                rate(peer4),
                verdict(over(ours, peer4, "rps"), None, higher_is_better=True),
                rate(sqlite),
                latency(ours, "p50"),
                latency(peer, "p50"),
                latency(limit, "p50"),
                latency(peer4, "p50"),
                latency(sqlite, "p50"),
                latency(ours, "p99"),
                latency(peer, "p99"),
                verdict(over(ours, peer, "p99"), 1.0, higher_is_better=False),
                latency(limit, "p99"),
                latency(peer4, "p99"),
                verdict(over(ours, peer4, "p99"), 1.0, higher_is_better=False),
                latency(sqlite, "p99"),
                cpu(ours),
                cpu(peer),
                cpu(limit),
                cpu(peer4),
                cpu(sqlite),
                rate(row.floor),
                latency(row.floor, "p50"),
                latency(row.floor, "p99"),
            )
        )
    return table(headers, lines)


def answers(rows: Sequence[Row]) -> list[str]:
    """One line a workload: each server's sample answer, its size, and whether it is ours."""
    lines = []
    for row in rows:
        ours = row.samples.get("ours")
        parts = []
        for side, label in LABELS.items():
            sample = row.samples.get(side)
            if sample is not None and sample.problem is None:
                parts.append(f"{label} {sample.size:,} bytes")
        same, different = [], []
        for side, label in LABELS.items():
            agree = row.agreement(side) if side != "ours" else None
            if agree is True:
                same.append(label)
            elif agree is False:
                different.append(f"{label} ({row.samples[side].summary})")
        verdicts = []
        if same:
            verdicts.append("the same answer as ours: " + ", ".join(same))
            if "limit" in same:
                verdicts[-1] += " (the limit: the same bytes)"
        if different:
            verdicts.append("DIFFERENT from ours: " + ", ".join(different))
        workload = row.workload
        summary = ours.summary if ours is not None and ours.problem is None else "no good answer"
        lines.append(
            f"- {workload.key}, {workload.name}: {summary}; "
            + ", ".join(parts)
            + "".join(f"; {verdict}" for verdict in verdicts)
        )
    return lines


def memory_line(label: str, memory: Sequence[float]) -> str:
    if not memory:
        return f"- {label} RSS: not sampled"
    return (
        f"- {label} RSS: {memory[0]:.0f} MiB before the load, {memory[-1]:.0f} MiB at the end, "
        f"{max(memory):.0f} MiB at most"
    )


# Running -------------------------------------------------------------------------------------


@dataclass
class Run:
    arguments: argparse.Namespace
    dsn: str
    env: dict[str, str]
    scratch: Path
    chosen: tuple[Workload, ...]
    problems: list[str] = field(default_factory=list)
    memory: dict[str, list[float]] = field(default_factory=dict)  # RSS MiB, between workloads
    # The machine's load average (1 min) as each part began: the cores are shared with others.
    loads: dict[str, float] = field(default_factory=dict)
    recording: Recording | None = None  # what the limit replays
    sqlite: list[str] = field(default_factory=list)  # facts about the SQLite server


def measure_workload(
    served: Served,
    label: str,
    workload: Workload,
    requests: Sequence[Json],
    arguments: argparse.Namespace,
    dsn: str | None,
    problems: list[str],
) -> tuple[Sample, Measured]:
    """One workload against one server: a checked sample, then warm-up and load. What went
    wrong is added to `problems`."""
    base, process = served
    sample_request = requests[-1] if workload.key == "mixed" else requests[0]
    sample = check(base, sample_request, workload.digest)
    if sample.problem:
        problems.append(f"{workload.key} on {label}: {sample.problem}")
    progress(f"{label}: {workload.key}, {arguments.warmup:g} s warm-up + {arguments.duration:g} s")
    measured, _ = drive(base, requests, arguments, arguments.duration, process, dsn)
    problems += [f"{workload.key} on {label}: {f}" for f in measured.failures]
    return sample, measured


def requests_of(side: str, workload: Workload) -> tuple[Json, ...]:
    """What a server is sent: the limit gets this API's requests, as recorded."""
    requests: tuple[Json, ...] = getattr(workload, "ours" if side == "limit" else side)
    return requests


def measure_server(
    run: Run, side: str, rows: Sequence[Row], server: contextlib.AbstractContextManager[Served]
) -> None:
    """Every chosen workload against one server."""
    label = LABELS[side]
    run.loads[label] = os.getloadavg()[0]
    with server as (base, process):
        memory = run.memory.setdefault(label, [])
        if (rss := rss_mib(process.pid)) is not None:
            memory.append(rss)
        for row in rows:
            requests = requests_of(side, row.workload)
            row.samples[side], row.measured[side] = measure_workload(
                (base, process), label, row.workload, requests, run.arguments, run.dsn, run.problems
            )
            if process.poll() is not None:
                run.problems.append(f"{label} exited with {process.returncode} during the run")
                break
            if (rss := rss_mib(process.pid)) is not None:
                memory.append(rss)


def measure_sqlite(run: Run, rows: Sequence[Row]) -> None:
    """This API on its embedded default, as `make bench-sqlite` serves it with compiled reads
    on: its own SQLite file, seeded at scale 1 by the project's commands, in the scratch
    directory."""
    # bench/sqlite.py builds on this module: it is loaded only once this one is.
    from bench import sqlite

    progress("SQLite: a fresh file, seeded at scale 1")
    subject = sqlite.prepare("sqlite", HERE, run.scratch, [w.key for w in run.chosen])
    server = sqlite.Server(subject, "on")
    run.problems += sqlite.measure(server, run.arguments, run.scratch)
    run.loads[LABELS["sqlite"]] = server.load
    run.memory[LABELS["sqlite"]] = server.memory
    for row in rows:
        if (measured := server.results.get(row.workload.key)) is not None:
            row.measured["sqlite"] = measured
        if (sample := server.samples.get(row.workload.key)) is not None:
            row.samples["sqlite"] = sample
    counts = subject.counts
    run.sqlite = [
        f"- SQLite: this API (python -m api serve --workers 1, the same settings, compiled reads "
        f"on as by default) over its own file, seeded by the project's commands: "
        f"{subject.seeded}; {counts['contributions']:,} contributions, "
        f"{counts['objectives']:,} objectives; {subject.versions}",
    ]


def record_for_limit(run: Run, path: Path) -> None:
    """What the limit replays, recorded from this API in process before any server runs."""
    progress("recording, in process, what this API sends PostgreSQL and answers for each request")
    try:
        run.recording = asyncio.run(record(run.env, run.chosen))
    except BenchmarkError as problem:
        run.problems.append(f"the limit: {problem}")
        return
    run.recording.save(path)


def compare(run: Run) -> list[Row]:
    rows = [Row(workload) for workload in run.chosen]
    without = {OPTIONAL[name] for name in run.arguments.without or ()}
    recording = run.scratch / "limit.recording"
    if "limit" not in without:
        record_for_limit(run, recording)
    progress("starting python -m api serve")
    measure_server(run, "ours", rows, serving_api(run.env, run.scratch / "api.log"))
    if run.recording is not None:
        progress("starting the limit (bench/limit.py)")
        server = serving_limit(recording, run.dsn, run.scratch / "limit.log")
        measure_server(run, "limit", rows, server)
    if "peer" not in without:
        progress("starting PostGraphile")
        measure_server(run, "peer", rows, serving_peer(run.dsn, run.scratch / "peer.log"))
    if "peer4" not in without:
        progress("starting PostGraphile v4")
        server = serving_peer(run.dsn, run.scratch / "peer4.log", PEER4)
        measure_server(run, "peer4", rows, server)
    if "sqlite" not in without:
        measure_sqlite(run, rows)
    for row in rows:
        ours = row.samples.get("ours")
        for side, label in LABELS.items():
            if side != "ours" and ours is not None and row.agreement(side) is False:
                what = "bytes" if side == "limit" else f"answers ({row.samples[side].summary})"
                run.problems.append(
                    f"{row.workload.key}: {label}'s {what} differ from ours ({ours.summary})"
                )
    run.loads["floor"] = os.getloadavg()[0]
    for row in rows:
        progress(f"floor: {row.workload.key}")
        row.floor = asyncio.run(floor(run.dsn, row.workload.floor, run.arguments))
        run.problems += [f"{row.workload.key} on the floor: {f}" for f in row.floor.failures]
    return rows


def soak(run: Run, seconds: float) -> tuple[Measured, float | None, list[tuple[float, float]]]:
    """The mixed workload on this API alone: its memory before any load, then sampled
    through the measured run (which starts after the warm-up) and at its end."""
    mixed = next(w for w in run.chosen if w.key == "mixed")
    progress(f"soak: python -m api serve, mixed workload for {seconds:g} s")
    with serving_api(run.env, run.scratch / "api.log") as (base, process):
        idle = rss_mib(process.pid)
        measured, memory = drive(base, mixed.ours, run.arguments, seconds, process, run.dsn, True)
        if (after := rss_mib(process.pid)) is not None:
            memory.append((seconds, after))
    run.problems += [f"soak: {f}" for f in measured.failures]
    return measured, idle, memory


def recorded(run: Run) -> str:
    """What the limit sends for a request of each workload, as this API sent it."""
    if run.recording is None:
        return "- the limit: not run"
    scripts = run.recording.scripts
    counts = []
    for workload in run.chosen:
        requests = [r for r in workload.ours if workload.key != "mixed" or r.get("kind")]
        sizes = sorted({len(scripts[r["body"].encode()].steps) for r in requests})
        span = str(sizes[0]) if sizes[0] == sizes[-1] else f"{sizes[0]}-{sizes[-1]}"
        counts.append(f"{'the write' if workload.key == 'mixed' else workload.key} {span}")
    token = (
        "the token statement with every request"
        if run.recording.token_each_request
        else "the token statement only for a token not verified yet, as this API"
    )
    return (
        "- the limit: python -m bench.limit under uvicorn as ours (--workers 1, its default "
        "loop and HTTP), asyncpg, 10 connections; statements per request, as this API sent "
        f"them in process (transaction control included): {', '.join(counts)}; {token}"
    )


def facts(run: Run, seeded: str, postgres: str, counts: dict[str, int]) -> list[str]:
    arguments = run.arguments
    without = {OPTIONAL[name] for name in arguments.without or ()}
    lines = [
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- commit: {git_commit()}",
        f"- seed --scale {SCALE}: {seeded}; {counts['contributions']:,} contributions, "
        f"{counts['objectives']:,} objectives",
        f"- load: autocannon {package_version('autocannon')}, {arguments.connections} "
        f"connections, {arguments.warmup:g} s warm-up + {arguments.duration:g} s per workload; "
        "the floor: asyncpg, as many connections, the same timing",
        "- ours: python -m api serve --workers 1, ENVIRONMENT=production, cost throttle raised "
        f"out of the way; reads as {READER[0]} ({READER[1]}), writes as {WRITER[0]} "
        f"({WRITER[1]}); Python {platform.python_version()}",
        recorded(run),
    ]
    if "peer" not in without:
        lines.append(
            f"- PostGraphile {package_version('postgraphile')} (amber preset, "
            f"NODE_ENV=production, pool of 10, no auth) on Node.js {node_version()}"
        )
    if "peer4" not in without:
        lines.append(
            f"- PostGraphile v4 {package_version('postgraphile', PEER4)} (its defaults but "
            "legacyRelations omit, NODE_ENV=production, pool of 10, no auth) on Node.js "
            f"{node_version()}"
        )
    lines += run.sqlite
    lines += [
        f"- PostgreSQL {postgres}; machine: {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs shared by the load generator, the server and PostgreSQL",
        "- load average (1 min) as each began: "
        + ", ".join(f"{label} {value:.2f}" for label, value in run.loads.items())
        + f"; at the end {os.getloadavg()[0]:.2f}",
    ]
    return lines


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.compare",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common_options(parser, DEFAULT_DATABASE)
    parser.add_argument(
        "--only",
        choices=("nested", "list", "overlaps", "mixed"),
        action="append",
        help="run this workload only (may be given more than once)",
    )
    parser.add_argument(
        "--without",
        choices=tuple(OPTIONAL),
        action="append",
        help="leave this server out (may be given more than once): its columns show -",
    )
    parser.add_argument(
        "--soak",
        type=float,
        nargs="?",
        const=SOAK_SECONDS,
        metavar="SECONDS",
        help=f"instead: the mixed workload on this API alone for SECONDS "
        f"({SOAK_SECONDS:g} when none given), its memory sampled every {RSS_EVERY:g} s",
    )
    arguments = parser.parse_args(argv)
    check_common_options(parser, arguments)
    if arguments.soak is not None and arguments.soak <= 0:
        parser.error("--soak must be positive")
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse(argv)
    try:
        install_peer()
        if "postgraphile4" not in (arguments.without or ()) and arguments.soak is None:
            install_peer4()
        fresh = fresh_database(arguments.database_url, arguments.database_name)
    except BenchmarkError as problem:
        print(f"bench: {problem}", file=sys.stderr)
        return 2
    database, postgres = fresh.database, fresh.version
    dsn = plain_dsn(database)
    problems: list[str] = []
    try:
        env = environment(database, **UNTHROTTLED)
        seeded = seed(env)
        reader = issue_token(env, *READER)
        writer = issue_token(env, *WRITER)
        progress("peer.sql (names, the overlap view), VACUUM ANALYZE")
        asyncio.run(prepare_database(dsn))
        counts = asyncio.run(row_counts(database))
        fixture = asyncio.run(find_fixture(database, reader, writer))
        every = workloads(fixture, datetime.now(UTC).date())
        chosen = tuple(w for w in every if not arguments.only or w.key in arguments.only)
        if arguments.soak is not None:
            chosen = tuple(w for w in every if w.key == "mixed")
        with tempfile.TemporaryDirectory(prefix="bench-compare-") as scratch:
            run = Run(arguments, dsn, env, Path(scratch), chosen, problems)
            if arguments.soak is not None:
                print(soak_report(*soak(run, arguments.soak), arguments))
            else:
                rows = compare(run)
                print(report(rows))
                print()
                print("\n".join(facts(run, seeded, postgres, counts)))
                print("\n".join(answers(rows)))
                for label, rss in run.memory.items():
                    print(memory_line(label, rss))
            show_logs(Path(scratch))
    except BenchmarkError as problem:
        print(f"bench: {problem}", file=sys.stderr)
        return 2
    finally:
        release_database(fresh, arguments.keep)
    return exit_code(problems)


def soak_report(
    measured: Measured,
    idle: float | None,
    memory: Sequence[tuple[float, float]],
    arguments: argparse.Namespace,
) -> str:
    """The load's figures, then the memory over time: flat after the warm-up is what we want."""
    headers = ("seconds into the measured run", "RSS MiB")
    rows = [(f"{at:.0f}", f"{rss:.1f}") for at, rss in memory]
    lines = [
        f"soak: mixed workload on this API for {arguments.soak:g} s after "
        f"{arguments.warmup:g} s warm-up, {arguments.connections} connections: "
        f"{measured.rps:.1f} rps, p50 {milliseconds(measured.p50)} ms, "
        f"p99 {milliseconds(measured.p99)} ms, {measured.requests} requests",
        "",
        table(headers, rows),
        "",
    ]
    if memory:
        values = [rss for _, rss in memory]
        lines.append(
            f"- RSS: {idle or 0:.0f} MiB before any load, {values[0]:.0f} MiB after the warm-up, "
            f"{values[-1]:.0f} MiB at the end, {max(values):.0f} MiB at most"
        )
    lines.append(
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}, commit: {git_commit()}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    # As bench.compare, not __main__: bench/sqlite.py, which this runs, imports that module.
    import importlib

    sys.exit(importlib.import_module("bench.compare").main())
