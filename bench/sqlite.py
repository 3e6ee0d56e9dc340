"""This API on its embedded SQLite database, compiled reads on and off side by side; with
`--against PATH`, another checkout of the project measured the same way in the same run.

    .venv/bin/python -m bench.sqlite [--duration SECONDS] [--warmup SECONDS] [--only WORKLOAD]
                                     [--against PATH [--against-python PYTHON]]

For each checkout it seeds a fresh SQLite file with that checkout's own commands (migrate, seed
--scale 1, token issue), gives each server a copy of it, serves the copy with `python -m api
serve` (one worker, production settings, as `make bench`) with COMPILED_READS on, then off,
drives each with the workloads of bench/compare.py through autocannon, and prints one table:
requests per second, p50 and p99 latency and CPU time per request of each server, and the ratios
on / off (and now / before). Any failed request or differing answer makes the exit code
non-zero; the writes that failed are counted apart. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL

from bench.common import (
    HERE,
    SCALE,
    BenchmarkError,
    Checkout,
    add_load_options,
    check_load_options,
    environment,
    exit_code,
    git_commit,
    issue_token,
    milliseconds,
    progress,
    row_counts,
    rss_mib,
    seed,
    serving_api,
    show_logs,
    table,
    where,
)
from bench.compare import (
    UNTHROTTLED,
    Measured,
    Sample,
    install_peer,
    measure_workload,
    memory_line,
    package_version,
)
from bench.workloads import READER, WRITER, Workload, find_fixture, workloads
from store.database import copy_sqlite

WORKLOADS = ("nested", "list", "overlaps", "mixed")
SWITCHES = ("on", "off")  # COMPILED_READS of each checkout's servers, in the order they run


@dataclass(frozen=True)
class Subject:
    """One checkout, its own freshly seeded database and the workloads over it."""

    name: str  # "" for this checkout, its commit for another
    checkout: Checkout
    pristine: Path  # the seeded file, never served: each server gets a copy
    seeded: str
    counts: dict[str, int]
    chosen: tuple[Workload, ...]
    commit: str
    versions: str  # Python and SQLite of the checkout's interpreter


@dataclass
class Server:
    """One checkout served with compiled reads on or off, and what it did."""

    subject: Subject
    switch: str
    results: dict[str, Measured] = field(default_factory=dict)
    samples: dict[str, Sample] = field(default_factory=dict)
    memory: list[float] = field(default_factory=list)  # RSS MiB, before and between workloads
    load: float = 0.0  # the machine's load average (1 min) as it began

    @property
    def label(self) -> str:
        return f"{self.subject.name} {self.switch}".strip()


# Set-up --------------------------------------------------------------------------------------


def sqlite_url(path: Path) -> URL:
    return URL.create("sqlite+aiosqlite", database=str(path))


def interpreter(python: str) -> str:
    """The versions of Python and of its SQLite library, which the server runs on."""
    completed = subprocess.run(
        [
            python,
            "-c",
            "import platform, sqlite3; print(platform.python_version(), sqlite3.sqlite_version)",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchmarkError(f"{python} cannot run: {completed.stderr.strip()[-500:]}")
    python_version, sqlite_version = completed.stdout.split()
    return f"Python {python_version}, SQLite {sqlite_version}"


def prepare(name: str, checkout: Checkout, scratch: Path, only: Sequence[str] | None) -> Subject:
    """A fresh SQLite file seeded at scale 1 by the checkout's own commands, its tokens and the
    workloads over it."""
    versions = interpreter(checkout.python)
    pristine = scratch / f"{name or 'this'}-seeded.sqlite3"
    database = sqlite_url(pristine)
    env = environment(database, **UNTHROTTLED)
    seeded = seed(env, checkout)
    reader = issue_token(env, *READER, checkout)
    writer = issue_token(env, *WRITER, checkout)
    counts = asyncio.run(row_counts(database))
    fixture = asyncio.run(find_fixture(database, reader, writer))
    every = workloads(fixture, datetime.now(UTC).date())
    chosen = tuple(w for w in every if not only or w.key in only)
    commit = git_commit(checkout.path)
    return Subject(name, checkout, pristine, seeded, counts, chosen, commit, versions)


# Measuring -----------------------------------------------------------------------------------


def measure(server: Server, arguments: argparse.Namespace, scratch: Path) -> list[str]:
    """Every chosen workload against one server, on its own copy of its checkout's database;
    returns what went wrong."""
    subject = server.subject
    problems: list[str] = []
    copy = scratch / f"{subject.name or 'this'}-{server.switch}.sqlite3"
    copy_sqlite(subject.pristine, copy)
    # DIRECT_READS is the setting's earlier name: a checkout from before the rename reads only it.
    env = environment(
        sqlite_url(copy),
        **UNTHROTTLED,
        COMPILED_READS=server.switch,
        DIRECT_READS=server.switch,
    )
    progress(
        f"starting python -m api serve, COMPILED_READS={server.switch}{where(subject.checkout)}"
    )
    server.load = os.getloadavg()[0]
    log = scratch / f"{server.label.replace(' ', '-')}.log"
    with serving_api(env, log, subject.checkout) as served:
        process = served[1]
        if (rss := rss_mib(process.pid)) is not None:
            server.memory.append(rss)
        for workload in subject.chosen:
            server.samples[workload.key], server.results[workload.key] = measure_workload(
                served, server.label, workload, workload.ours, arguments, None, problems
            )
            if process.poll() is not None:
                problems.append(f"{server.label} exited with {process.returncode} during the run")
                break
            if (rss := rss_mib(process.pid)) is not None:
                server.memory.append(rss)
    return problems


def disagreements(servers: Sequence[Server], key: str) -> str | None:
    """None when every server that answered the workload's sample gave the same answer."""
    answers = {
        server.label: sample
        for server in servers
        if (sample := server.samples.get(key)) is not None and sample.problem is None
    }
    if len({sample.fingerprint for sample in answers.values()}) <= 1:
        return None
    return "; ".join(f"{label}: {sample.summary}" for label, sample in answers.items())


# The report ----------------------------------------------------------------------------------


def rate(measured: Measured | None) -> str:
    if measured is None:
        return "-"
    cell = f"{measured.rps:.1f}"
    if measured.failed:
        writes = (
            f", {measured.writes_failed} of {measured.writes} writes"
            if measured.writes_failed
            else ""
        )
        cell += f" ({measured.failed} failed{writes})"
    return cell


def cpu(measured: Measured | None) -> str:
    return "-" if measured is None or measured.cpu is None else f"{measured.cpu * 1000:.1f}"


def latency(measured: Measured | None, share: str) -> str:
    return "-" if measured is None else milliseconds(getattr(measured, share))


def ratios(first: Measured | None, second: Measured | None) -> str:
    """Throughput and CPU time per request of the first over the second."""
    if first is None or second is None:
        return "-"
    parts = []
    if second.rps:
        parts.append(f"{first.rps / second.rps:.2f}x rps")
    if first.cpu is not None and second.cpu:
        parts.append(f"{first.cpu / second.cpu:.2f}x CPU")
    return ", ".join(parts) or "-"


def report(servers: Sequence[Server], keys: Sequence[str]) -> str:
    """One row a workload: each server's figures, then on / off for each checkout, then this
    checkout / the other for each setting."""
    pairs = []
    by_subject: dict[str, list[Server]] = {}
    for server in servers:
        by_subject.setdefault(server.subject.name, []).append(server)
    for name, (on, off) in by_subject.items():
        pairs.append((f"{name} on / off".strip(), on, off))
    if len(by_subject) == 2:
        (now_on, now_off), (then_on, then_off) = by_subject.values()
        other = then_on.subject.name
        pairs.append((f"on / {other} on", now_on, then_on))
        pairs.append((f"off / {other} off", now_off, then_off))
    headers = [
        "workload",
        *(
            f"{server.label} {figure}"
            for server in servers
            for figure in ("rps", "p50 ms", "p99 ms", "CPU ms/req")
        ),
        *(title for title, _, _ in pairs),
    ]
    rows = []
    for key in keys:
        row = [key]
        for server in servers:
            measured = server.results.get(key)
            row += [rate(measured), latency(measured, "p50"), latency(measured, "p99")]
            row.append(cpu(measured))
        row += [
            ratios(first.results.get(key), second.results.get(key)) for _, first, second in pairs
        ]
        rows.append(row)
    return table(headers, rows)


def facts(
    servers: Sequence[Server], subjects: Sequence[Subject], arguments: argparse.Namespace
) -> list[str]:
    lines = [f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}"]
    for subject in subjects:
        checkout = subject.checkout
        whose = "this checkout" if checkout == HERE else f"against {checkout.path}"
        lines.append(
            f"- {whose}: commit {subject.commit}; {checkout.python} ({subject.versions}); "
            f"seed --scale {SCALE}: {subject.seeded}; "
            f"{subject.counts['contributions']:,} contributions, "
            f"{subject.counts['objectives']:,} objectives"
        )
    lines += [
        f"- load: autocannon {package_version('autocannon')}, {arguments.connections} "
        f"connections, {arguments.warmup:g} s warm-up + {arguments.duration:g} s per workload",
        "- each server: python -m api serve --workers 1, ENVIRONMENT=production, cost throttle "
        "raised out of the way, COMPILED_READS (and its earlier name DIRECT_READS) on or off, "
        "over its own copy of its checkout's freshly seeded SQLite file; reads as "
        f"{READER[0]} ({READER[1]}), writes as {WRITER[0]} ({WRITER[1]})",
        f"- machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs shared by "
        "the load generator and the server (SQLite works inside the server process)",
        "- load average (1 min) as each server began: "
        + ", ".join(f"{server.label} {server.load:.2f}" for server in servers)
        + f"; at the end {os.getloadavg()[0]:.2f}",
    ]
    if any(key == "mixed" for server in servers for key in server.results):
        lines.append(
            "- writes of the mixed workload's measured runs: "
            + "; ".join(
                f"{server.label} {mixed.writes_failed} of {mixed.writes} failed"
                for server in servers
                if (mixed := server.results.get("mixed")) is not None
            )
        )
    for workload in servers[0].subject.chosen:
        sizes = ", ".join(
            f"{server.label} {sample.size:,} bytes"
            for server in servers
            if (sample := server.samples.get(workload.key)) is not None and sample.problem is None
        )
        summary = next(
            (
                sample.summary
                for server in servers
                if (sample := server.samples.get(workload.key)) and sample.problem is None
            ),
            "no good answer",
        )
        differ = disagreements(servers, workload.key)
        same = (
            "the same answer on every server" if differ is None else f"DIFFERENT answers: {differ}"
        )
        lines.append(f"- {workload.key}, {workload.name}: {summary}; {sizes}; {same}")
    lines += [memory_line(server.label, server.memory) for server in servers]
    return lines


# Running -------------------------------------------------------------------------------------


def against(path: str, python: str | None) -> Checkout:
    checkout = Path(path).resolve()
    if not (checkout / "api" / "__main__.py").is_file():
        raise BenchmarkError(f"--against {path}: not a checkout of this project")
    if python is None:
        own = checkout / ".venv" / "bin" / "python"
        python = str(own) if own.exists() else sys.executable
    return Checkout(checkout, python)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sqlite",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_load_options(parser)
    parser.add_argument(
        "--only",
        choices=WORKLOADS,
        action="append",
        help="run this workload only (may be given more than once)",
    )
    parser.add_argument(
        "--against",
        metavar="PATH",
        help="another checkout of the project (a git worktree at another commit), served the "
        "same way in the same run, for before and after side by side",
    )
    parser.add_argument(
        "--against-python",
        metavar="PYTHON",
        help="the Python that runs the other checkout's commands (its .venv/bin/python if it "
        "has one, else this one)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases and server logs afterwards"
    )
    arguments = parser.parse_args(argv)
    check_load_options(parser, arguments)
    if arguments.against_python and not arguments.against:
        parser.error("--against-python needs --against")
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse(argv)
    scratch = Path(tempfile.mkdtemp(prefix="bench-sqlite-"))
    problems: list[str] = []
    try:
        install_peer()
        checkouts = [("", HERE)]
        if arguments.against:
            other = against(arguments.against, arguments.against_python)
            commit = git_commit(other.path).split()[0]
            checkouts.append((other.path.name if commit == "unknown" else commit, other))
        subjects = [
            prepare(name, checkout, scratch, arguments.only) for name, checkout in checkouts
        ]
        servers = [Server(subject, switch) for subject in subjects for switch in SWITCHES]
        for server in servers:
            problems += measure(server, arguments, scratch)
        keys = [workload.key for workload in subjects[0].chosen]
        for key in keys:
            if (differ := disagreements(servers, key)) is not None:
                problems.append(f"{key}: the servers' answers differ ({differ})")
        print(report(servers, keys))
        print()
        print("\n".join(facts(servers, subjects, arguments)))
        show_logs(scratch)
    except BenchmarkError as problem:
        print(f"bench: {problem}", file=sys.stderr)
        return 2
    finally:
        if arguments.keep:
            progress(f"kept the databases and logs in {scratch}")
        else:
            shutil.rmtree(scratch)
    return exit_code(problems)


if __name__ == "__main__":
    sys.exit(main())
