"""`node` and `nodes`: any object by its global ID, batched per type."""

from __future__ import annotations

import asyncio
from typing import Any

from resolvers import contributions, ids, objectives, participants, plans, reviews
from resolvers.context import Context
from resolvers.errors import invalid_argument, not_found, shown

MAX_NODES = 100

_FETCHERS = {
    "Participant": participants.by_id,
    "Plan": plans.by_id,
    "Objective": objectives.by_id,
    "Contribution": contributions.by_id,
    "Review": reviews.by_id,
}


async def node(context: Context, global_id: str) -> tuple[str, Any]:
    """The type name and row behind an ID; NOT_FOUND if no object has it."""
    type_name, pk = ids.decode(global_id, "id")
    row = await _FETCHERS[type_name](context, pk)
    if row is None:
        raise not_found(
            "id", f"Could not resolve to a node with the global ID {shown(global_id, 100)}"
        )
    return type_name, row


async def nodes(context: Context, global_ids: list[str]) -> list[tuple[str, Any]]:
    """Rows in the order of the IDs asked for (None where no object has that ID)."""
    if len(global_ids) > MAX_NODES:
        raise invalid_argument("ids", f"accepts at most {MAX_NODES} IDs, got {len(global_ids)}")
    keys = [ids.decode(global_id, f"ids[{n}]") for n, global_id in enumerate(global_ids)]
    rows = await asyncio.gather(*(_FETCHERS[name](context, pk) for name, pk in keys))
    return [(name, row) for (name, _), row in zip(keys, rows, strict=True)]
