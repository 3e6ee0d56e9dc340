"""The change feed and each object's history, as the caller may see them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from resolvers import ids
from resolvers.context import Context
from resolvers.listing import nested_listing, root_listing
from resolvers.money import in_minor_units
from resolvers.pagination import Listing, Slice
from resolvers.viewer import Viewer
from store import visibility
from store.changes import ORDERINGS, ChangeEvent, ChangeFilter, select_changes, select_history
from store.contributions import Contribution
from store.pages import Ordering

__all__ = ["ChangeEvent", "ChangeFilter"]

FEED_ORDER = Ordering(ORDERINGS["POSITION"])
# Snapshot columns that point at other objects, shown as global IDs.
REFERENCES = {
    "contributor_id": "Participant",
    "recipient_id": "Participant",
    "partner_id": "Participant",
    "objective_id": "Objective",
    "carried_over_from_id": "Objective",
    "origin_id": "Objective",
    "plan_id": "Plan",
    "predecessor_id": "Plan",
    "successorId": "Plan",
    "review_id": "Review",
    "contribution_id": "Contribution",
    "recorded_by_id": "Participant",
}
# Amounts and the column holding their currency, shown in the currency's minor units.
MONEY = {"amount": "currency", "requirement_amount": "requirement_currency"}


async def feed(context: Context, criteria: ChangeFilter, slice_: Slice) -> Listing[ChangeEvent]:
    statement = select_changes(criteria)
    return await root_listing(
        context, statement, ChangeEvent, FEED_ORDER, slice_, context.loaders.change
    )


async def history(
    context: Context, entity_type: str, entity_id: int, slice_: Slice
) -> Listing[ChangeEvent]:
    return await nested_listing(
        context,
        ("history", entity_type),
        select_history(entity_type),
        ChangeEvent,
        ChangeEvent.entity_id,
        entity_id,
        FEED_ORDER,
        slice_,
        context.loaders.change,
    )


@dataclass(frozen=True)
class Presented:
    """A change event as this caller may see it."""

    event: ChangeEvent
    actor_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    redacted: bool


async def present(context: Context, events: list[ChangeEvent]) -> dict[int, Presented]:
    """Events by position, as the caller may see them."""
    viewer = context.caller
    ids_ = [event.entity_id for event in events if event.entity_type == "Contribution"]
    current = dict(zip(ids_, await context.loaders.contribution.load_many(ids_), strict=True))
    return {event.id: _presented(viewer, event, current.get(event.entity_id)) for event in events}


def _presented(viewer: Viewer, event: ChangeEvent, contribution: Contribution | None) -> Presented:
    """Who changed a restricted contribution and its detail (store/visibility.py: all but its
    open columns, so a withdrawal's reason too) are withheld, like the contribution itself, from
    everyone but its contributor, its recipient and the secretariat; and a contribution
    restricted now keeps its earlier, public events to itself too."""
    hidden = False
    if event.entity_type == "Contribution":
        states = [state for state in (event.before, event.after) if state]
        hidden = not all(_may_see(viewer, state) for state in states)
        if contribution is not None:
            hidden = hidden or not viewer.sees_detail(contribution)
    return Presented(
        event=event,
        actor_id=None if hidden else event.actor_id,
        before=_shown(event.entity_type, event.before, hidden),
        after=_shown(event.entity_type, event.after, hidden),
        redacted=hidden,
    )


def _may_see(viewer: Viewer, state: dict[str, Any]) -> bool:
    # A state written before its columns were all recorded is read as restricted.
    return viewer.sees(
        state.get("visibility", "RESTRICTED"),
        state.get("contributor_id"),
        state.get("recipient_id"),
    )


def _shown(entity_type: str, state: dict[str, Any] | None, hidden: bool) -> dict[str, Any] | None:
    if state is None:
        return None
    references = {**REFERENCES, "id": entity_type}
    shown = {}
    for key, value in state.items():
        if hidden and visibility.withheld(key):
            value = None
        elif key in references and isinstance(value, int):
            value = ids.encode(references[key], value)
        elif key in MONEY and value is not None and state.get(MONEY[key]):
            value = str(in_minor_units(Decimal(value), state[MONEY[key]]))
        shown[_camel(key)] = value
    return shown


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
