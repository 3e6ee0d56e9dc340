"""The record as it stood at a moment, rebuilt from the change log.

Every write logs its entity's whole row before and after (store/changes.py), so a row's state at
a moment is the state after its last write before then; a row written only since is as its first
write found it; a row never written through the service (bulk loaded) is as it is now. Rows made
after the moment did not exist. Nothing here writes: the states are detached copies.

What a past day says is what the record said by its end: a correction or a late report made
since does not change it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Date, Enum, func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.base import Base
from store.changes import ChangeEvent
from store.columns import ScaledDecimal, UTCDateTime
from store.contributions import Contribution
from store.enums import ChangeAction
from store.stages import given_at

M = TypeVar("M", bound=Base)

# The events that log their entity's whole row; the others carry a finding (an overlap) or
# another record's values (a confirmation) under the entity's name.
STATEFUL = (
    ChangeAction.CREATED,
    ChangeAction.UPDATED,
    ChangeAction.WITHDRAWN,
    ChangeAction.TRANSITIONED,
)


async def states_at(session: AsyncSession, model: type[M], moment: datetime) -> list[M]:
    """Every row of `model` (with `created_at`) as it stood at `moment`, in id order (three
    statements, however many rows)."""
    kind = model.__name__
    made = await session.scalars(
        select(model).where(model.created_at < moment).order_by(model.id)  # type: ignore[attr-defined]
    )
    rows = list(made)
    last = await _states(session, kind, moment, before_moment=True)
    next_ = await _states(session, kind, moment, before_moment=False)
    found = []
    for row in rows:
        key = row.id  # type: ignore[attr-defined]
        state = last[key] if key in last else next_.get(key)
        # No state logged (a row loaded in bulk, never written since): it is as it is now.
        found.append(row if state is None else restored(model, state, key))
    return found


async def _states(
    session: AsyncSession, kind: str, moment: datetime, *, before_moment: bool
) -> dict[int, dict[str, Any] | None]:
    """Each entity's state after its last event before `moment`, or before its first event
    since."""
    chosen = func.max(ChangeEvent.id) if before_moment else func.min(ChangeEvent.id)
    when = ChangeEvent.occurred_at < moment if before_moment else ChangeEvent.occurred_at >= moment
    events = (
        select(chosen.label("id"))
        .where(ChangeEvent.entity_type == kind, ChangeEvent.action.in_(STATEFUL), when)
        .group_by(ChangeEvent.entity_id)
        .subquery()
    )
    state = ChangeEvent.after if before_moment else ChangeEvent.before
    result = await session.execute(
        select(ChangeEvent.entity_id, state).join(events, events.c.id == ChangeEvent.id)
    )
    return {entity: found for entity, found in result}


def restored(model: type[M], state: dict[str, Any], key: int) -> M:
    """A detached row of `model` (primary key `key`) from a logged state (JSON values, as
    store/base.snapshot writes them); columns a state from before they existed lacks are filled
    as their migration did."""
    values: dict[str, Any] = {"id": key}
    for column in inspect(model).columns:
        if column.key in state and column.key != "id":
            values[column.key] = _read(column.type, state[column.key])
    if model is Contribution:
        values = _contribution(values)
    return model(**values)


def _read(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(kind, ScaledDecimal):
        return Decimal(value)
    if isinstance(kind, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Enum) and kind.enum_class is not None:
        return kind.enum_class[value]
    return value  # JSON, numbers, text and booleans are stored as they are read


def _contribution(values: dict[str, Any]) -> dict[str, Any]:
    """A contribution logged before its stages were kept had them as its status said (migration
    0005); one logged before funds was reported by its contributor and drew on nothing."""
    values.setdefault("reported_by_id", values.get("contributor_id"))
    values.setdefault("draws", False)
    for name in ("schedule", "items"):
        values.setdefault(name, [])
    changed = values.get("updated_at") or values.get("created_at")
    if "pledged_on" not in values and values.get("created_at") is not None:
        values["pledged_on"] = values["created_at"].date()
    if "committed_amount" not in values and changed is not None:
        by = values.get("reported_by_id")
        values.update(given_at(values["status"], values["amount"], changed.date(), by, changed))
    return values
