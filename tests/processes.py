"""Real server processes for the tests that need them: `python -m api serve` on a free loopback
port, over a database the test prepared, as an operator would start it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket as sockets
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from tests.conftest import POOL_SIZE, REQUEST_TIMEOUT

START_SECONDS = 120  # a bound for a server that will not start, not a speed test
STOP_SECONDS = 30


@dataclass(frozen=True)
class Instance:
    """One running server: where it listens, and its process, so a test can signal it."""

    address: str
    process: subprocess.Popen[bytes]

    @property
    def base_url(self) -> str:
        return f"http://{self.address}"


def free_port() -> int:
    with sockets.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def server(url: str | None, **environment: str) -> AsyncIterator[Instance]:
    """`python -m api serve` on a free port over `url` (None: the embedded SQLite file, in the
    DATA_DIR that `environment` names), once it answers; in production unless `environment`
    says otherwise. Waits without blocking the event loop, which may be relaying the server's own
    database traffic."""
    port = free_port()
    env = {
        **os.environ,
        "ENVIRONMENT": "production",
        "LOG_LEVEL": "WARNING",
        # Few connections, waited for patiently: PostgreSQL's are shared with other test runs.
        "DATABASE_POOL_SIZE": str(POOL_SIZE),
        "DATABASE_POOL_TIMEOUT": str(REQUEST_TIMEOUT),
        **environment,
    }
    if url is None:
        env.pop("DATABASE_URL", None)
    else:
        env["DATABASE_URL"] = url
    command = [sys.executable, "-m", "api", "serve", "--port", str(port)]
    # Starting a process is quick; only waiting for it blocks, and that is done in a thread.
    process = subprocess.Popen(command, env=env)  # noqa: ASYNC220 - our own command
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        async with httpx.AsyncClient(timeout=1) as probe:
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if (await probe.get(f"http://{address}/healthz")).status_code == 200:
                        break
                assert process.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server did not start"
                await asyncio.sleep(0.1)
        yield Instance(address, process)
    finally:
        # The test may have stopped or killed it already: signalling a reaped process does nothing.
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(process.wait, STOP_SECONDS)
        except subprocess.TimeoutExpired:
            # Never leave a server behind holding the port and database connections.
            process.kill()
            await asyncio.to_thread(process.wait)
            raise
