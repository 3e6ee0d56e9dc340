"""recordDelivery: part of a contribution's commitment delivered (or disbursed), one delivery at a
time, by whoever may change the contribution."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from resolvers.commands import (
    Outcome,
    fingerprint,
    input_text,
    log,
    remember,
    replayed,
    run,
    version,
)
from resolvers.context import Context
from resolvers.contribution_commands import KEY_LIMIT, own, reached, taken_over
from resolvers.stages import deliver, in_its_currency
from resolvers.tallying import refresh_objectives
from store.base import save, snapshot
from store.contributions import Contribution
from store.enums import ChangeAction

RECORD_DELIVERY = "recordDelivery"
NOTE_LIMIT = 2000


@dataclass(frozen=True)
class DeliveryRecord:
    """One delivery, as a client reports it."""

    amount: Decimal
    currency: str
    delivered_on: date
    note: str | None = None


async def record_delivery(
    context: Context,
    global_id_: str,
    expected_version: int,
    record: DeliveryRecord,
    idempotency_key: str | None,
) -> Outcome[Contribution]:
    """Record that part of a contribution's commitment was delivered (or disbursed)."""
    print_ = fingerprint({"id": global_id_, **vars(record)})

    async def work(session: AsyncSession) -> Outcome[Contribution]:
        key = input_text("idempotencyKey", idempotency_key, KEY_LIMIT)
        earlier = await replayed(
            session, context, RECORD_DELIVERY, key, print_, Contribution, "delivery"
        )
        if earlier is not None:
            return earlier
        row = await own(session, context, global_id_)
        version("expectedVersion", row, expected_version)
        before = snapshot(row)
        taken_over(context, row)
        amount = await in_its_currency(session, "amount", row, (record.amount, record.currency))
        note = input_text("note", record.note, NOTE_LIMIT, prose=True)
        now = datetime.now(UTC)
        deliver(row, amount, record.delivered_on, note, context.caller.participant_id, now)
        await save(session)
        await log(context, session, row, ChangeAction.UPDATED, before)
        await refresh_objectives(session, reached(row))
        await remember(session, context, RECORD_DELIVERY, key, print_, row.id)
        return Outcome(row)

    return await run(context, work)
