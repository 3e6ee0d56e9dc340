"""Confirming and disputing contributions: the recipient partner's account, beside the donor's.

Only the partner a contribution goes to may confirm or dispute it. A confirmation never changes
the contribution (nor its version): it is a row of its own, and a change event on the
contribution, so its history, the change feed and subscriptions carry it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from resolvers.commands import (
    Outcome,
    UserErrorCode,
    fingerprint,
    global_id,
    input_text,
    money,
    reject,
    remember,
    replayed,
    run,
    version,
)
from resolvers.context import Context
from store import changes, confirmations
from store.base import get, snapshot
from store.confirmations import Confirmation
from store.contributions import Contribution
from store.enums import (
    ChangeAction,
    ConfirmationStage,
    ConfirmationVerdict,
    ContributionKind,
    ContributionStatus,
)

CONFIRM = "confirmContribution"
DISPUTE = "disputeContribution"
NOTE_LIMIT = 2000
KEY_LIMIT = 200


@dataclass(frozen=True)
class Account:
    """What the recipient records: a confirmation (stage, amount) or a dispute (reason)."""

    contribution_id: str
    expected_version: int
    verdict: ConfirmationVerdict
    on: date
    stage: ConfirmationStage | None = None
    amount: Decimal | None = None
    currency: str | None = None
    reason: str | None = None


def _stage_fits_kind(kind: ContributionKind, stage: ConfirmationStage) -> None:
    if kind is ContributionKind.FUNDING and stage is not ConfirmationStage.RECEIVED:
        raise reject("stage", "funding is confirmed RECEIVED")
    if kind is not ContributionKind.FUNDING and stage is not ConfirmationStage.DELIVERED:
        raise reject("stage", "in-kind support is confirmed DELIVERED")


async def _received(session: AsyncSession, context: Context, pk: int) -> Contribution:
    """A contribution to the caller, or a rejection that tells nothing of anyone else's."""
    row = await get(session, Contribution, pk)
    if row is None:
        raise reject("id", "names no contribution", UserErrorCode.NOT_FOUND)
    # The recipient: a partner, or a fund support was given into (its manager acts for it).
    if row.recipient_id not in context.caller.acting_for:
        raise reject(
            "id",
            "is not support to you: only its recipient (the partner, or the fund's manager) "
            "may confirm or dispute it",
            UserErrorCode.FORBIDDEN,
        )
    return row


async def record(
    context: Context, account: Account, idempotency_key: str | None
) -> Outcome[Confirmation]:
    """Record a confirmation or a dispute of a contribution to the caller, if the contribution is
    still at the version the caller read."""
    caller = context.caller
    operation = CONFIRM if account.verdict is ConfirmationVerdict.CONFIRMED else DISPUTE
    print_ = fingerprint(vars(account))

    async def work(session: AsyncSession) -> Outcome[Confirmation]:
        # The input's own checks first: they tell nothing of the contribution.
        pk = global_id("id", account.contribution_id, "Contribution")
        key = input_text("idempotencyKey", idempotency_key, KEY_LIMIT)
        disputed = account.verdict is ConfirmationVerdict.DISPUTED
        reason = input_text(
            "reason" if disputed else "note", account.reason, NOTE_LIMIT, required=disputed
        )
        if account.on > context.today:
            raise reject("on", f"({account.on}) is in the future: today is {context.today}")
        amount = currency = None
        if not disputed:
            assert account.amount is not None and account.currency is not None
            amount, currency = await money(
                session, "amount", account.amount, account.currency, account.on
            )
        what = f"{operation} call"
        earlier = await replayed(session, context, operation, key, print_, Confirmation, what)
        if earlier is not None:
            return earlier
        contribution = await _received(session, context, pk)
        version("expectedVersion", contribution, account.expected_version)
        if contribution.status is ContributionStatus.WITHDRAWN:
            raise reject(
                "id",
                "is withdrawn: there is nothing to confirm or dispute",
                UserErrorCode.INVALID_TRANSITION,
            )
        if account.stage is not None:
            _stage_fits_kind(contribution.kind, account.stage)
        row = await confirmations.add(
            session,
            Confirmation(
                contribution_id=contribution.id,
                recorded_by_id=caller.participant_id,
                verdict=account.verdict,
                stage=None if disputed else account.stage,
                amount=amount,
                currency=currency,
                on=account.on,
                reason=reason,
                of_version=contribution.version,
            ),
        )
        await _log(session, context, contribution, row)
        await remember(session, context, operation, key, print_, row.id)
        return Outcome(row)

    return await run(context, work)


async def _log(
    session: AsyncSession, context: Context, contribution: Contribution, row: Confirmation
) -> None:
    """A change event on the contribution, holding the confirmation's values, and the columns
    that decide who sees them (store/visibility.py withholds all but the open ones)."""
    values: dict[str, Any] = snapshot(row)
    deciding = {
        "id": contribution.id,  # the event's object, as in every event on a contribution
        "visibility": contribution.visibility.name,
        "contributor_id": contribution.contributor_id,
        "recipient_id": contribution.recipient_id,
    }
    action = (
        ChangeAction.CONFIRMED
        if row.verdict is ConfirmationVerdict.CONFIRMED
        else ChangeAction.DISPUTED
    )
    await changes.record(
        session, context.caller.participant_id, contribution, action, None, {**values, **deciding}
    )
