"""Probes: /healthz (the process serves) and /readyz (it can do its work: send it traffic)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse

from store.database import Database, ping
from store.migrate import is_current

# Short enough for a probe every few seconds, and far shorter than a connect to a silent host takes
# to fail (asyncpg waits 60 s). Probers' own timeouts go above it (Kubernetes' default is 1 s).
READY_TIMEOUT = 2.0
log = logging.getLogger("api.health")


async def healthz(request: Request) -> JSONResponse:
    """The process is up and serving; it says nothing about the database."""
    return JSONResponse({"status": "ok"})


def readyz(database: Database) -> Callable[[Request], Awaitable[JSONResponse]]:
    """The endpoint that says whether this instance should get traffic: the database answers, and
    its schema is the one this release was built for."""
    last_reason: str | None = None

    async def ready(request: Request) -> JSONResponse:
        nonlocal last_reason
        reason, error = await _unready_reason(database)
        if reason != last_reason:
            # Once per change, not once per probe: a probe every few seconds would drown the log.
            if reason is None:
                log.info("ready")
            else:
                cause = "" if error is None else f" ({type(error).__name__}: {error})"
                log.warning("unready: %s%s", reason, cause)
            last_reason = reason
        if reason is None:
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "unready", "reason": reason}, status_code=503)

    return ready


async def _unready_reason(database: Database) -> tuple[str | None, Exception | None]:
    """Why this instance is not ready (None when it is), and the error behind it if any.

    The error goes to the log only: its text names hosts, ports and users, which is nothing to
    tell whoever can reach the probe.
    """
    try:
        async with asyncio.timeout(READY_TIMEOUT):
            await ping(database.reader)
            current = await is_current(database.reader)
    except TimeoutError:
        return f"database did not answer within {READY_TIMEOUT:g} s", None
    except Exception as error:  # whatever the driver raises, the probe answers
        return "database unreachable", error
    if not current:
        return (
            "database schema is not at this release's migration head (run `python -m api migrate`)",
            None,
        )
    return None, None
