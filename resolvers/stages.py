"""Moving support along its stages: committing part or all of a pledge, adding deliveries, and the
statuses that say the same in one word. store/stages.py holds the rule that ties the status to
the stages; these are the checks a client's figures pass on the way in, whichever mutation
brings them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from resolvers import schedules
from resolvers.commands import UserErrorCode, money, reject
from resolvers.money import with_currency
from store.contributions import Contribution, Staged
from store.enums import ContributionStatus
from store.stages import DONE, Delivery, scaled, status_of


async def in_its_currency(
    session: AsyncSession, path: str, row: Contribution, given: tuple[Decimal, str]
) -> Decimal:
    """A positive amount in the contribution's own currency: its stages are parts of its pledge."""
    amount, currency = await money(session, path, given[0], given[1], row.valued_on)
    if currency != row.currency:
        raise reject(
            f"{path}.currency",
            f"is {currency}, but the contribution is in {row.currency}: its stages are parts of "
            "its pledge, in the same currency",
        )
    return amount


def restage(row: Contribution) -> None:
    """The status the stages now make."""
    row.status = status_of(
        row.kind, row.committed_amount, row.delivered_amount, row.withdrawn_at is not None
    )


def _not_after_today(path: str, day: date, today: date) -> None:
    if day > today:
        raise reject(path, f"({day}) is after today ({today}): record a stage once it is reached")


def pledged(row: Contribution, on: date | None, today: date) -> None:
    """When the support was pledged: never after today, nor after it was committed."""
    if on is None:
        return
    _not_after_today("pledgedOn", on, today)
    if row.committed_on is not None and on > row.committed_on:
        raise reject("pledgedOn", f"({on}) is after it was committed ({row.committed_on})")
    row.pledged_on = on


def commit(row: Contribution, amount: Decimal, on: date | None, today: date) -> None:
    """Commit `amount` of the pledge (on `on`, by default today): no more than was pledged, no
    less than is already delivered, never dated before the pledge or after today."""
    if amount > row.amount:
        raise reject(
            "committed.amount",
            f"({with_currency(amount, row.currency)}) is more than the "
            f"{with_currency(row.amount, row.currency)} pledged: raise the amount first",
        )
    if amount < row.delivered_amount:
        raise reject(
            "committed.amount",
            f"({with_currency(amount, row.currency)}) is less than the "
            f"{with_currency(row.delivered_amount, row.currency)} already delivered",
        )
    day = on or row.committed_on or today
    _not_after_today("committedOn", day, today)
    if day < row.pledged_on:
        raise reject("committedOn", f"({day}) is before the pledge ({row.pledged_on})")
    row.committed_amount, row.committed_on = scaled(amount), day
    restage(row)


def deliver(
    row: Contribution,
    amount: Decimal,
    on: date,
    note: str | None,
    recorded_by_id: int | None,
    now: datetime,
) -> None:
    """Add one delivery: never beyond the commitment, never before it or after today."""
    if row.withdrawn_at is not None:
        raise reject(
            "id", "is withdrawn: nothing more is delivered", UserErrorCode.INVALID_TRANSITION
        )
    committed = row.committed_amount
    if committed is None:
        raise reject(
            "amount",
            "is beyond the commitment: nothing of this pledge is committed yet (commit it with "
            "updateContribution's `committed`)",
            UserErrorCode.INVALID_TRANSITION,
        )
    total = row.delivered_amount + amount
    if total > committed:
        raise reject(
            "amount.amount",
            f"would bring what is delivered to {with_currency(total, row.currency)}, beyond the "
            f"{with_currency(committed, row.currency)} committed",
        )
    _not_after_today("deliveredOn", on, now.date())
    assert row.committed_on is not None  # set with the amount
    if on < row.committed_on:
        raise reject("deliveredOn", f"({on}) is before the commitment ({row.committed_on})")
    delivery = Delivery(amount, on, note, recorded_by_id, now)
    # A new list, so that the change is seen and written.
    row.deliveries = [*row.deliveries, delivery.stored()]
    row.delivered_amount = scaled(total)
    row.delivered_on = max(on, row.delivered_on or on)
    restage(row)


def advance(row: Contribution, status: ContributionStatus, by: int | None, now: datetime) -> None:
    """A later status, as one word for its stages: COMMITTED commits the whole pledge (if nothing
    is committed yet); DISBURSED or DELIVERED also delivers what is left of the commitment, today.
    The lifecycle's order is checked by the caller."""
    if status is row.status:
        return
    if row.committed_amount is None:
        commit(row, row.amount, None, now.date())
    if status in DONE:
        left = (row.committed_amount or row.amount) - row.delivered_amount
        if left > 0:
            deliver(row, left, now.date(), f"recorded as {status.name}", by, now)
    if row.status is not status:
        raise reject(
            "status",
            f"cannot be {status.name} for {row.kind.name} support: it is "
            f"{row.status.name} once its commitment is delivered",
        )


def tranches(row: Contribution, today: date) -> list[schedules.TrancheState]:
    """A contribution's planned tranches as they stand on `today`: its deliveries fill them in
    the order they fall due."""
    return schedules.states(schedules.parse(row.schedule), row.delivered_amount, today)


def overdue(row: Staged, today: date) -> Decimal:
    """What of a contribution is overdue on `today`, in its currency: the undelivered part of its
    tranches due before then; nothing once it is withdrawn, for the rest will not come."""
    if row.withdrawn_at is not None:
        return Decimal(0)
    return schedules.overdue(schedules.parse(row.schedule), row.delivered_amount, today)
