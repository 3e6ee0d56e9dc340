"""What the benchmarks share: a fresh PostgreSQL database, the project's own commands (of this
checkout or another), a server process on a free loopback port, percentiles and a Markdown
table."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

CHECKOUT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/"
SCALE = "1"
# Every partner with a plan in the reference data.
PARTNERS_WITH_PLANS = ("GE", "AZ", "AM", "KZ", "MD", "BA", "ME", "RS", "NZ", "MN", "KR", "AU", "JP")
STARTUP_TIMEOUT = 60.0  # seconds for a server to answer its first probe
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")

Process = subprocess.Popen[bytes]
Served = tuple[str, Process]  # a server's base URL and its process


class BenchmarkError(Exception):
    """A step of the set-up failed: the benchmark cannot run."""


@dataclass(frozen=True)
class Checkout:
    """A checkout of the project and the Python that runs its commands: this one, or another
    (an older commit in a git worktree) to be measured beside it."""

    path: Path = CHECKOUT
    python: str = sys.executable


HERE = Checkout()


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


@dataclass(frozen=True)
class Fresh:
    """The benchmark's own database, new, on a server the benchmark may create databases on."""

    server: URL
    database: URL
    name: str
    # The server's version, for the report.
    version: str


def fresh_database(raw_server_url: str, name: str) -> Fresh:
    """Drops and creates database `name` on the server; raises BenchmarkError if it cannot."""
    server = server_url(raw_server_url)
    progress(f"recreating database {name} on {server.host}:{server.port or 5432}")
    try:
        version = asyncio.run(recreate_database(server, name))
    except Exception as problem:
        raise BenchmarkError(f"cannot recreate database {name}: {problem!r}") from problem
    return Fresh(server, server.set(database=name), name, version)


def release_database(fresh: Fresh, keep: bool) -> None:
    """Drops the benchmark's database, or says where it is when asked to keep it."""
    if keep:
        progress(
            f"kept database {fresh.name}: {fresh.database.render_as_string(hide_password=True)}"
        )
    else:
        progress(f"dropping database {fresh.name}")
        asyncio.run(drop_database(fresh.server, fresh.name))


def exit_code(problems: Sequence[str]) -> int:
    """0 when every request was answered well; 1, with the failures listed, otherwise."""
    if not problems:
        return 0
    print("\nFAILURES:", file=sys.stderr)
    for failure in problems:
        print(f"- {failure}", file=sys.stderr)
    return 1


async def row_counts(database: URL) -> dict[str, int]:
    engine = create_async_engine(render(database))
    try:
        async with engine.connect() as connection:
            contributions = await connection.scalar(text("SELECT count(*) FROM contribution"))
            objectives = await connection.scalar(text("SELECT count(*) FROM objective"))
    finally:
        await engine.dispose()
    return {"contributions": int(contributions or 0), "objectives": int(objectives or 0)}


def run_command(arguments: Sequence[str], env: dict[str, str], checkout: Checkout = HERE) -> str:
    """Runs `python -m api <arguments>` in the checkout; returns its standard output."""
    command = [checkout.python, "-m", "api", *arguments]
    completed = subprocess.run(
        command, cwd=checkout.path, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip()[-2000:]
        raise BenchmarkError(
            f"`python -m api {' '.join(arguments)}` exited with {completed.returncode}:\n{output}"
        )
    return completed.stdout


def seed(env: dict[str, str], checkout: Checkout = HERE) -> str:
    """`migrate`, then `seed --scale 1`, timed: how long it took, as a fact for the report."""
    progress(f"python -m api migrate{where(checkout)}")
    run_command(["migrate"], env, checkout)
    progress(f"python -m api seed --scale {SCALE}{where(checkout)}")
    started = time.perf_counter()
    output = run_command(["seed", "--scale", SCALE], env, checkout)
    seconds = time.perf_counter() - started
    reported = re.search(r"seeded in ([0-9.]+) s", output)
    return f"{seconds:.1f} s wall clock" + (
        f" (the command reports {reported.group(1)} s)" if reported else ""
    )


def issue_token(env: dict[str, str], participant: str, role: str, checkout: Checkout = HERE) -> str:
    progress(
        f"python -m api token issue --participant {participant} --role {role}{where(checkout)}"
    )
    output = run_command(
        ["token", "issue", "--participant", participant, "--role", role], env, checkout
    )
    return output.strip().splitlines()[-1].strip()


def where(checkout: Checkout) -> str:
    """Nothing for this checkout; ` in PATH` for another, in progress messages."""
    return "" if checkout == HERE else f" in {checkout.path}"


def git_commit(path: Path = CHECKOUT) -> str:
    def git(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *arguments], cwd=path, capture_output=True, text=True, check=False
        )

    commit = git("rev-parse", "--short", "HEAD")
    if commit.returncode != 0:
        return "unknown"
    modified = git("diff", "--quiet", "HEAD").returncode != 0
    return commit.stdout.strip() + (" (with uncommitted changes)" if modified else "")


# Servers -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def healthz(base: str) -> bool:
    return httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200


@contextlib.contextmanager
def serving(
    command: Sequence[str],
    port: int,
    env: dict[str, str],
    log_path: Path,
    ready: Callable[[str], bool] = healthz,
    cwd: Path = CHECKOUT,
) -> Iterator[Served]:
    """Runs `command` (a server listening on 127.0.0.1:`port`) until the block ends, once
    `ready(base)` says it answers; yields its base URL and process."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base, process, log_path, ready)
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def serving_api(
    env: dict[str, str], log_path: Path, checkout: Checkout = HERE
) -> contextlib.AbstractContextManager[tuple[str, Process]]:
    """`python -m api serve` with one worker on a free loopback port."""
    port = free_port()
    command = [checkout.python, "-m", "api", "serve", "--port", str(port), "--workers", "1"]
    return serving(command, port, env, log_path, cwd=checkout.path)


def wait_until_ready(
    base: str, process: Process, log_path: Path, ready: Callable[[str], bool]
) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchmarkError(
                f"the server exited with {process.returncode} before it answered:\n"
                + tail(log_path)
            )
        with contextlib.suppress(httpx.HTTPError):
            if ready(base):
                return
        time.sleep(0.1)
    raise BenchmarkError(f"the server did not answer in {STARTUP_TIMEOUT:.0f} s:\n{tail(log_path)}")


def tail(path: Path, lines: int = 40, width: int | None = None) -> str:
    """The last lines of a log, each cut to `width` characters if given (tracebacks in JSON
    lines are long)."""
    last = path.read_text(errors="replace").splitlines()[-lines:]
    return "\n".join(
        line if width is None or len(line) <= width else line[:width] + "…" for line in last
    )


def show_logs(directory: Path) -> None:
    """The last lines of every server log in `directory` that is not empty, on standard error."""
    for log in sorted(directory.glob("*.log")):
        written = log.read_text(errors="replace").splitlines()
        if written:
            excerpt = tail(log, lines=10, width=400)
            print(f"\n{log.stem} log, {len(written)} lines; the last:\n{excerpt}", file=sys.stderr)


def rss_mib(pid: int) -> float | None:
    """Resident memory of a process and its children, in MiB (None once it is gone)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            if current == pid:
                return None
            continue
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        total += int(found.group(1)) if found else 0
        pending += [int(child) for child in children]
    return total / 1024


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user and system) a process has used so far (None once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The fields after the command name, which is in parentheses and may hold spaces.
    fields = stat.rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# The report ----------------------------------------------------------------------------------


def percentile(ordered: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile of sorted values (None when there are none)."""
    if not ordered:
        return None
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def milliseconds(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f}"


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


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# Command line --------------------------------------------------------------------------------


def add_common_options(parser: argparse.ArgumentParser, database: str) -> None:
    parser.add_argument(
        "--database-url",
        default=DEFAULT_SERVER,
        help="PostgreSQL server to use (its database, if any, is only used to create and drop "
        f"the benchmark's own); default {DEFAULT_SERVER}",
    )
    parser.add_argument(
        "--database-name",
        default=database,
        help=f"database to drop, recreate and benchmark; default {database}",
    )
    add_load_options(parser)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")


def add_load_options(parser: argparse.ArgumentParser) -> None:
    """How long and how hard each workload is driven."""
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


def check_common_options(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> None:
    check_load_options(parser, arguments)
    if not IDENTIFIER.fullmatch(arguments.database_name):
        parser.error("--database-name must be a lower-case SQL identifier")


def check_load_options(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> None:
    if arguments.duration <= 0 or arguments.timeout <= 0 or arguments.warmup < 0:
        parser.error("--duration and --timeout must be positive, --warmup zero or more")
    if arguments.connections < 1:
        parser.error("--connections must be 1 or more")


def environment(database: URL, **extra: str) -> dict[str, str]:
    """The API's environment over the benchmark database, as in production."""
    return {
        **os.environ,
        "DATABASE_URL": render(database),
        "ENVIRONMENT": "production",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
