"""Short pauses from Python's cycle collector in a long-running server.

A full collection walks every container object that is still alive: the schema, the caches of
compiled documents and statements, the pools. With a few hundred thousand of them, each full pass
stopped every request in flight for 25 to 55 ms, about once a second under load (measured with
`gc.callbacks`): that was the p99 latency. Objects that have lived through a full collection are
almost all long-lived, so they are frozen (moved out of the collector's sight) when there are
many; the collector then only walks what is young. Whatever was frozen and later died is reclaimed
by a sweep that thaws, collects and freezes again now and then.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from typing import Any

# Survivors of a full collection worth freezing: fewer cost little to walk.
FREEZE_ABOVE = 20_000
SWEEP_SECONDS = 300.0


def _after_collection(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info["generation"] == 2 and len(gc.get_objects(2)) > FREEZE_ABOVE:
        gc.freeze()


async def _sweep(every: float) -> None:
    while True:
        await asyncio.sleep(every)
        gc.unfreeze()
        gc.collect()
        gc.freeze()


@contextlib.asynccontextmanager
async def kept_short(sweep_seconds: float = SWEEP_SECONDS) -> AsyncIterator[None]:
    """For the life of a server: what start-up made is frozen now, survivors later."""
    gc.collect()
    gc.freeze()
    gc.callbacks.append(_after_collection)
    sweeping = asyncio.create_task(_sweep(sweep_seconds))
    try:
        yield
    finally:
        sweeping.cancel()
        gc.callbacks.remove(_after_collection)
        gc.unfreeze()
